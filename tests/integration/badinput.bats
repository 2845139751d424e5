#!/usr/bin/env bats
# Bad input: a one-line error naming the problem, a non-zero exit, and nothing left
# behind (no state directory, cgroup, mount or process).

load helpers

setup() { setup_husk; }
teardown() { teardown_husk; }

# fails_cleanly ID EXPECTED-MESSAGE-FRAGMENT [husk args...]
fails_cleanly() {
	local id=$1 want=$2
	shift 2
	local before
	before=$(ps -e --no-headers | wc -l)
	run husk "$@"
	[ "$status" -ne 0 ] || { echo "exit 0 for: $*"; return 1; }
	[ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output"; return 1; }
	[[ "$output" == "husk: "*"$want"* ]] || { echo "got: $output, want: $want"; return 1; }
	[ -z "$id" ] || assert_nothing_left "$id"
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || { echo "left in --root: $(ls -A "$ROOT")"; return 1; }
}

# peak_kb CMD...: the peak RSS of a husk command (its largest process); 0 for husk-san,
# whose RSS is ASan's more than husk's (its bound is not checked there).
peak_kb() {
	if [ -n "${HUSK_SANITIZED:-}" ]; then
		timeout --kill-after=5 "$HUSK_TIMEOUT" "$@" >/dev/null 2>&1 || true
		echo 0
		return
	fi
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" timeout --kill-after=5 "$HUSK_TIMEOUT" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$BATS_TEST_TMPDIR/rss"
}

@test "malformed JSON" {
	echo '{"ociVersion": "1.0.0", ' > "$BUNDLE/config.json"
	fails_cleanly c1 "config.json: invalid JSON" create -b "$BUNDLE" c1
}

@test "a config that is not an object, or nested too deep" {
	echo '[]' > "$BUNDLE/config.json"
	fails_cleanly c1 "config.json: (document): must be an object, not an array" create -b "$BUNDLE" c1
	python3 -c 'print("[" * 100000 + "]" * 100000)' > "$BUNDLE/config.json"
	fails_cleanly c1 "nested deeper than 64 levels" create -b "$BUNDLE" c1
}

@test "a missing rootfs" {
	update_config '.root.path = "/nonexistent/rootfs"'
	fails_cleanly c1 'config.json: root.path: "/nonexistent/rootfs": No such file or directory' create -b "$BUNDLE" c1
}

@test "a nonexistent bundle" {
	fails_cleanly c1 'bundle "/nonexistent/bundle": No such file or directory' create -b /nonexistent/bundle c1
}

@test "bad ids: empty, too long, with / or .., or a duplicate" {
	fails_cleanly "" "container id must not be empty" create -b "$BUNDLE" ""
	fails_cleanly "" "container id is longer than 1024 characters" create -b "$BUNDLE" "$(printf 'a%.0s' $(seq 1100))"
	fails_cleanly "" "invalid character '/'" create -b "$BUNDLE" a/b
	fails_cleanly "" 'container id ".." is not allowed' create -b "$BUNDLE" ..
	fails_cleanly "" "invalid character '/'" create -b "$BUNDLE" ../x
	set_args sleep 1000
	husk create -b "$BUNDLE" dup
	run husk create -b "$BUNDLE" dup
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: container "dup" already exists' ]
	[ "$(husk state dup | jq -r .status)" = created ]
}

@test "no process.args, or an empty one" {
	update_config 'del(.process.args)'
	fails_cleanly c1 "config.json: process.args: must be a non-empty array" create -b "$BUNDLE" c1
	update_config '.process.args = []'
	fails_cleanly c1 "config.json: process.args: must be a non-empty array" create -b "$BUNDLE" c1
}

@test "a process.args[0] that the rootfs does not have" {
	set_args /bin/nope
	fails_cleanly c1 'process.args[0]: executable "/bin/nope" not found' create -b "$BUNDLE" c1
}

@test "wrong types and values name their field" {
	update_config '.process.user.uid = "root"'
	fails_cleanly c1 "config.json: process.user.uid: must be an integer" create -b "$BUNDLE" c1
	update_config '.process.user.uid = 0 | .mounts[0].destination = "proc"'
	fails_cleanly c1 'config.json: mounts[0]: destination: "proc" must be an absolute path' create -b "$BUNDLE" c1
	update_config '.mounts[0].destination = "/proc" | .linux.namespaces += [{"type": "bogus"}]'
	fails_cleanly c1 'linux.namespaces[6]: type: unknown namespace "bogus"' create -b "$BUNDLE" c1
	update_config 'del(.linux.namespaces[6]) | .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 5}]'
	fails_cleanly c1 "process.rlimits[0]: soft limit 10 is above the hard limit 5" create -b "$BUNDLE" c1
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 18446744073709551615, "hard": 18446744073709551615}] | .process.rlimits[0].type = "RLIMIT_BOGUS"'
	fails_cleanly c1 'process.rlimits[0]: type: unknown resource "RLIMIT_BOGUS"' create -b "$BUNDLE" c1
	update_config 'del(.process.rlimits) | .hostname = "x" | .linux.namespaces |= map(select(.type != "uts"))'
	fails_cleanly c1 "config.json: hostname: needs a uts namespace" create -b "$BUNDLE" c1
}

@test "an unknown signal; a container that does not exist" {
	fails_cleanly "" 'unknown signal "SIGBOGUS"' kill c1 SIGBOGUS
	fails_cleanly "" 'container "ghost" does not exist' kill ghost KILL
	fails_cleanly "" 'container "ghost" does not exist' delete ghost
	# runc's --force: already gone is what the caller wanted (containerd's shim relies on it).
	husk delete --force ghost
	fails_cleanly "" 'container "ghost" does not exist' start ghost
}

