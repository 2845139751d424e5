#!/usr/bin/env bats
# containerd (Debian's 1.6) driving husk through its io.containerd.runc.v2 shim, as
# Kubernetes nodes do: a containerd of the test's own (root, state and socket in a
# scratch tmpfs) started with contrib/containerd/config.toml, and ctr as the client.
# The image is imported from an OCI archive (tests/clients/mkimage.sh): no registry.

load helpers

setup_file() {
	client_setup containerd
	# The project's snippet, pointed at the recorder and a private state root, plus
	# what a test instance needs of its own.
	{
		echo "root = \"$SCRATCH/root\""
		echo "state = \"$SCRATCH/state\""
		sed -e "s|/usr/local/bin/husk|$SCRATCH/husk|" -e "s|\"/run/husk\"|\"$SCRATCH/husk-root\"|" \
			"$BATS_TEST_DIRNAME/../../contrib/containerd/config.toml"
		echo "[grpc]"
		echo "  address = \"$SCRATCH/containerd.sock\""
		echo "[ttrpc]"
		echo "  address = \"$SCRATCH/containerd.sock.ttrpc\""
	} > "$SCRATCH/config.toml"
	containerd --config "$SCRATCH/config.toml" > "$SCRATCH/containerd.log" 2>&1 &
	echo $! > "$SCRATCH/containerd.pid"
	wait_until 60 test -S "$SCRATCH/containerd.sock"
	# ctr run through the shim with the options the snippet gives the "husk" handler;
	# a file, so script(1) can run it too.
	printf '#!/bin/sh\nexec ctr --address %s/containerd.sock run --runtime io.containerd.runc.v2 --runc-binary %s/husk --runc-root %s/husk-root "$@"\n' \
		"$SCRATCH" "$SCRATCH" "$SCRATCH" > "$SCRATCH/ctr-run"
	chmod 755 "$SCRATCH/ctr-run"
	"$BATS_TEST_DIRNAME/mkimage.sh" "$SCRATCH/image.tar"
	ctr_ image import "$SCRATCH/image.tar"
}

