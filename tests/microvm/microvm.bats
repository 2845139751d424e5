#!/usr/bin/env bats
# The microVM executor (run.husk.executor=microvm): the bundle runs in its own guest
# kernel under QEMU's microvm machine, TCG on this kind of host.  Every test boots a
# VM (about 2-3 s under TCG); each checks that nothing is left: no state, no QEMU, no
# socket.

load ../integration/helpers
bats_require_minimum_version 1.5.0

# The release of the newest /boot/vmlinuz-*: the kernel the guest boots by default.
guest_release() {
	ls /boot/vmlinuz-* | sort -V | tail -n 1 | sed 's|.*/vmlinuz-||'
}

setup() {
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
	ls /boot/vmlinuz-* >/dev/null 2>&1 || skip "no guest kernel in /boot"
	setup_husk
	# A guest boot is seconds under TCG, more with the sanitizers.
	HUSK_TIMEOUT=120
	update_config '.annotations["run.husk.executor"] = "microvm"'
	cd "$BUNDLE"
}

teardown() {
	teardown_husk
	# No QEMU may outlive its container.
	! pgrep -f "qemu-system-x86_64.*$ROOT/" >/dev/null
}

# No process of any microVM of this test's --root is left, nor its state.
assert_vm_gone() {
	local id=$1 i
	for i in $(seq 50); do
		pgrep -f "qemu-system-x86_64.*$ROOT/$id/" >/dev/null || break
		sleep 0.1
	done
	! pgrep -f "qemu-system-x86_64.*$ROOT/$id/" >/dev/null || { echo "QEMU of $id left running" >&2; return 1; }
	assert_nothing_left "$id"
}

@test "microvm: run prints the payload's output from the guest's own kernel and keeps its exit status" {
	set_args sh -c 'uname -r; echo to-stderr >&2; exit 3'
	run --separate-stderr husk run m1
	[ "$status" -eq 3 ]
	[ "$output" = "$(guest_release)" ]
	[ "$output" != "$(uname -r)" ]
	[[ "$stderr" == *to-stderr* ]]
	assert_vm_gone m1
}

@test "microvm: run passes stdin to the payload and its end" {
	set_args sh -c 'wc -l; read x || echo eof'
	run bash -c "printf 'a\nb\nc\n' | timeout 120 '$HUSK' --root '$ROOT' run m2 2>/dev/null"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 3 ]
	[ "${lines[1]}" = eof ]
	assert_vm_gone m2
}

@test "microvm: a payload killed by a signal in the guest ends run with 128+N" {
	set_args sh -c 'echo ready; sleep 1000'
	# SIGKILL, as an init ignores the signals it has no handler for (pid_namespaces(7)).
	timeout 120 "$HUSK" --root "$ROOT" run m3 >"$BUNDLE/out" 2>&1 </dev/null 3>&- &
	rpid=$!
	for i in $(seq 300); do grep -q ready "$BUNDLE/out" && break; sleep 0.1; done
	husk kill m3 KILL
	status=0
	wait "$rpid" || status=$?
	[ "$status" -eq $((128 + 9)) ]
	assert_vm_gone m3
}

@test "microvm: create boots the guest and holds the payload; start runs it; state through the lifecycle" {
	private_rootfs
	set_args sh -c 'echo started > /started; while true; do sleep 0.1; done'
	husk create m4
	run husk state m4
	[ "$(jq -r .status <<<"$output")" = created ]
	pid=$(jq -r .pid <<<"$output")
	[ ! -e "$ROOTFS/started" ]
	# The monitor is the container's process on the host; the VMM is its child.
	qemu=$(pgrep -P "$pid" -f qemu-system-x86_64)
	[ -n "$qemu" ]
	# state names the VMM beside it.
	[ "$(jq -r .vmmPid <<<"$output")" = "$qemu" ]
	husk start m4
	for i in $(seq 100); do [ -e "$ROOTFS/started" ] && break; sleep 0.1; done
	[ "$(cat "$ROOTFS/started")" = started ]
	[ "$(husk state m4 | jq -r .status)" = running ]
	# ps lists the host's processes of the container: the monitor and QEMU.
	run husk ps --format json m4
	[ "$status" -eq 0 ]
	jq -e --argjson p "$pid" --argjson q "$qemu" 'index($p) != null and index($q) != null' <<<"$output"
	# The VMM runs in the container's cgroup on the host.
	cg=$(cgroup2_root)
	if [ -n "$cg" ]; then
		grep -qx "$qemu" "$cg/husk/m4/cgroup.procs"
	fi
	husk kill m4 KILL
	wait_for_status m4 stopped
	husk delete m4
	assert_vm_gone m4
}

