#!/usr/bin/env bats
# cgroup v2 limits proven by their effect.  These run inside tests/vm/husk-vm (a
# Debian kernel with every controller, and a scratch disk at /dev/vda); tests/run.sh
# boots it once for the whole file.

load ../integration/helpers

setup() {
	[ -n "${HUSK_VM:-}" ] || skip "runs inside tests/vm/husk-vm (tests/run.sh starts it)"
	setup_husk
	CG=/sys/fs/cgroup
	# A writable /tmp inside, for the tests' flags and counters.
	update_config '.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev"]}]'
}

teardown() {
	teardown_husk
}

# The container's cgroup file, read from the host side.
cgval() {
	cat "$CG/husk/$1/$2"
}

# wait_file FILE: poll, bounded by 20 s.
wait_file() {
	local i
	for i in $(seq 200); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	echo "$1 never appeared" >&2
	return 1
}

@test "memory.max: allocating past the limit is OOM-killed (exit 137)" {
	update_config '.linux.resources.memory = {"limit": 33554432}'
	# Doubles a string until the OOM killer stops it.
	set_args awk 'BEGIN { s = "x"; while (1) s = s s }'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 137 ]
	assert_nothing_left c1
}

@test "memory: limit, reservation and memory+swap are converted for v2" {
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swap": 100663296}'
	set_args sleep 600
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	[ "$(cgval c1 memory.max)" = 67108864 ]
	[ "$(cgval c1 memory.low)" = 33554432 ]
	# runtime-spec swap is memory+swap: 96M - 64M.
	[ "$(cgval c1 memory.swap.max)" = 33554432 ]
}

@test "events reports the OOM kill of a running container" {
	update_config '.linux.resources.memory = {"limit": 33554432}'
	set_args sh -c 'until [ -e /tmp/go ]; do sleep 0.1; done; exec awk "BEGIN { s = \"x\"; while (1) s = s s }"'
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	pid=$(husk state c1 | jq .pid)
	timeout 60 "$HUSK" --root "$ROOT" events --interval 30s c1 >"$BATS_TEST_TMPDIR/events" &
	evpid=$!
	sleep 1
	touch /proc/$pid/root/tmp/go
	# events returns once the container's init is gone.
	wait $evpid
	grep -qx '{"type":"oom","id":"c1"}' "$BATS_TEST_TMPDIR/events"
	[ "$(grep -c '"type":"oom"' "$BATS_TEST_TMPDIR/events")" -ge 1 ]
	grep -q '^oom_kill [1-9]' "$CG/husk/c1/memory.events"
}

@test "pids.max: forking past the limit fails inside the container" {
	update_config '.linux.resources.pids = {"limit": 5}'
	set_args sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 30 & done 2>&1; echo started $(jobs -p | wc -l)'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[[ "$output" == *"Resource temporarily unavailable"* ]]
	[ "$(cgval c1 pids.max 2>/dev/null || echo gone)" = gone ]
}

@test "cpu.max: a busy loop is throttled and held to its quota" {
	update_config '.linux.resources.cpu = {"quota": 10000, "period": 100000}'
	set_args sh -c 'while :; do :; done'
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	[ "$(cgval c1 cpu.max)" = "10000 100000" ]
	sleep 3
	throttled=$(awk '$1 == "nr_throttled" { print $2 }' "$CG/husk/c1/cpu.stat")
	usage=$(awk '$1 == "usage_usec" { print $2 }' "$CG/husk/c1/cpu.stat")
	echo "throttled $throttled times, $usage us of CPU in 3 s" >&2
	[ "$throttled" -gt 0 ]
	# Unthrottled the loop would use about 3 s of CPU; at 10% it gets about 0.3 s.
	[ "$usage" -lt 1000000 ]
}

@test "cpu: shares become cpu.weight on runc's and crun's curve; burst and idle" {
	update_config '.linux.resources.cpu = {"shares": 1024, "burst": 5000, "idle": 0}'
	set_args sleep 600
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	[ "$(cgval c1 cpu.weight)" = 100 ]
	[ "$(cgval c1 cpu.max.burst)" = 5000 ]
	[ "$(cgval c1 cpu.idle)" = 0 ]
}

