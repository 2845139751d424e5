#!/usr/bin/env bats
# Known container escapes, each tried for real.  (More live beside the feature they
# attack: rootfs.bats has CVE-2021-30465 (symlinked mount targets) and CVE-2025-31133
# (a replaced /dev/null); process.bats has CVE-2024-21626 (leaked fds and cwd) and
# CVE-2022-29162 (inheritable capabilities).)

load helpers

setup() { setup_husk; }
teardown() { teardown_husk; }

# CVE-2019-5736 needs /proc/PID/exe of a runtime process (the init before it execs,
# or an exec'd process before it execs) to be openable from the container, to rewrite
# the runtime's binary once it no longer runs.  Here the container is user-namespaced
# (its root is host uid 100000): the init waiting in "created" must not be dumpable
# (its /proc entries belong to host root) and its exe must not open.  This also
# proves the create/start path in a user namespace (the exec fifo is the
# container root's).  Not covered yet: a container given CAP_SYS_PTRACE without a
# user namespace can open it (no memfd copy of the binary yet; see man husk).
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