@test "microvm: kill TERM reaches the payload in the guest, not the VMM" {
	set_args sh -c 'trap "echo got-TERM; exit 7" TERM; echo ready; while true; do sleep 0.1; done'
	out=$BUNDLE/out
	husk run -d m5 >"$out" 2>&1 </dev/null
	for i in $(seq 100); do grep -q ready "$out" && break; sleep 0.1; done
	husk kill m5 TERM
	wait_for_status m5 stopped
	grep -q got-TERM "$out"
	husk delete m5
	assert_vm_gone m5
}

@test "microvm: exec runs in the guest with its exit code, env, user and cwd" {
	set_args sleep 1000
	husk run -d m6 </dev/null >/dev/null 2>&1
	run --separate-stderr husk exec --env FOO=bar --user 1000:1000 --cwd /tmp m6 sh -c 'echo $FOO; id -u; pwd; uname -r; exit 5'
	[ "$status" -eq 5 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = /tmp ]
	[ "${lines[3]}" != "$(uname -r)" ]
	# stdin reaches an exec'd process, and its end.
	run bash -c "printf 'x\ny\n' | timeout 60 '$HUSK' --root '$ROOT' exec m6 wc -l"
	[ "$output" = 2 ]
	# --detach with --pid-file: a host process that ends with the guest's.
	husk exec -d --pid-file "$BUNDLE/exec.pid" m6 sh -c 'sleep 0.5; exit 9'
	epid=$(cat "$BUNDLE/exec.pid")
	for i in $(seq 100); do process_gone "$epid" && break; sleep 0.1; done
	process_gone "$epid"
	# A command that is not in the guest's rootfs: exec's own error, non-zero.
	run husk exec m6 /no/such/program
	[ "$status" -ne 0 ]
	[[ "$output" == *"/no/such/program"* ]]
	husk delete -f m6
	assert_vm_gone m6
}

