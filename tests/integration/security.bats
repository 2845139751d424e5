#!/usr/bin/env bats
# Known container escapes, each tried for real.  tests/CVES.md lists every one with
# the test that reproduces it (some live beside the feature they attack).

load helpers

setup() { setup_husk; }
teardown() { teardown_husk; }

# CVE-2019-5736 needs /proc/PID/exe of a runtime process (the init before it execs,
# or an exec'd process before it execs) to be openable from the container, to rewrite
# the runtime's binary once it no longer runs.  Here the container is user-namespaced
# (its root is host uid 100000): the init waiting in "created" must not be dumpable
# (its /proc entries belong to host root) and its exe must not open.  This also
# proves the create/start path in a user namespace (the exec fifo is the
# container root's).
@test "CVE-2019-5736: a user-namespaced container cannot open the runtime's /proc/1/exe" {
	private_rootfs
	chown -R 100000:100000 "$ROOTFS"
	update_config '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	set_args sleep 1000
	husk create -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	local pid
	pid=$(cat "$BUNDLE/pid")
	[ "$(readlink /proc/$pid/exe)" = "$(readlink -f "$HUSK")" ]
	[ "$(stat -c %u /proc/$pid/status)" = 0 ]
	# The container's root cannot read the runtime binary through it.
	run husk exec c1 sh -c 'cat /proc/1/exe > /dev/null 2>&1 && echo readable || echo denied'
	[ "$output" = denied ]
	husk start c1
	sleep 0.2
	# After exec the container's own process is dumpable as usual.
	[ "$(stat -c %u /proc/$pid/status)" = 100000 ]
}

# The same attack against a privileged container (CAP_SYS_PTRACE, no user namespace),
# carried out to the end against a copy of husk: hold /proc/1/exe of the created
# container's init, let it exec, then write through the held reference.
@test "CVE-2019-5736: a container with CAP_SYS_PTRACE cannot rewrite the runtime binary" {
	local husk_copy=$BUNDLE/husk-copy
	cp "$HUSK" "$husk_copy"
	local before
	before=$(sha256sum "$husk_copy" | cut -d' ' -f1)
	update_config '.process.capabilities.bounding += ["CAP_SYS_PTRACE"] | .process.capabilities.effective += ["CAP_SYS_PTRACE"] | .process.capabilities.permitted += ["CAP_SYS_PTRACE"]'
	update_config '.mounts += [{"destination": "/out", "type": "bind", "source": "'"$BUNDLE"'", "options": ["rbind"]}]'
	set_args sleep 1000
	timeout 30 "$husk_copy" --root "$ROOT" create -b "$BUNDLE" c1
	# The init's exe is the sealed copy, not the file on disk.
	[[ "$(readlink /proc/$(husk state c1 | jq -r .pid)/exe)" == /memfd:husk* ]]
	# In the container: keep a reference to the init's exe until it has exec'd sleep,
	# then try to overwrite what it pointed to.
	timeout 30 "$husk_copy" --root "$ROOT" exec -d c1 sh -c '
		exec 7< /proc/1/exe || { echo open-denied > /out/result; exit 0; }
		while [ "$(cat /proc/1/comm)" != sleep ]; do sleep 0.05; done
		if echo pwned > /proc/self/fd/7; then echo written > /out/result; else echo write-denied > /out/result; fi'
	sleep 0.5
	timeout 30 "$husk_copy" --root "$ROOT" start c1
	for i in $(seq 100); do [ -s "$BUNDLE/result" ] && break; sleep 0.1; done
	cat "$BUNDLE/result"
	[ "$(cat "$BUNDLE/result")" != written ]
	[ "$(sha256sum "$husk_copy" | cut -d' ' -f1)" = "$before" ]
}

# CVE-2024-21626: a runtime fd (or the runtime's working directory) reachable from the
# container lets it walk the host's filesystem.  process.bats covers `run`; here the
# two other ways a process enters a container: create + start, and exec.
@test "CVE-2024-21626: no runtime fd or host cwd after create+start, nor in exec" {
	update_config '.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}]'
	set_args sh -c 'ls /proc/self/fd | sort -n | tr "\n" " " >/tmp/fds; readlink /proc/self/cwd >/tmp/cwd; sleep 600'
	cd /tmp
	husk create -b "$BUNDLE" c1 3</dev/null </dev/null >/dev/null 2>&1
	husk start c1
	pid=$(husk state c1 | jq .pid)
	for i in $(seq 50); do [ -s /proc/$pid/root/tmp/cwd ] && break; sleep 0.1; done
	[ "$(cat /proc/$pid/root/tmp/fds)" = "0 1 2 3 " ]
	[ "$(cat /proc/$pid/root/tmp/cwd)" = / ]
	run husk exec c1 sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "; echo; readlink /proc/self/cwd' 3</dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0 1 2 3 " ]
	[ "${lines[1]}" = / ]
}

