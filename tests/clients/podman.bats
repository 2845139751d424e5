#!/usr/bin/env bats
# Podman (Debian's 4.3, with conmon) driving husk, as a user does: the runtime is
# registered by contrib/podman/containers.conf, Podman runs with the cgroupfs manager
# and the file events logger, and its storage is a scratch tmpfs.  The image is
# loaded from an OCI archive (tests/clients/mkimage.sh): no registry.

load helpers
bats_require_minimum_version 1.5.0 # run -127

setup_file() {
	client_setup podman
	# Podman as these tests run it, less --runtime; a file, so script(1) can run it too.
	printf '#!/bin/sh\nexec podman --root %s/storage --runroot %s/run --storage-driver overlay --cgroup-manager cgroupfs --events-backend file "$@"\n' \
		"$SCRATCH" "$SCRATCH" > "$SCRATCH/podman"
	chmod 755 "$SCRATCH/podman"
	sed "s|/usr/local/bin/husk|$SCRATCH/husk|" "$BATS_TEST_DIRNAME/../../contrib/podman/containers.conf" \
		> "$SCRATCH/containers.conf"
	"$BATS_TEST_DIRNAME/mkimage.sh" "$SCRATCH/image.tar"
	export CONTAINERS_CONF=$SCRATCH/containers.conf
	pm load -q -i "$SCRATCH/image.tar"
}

teardown_file() {
	[ -n "${SCRATCH:-}" ] || return 0
	pm rm -af -t 0 >/dev/null 2>&1 || true
	pm system reset -f >/dev/null 2>&1 || true
	client_scratch_remove
}

teardown() {
	pm rm -af -t 0 >/dev/null 2>&1 || true
}

pm() {
	timeout --kill-after=5 "$CLIENT_TIMEOUT" "$SCRATCH/podman" --runtime husk "$@"
}

pm_status_is() { [ "$(pm inspect --format '{{.State.Status}}' "$1")" = "$2" ]; }

cgroup_of() { echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$1/cgroup")"; }

@test "podman: run prints the output and returns the exit code; inspect names husk" {
	run pm run --name r1 "$IMAGE" sh -c 'echo hello from husk; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = "hello from husk" ]
	[ "$(pm inspect --format '{{.OCIRuntime}}' r1)" = husk ]
	pm rm r1
	# Podman asked husk to delete it: nothing is left in husk's state.
	[ -z "$("$HUSK" list -q)" ]
}

@test "podman: --runtime may also be husk's path" {
	run timeout "$CLIENT_TIMEOUT" "$SCRATCH/podman" --runtime "$SCRATCH/husk" run --rm "$IMAGE" echo by path
	[ "$status" -eq 0 ]
	[ "$output" = "by path" ]
}

@test "podman: --env, --workdir, --user, --read-only and --cap-drop" {
	run pm run --rm --env FOO=bar --workdir /tmp --user 1000:1000 --read-only --cap-drop all "$IMAGE" \
		sh -c 'echo $FOO; pwd; id -u; id -g; touch /x 2>&1; grep CapBnd /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1000 ]
	[[ "${lines[4]}" == *"Read-only file system"* ]]
	[ "$(echo "${lines[5]}" | awk '{ print $2 }')" = 0000000000000000 ]
}

@test "podman: run -d, exec, top, stats, kill, stop and rm" {
	# PID 1 of a pid namespace ignores signals it has no handler for.
	pm run -d --name d1 "$IMAGE" sh -c 'trap "exit 42" USR1; trap "exit 143" TERM; sleep 1000 & wait'
	run pm exec d1 sh -c 'echo in; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = in ]
	run pm top d1
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]
	run pm stats --no-stream --format '{{.Name}} {{.PIDs}}' d1
	[ "$status" -eq 0 ]
	[ "$output" = "d1 2" ]
	pm kill -s USR1 d1
	wait_until 30 pm_status_is d1 exited
	[ "$(pm inspect --format '{{.State.ExitCode}}' d1)" = 42 ]
	pm rm d1
	pm run -d --name d2 "$IMAGE" sh -c 'trap "exit 143" TERM; sleep 1000 & wait'
	pm stop -t 10 d2
	[ "$(pm inspect --format '{{.State.ExitCode}}' d2)" = 143 ]
	pm rm d2
	run pm ps -aq
	[ -z "$output" ]
}

@test "podman: run -it gets a real terminal" {
	run timeout 90 script -qec "$SCRATCH/podman --runtime husk run -it --rm $IMAGE sh -c 'tty; stty size; exit 5'" \
		/dev/null
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == */dev/pts/0* ]]
}

@test "podman: --security-opt seccomp=<profile> is enforced" {
	cat > "$SCRATCH/seccomp.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
	EOF
	run pm run --rm --security-opt seccomp="$SCRATCH/seccomp.json" "$IMAGE" sh -c 'mkdir /tmp/d 2>&1; echo ok'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"Operation not permitted"* ]]
	[ "${lines[1]}" = ok ]
}

@test "podman: pause and unpause freeze the container's cgroup" {
	pm run -d --name p1 "$IMAGE" sleep 1000
	local pid cg
	pid=$(pm inspect --format '{{.State.Pid}}' p1)
	cg=$(cgroup_of "$pid")
	pm pause p1
	pm_status_is p1 paused
	grep -qx 'frozen 1' "$cg/cgroup.events"
	pm unpause p1
	pm_status_is p1 running
	grep -qx 'frozen 0' "$cg/cgroup.events"
	# Podman's default pids limit reached the container's cgroup.
	[ "$(cat "$cg/pids.max")" = 2048 ]
}

@test "podman: a failing create shows husk's message from its --log" {
	run -127 pm run --rm "$IMAGE" /no/such/binary
	echo "$output"
	# 127: Podman read "not found" in the message, as it does for runc and crun.
	[[ "$output" == *'executable "/no/such/binary" not found'* ]]
	# containers.conf lists husk in runtime_supports_json: conmon passed --log.
	grep -q -- '--log-format=json --log ' "$SCRATCH/argv.log"
	[ -z "$("$HUSK" list -q)" ]
}

# Podman's checkpoint and restore verbs with husk as the runtime: the counter goes
# on from where it was, in the network namespace Podman made (CRIU is told it is
# external, and rejoins it), and --export/--import carry it through a tarball.
@test "podman: container checkpoint and restore, also through --export and --import" {
	command -v criu >/dev/null || skip "criu missing (apt-get install criu)"
	pm run -d --name k1 "$IMAGE" sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'
	local n i
	for i in $(seq 100); do n=$(pm exec k1 cat /tmp/count 2>/dev/null || echo 0); [ "$n" -ge 5 ] && break; sleep 0.1; done
	[ "$n" -ge 5 ]
	pm container checkpoint k1
	pm_status_is k1 exited
	pm container restore k1
	pm_status_is k1 running
	n=$(pm exec k1 cat /tmp/count)
	[ "$n" -ge 5 ]
	pm container checkpoint --export "$SCRATCH/k1.tar.gz" k1
	pm rm -f k1
	pm container restore --import "$SCRATCH/k1.tar.gz" --name k2
	pm_status_is k2 running
	[ "$(pm exec k2 cat /tmp/count)" -ge "$n" ]
	pm rm -f k2
	[ -z "$("$HUSK" list -q)" ]
}

@test "podman: every command line it sent is a recorded shape" {
	[ -s "$SCRATCH/argv.log" ]
	assert_shapes_recorded "$SCRATCH/argv.log" podman
}