@test "microvm: exec -t gives the process a terminal in the guest" {
	set_args sleep 1000
	husk run -d m7 </dev/null >/dev/null 2>&1
	run script -qec "timeout --foreground 60 '$HUSK' --root '$ROOT' exec -t m7 sh -c 'tty; exit 4'" /dev/null
	[ "$status" -eq 4 ]
	[[ "$output" == */dev/pts/* ]]
	husk delete -f m7
	assert_vm_gone m7
}

@test "microvm: process.terminal: the init's terminal through --console-socket" {
	set_args sh -c 'tty; stty size'
	update_config '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 111}'
	sock=$BUNDLE/console.sock
	"$RECVTTY" "$sock" >"$BUNDLE/tty.out" 2>&1 3>&- &
	rpid=$!
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	husk run -d --console-socket "$sock" m8
	timeout 60 tail --pid="$rpid" -f /dev/null
	grep -q '/dev/pts/' "$BUNDLE/tty.out"
	grep -q '33 111' "$BUNDLE/tty.out"
	wait_for_status m8 stopped
	husk delete m8
	assert_vm_gone m8
}

@test "microvm: pause and resume freeze the whole VM" {
	set_args sleep 1000
	husk run -d m9 </dev/null >/dev/null 2>&1
	husk pause m9
	[ "$(husk state m9 | jq -r .status)" = paused ]
	pid=$(husk state m9 | jq -r .pid)
	qemu=$(pgrep -P "$pid" -f qemu-system-x86_64)
	grep -q '^State:.*T\|^State:.*D\|^State:.*S' "/proc/$qemu/status"
	husk resume m9
	[ "$(husk state m9 | jq -r .status)" = running ]
	run husk exec m9 echo alive
	[ "$output" = alive ]
	husk delete -f m9
	assert_vm_gone m9
}

@test "microvm: delete --force of a running VM leaves nothing" {
	set_args sleep 1000
	husk run -d m10 </dev/null >/dev/null 2>&1
	pid=$(husk state m10 | jq -r .pid)
	husk delete --force m10
	for i in $(seq 50); do process_gone "$pid" && break; sleep 0.1; done
	process_gone "$pid"
	assert_vm_gone m10
}

@test "microvm: the config is applied inside the guest (user, hostname, caps, rlimit, no_new_privs)" {
	set_args sh -c 'id -u; id -g; hostname; grep CapBnd /proc/self/status; ulimit -n; grep NoNewPrivs /proc/self/status'
	update_config '.process.user = {"uid": 1000, "gid": 1001} | .hostname = "guesthost"
		| .process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}]
		| .process.noNewPrivileges = true'
	run --separate-stderr husk run m11
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "${lines[2]}" = guesthost ]
	[[ "${lines[3]}" == *0000000000000020 ]]
	[ "${lines[4]}" = 123 ]
	[[ "${lines[5]}" == *1 ]]
	assert_vm_gone m11
}

@test "microvm: seccomp, a read-only rootfs, masked paths, a tmpfs and a bind of a host directory in the guest" {
	mkdir "$BUNDLE/shared"
	echo from-host >"$BUNDLE/shared/in"
	set_args sh -c 'mkdir /tmp/x; echo mkdir=$?; touch /ro 2>/dev/null; echo rootfs=$?;
		cat /proc/kcore 2>&1 | head -c 0; wc -c </proc/kcore; df -t tmpfs /scratch >/dev/null && echo tmpfs;
		cat /shared/in; echo from-guest >/shared/out'
	update_config '.root.readonly = true
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
			"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
		| .mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
			{"destination": "/shared", "type": "bind", "source": "'"$BUNDLE/shared"'", "options": ["rbind", "rw"]}]'
	run --separate-stderr husk run m12
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"mkdir=1"* ]]
	[[ "$output" == *"rootfs=1"* ]]
	[[ "$output" == *$'\n0\n'* ]] # /proc/kcore masked: /dev/null over it
	[[ "$output" == *tmpfs* ]]
	[[ "$output" == *from-host* ]]
	[ "$(cat "$BUNDLE/shared/out")" = from-guest ]
	assert_vm_gone m12
}

@test "microvm: linux.resources are cgroup v2 limits in the guest: memory.max OOM-kills (137), pids.max holds" {
	set_args sh -c 'cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max'
	update_config '.linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 20}}'
	run --separate-stderr husk run m13
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 20 ]
	[ "${lines[1]}" = 33554432 ]
	assert_vm_gone m13
	# 64 MiB into a shell variable, under a 32 MiB limit (no swap in the guest).
	set_args sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived ${#x}'
	run husk run m14
	[ "$status" -eq 137 ]
	[[ "$output" != *survived* ]]
	assert_vm_gone m14
}

@test "microvm: checkpoint is refused with a clear error" {
	set_args sleep 1000
	husk run -d m15 </dev/null >/dev/null 2>&1
	run husk checkpoint --image-path "$BUNDLE/ckpt" m15
	[ "$status" -ne 0 ]
	[[ "$output" == *microvm* ]]
	# and a restore into it
	mkdir "$BUNDLE/ckpt"
	run husk restore --image-path "$BUNDLE/ckpt" m15b
	[ "$status" -ne 0 ]
	[[ "$output" == *"restore is for the namespace executor's containers, not the microvm executor's"* ]]
	[ ! -e "$ROOT/m15b" ]
	husk delete -f m15
	assert_vm_gone m15
}

@test "microvm: husk-vm (the program name) runs a bundle as a microVM without the annotation" {
	update_config 'del(.annotations["run.husk.executor"])'
	set_args uname -r
	ln -s "$HUSK" "$BUNDLE/husk-vm"
	run --separate-stderr timeout 120 "$BUNDLE/husk-vm" --root "$ROOT" run m16
	[ "$status" -eq 0 ]
	[ "$output" != "$(uname -r)" ]
	[ "$(husk --root "$ROOT" list -q)" = "" ]
	assert_vm_gone m16
}

# ---- errors: one line, non-zero, nothing left ------------------------------------------

@test "microvm: no QEMU: the error names the package" {
	mkdir "$BUNDLE/emptybin"
	run env PATH="$BUNDLE/emptybin" /usr/bin/timeout 60 "$HUSK" --root "$ROOT" run m17
	[ "$status" -ne 0 ]
	[[ "$output" == *"microvm needs qemu-system-x86 (Debian: apt-get install qemu-system-x86)"* ]]
	assert_vm_gone m17
}

@test "microvm: a missing guest kernel and a bad accelerator are refused before anything is made" {
	update_config '.annotations["run.husk.microvm.kernel"] = "/no/such/vmlinuz"'
	run husk run m18
	[ "$status" -ne 0 ]
	[[ "$output" == *'guest kernel "/no/such/vmlinuz"'* ]]
	assert_vm_gone m18
	update_config 'del(.annotations["run.husk.microvm.kernel"]) | .annotations["run.husk.microvm.accel"] = "hvf"'
	run husk run m18
	[ "$status" -ne 0 ]
	[[ "$output" == *'annotations.run.husk.microvm.accel: expected kvm or tcg, not "hvf"'* ]]
	assert_vm_gone m18
}

@test "microvm: a guest that does not come up within the bound: the error quotes its console" {
	# No init, and a root device that never appears: the kernel waits for it forever.
	update_config '.annotations["run.husk.microvm.boot-timeout"] = "5"'
	HUSK_MICROVM_APPEND="rdinit=/no/such/init root=/dev/vdz rootwait loglevel=7" run husk run m20
	[ "$status" -ne 0 ]
	[[ "$output" == *"the guest did not come up within 5 s (tcg); its console ended:"* ]] ||
		[[ "$output" == *"the guest did not come up within 5 s (kvm); its console ended:"* ]]
	[[ "$output" == *"Waiting for root device /dev/vdz"* ]]
	assert_vm_gone m20
}

@test "microvm: KVM forced on a host whose /dev/kvm cannot boot a stock kernel fails clearly" {
	run husk --log "$BUNDLE/log" run m25
	[[ "$(cat "$BUNDLE/log")" == *"using TCG"* ]] || skip "KVM works here"
	update_config '.annotations["run.husk.microvm.accel"] = "kvm" | .annotations["run.husk.microvm.boot-timeout"] = "3"'
	run husk run m26
	[ "$status" -ne 0 ]
	# Such a KVM either refuses QEMU's vCPU or leaves the guest silent.
	[[ "$output" == *"microvm: QEMU failed:"* ]] || [[ "$output" == *"did not come up within 3 s (kvm)"* ]]
	assert_vm_gone m26
}

@test "microvm: a payload the guest cannot find fails create, with nothing left" {
	set_args /no/such/payload
	run husk create m21
	[ "$status" -ne 0 ]
	[[ "$output" == *"/no/such/payload"* ]]
	[ "$(echo "$output" | wc -l)" -eq 1 ] || [[ "$output" == *"info: microvm"* ]]
	assert_vm_gone m21
}

@test "microvm: a seccomp listener on the host is refused" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	run husk run m27
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.listenerPath: the microvm executor"* ]]
	assert_vm_gone m27
}

@test "microvm: hooks that run in the container's namespaces are refused" {
	update_config '.hooks = {"createContainer": [{"path": "/bin/true"}]}'
	run husk run m22
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.createContainer: the microvm executor"* ]]
	assert_vm_gone m22
}

@test "microvm: the minimal kernel (contrib/microvm, make microvm-kernel) runs the bundle" {
	k=${MICROVM_KERNEL:-$BATS_TEST_DIRNAME/../../contrib/microvm/build/vmlinux-husk-minimal}
	[ -f "$k" ] || skip "no minimal kernel at $k (make microvm-kernel builds it, in about 10 minutes)"
	update_config '.annotations["run.husk.microvm.kernel"] = "'"$k"'"'
	set_args sh -c 'uname -r; cat /sys/fs/cgroup/cgroup.controllers; for i in 1 2 3; do sleep 0.1; done; exit 6'
	run --separate-stderr husk run m23
	[ "$status" -eq 6 ]
	[[ "${lines[0]}" == 6.1.* ]]
	[[ "${lines[1]}" == *memory* ]] && [[ "${lines[1]}" == *pids* ]]
	assert_vm_gone m23
}

@test "microvm: a guest whose agent never runs: the error quotes the guest's last words, nothing is left" {
	# A kernel told to start an init that is not there panics, as when the agent dies.
	HUSK_MICROVM_APPEND="rdinit=/no/such/init" run husk --log "$BUNDLE/log" run m24
	[ "$status" -ne 0 ]
	[[ "$output" == *"the guest stopped before its agent came up"* ]]
	[[ "$output" == *"its console ended:"* ]]
	# The whole console went to the log.
	grep -q "Kernel panic" "$BUNDLE/log"
	assert_vm_gone m24
}