@test "cpuset pins the container to the given CPU" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	update_config '.linux.resources.cpu = {"cpus": "1", "mems": "0"}'
	set_args sh -c 'grep Cpus_allowed_list /proc/self/status'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Cpus_allowed_list:"*"1" ]]
	[[ "$output" != *"0-1"* ]]
}

@test "io.max throttles reads of a real block device; io.weight is set" {
	[ -b /dev/vda ] || skip "no scratch disk"
	maj=$((16#$(stat -c %t /dev/vda))) min=$((16#$(stat -c %T /dev/vda)))
	update_config ".linux.devices = [{\"path\":\"/dev/vda\",\"type\":\"b\",\"major\":$maj,\"minor\":$min}]"
	set_args dd if=/dev/vda of=/dev/null bs=65536 count=48 iflag=direct
	t0=$EPOCHREALTIME
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	free=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
	# 3 MiB at 1 MiB/s.
	update_config ".linux.resources.blockIO = {\"weight\": 500, \"throttleReadBpsDevice\": [{\"major\":$maj,\"minor\":$min,\"rate\":1048576}]}"
	t0=$EPOCHREALTIME
	run husk run -b "$BUNDLE" c2
	echo "$output"
	[ "$status" -eq 0 ]
	limited=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
	echo "unlimited ${free}s, at 1 MiB/s ${limited}s" >&2
	awk -v f="$free" -v l="$limited" 'BEGIN { exit !(l >= f + 1.5) }'
	# The limit as the kernel holds it, and the weight converted (BFQ or iocost).
	set_args sleep 600
	husk run -d -b "$BUNDLE" c3 </dev/null >/dev/null 2>&1
	grep -q "^$maj:$min rbps=1048576 " "$CG/husk/c3/io.max"
	if [ -e "$CG/husk/c3/io.bfq.weight" ]; then
		grep -qx "default 500" "$CG/husk/c3/io.bfq.weight"
	else
		# 1 + (500 - 10) * 9999 / 990
		grep -qx "default 4950" "$CG/husk/c3/io.weight"
	fi
}

@test "devices: a denied device cannot be opened though its node exists" {
	# 10:200 is /dev/net/tun, which root may open without any capability.  It is bound
	# in from the host (a node in linux.devices would be allowed implicitly, as runc does).
	[ -e /dev/net/tun ] || { mkdir -p /dev/net && mknod -m 666 /dev/net/tun c 10 200; }
	update_config '.mounts += [{"destination":"/dev/net/tun","type":"bind","source":"/dev/net/tun","options":["bind"]}]
		| .linux.resources.devices = [{"allow":true,"access":"rwm"},{"allow":false,"type":"c","major":10,"minor":200,"access":"r"}]'
	set_args sh -c 'ls -l /dev/net/tun; head -c 1 /dev/net/tun'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"crw"*"/dev/net/tun"* ]]
	[[ "$output" == *"/dev/net/tun: Operation not permitted"* ]]
	# The same node with the rule lifted: the open gets through to the driver.
	update_config 'del(.linux.resources.devices[1])'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[[ "$output" != *"Operation not permitted"* ]]
}

@test "hugepageLimits and unified keys are written; an unknown unified key is named" {
	grep -qw hugetlb "$CG/cgroup.controllers" || skip "no hugetlb controller"
	update_config '.linux.resources.hugepageLimits = [{"pageSize":"2MB","limit":4194304}]
		| .linux.resources.unified = {"memory.high":"50331648","pids.max":"20"}'
	set_args sleep 600
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	[ "$(cgval c1 hugetlb.2MB.max)" = 4194304 ]
	[ "$(cgval c1 memory.high)" = 50331648 ]
	[ "$(cgval c1 pids.max)" = 20 ]
	update_config '.linux.resources = {"unified": {"memory.bogus": "1"}}'
	run husk run -d -b "$BUNDLE" c2
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *'config.json: linux.resources.unified.memory.bogus: cgroup "'*'" has no file "memory.bogus"'* ]]
	assert_nothing_left c2
}

