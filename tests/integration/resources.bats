#!/usr/bin/env bats
# pause, resume, update and events on this host.  The host's cgroup2 may lack the
# controllers (a hybrid host): what needs them is in tests/cgroupv2, run in a VM; here
# are the freezer (core cgroup v2), the device program, and the errors.

load helpers

setup() {
	setup_husk
}

teardown() {
	teardown_husk
}

@test "pause and resume: status, the frozen cgroup, and a counter that stops" {
	requires cgroup2
	update_config '.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}]'
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.05; done'
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	pid=$(husk state c1 | jq .pid)
	for i in $(seq 100); do [ -s /proc/$pid/root/tmp/n ] && break; sleep 0.1; done
	husk pause c1
	[ "$(husk state c1 | jq -r .status)" = paused ]
	[ "$(husk list --format json | jq -r '.[0].status')" = paused ]
	grep -qx "frozen 1" "$(cgroup2_root)/husk/c1/cgroup.events"
	a=$(cat /proc/$pid/root/tmp/n)
	sleep 0.5
	[ "$(cat /proc/$pid/root/tmp/n)" = "$a" ]
	# A paused container is not deleted without --force.
	run husk delete c1
	[ "$status" -ne 0 ]
	[[ "$output" == *'container "c1" is paused'* ]]
	husk resume c1
	[ "$(husk state c1 | jq -r .status)" = running ]
	sleep 0.5
	[ "$(cat /proc/$pid/root/tmp/n)" -gt "$a" ]
	# A paused container can be killed and deleted.
	husk pause c1
	husk delete --force c1
	assert_nothing_left c1
}

@test "pause and resume refuse a container in the wrong state" {
	requires cgroup2
	set_args sleep 600
	husk create -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	run husk pause c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: container "c1" is created, not running' ]
	husk start c1
	run husk resume c1
	[ "$output" = 'husk: container "c1" is running, not paused' ]
	husk kill c1 KILL
	wait_for_status c1 stopped
	run husk pause c1
	[ "$output" = 'husk: container "c1" is not running' ]
	run husk pause nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *'"nosuch" does not exist'* ]]
}

@test "update checks its input and names what the host cannot do" {
	requires cgroup2
	set_args sleep 600
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	run husk update --memory lots c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: update: --memory: "lots" is not a size' ]
	run husk update --cpu-rt-runtime 100 c1
	[ "$output" = 'husk: update: linux.resources.cpu.realtimeRuntime: cgroup v2 has no real-time CPU bandwidth control' ]
	echo '{"pids": {"limit": "ten"}}' >"$BATS_TEST_TMPDIR/r.json"
	run husk update -r "$BATS_TEST_TMPDIR/r.json" c1
	[ "$output" = "husk: $BATS_TEST_TMPDIR/r.json: linux.resources.pids.limit: must be an integer" ]
	run husk update -r - c1 <<<'[1]'
	[ "$output" = 'husk: stdin: must be a JSON object (linux.resources)' ]
	run husk update -r /nonexistent c1
	[ "$output" = 'husk: read "/nonexistent": No such file or directory' ]
	grep -qw memory "$(cgroup2_root)/cgroup.controllers" && skip "this host's cgroup2 has a memory controller"
	run husk update --memory 64m c1
	[ "$output" = "husk: update: linux.resources.memory.limit: the host's cgroup v2 has no memory controller" ]
}

@test "events --stats on this host; bad --interval" {
	requires cgroup2
	set_args sh -c 'sleep 600 & wait'
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	run husk events --stats c1
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.type == "stats" and .id == "c1" and (.data | has("cpu") and has("memory") and has("pids"))'
	echo "$output" | jq -e '.data.cpu.usage.total > 0'
	run husk events --interval 0 c1
	[ "$output" = 'husk: events: --interval: "0" is not a duration such as 5s or 500ms' ]
	# Without --stats, events follows the container until it stops.
	timeout 20 "$HUSK" --root "$ROOT" events --interval 100ms c1 >"$BATS_TEST_TMPDIR/ev" &
	evpid=$!
	sleep 0.5
	husk kill c1 KILL
	wait $evpid
	[ "$(grep -c '"type":"stats"' "$BATS_TEST_TMPDIR/ev")" -ge 2 ]
}

@test "devices: the default rules deny a device node the container makes itself" {
	requires cgroup2
	private_rootfs
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]'
	# 10:200 is /dev/net/tun, which root may open without any capability.  mknod is
	# allowed (as runc allows it), opening is not.
	set_args sh -c 'rm -f /tun; mknod /tun c 10 200 && head -c 1 /tun; echo status $?'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[[ "$output" == *"/tun: Operation not permitted"* ]]
	# Allowed by a later rule, it opens (and reading an unattached tun fails otherwise).
	update_config '.linux.resources.devices += [{"allow":true,"type":"c","major":10,"minor":200,"access":"rw"}]'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[[ "$output" == *"status 1"* ]]
	[[ "$output" != *"Operation not permitted"* ]]
}

# A nested cgroupsPath: delete removes the parents husk made for it, innermost first,
# and stops at one that holds another container or that existed before.
@test "a nested cgroupsPath leaves no empty parent that husk made" {
	requires cgroup2
	local cg top
	cg=$(cgroup2_root)
	top=husk-nest.$$
	rm -rf "${cg:?}/$top" 2>/dev/null || true
	update_config ".linux.cgroupsPath = \"/$top/a/b/c1\""
	set_args true
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ ! -e "$cg/$top" ]
	# Two containers under one parent: the first delete keeps what the second uses.
	set_args sleep 1000
	update_config ".linux.cgroupsPath = \"/$top/a/b/c1\""
	husk run -d -b "$BUNDLE" c1
	update_config ".linux.cgroupsPath = \"/$top/a/c2\""
	husk run -d -b "$BUNDLE" c2
	husk delete --force c1
	[ ! -e "$cg/$top/a/b" ]
	[ -d "$cg/$top/a/c2" ]
	husk delete --force c2
	[ ! -e "$cg/$top" ]
	# A parent that was there before is not husk's to remove.
	mkdir "$cg/$top"
	update_config ".linux.cgroupsPath = \"/$top/x/c3\""
	set_args true
	husk run -b "$BUNDLE" c3
	[ -d "$cg/$top" ]
	[ ! -e "$cg/$top/x" ]
	rmdir "$cg/$top"
}
