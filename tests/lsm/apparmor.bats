#!/usr/bin/env bats
# AppArmor: process.apparmorProfile confines the container's process.  Runs inside
# tests/vm/husk-vm, whose Debian kernel has AppArmor (this host's kernel has no LSM;
# there, tests/integration/process.bats checks the error for a missing LSM).

load ../integration/helpers

setup() {
	[ -n "${HUSK_VM:-}" ] || skip "runs inside tests/vm/husk-vm (tests/run.sh starts it)"
	[ -d /sys/kernel/security/apparmor ] || skip "the VM's kernel has AppArmor off"
	command -v apparmor_parser >/dev/null || skip "apparmor_parser missing (apt-get install apparmor)"
	setup_husk
	update_config '.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}]'
	# Everything allowed but writing under /tmp/forbidden.
	cat >"$BATS_TEST_TMPDIR/husk-test" <<'PROFILE'
profile husk-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  ptrace,
  signal,
  unix,
  dbus,
  deny /tmp/forbidden{,/**} w,
}
PROFILE
	apparmor_parser -r -W "$BATS_TEST_TMPDIR/husk-test"
}

teardown() {
	teardown_husk
}

@test "apparmorProfile: the process runs confined by it" {
	update_config '.process.apparmorProfile = "husk-test"'
	set_args sh -c 'cat /proc/self/attr/current; mkdir /tmp/allowed && echo allowed-ok; mkdir /tmp/forbidden 2>&1'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "${lines[0]}" = "husk-test (enforce)" ]
	[ "${lines[1]}" = allowed-ok ]
	[[ "${lines[2]}" == *"/tmp/forbidden"*"Permission denied"* ]]
	# Without the profile the same process is unconfined and the mkdir works.
	update_config 'del(.process.apparmorProfile)'
	set_args sh -c 'cat /proc/self/attr/current; mkdir /tmp/forbidden && echo made'
	run husk run -b "$BUNDLE" c1
	[ "${lines[0]}" = unconfined ]
	[ "${lines[1]}" = made ]
}

@test "apparmorProfile applies to exec too; an unknown profile fails cleanly" {
	update_config '.process.apparmorProfile = "husk-test"'
	set_args sleep 600
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	run husk exec c1 cat /proc/self/attr/current
	[ "$output" = "husk-test (enforce)" ]
	update_config '.process.apparmorProfile = "no-such-profile"'
	run husk run -b "$BUNDLE" c2
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *'process.apparmorProfile "no-such-profile"'* ]]
	assert_nothing_left c2
}
