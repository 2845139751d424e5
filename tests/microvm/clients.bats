#!/usr/bin/env bats
# Podman and containerd driving the microVM executor, on this host (the guest's
# kernel gives the container its cgroup v2, so the host's cgroup layout does not
# matter here).  Podman runs with --network none, and containerd has no CRI plugin:
# neither adds a bridge or a firewall rule to the host.  Images come from an OCI
# archive (tests/clients/mkimage.sh): no registry.

load ../clients/helpers
bats_require_minimum_version 1.5.0

setup_file() {
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
	client_scratch microvm-clients
	export SCRATCH
	"$BATS_TEST_DIRNAME/../clients/mkimage.sh" "$SCRATCH/image.tar"
	# husk-vm: husk by the name that makes microvm the default executor.
	ln -s "$(cd "$(dirname "$HUSK")" && pwd)/$(basename "$HUSK")" "$SCRATCH/husk-vm"
	if command -v podman >/dev/null; then
		sed "s|/usr/local/bin/husk|$(cd "$(dirname "$HUSK")" && pwd)/$(basename "$HUSK")|" \
			"$BATS_TEST_DIRNAME/../../contrib/podman/containers.conf" >"$SCRATCH/containers.conf"
		printf '#!/bin/sh\nCONTAINERS_CONF=%s/containers.conf exec podman --root %s/storage --runroot %s/run --storage-driver overlay --cgroup-manager cgroupfs --events-backend file "$@"\n' \
			"$SCRATCH" "$SCRATCH" "$SCRATCH" >"$SCRATCH/podman"
		chmod 755 "$SCRATCH/podman"
		timeout 120 "$SCRATCH/podman" load -q -i "$SCRATCH/image.tar" >/dev/null
	fi
	if command -v containerd >/dev/null; then
		cat >"$SCRATCH/config.toml" <<-TOML
			version = 2
			root = "$SCRATCH/root"
			state = "$SCRATCH/state"
			disabled_plugins = ["io.containerd.grpc.v1.cri"]
			[grpc]
			  address = "$SCRATCH/containerd.sock"
			[ttrpc]
			  address = "$SCRATCH/containerd.sock.ttrpc"
		TOML
		containerd --config "$SCRATCH/config.toml" >"$SCRATCH/containerd.log" 2>&1 3>&- &
		echo $! >"$SCRATCH/containerd.pid"
		for i in $(seq 300); do [ -S "$SCRATCH/containerd.sock" ] && break; sleep 0.1; done
		timeout 120 ctr --address "$SCRATCH/containerd.sock" image import "$SCRATCH/image.tar" >/dev/null
	fi
}