# CVE-2019-16884: a volume on /proc made the runtime write the AppArmor label into a
# plain file, so the container ran unconfined.  Only procfs may go on /proc, and the
# label (like every /proc write of husk's) goes through a check that the file is the
# kernel's (proc_openat).
@test "CVE-2019-16884: nothing but procfs on /proc, nothing but lxcfs's files over its files" {
	mkdir -p "$BUNDLE/fakeproc/self/attr"
	for m in '{"destination":"/proc","type":"bind","source":"'"$BUNDLE"'/fakeproc","options":["rbind"]}' \
		 '{"destination":"/proc","type":"tmpfs","source":"tmpfs"}' \
		 '{"destination":"/proc/self/attr","type":"bind","source":"'"$BUNDLE"'/fakeproc","options":["bind"]}' \
		 '{"destination":"/tmp/../proc//sys","type":"tmpfs","source":"tmpfs"}'; do
		update_config ".mounts = [.mounts[0]] + [$m]"
		run husk run -b "$BUNDLE" c1
		echo "$output"
		[ "$status" -ne 0 ]
		[[ "$output" == "husk: config.json: mounts[1]: destination: "* ]]
		[[ "$output" == *"/proc"* ]]
		assert_nothing_left c1
	done
	# lxcfs's way of faking /proc/meminfo stays possible.
	echo "MemTotal: 42 kB" >"$BUNDLE/meminfo"
	update_config ".mounts = [.mounts[0]] + [{\"destination\":\"/proc/meminfo\",\"type\":\"bind\",\"source\":\"$BUNDLE/meminfo\",\"options\":[\"bind\",\"ro\"]}]"
	set_args cat /proc/meminfo
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "$output" = "MemTotal: 42 kB" ]
}

# CVE-2025-52881: a mount over a /proc file redirected the runtime's write of a sysctl
# (or label) into another file.  The one /proc/sys file a mount may cover (lxcfs's
# ns_last_pid) is covered by a host file here: the sysctl must not land in it.
@test "CVE-2025-52881: a sysctl write is not redirected by a mount over its /proc file" {
	echo original >"$BUNDLE/trap"
	update_config ".mounts += [{\"destination\":\"/proc/sys/kernel/ns_last_pid\",\"type\":\"bind\",\"source\":\"$BUNDLE/trap\",\"options\":[\"bind\"]}]
		| .linux.sysctl = {\"kernel.ns_last_pid\": \"4242\"}"
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$output" = "husk: config.json: linux.sysctl.kernel.ns_last_pid: /proc/sys/kernel/ns_last_pid is not the kernel's procfs file (something is mounted or linked over it)" ]
	[ "$(cat "$BUNDLE/trap")" = original ]
	assert_nothing_left c1
	# Without the mount the same sysctl is written.
	update_config '.mounts |= map(select(.destination != "/proc/sys/kernel/ns_last_pid"))'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
}

# CVE-2025-52565: the console's bind mount was aimed through a /dev/console that the
# image made a symlink, so the pty covered (and the container could then reach) what
# the link named.  Here the image has no /dev tmpfs over it and its /dev/console
# points at /proc/sysrq-trigger.
@test "CVE-2025-52565: a /dev/console symlink in the image is refused, not followed" {
	private_rootfs
	update_config '.process.terminal = true | .mounts |= map(select(.destination | startswith("/dev") | not))'
	rm -f "$ROOTFS/dev/console"
	ln -s /proc/sysrq-trigger "$ROOTFS/dev/console"
	mkdir -p "$ROOTFS/dev/pts"
	update_config '.mounts += [{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["newinstance","ptmxmode=0666"]}]'
	"$RECVTTY" "$BUNDLE/tty.sock" > "$BUNDLE/tty.out" &
	rpid=$!
	for i in $(seq 50); do [ -S "$BUNDLE/tty.sock" ] && break; sleep 0.1; done
	run husk run -d --console-socket "$BUNDLE/tty.sock" -b "$BUNDLE" c1
	kill $rpid 2>/dev/null || true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.terminal: the rootfs's /dev/console is not a file or a device (a symlink?): refused"* ]]
	assert_nothing_left c1
	! grep -q sysrq-trigger /proc/self/mountinfo
}
