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