teardown_file() {
	[ -n "${SCRATCH:-}" ] || return 0
	local c pid
	for c in $(ctr_ task ls -q 2>/dev/null); do ctr_ task kill -s KILL "$c" 2>/dev/null || true; done
	for c in $(ctr_ container ls -q 2>/dev/null); do
		wait_until 20 task_gone "$c" || true
		ctr_ container delete "$c" 2>/dev/null || true
	done
	pid=$(cat "$SCRATCH/containerd.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	[ -z "$pid" ] || timeout 30 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null || true
	# Every container was deleted, so every shim has exited.
	client_scratch_remove
}

teardown() {
	local c
	for c in $(ctr_ task ls -q 2>/dev/null); do ctr_ task kill -s KILL "$c" 2>/dev/null || true; done
	for c in $(ctr_ container ls -q 2>/dev/null); do
		wait_until 20 task_gone "$c" || true
		ctr_ task delete "$c" 2>/dev/null || true
		ctr_ container delete "$c" 2>/dev/null || true
	done
}

ctr_() {
	timeout --kill-after=5 "$CLIENT_TIMEOUT" ctr --address "$SCRATCH/containerd.sock" "$@"
}

ctr_run() {
	timeout --kill-after=5 "$CLIENT_TIMEOUT" "$SCRATCH/ctr-run" "$@"
}

task_status() { ctr_ task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'; }
task_gone() { [ -z "$(task_status "$1")" ] || [ "$(task_status "$1")" = STOPPED ]; }
task_is() { [ "$(task_status "$1")" = "$2" ]; }

@test "containerd: the snippet loads, and its handler is the RuntimeClass's" {
	run ctr_ plugins ls
	grep 'plugin io.containerd.grpc.v1.cri' "$SCRATCH/containerd.log" || true
	[[ "$output" =~ io\.containerd\.grpc\.v1[[:space:]]+cri[[:space:]].*ok ]]
	run containerd --config "$SCRATCH/config.toml" config dump
	[[ "$output" == *'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.husk]'* ]]
	[[ "$output" == *"BinaryName = \"$SCRATCH/husk\""* ]]
	[[ "$output" == *'runtime_type = "io.containerd.runc.v2"'* ]]
	# Kubernetes names the handler in contrib/kubernetes/runtimeclass.yaml.
	grep -qx 'handler: husk' "$BATS_TEST_DIRNAME/../../contrib/kubernetes/runtimeclass.yaml"
}

@test "containerd: run prints the output and returns the exit code" {
	run ctr_run --rm "$IMAGE" c1 sh -c 'echo hello from husk; cat /proc/self/cgroup; exit 3'
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "hello from husk" ]
	# containerd's cgroupsPath for the default namespace.
	[ "${lines[1]}" = "0::/default/c1" ]
	# The shim deleted the container from husk's state.
	[ -z "$("$HUSK" --root "$SCRATCH/husk-root/default" list -q 2>/dev/null)" ]
}

@test "containerd: env, working directory, read-only root, capabilities, memory limit" {
	run ctr_run --rm --env FOO=bar --cwd /tmp --read-only --cap-drop CAP_NET_RAW \
		"$IMAGE" c1 sh -c 'echo $FOO; pwd; touch /x 2>&1 || true; grep CapEff /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /tmp ]
	[[ "${lines[2]}" == *"Read-only file system"* ]]
	# containerd's default set, less CAP_NET_RAW (13).
	[ "$(echo "${lines[3]}" | awk '{ print $2 }')" = 00000000a80405fb ]
	ctr_run -d --memory-limit 67108864 "$IMAGE" c2 sleep 1000
	[ "$(cat /sys/fs/cgroup/default/c2/memory.max)" = 67108864 ]
}

@test "containerd: run -d, task exec, ps, metrics, kill and delete" {
	# PID 1 of a pid namespace ignores signals it has no handler for.
	ctr_run -d "$IMAGE" c1 sh -c 'trap "exit 143" TERM; sleep 1000 & wait'
	wait_until 30 task_is c1 RUNNING
	run ctr_ task exec --exec-id e1 c1 sh -c 'echo in; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = in ]
	run ctr_ task ps c1
	[ "$status" -eq 0 ]
	# The header, sh and sleep.
	[ "${#lines[@]}" -eq 3 ]
	local pid
	pid=$(ctr_ task ls | awk '$1 == "c1" { print $2 }')
	[[ "$(tr '\0' ' ' < "/proc/$pid/cmdline")" == "sh -c trap"* ]]
	# The shim reads the container's cgroup for metrics.
	run ctr_ task metrics c1
	[ "$status" -eq 0 ]
	[[ "$output" == *pids.current* ]] || [[ "$output" == *"pids"* ]]
	ctr_ task kill -s TERM c1
	wait_until 30 task_gone c1
	run ctr_ task delete c1
	[ "$status" -eq 0 ]
	ctr_ container delete c1
	[ ! -e "/sys/fs/cgroup/default/c1" ]
}

@test "containerd: pause and resume freeze the container's cgroup" {
	ctr_run -d "$IMAGE" c1 sleep 1000
	wait_until 30 task_is c1 RUNNING
	ctr_ task pause c1
	[ "$(task_status c1)" = PAUSED ]
	grep -qx 'frozen 1' /sys/fs/cgroup/default/c1/cgroup.events
	ctr_ task resume c1
	[ "$(task_status c1)" = RUNNING ]
	grep -qx 'frozen 0' /sys/fs/cgroup/default/c1/cgroup.events
}

@test "containerd: a terminal through the console socket" {
	run timeout 60 script -qec "$SCRATCH/ctr-run --rm -t $IMAGE c1 sh -c 'tty; exit 4'" /dev/null
	[ "$status" -eq 4 ]
	[[ "$output" == */dev/pts/0* ]]
}

@test "containerd: a failing create shows husk's own message" {
	run ctr_run --rm "$IMAGE" c1 /no/such/binary
	[ "$status" -ne 0 ]
	[[ "$output" == *'OCI runtime create failed'*'"/no/such/binary"'* ]]
	[ -z "$("$HUSK" --root "$SCRATCH/husk-root/default" list -q 2>/dev/null)" ]
}

# containerd 1.6's checkpoint verbs, through the shim's "runc checkpoint/restore":
# ctr container checkpoint --task saves the running task (left running) with the
# container into a checkpoint image in containerd's content store; container restore
# --live makes a container from it again and restores its task; ctr task checkpoint
# --exit (to a directory) stops the task, as runc's checkpoint does.
@test "containerd: ctr container checkpoint --task and container restore --live; task checkpoint --exit" {
	command -v criu >/dev/null || skip "criu missing (apt-get install criu)"
	ctr_run -d --mount type=tmpfs,src=tmpfs,dst=/data,options=rw "$IMAGE" c1 \
		sh -c 'i=0; while true; do i=$((i+1)); echo $i > /data/count; sleep 0.1; done'
	wait_until 30 task_is c1 RUNNING
	wait_until 30 sh -c "[ \"\$(ctr --address $SCRATCH/containerd.sock task exec --exec-id w c1 cat /data/count)\" -ge 5 ]"
	ctr_ container checkpoint --task c1 husk.test/checkpoint/c1:1
	# The task is left running; the checkpoint is an image in the content store.
	[ "$(task_status c1)" = RUNNING ]
	ctr_ image ls -q | grep -qx husk.test/checkpoint/c1:1
	ctr_ task kill -s KILL c1
	wait_until 30 task_gone c1
	ctr_ task delete c1
	ctr_ container delete c1
	ctr_ container restore --live c2 husk.test/checkpoint/c1:1
	wait_until 30 task_is c2 RUNNING
	local n
	n=$(ctr_ task exec --exec-id e1 c2 cat /data/count)
	[ "$n" -ge 5 ]                                   # it counts on from where it was
	wait_until 30 sh -c "[ \"\$(ctr --address $SCRATCH/containerd.sock task exec --exec-id e2 c2 cat /data/count)\" -gt $((n + 2)) ]"
	# In the cgroup its config names (containerd keeps the checkpointed spec's).
	[ "$(sed -n 's/^0:://p' "/proc/$(ctr_ task ls | awk '$1 == "c2" { print $2 }')/cgroup")" = \
		"$(jq -r .linux.cgroupsPath "$SCRATCH/state/io.containerd.runtime.v2.task/default/c2/config.json")" ]
	ctr_ task checkpoint --exit --image-path "$SCRATCH/c2.img" c2
	wait_until 30 task_gone c2
	[ -s "$SCRATCH/c2.img/husk-checkpoint.json" ] || ls "$SCRATCH/c2.img"/*/husk-checkpoint.json
	ctr_ image rm husk.test/checkpoint/c1:1
}

@test "containerd: every command line it sent is a recorded shape" {
	[ -s "$SCRATCH/argv.log" ]
	assert_shapes_recorded "$SCRATCH/argv.log" containerd
}
