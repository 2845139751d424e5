#!/usr/bin/env bats
# --systemd-cgroup: each container in a transient scope that systemd creates.  These
# run inside tests/vm/husk-vm --systemd (systemd as PID 1); tests/run.sh boots it.

load ../integration/helpers

setup() {
	[ -d /run/systemd/system ] || skip "needs systemd as PID 1 (tests/vm/husk-vm --systemd)"
	setup_husk
}

teardown() {
	teardown_husk
}

@test "a container is placed in its own scope in the slice cgroupsPath names, with its limits" {
	update_config '.linux.cgroupsPath = "system.slice:husk:c1"
		| .linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 40}
		| .linux.resources.cpu = {"quota": 50000, "period": 100000}'
	set_args sleep 600
	husk --systemd-cgroup run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1 </dev/null >/dev/null 2>&1
	pid=$(cat "$BUNDLE/pid")
	grep -qx "0::/system.slice/husk-c1.scope" /proc/$pid/cgroup
	[ "$(systemctl is-active husk-c1.scope)" = active ]
	[ "$(systemctl show -P Delegate husk-c1.scope)" = yes ]
	[ "$(systemctl show -P MemoryMax husk-c1.scope)" = 67108864 ]
	[ "$(systemctl show -P TasksMax husk-c1.scope)" = 40 ]
	[ "$(systemctl show -P CPUQuotaPerSecUSec husk-c1.scope)" = 500ms ]
	[ "$(cat /sys/fs/cgroup/system.slice/husk-c1.scope/memory.max)" = 67108864 ]
	# husk went back where it came from: only the container is in the scope.
	[ "$(cat /sys/fs/cgroup/system.slice/husk-c1.scope/cgroup.procs)" = "$pid" ]
	# The container's cgroup namespace is rooted at the scope.
	run husk exec c1 cat /proc/self/cgroup
	[ "$output" = "0::/" ]
	# systemd keeps the limits across a reload, because it knows them.
	systemctl daemon-reload
	[ "$(cat /sys/fs/cgroup/system.slice/husk-c1.scope/memory.max)" = 67108864 ]
	[ "$(cat /sys/fs/cgroup/system.slice/husk-c1.scope/pids.max)" = 40 ]
	# update tells systemd too, so a reload keeps the new limit.
	husk update --memory 96m c1
	[ "$(systemctl show -P MemoryMax husk-c1.scope)" = 100663296 ]
	systemctl daemon-reload
	[ "$(cat /sys/fs/cgroup/system.slice/husk-c1.scope/memory.max)" = 100663296 ]
	husk delete --force c1
	[ ! -e /sys/fs/cgroup/system.slice/husk-c1.scope ]
	for i in $(seq 50); do systemctl is-active -q husk-c1.scope || break; sleep 0.1; done
	! systemctl is-active -q husk-c1.scope
}

@test "the limits hold under the systemd driver: OOM kill" {
	update_config '.linux.cgroupsPath = "system.slice:husk:c2" | .linux.resources.memory = {"limit": 33554432}'
	set_args awk 'BEGIN { s = "x"; while (1) s = s s }'
	run husk --systemd-cgroup run -b "$BUNDLE" c2
	[ "$status" -eq 137 ]
	assert_nothing_left c2
}

@test "an empty cgroupsPath goes to system.slice/husk-<id>.scope; a custom slice is made" {
	set_args sleep 600
	husk --systemd-cgroup run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c3 </dev/null >/dev/null 2>&1
	grep -qx "0::/system.slice/husk-c3.scope" /proc/$(cat "$BUNDLE/pid")/cgroup
	husk delete --force c3
	update_config '.linux.cgroupsPath = "husktest-inner.slice:ci:c4"'
	husk --systemd-cgroup run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c4 </dev/null >/dev/null 2>&1
	grep -qx "0::/husktest.slice/husktest-inner.slice/ci-c4.scope" /proc/$(cat "$BUNDLE/pid")/cgroup
	husk delete --force c4
}

@test "a cgroupsPath that is not slice:prefix:name is named, and nothing is left" {
	update_config '.linux.cgroupsPath = "/not/a/slice"'
	run husk --systemd-cgroup run -b "$BUNDLE" c5
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: config.json: linux.cgroupsPath: "/not/a/slice" is not slice:prefix:name (--systemd-cgroup)' ]
	assert_nothing_left c5
	# A scope that already exists is refused by systemd, and husk cleans up.
	update_config '.linux.cgroupsPath = "system.slice:husk:taken"'
	set_args sleep 600
	husk --systemd-cgroup run -d -b "$BUNDLE" c6 </dev/null >/dev/null 2>&1
	run husk --systemd-cgroup run -b "$BUNDLE" c7
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == "husk: --systemd-cgroup: start husk-taken.scope: Unit husk-taken.scope "*"already"* ]]
	assert_nothing_left c7
	[ "$(husk state c6 | jq -r .status)" = running ]
}