@test "a mount that fails undoes everything done before it" {
	update_config '.mounts += [{"destination": "/x", "type": "bind", "source": "/nonexistent/src", "options": ["bind"]}]'
	fails_cleanly c1 'mount source "/nonexistent/src" for "/x": No such file or directory' create -b "$BUNDLE" c1
	update_config '.mounts[-1] = {"destination": "/x", "type": "nosuchfs", "source": "none"}'
	fails_cleanly c1 'mounts[7]: mount "none" (nosuchfs) on "/x": No such device' create -b "$BUNDLE" c1
}

@test "a resource limit the host's cgroup v2 cannot enforce is named, not ignored" {
	requires cgroup2
	[ -z "$(grep -w memory "$(cgroup2_root)/cgroup.controllers")" ] || skip "this host's cgroup2 has a memory controller"
	update_config '.linux.resources.memory = {"limit": 67108864}'
	fails_cleanly c1 "config.json: linux.resources.memory.limit: the host's cgroup v2 has no memory controller" create -b "$BUNDLE" c1
}

@test "a 100 MB config is refused with bounded memory" {
	head -c 100000000 /dev/zero | tr '\0' ' ' > "$BUNDLE/config.json"
	fails_cleanly c1 "larger than 16 MiB" create -b "$BUNDLE" c1
	kb=$(peak_kb "$HUSK" --root "$ROOT" create -b "$BUNDLE" c1)
	echo "peak RSS $kb KB" >&2
	[ "$kb" -lt 32768 ]
}

@test "adversarial configs: huge arrays and many values, with bounded memory" {
	# 14 MiB, under the size bound, of 1.4 million values.
	jq -c '.process.args = [range(1400000) | 1]' "$BUNDLE/config.json" > "$BUNDLE/big.json"
	mv "$BUNDLE/big.json" "$BUNDLE/config.json"
	fails_cleanly c1 "config.json: invalid JSON: more than 250000 values in one document" create -b "$BUNDLE" c1
	kb=$(peak_kb "$HUSK" --root "$ROOT" create -b "$BUNDLE" c1)
	echo "peak RSS $kb KB" >&2
	[ "$kb" -lt 65536 ]
	# Just under the bound: parsed, and refused for what it says, still in bounded memory.
	# (husk-san gets a smaller one: yajl grows arrays one element at a time, which
	# ASan's realloc turns quadratic.)
	n=240000
	[ -z "${HUSK_SANITIZED:-}" ] || n=20000
	jq -c ".process.args = [range($n) | \"x\"]" "$BUNDLE/config.json" > "$BUNDLE/big.json"
	mv "$BUNDLE/big.json" "$BUNDLE/config.json"
	kb=$(peak_kb "$HUSK" --root "$ROOT" run -b "$BUNDLE" c1)
	echo "peak RSS $kb KB" >&2
	[ "$kb" -lt 131072 ]
	assert_nothing_left c1
}

@test "adversarial configs: invalid UTF-8, NUL bytes, absurd numbers" {
	printf '{"ociVersion": "1.0.0", "hostname": "\xff\xfe", "process": {"args": ["true"], "cwd": "/"}, "root": {"path": "rootfs"}}' > "$BUNDLE/config.json"
	fails_cleanly c1 "config.json: invalid JSON: lexical error: invalid bytes in UTF8 string." create -b "$BUNDLE" c1
	printf '{"ociVersion": "1.0.0", \0 "root": {"path": "rootfs"}}' > "$BUNDLE/config.json"
	fails_cleanly c1 "config.json: contains a NUL byte" create -b "$BUNDLE" c1
	mkdir -p "$BUNDLE/fresh"
	"$HUSK" spec -b "$BUNDLE/fresh"
	cp "$BUNDLE/fresh/config.json" "$BUNDLE/config.json"
	update_config ".root.path = \"$ROOTFS\" | .process.terminal = false"
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 18446744073709551616, "hard": 1}]'
	fails_cleanly c1 "config.json: process.rlimits[0]" create -b "$BUNDLE" c1
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": -1, "hard": -1}]'
	fails_cleanly c1 "config.json: process.rlimits[0]" create -b "$BUNDLE" c1
	update_config 'del(.process.rlimits) | .process.user.uid = 4294967296'
	fails_cleanly c1 "config.json: process.user.uid" create -b "$BUNDLE" c1
	update_config '.process.user.uid = 0 | .process.oomScoreAdj = 100000'
	fails_cleanly c1 "config.json: process.oomScoreAdj" create -b "$BUNDLE" c1
}

@test "adversarial configs: paths with .. stay inside, or are refused" {
	# A mount destination climbing out of the rootfs lands inside it.
	private_rootfs
	update_config '.mounts += [{"destination": "/../../../../husk-escape-test", "type": "tmpfs", "source": "tmpfs"}]'
	set_args sh -c 'grep -c husk-escape-test /proc/self/mountinfo'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	[ ! -e /husk-escape-test ]
	[ -d "$ROOTFS/husk-escape-test" ]
	# A cgroupsPath with .. is refused.
	update_config '.linux.cgroupsPath = "/husk/../../escape"'
	requires cgroup2
	fails_cleanly c1 'linux.cgroupsPath: "/husk/../../escape" must not contain ".."' create -b "$BUNDLE" c1
	[ ! -e "$(cgroup2_root)/escape" ]
}
