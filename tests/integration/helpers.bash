# helpers.bash - shared by the integration tests: a private --root per test, bundles
# made from the host's static busybox, config edits with jq, and cleanup.
#
# Every husk call is bounded by a timeout so that a hung container fails a test
# instead of hanging CI.  Tests run as root.

HUSK=${HUSK:-$BATS_TEST_DIRNAME/../../husk}
RECVTTY=${RECVTTY:-$BATS_TEST_DIRNAME/../../tests/helpers/recvtty}
SD_NOTIFY=${SD_NOTIFY:-$BATS_TEST_DIRNAME/../../tests/helpers/sd-notify}
TCP_PINGPONG=${TCP_PINGPONG:-$BATS_TEST_DIRNAME/../../tests/helpers/tcp-pingpong}
HUSK_TIMEOUT=${HUSK_TIMEOUT:-30}

# The busybox rootfs, made once per run and shared read-only by the tests.
base_rootfs() {
	local base=${HUSK_TEST_BASE:-/tmp/husk-test-base}
	if [ ! -x "$base/rootfs/bin/busybox" ]; then
		mkdir -p "$base.tmp.$$"
		HUSK=$HUSK "$BATS_TEST_DIRNAME/../../contrib/mkbundle.sh" "$base.tmp.$$" true >/dev/null
		rm -rf "$base"
		mv "$base.tmp.$$" "$base"
	fi
	echo "$base/rootfs"
}

setup_husk() {
	ROOT=$(mktemp -d /tmp/husk-root.XXXXXX)
	BUNDLE=$(mktemp -d /tmp/husk-bundle.XXXXXX)
	chmod 755 "$BUNDLE" # a container in a user namespace must reach its bundle
	ROOTFS=$(base_rootfs)
	"$HUSK" spec --bundle "$BUNDLE"
	# Tests run without a terminal, on the shared read-only rootfs.
	update_config ".process.terminal = false | .root.path = \"$ROOTFS\" | .process.args = [\"true\"]"
}

teardown_husk() {
	local id
	for id in $("$HUSK" --root "$ROOT" list -q 2>/dev/null); do
		timeout "$HUSK_TIMEOUT" "$HUSK" --root "$ROOT" delete --force "$id" || true
	done
	rm -rf "$ROOT" "$BUNDLE"
}

# husk with this test's --root, bounded in time; output in $output, status in $status.
husk() {
	timeout --kill-after=5 "$HUSK_TIMEOUT" "$HUSK" --root "$ROOT" "$@"
}

update_config() {
	jq "$1" "$BUNDLE/config.json" > "$BUNDLE/config.json.tmp"
	mv "$BUNDLE/config.json.tmp" "$BUNDLE/config.json"
}

# set_args ARG... : the container's process.args.
set_args() {
	local json=[] a
	# One argument at a time, so an argument may hold newlines.
	for a in "$@"; do json=$(printf '%s' "$a" | jq -cRs --argjson l "$json" '$l + [.]'); done
	update_config ".process.args = $json"
}

# A writable copy of the rootfs for tests that change it.
private_rootfs() {
	cp -a "$ROOTFS" "$BUNDLE/rootfs"
	update_config '.root.path = "rootfs" | .root.readonly = false'
	ROOTFS=$BUNDLE/rootfs
}

# wait_for_status ID STATUS: poll, bounded by 10 s.
wait_for_status() {
	local i
	for i in $(seq 100); do
		[ "$(husk state "$1" 2>/dev/null | jq -r .status)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "container $1 never reached $2" >&2
	return 1
}

# process_gone PID: PID has exited (gone, or a zombie its new parent has not reaped).
process_gone() {
	local st
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

# The host's cgroup2 mount, as husk finds it.
cgroup2_root() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then echo /sys/fs/cgroup
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then echo /sys/fs/cgroup/unified
	fi
}

# Nothing of container ID may be left: state, cgroup, mounts of the test bundle.
assert_nothing_left() {
	local id=$1 cg
	[ ! -e "$ROOT/$id" ] || { echo "state directory $ROOT/$id left behind" >&2; return 1; }
	cg=$(cgroup2_root)
	if [ -n "$cg" ]; then
		[ ! -e "$cg/husk/$id" ] || { echo "cgroup $cg/husk/$id left behind" >&2; return 1; }
	fi
	if grep -q "$BUNDLE" /proc/self/mountinfo; then
		echo "mount under $BUNDLE left behind" >&2
		return 1
	fi
}

requires() {
	local r
	for r in "$@"; do
		case $r in
		cgroup2) [ -n "$(cgroup2_root)" ] || skip "no cgroup2 mount" ;;
		timens) [ -e /proc/self/ns/time ] || skip "no time namespaces" ;;
		*) echo "requires: unknown requirement $r" >&2; return 1 ;;
		esac
	done
}

# start_seccomp_agent SOCKET STATEFILE: tests/helpers/seccomp-agent listening on
# SOCKET (open to any user, for rootless containers), answering EXDEV to every
# notification and writing the containerProcessState it gets to STATEFILE.  Its pid
# is AGENT_PID and is added to AGENT_PIDS, which kill_seccomp_agents ends.
start_seccomp_agent() {
	rm -f "$1"
	"${SECCOMP_AGENT:-$BATS_TEST_DIRNAME/../helpers/seccomp-agent}" "$1" "$2" 18 &
	AGENT_PID=$!
	AGENT_PIDS="${AGENT_PIDS:-} $AGENT_PID"
	wait_for_file -S "$1"
	chmod 777 "$1"
}

kill_seccomp_agents() {
	[ -z "${AGENT_PIDS:-}" ] || kill $AGENT_PIDS 2>/dev/null || true
	AGENT_PIDS=
}

# wait_for_file TEST FILE: poll `test TEST FILE` (-S, -s, -e...), bounded by 10 s.
wait_for_file() {
	local i
	for i in $(seq 100); do
		test "$1" "$2" && return 0
		sleep 0.1
	done
	echo "$2 never passed test $1" >&2
	return 1
}