@test "update --memory changes the limit of a running container, to effect" {
	update_config '.linux.resources.memory = {"limit": 134217728}'
	set_args awk 'BEGIN { s = sprintf("%40000000s", "x"); printf "" > "/tmp/ready"; close("/tmp/ready"); system("sleep 600") }'
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	pid=$(husk state c1 | jq .pid)
	wait_file /proc/$pid/root/tmp/ready
	husk update --memory 96m c1
	[ "$(cgval c1 memory.max)" = 100663296 ]
	[ "$(husk state c1 | jq -r .status)" = running ]
	# checkBeforeUpdate: a limit below what the container uses is refused.
	echo '{"memory": {"limit": 16777216, "checkBeforeUpdate": true}}' >"$BATS_TEST_TMPDIR/r.json"
	run husk update -r "$BATS_TEST_TMPDIR/r.json" c1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.memory.limit: 16777216 is below the current memory usage"* ]]
	[ "$(cgval c1 memory.max)" = 100663296 ]
	# Without it, the kernel cannot reclaim 40 MB of anonymous memory: the OOM killer.
	husk update --memory 16m c1
	wait_for_status c1 stopped
	grep -q '^oom_kill [1-9]' "$CG/husk/c1/memory.events"
}

@test "update: runc's flags and -r reach the cgroup files" {
	set_args sleep 600
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	husk update --cpu-quota 20000 --cpu-period 50000 --pids-limit 42 --cpu-share 2 --memory 64m --memory-swap 96m c1
	[ "$(cgval c1 cpu.max)" = "20000 50000" ]
	[ "$(cgval c1 pids.max)" = 42 ]
	[ "$(cgval c1 cpu.weight)" = 1 ]
	[ "$(cgval c1 memory.swap.max)" = 33554432 ]
	husk update --cpuset-cpus 0 c1
	[ "$(cgval c1 cpuset.cpus)" = 0 ]
	# -r with a flag: the flag wins over the same field.
	echo '{"pids": {"limit": 7}, "memory": {"reservation": 1048576}}' | husk update -r - --pids-limit 9 c1
	[ "$(cgval c1 pids.max)" = 9 ]
	[ "$(cgval c1 memory.low)" = 1048576 ]
	# Only memory+swap: relative to the memory.max the cgroup has.
	husk update --memory-swap 80m c1
	[ "$(cgval c1 memory.swap.max)" = 16777216 ]
	husk update --pids-limit -1 c1
	[ "$(cgval c1 pids.max)" = max ]
}

@test "events --stats reports the cgroup's figures in runc's shape" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 30}'
	set_args sh -c 'sleep 600 & sleep 600 & wait'
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	run husk events --stats c1
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.type == "stats" and .id == "c1"'
	echo "$output" | jq -e '.data.memory.usage.limit == 67108864 and .data.memory.usage.usage > 0'
	echo "$output" | jq -e '.data.pids.current == 3 and .data.pids.limit == 30'
	echo "$output" | jq -e '.data.cpu.usage.total > 0 and (.data.memory.raw | has("anon"))'
	echo "$output" | jq -e '.data.blkio | has("ioServiceBytesRecursive")'
}

@test "pause freezes a counting container, resume restarts it" {
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.05; done'
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	pid=$(husk state c1 | jq .pid)
	wait_file /proc/$pid/root/tmp/n
	husk pause c1
	[ "$(husk state c1 | jq -r .status)" = paused ]
	grep -qx "frozen 1" "$CG/husk/c1/cgroup.events"
	a=$(cat /proc/$pid/root/tmp/n)
	sleep 1
	[ "$(cat /proc/$pid/root/tmp/n)" = "$a" ]
	husk resume c1
	[ "$(husk state c1 | jq -r .status)" = running ]
	sleep 1
	[ "$(cat /proc/$pid/root/tmp/n)" -gt "$a" ]
}

@test "kill --all reaches every process through cgroup.kill; delete removes the cgroup" {
	set_args sh -c 'sleep 600 & sleep 600 & wait'
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	[ "$(wc -l <"$CG/husk/c1/cgroup.procs")" -eq 3 ]
	husk kill --all c1 KILL
	wait_for_status c1 stopped
	[ -z "$(cat "$CG/husk/c1/cgroup.procs")" ]
	husk delete c1
	[ ! -e "$CG/husk/c1" ]
}