teardown_file() {
	[ -n "${SCRATCH:-}" ] || return 0
	local pid c
	if [ -x "$SCRATCH/podman" ]; then
		"$SCRATCH/podman" rm -af -t 0 >/dev/null 2>&1 || true
		"$SCRATCH/podman" system reset -f >/dev/null 2>&1 || true
	fi
	if [ -S "$SCRATCH/containerd.sock" ]; then
		for c in $(ctr_ task ls -q 2>/dev/null); do ctr_ task kill -s KILL "$c" 2>/dev/null || true; done
		sleep 1
		for c in $(ctr_ container ls -q 2>/dev/null); do
			ctr_ task delete "$c" 2>/dev/null || true
			ctr_ container delete "$c" 2>/dev/null || true
		done
	fi
	pid=$(cat "$SCRATCH/containerd.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	[ -z "$pid" ] || timeout 30 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null || true
	client_scratch_remove
}

pm() {
	timeout --kill-after=5 120 "$SCRATCH/podman" --runtime husk "$@"
}

ctr_() {
	timeout --kill-after=5 120 ctr --address "$SCRATCH/containerd.sock" "$@"
}

# No microVM outlives what its client removed.
no_vm_left() {
	for i in $(seq 50); do pgrep -f "qemu-system-x86_64.*$1" >/dev/null || return 0; sleep 0.1; done
	return 1
}

@test "microvm + podman: run --annotation run.husk.executor=microvm, the exit code and the guest's kernel" {
	[ -x "$SCRATCH/podman" ] || skip "podman not installed"
	run --separate-stderr pm run --rm --network none --annotation run.husk.executor=microvm "$IMAGE" \
		sh -c 'uname -r; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" != "$(uname -r)" ]
	[[ "$output" == 6.* ]]
	no_vm_left "$SCRATCH"
}

@test "microvm + podman: -d, exec with its output and exit code, stop, rm" {
	[ -x "$SCRATCH/podman" ] || skip "podman not installed"
	pm run -d --name pv1 --network none --annotation run.husk.executor=microvm "$IMAGE" \
		sh -c 'trap "exit 0" TERM; while true; do sleep 0.1; done'
	run --separate-stderr pm exec pv1 sh -c 'echo in-guest $(uname -r); exit 4'
	[ "$status" -eq 4 ]
	[[ "$output" == "in-guest 6."* ]]
	run pm exec -i pv1 cat <<<"piped"
	[ "$output" = piped ]
	pm stop -t 20 pv1
	[ "$(pm inspect --format '{{.State.ExitCode}}' pv1)" = 0 ]
	pm rm pv1
	no_vm_left "$SCRATCH"
}

@test "microvm + podman: -it gives a terminal of the caller's size, run and exec" {
	[ -x "$SCRATCH/podman" ] || skip "podman not installed"
	run bash -c "sleep 30 | script -qec \"stty rows 40 cols 100; timeout --foreground 120 $SCRATCH/podman --runtime husk run --rm -it --network none --annotation run.husk.executor=microvm $IMAGE sh -c 'tty; stty size'\" /dev/null"
	[[ "$output" == *"/dev/pts/"* ]]
	[[ "$output" == *"40 100"* ]]
	pm run -d --name pv2 --network none --annotation run.husk.executor=microvm "$IMAGE" sleep 1000
	run bash -c "sleep 20 | script -qec \"stty rows 41 cols 101; timeout --foreground 60 $SCRATCH/podman --runtime husk exec -it pv2 sh -c 'tty; stty size'\" /dev/null"
	[[ "$output" == *"/dev/pts/"* ]]
	[[ "$output" == *"41 101"* ]]
	pm rm -f -t 0 pv2
	no_vm_left "$SCRATCH"
}

@test "microvm + containerd: ctr run --runc-binary husk-vm, output and exit code" {
	[ -S "$SCRATCH/containerd.sock" ] || skip "containerd not installed"
	run --separate-stderr ctr_ run --rm --runtime io.containerd.runc.v2 --runc-binary "$SCRATCH/husk-vm" \
		--runc-root "$SCRATCH/husk-root" "$IMAGE" cv1 sh -c 'uname -r; exit 3'
	[ "$status" -eq 3 ]
	[[ "$output" == 6.* ]]
	[ "$output" != "$(uname -r)" ]
	no_vm_left "$SCRATCH"
}

@test "microvm + containerd: a task with exec and kill" {
	[ -S "$SCRATCH/containerd.sock" ] || skip "containerd not installed"
	ctr_ run -d --runtime io.containerd.runc.v2 --runc-binary "$SCRATCH/husk-vm" \
		--runc-root "$SCRATCH/husk-root" "$IMAGE" cv2 sleep 1000
	for i in $(seq 100); do ctr_ task ls | grep -q 'cv2.*RUNNING' && break; sleep 0.1; done
	run ctr_ task exec --exec-id e1 cv2 sh -c 'echo exec-in-guest; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = exec-in-guest ]
	ctr_ task kill -s KILL cv2
	for i in $(seq 100); do ctr_ task ls | grep -q 'cv2.*STOPPED' && break; sleep 0.1; done
	ctr_ task ls | grep -q 'cv2.*STOPPED'
	ctr_ task delete cv2
	ctr_ container delete cv2
	no_vm_left "$SCRATCH"
}
