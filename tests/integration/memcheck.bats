#!/usr/bin/env bats
# valgrind finds no leak and no memory error in the commands that read state and
# write documents: state, list, spec, features, and in a failing create.

load helpers

setup() {
	command -v valgrind >/dev/null || skip "valgrind not installed (contrib/install-deps.sh installs it)"
	[ -z "${HUSK_SANITIZED:-}" ] || skip "husk-san runs under ASan, not valgrind"
	setup_husk
}

teardown() {
	teardown_husk
}

# memcheck ARGS...: husk under valgrind; fails on any error or leak it reports.
memcheck() {
	run timeout 120 valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		"$HUSK" --root "$ROOT" "$@"
	echo "$output"
	[ "$status" -ne 99 ]
	[[ "$output" != *"=="*"ERROR SUMMARY"* ]]
	[[ "$output" != *"definitely lost"* && "$output" != *"indirectly lost"* ]]
}

@test "valgrind: state, list and ps of a running container" {
	set_args sleep 600
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	memcheck state c1
	[ "$status" -eq 0 ]
	memcheck list
	[ "$status" -eq 0 ]
	memcheck list --format json
	[ "$status" -eq 0 ]
	memcheck ps c1
	[ "$status" -eq 0 ]
}

@test "valgrind: spec, spec --seccomp, features" {
	d=$(mktemp -d)
	memcheck spec -b "$d"
	[ "$status" -eq 0 ]
	rm "$d/config.json"
	memcheck spec --seccomp -b "$d"
	[ "$status" -eq 0 ]
	rm -rf "$d"
	memcheck features
	[ "$status" -eq 0 ]
}

@test "valgrind: errors leak nothing (a bad config, a missing container)" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 5}]'
	memcheck create -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"soft limit 10 is above the hard limit 5"* ]]
	memcheck state nosuch
	[ "$status" -ne 0 ]
	memcheck delete nosuch
	[ "$status" -ne 0 ]
}
