#!/usr/bin/env bats
# Containers that make cgroups of their own (systemd as init does, so does a nested
# runtime): delete, ps, kill --all, pause and exec --cgroup cover the whole subtree.
# In tests/vm/husk-vm, with every controller.

load ../integration/helpers

setup() {
	[ -n "${HUSK_VM:-}" ] || skip "runs inside tests/vm/husk-vm (tests/run.sh starts it)"
	setup_husk
	CG=/sys/fs/cgroup/husk/c1
	# A writable cgroup mount in a cgroup namespace, and a /tmp of its own.
	update_config '.mounts |= map(if .type == "cgroup" then .options |= map(select(. != "ro")) else . end)
		| .mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}]'
	# foo and foo/bar, one shell in each (each notes a USR1 it gets), the init in its own.
	set_args sh -c '
		mkdir -p /sys/fs/cgroup/foo/bar
		sh -c "echo \$\$ > /sys/fs/cgroup/foo/cgroup.procs; trap \"echo x > /tmp/foo\" USR1; while true; do sleep 0.1; done" &
		sh -c "echo \$\$ > /sys/fs/cgroup/foo/bar/cgroup.procs; trap \"echo x > /tmp/bar\" USR1; while true; do sleep 0.1; done" &
		trap "echo x > /tmp/top" USR1
		while true; do sleep 0.1; done'
}

teardown() { teardown_husk; }

# wait_nonempty FILE: bounded by 20 s (cgroupfs files have no size: read them).
wait_nonempty() {
	local i
	for i in $(seq 200); do [ -n "$(cat "$1" 2>/dev/null)" ] && return 0; sleep 0.1; done
	echo "$1 stayed empty" >&2
	return 1
}

@test "ps and kill --all reach the processes in the container's sub-cgroups" {
	update_config '.linux.resources.pids.limit = 100'   # so that pids.current is kept
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	wait_nonempty "$CG/foo/cgroup.procs"
	wait_nonempty "$CG/foo/bar/cgroup.procs"
	local foo bar p
	foo=$(head -n 1 "$CG/foo/cgroup.procs")
	bar=$(head -n 1 "$CG/foo/bar/cgroup.procs")
	run husk ps --format json c1
	for p in "$(cat "$BUNDLE/pid")" "$foo" "$bar"; do
		jq -e "index($p)" <<<"$output" >/dev/null || { echo "ps misses $p: $output" >&2; return 1; }
	done
	# events --stats: the cgroup's counters are the subtree's (the init, two shells,
	# their sleeps: at least 3 tasks, some of them in foo and foo/bar).
	run husk events --stats c1
	[ "$status" -eq 0 ]
	[ "$(jq -r .data.pids.current <<<"$output")" -ge 3 ]
	[ "$(jq -r .data.pids.current <<<"$output")" -ge "$(( $(cat "$CG/cgroup.procs" | wc -l) + 2 ))" ]
	husk kill --all c1 USR1
	for f in top foo bar; do
		for i in $(seq 100); do husk exec c1 test -s /tmp/$f && break; sleep 0.1; done
		husk exec c1 test -s /tmp/$f
	done
	husk delete --force c1
	[ ! -e "$CG" ]
	assert_nothing_left c1
}

@test "pause freezes the sub-cgroups too; delete --force removes them all" {
	husk run -d -b "$BUNDLE" c1
	wait_nonempty "$CG/foo/bar/cgroup.procs"
	husk pause c1
	grep -qx "frozen 1" "$CG/foo/cgroup.events"
	grep -qx "frozen 1" "$CG/foo/bar/cgroup.events"
	husk resume c1
	grep -qx "frozen 0" "$CG/foo/bar/cgroup.events"
	run husk delete --force c1
	[ "$status" -eq 0 ]
	[ ! -e "$CG" ]
	assert_nothing_left c1
}

@test "exec --cgroup runs in a sub-cgroup, and may not leave the container's" {
	husk run -d -b "$BUNDLE" c1
	wait_nonempty "$CG/foo/bar/cgroup.procs"
	run husk exec --cgroup foo c1 cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[ "$output" = "0::/foo" ]
	run husk exec --cgroup memory,pids:foo/bar c1 cat /proc/self/cgroup
	[ "$output" = "0::/foo/bar" ]
	run husk exec --cgroup ../x c1 true
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: exec --cgroup "../x": the path leaves the container'"'"'s cgroup' ]
	run husk exec --cgroup nosuch c1 true
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: exec --cgroup "nosuch": the container'"'"'s cgroup has no sub-cgroup "nosuch"' ]
	husk delete --force c1
}

# systemd-style: the init moves itself down several levels, as systemd moves itself
# into init.scope, and makes a few more; a stop then a plain delete removes it all.
@test "nested cgroups several levels deep: the container is deleted cleanly" {
	set_args sh -c '
		mkdir -p /sys/fs/cgroup/init.scope /sys/fs/cgroup/system.slice/a.service/x/y /sys/fs/cgroup/user.slice
		echo $$ > /sys/fs/cgroup/init.scope/cgroup.procs
		sh -c "echo \$\$ > /sys/fs/cgroup/system.slice/a.service/x/y/cgroup.procs; exec sleep 1000" &
		trap "exit 0" TERM
		while true; do sleep 0.1; done'
	husk run -d -b "$BUNDLE" c1
	wait_nonempty "$CG/system.slice/a.service/x/y/cgroup.procs"
	husk kill c1 TERM
	wait_for_status c1 stopped
	run husk delete c1
	[ "$status" -eq 0 ]
	[ ! -e "$CG" ]
	assert_nothing_left c1
}
