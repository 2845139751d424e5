#!/usr/bin/env bats
# seccomp: the default profile, SCMP_ACT_NOTIFY with a listener, the filter flags,
# the kill actions, and the cache of compiled programs.

load helpers

setup() { setup_husk; }

teardown() {
	kill_seccomp_agents
	teardown_husk
}

# The default profile, with CAP_SYS_ADMIN so that only seccomp stands in the way.
use_default_profile() {
	local d
	d=$(mktemp -d)
	"$HUSK" spec --seccomp -b "$d"
	update_config ".linux.seccomp = $(jq .linux.seccomp "$d/config.json")
		| .process.capabilities.bounding += [\"CAP_SYS_ADMIN\"] | .process.capabilities.effective += [\"CAP_SYS_ADMIN\"]
		| .process.capabilities.permitted += [\"CAP_SYS_ADMIN\"]"
	rm -rf "$d"
}

@test "husk spec --seccomp emits contrib/seccomp.json" {
	d=$(mktemp -d)
	"$HUSK" spec --seccomp -b "$d"
	diff <(jq -S .linux.seccomp "$d/config.json") <(jq -S . "$BATS_TEST_DIRNAME/../../contrib/seccomp.json")
	rm -rf "$d"
}

@test "the default profile: programs run, escapes are refused with EPERM" {
	use_default_profile
	update_config '.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}]'
	set_args sh -c 'grep ^Seccomp: /proc/self/status; ls / >/dev/null && echo ls-ok; (true &); wait; echo fork-ok; unshare -m true 2>&1; mount -t tmpfs x /mnt 2>&1; echo >/tmp/f && echo write-ok'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" == *ls-ok* && "$output" == *fork-ok* && "$output" == *write-ok* ]]
	[[ "$output" == *"unshare(0x20000): Operation not permitted"* ]]
	[[ "$output" == *"mount: permission denied"* ]]
}

@test "SCMP_ACT_NOTIFY: the listener and the state reach listenerPath" {
	start_seccomp_agent "$BUNDLE/agent.sock" "$BUNDLE/state.json"
	update_config ".mounts += [{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]
		| .linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$BUNDLE/agent.sock\",
		   \"listenerMetadata\": \"hello agent\",
		   \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	set_args sh -c 'mkdir /tmp/x 2>&1; echo done'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	# The agent answered EXDEV (18) for the container's mkdir.
	[[ "$output" == *"Invalid cross-device link"* ]]
	[[ "$output" == *done* ]]
	jq -e '.ociVersion and .fds == ["seccompFd"] and .metadata == "hello agent" and .pid > 0
		and .state.id == "c1" and .state.status == "running"' "$BUNDLE/state.json"
	wait "$AGENT_PID"
	AGENT_PIDS=
}

@test "SCMP_ACT_NOTIFY: no listener to connect to is an error before anything is made" {
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$BUNDLE/nobody.sock\",
		\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: config.json: linux.seccomp.listenerPath: connect to \"$BUNDLE/nobody.sock\": No such file or directory" ]
	assert_nothing_left c1
	update_config 'del(.linux.seccomp.listenerPath)'
	run husk run -b "$BUNDLE" c1
	[[ "$output" == *"linux.seccomp.listenerPath: SCMP_ACT_NOTIFY needs the absolute path of a unix socket"* ]]
	assert_nothing_left c1
}

@test "seccomp flags: LOG, SPEC_ALLOW, TSYNC are accepted; an unknown flag is named" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"],
		"syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args sh -c 'grep ^Seccomp: /proc/self/status'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"Seccomp:	2"* ]]
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_BOGUS"]'
	run husk run -b "$BUNDLE" c1
	[ "$output" = 'husk: config.json: linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_BOGUS"' ]
	assert_nothing_left c1
}

@test "seccomp actions: KILL_PROCESS, KILL_THREAD, TRAP, LOG, TRACE" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
	set_args sh -c 'echo $PPID'
	# busybox sh reads $PPID with getppid at start-up.
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 159 ]   # 128 + SIGSYS (31)
	update_config '.linux.seccomp.syscalls[0].action = "SCMP_ACT_TRAP"'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 159 ]
	update_config '.linux.seccomp.syscalls[0].action = "SCMP_ACT_KILL_THREAD"'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 159 ]   # the only thread: the process dies of SIGSYS
	update_config '.linux.seccomp.syscalls[0].action = "SCMP_ACT_LOG"'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	# TRACE with no tracer attached: the call fails with ENOSYS, as seccomp(2) says.
	update_config '.linux.seccomp.syscalls = [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_TRACE", "errnoRet": 1}]
		| .mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}]'
	set_args sh -c 'mkdir /tmp/x 2>&1'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[[ "$output" == *"Function not implemented"* ]]
}

@test "the seccomp cache: a profile is compiled once, and only its own text finds it" {
	set_args true
	# Profile A allows everything but getppid.
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}'
	husk run -b "$BUNDLE" a1
	fa=$(ls "$ROOT/.seccomp-cache")
	[ "$(echo "$fa" | wc -l)" -eq 1 ]
	# Profile B is the default profile: its own entry.
	use_default_profile
	husk run -b "$BUNDLE" b1
	fb=$(ls "$ROOT/.seccomp-cache" | grep -vx "$fa")
	[ "$(echo "$fb" | wc -l)" -eq 1 ]
	t0=$(stat -c %y "$ROOT/.seccomp-cache/$fb")
	husk run -b "$BUNDLE" b2
	[ "$(stat -c %y "$ROOT/.seccomp-cache/$fb")" = "$t0" ]   # found and read, not rewritten
	# A's program under B's name: the text in the file is A's, so B compiles afresh
	# instead of loading a filter that would let unshare through.
	cp "$ROOT/.seccomp-cache/$fa" "$ROOT/.seccomp-cache/$fb"
	set_args sh -c 'unshare -m true 2>&1'
	run husk run -b "$BUNDLE" b3
	echo "$output"
	[[ "$output" == *"unshare(0x20000): Operation not permitted"* ]]
	# HUSK_NO_SECCOMP_CACHE=1 compiles afresh and writes nothing.
	rm -rf "$ROOT/.seccomp-cache"
	set_args true
	HUSK_NO_SECCOMP_CACHE=1 "$HUSK" --root "$ROOT" run -b "$BUNDLE" c5
	[ ! -e "$ROOT/.seccomp-cache" ]
}

@test "without noNewPrivileges the filter is loaded while husk may, for any user" {
	# Podman's and Docker's configs: noNewPrivileges false, a non-root user without
	# CAP_SYS_ADMIN; seccomp(2) then needs the capability husk still holds.
	mkdir "$BUNDLE.s"
	"$HUSK" spec --seccomp -b "$BUNDLE.s"
	update_config ".linux.seccomp = $(jq .linux.seccomp "$BUNDLE.s/config.json") | .process.noNewPrivileges = false
		| .process.user = {\"uid\": 1000, \"gid\": 1000}"
	rm -rf "$BUNDLE.s"
	for id in user root; do
		[ $id = user ] || update_config '.process.user = {"uid": 0, "gid": 0}'
		set_args sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr -d "\t" | tr "\n" " "; id -u'
		run husk run -b "$BUNDLE" "c-$id"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == "NoNewPrivs:0 Seccomp:2 "* ]]
		[ "${output##* }" = "$([ $id = user ] && echo 1000 || echo 0)" ]
	done
}

@test "SCMP_ACT_NOTIFY: an exec'd process sends its own listener, with its host pid" {
	update_config ".mounts += [{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]
		| .linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$BUNDLE/agent.sock\",
		   \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	set_args sleep 1000
	start_seccomp_agent "$BUNDLE/agent.sock" "$BUNDLE/state.json"
	husk run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	wait_for_file -s "$BUNDLE/state.json"
	start_seccomp_agent "$BUNDLE/agent.sock" "$BUNDLE/exec-state.json"
	husk exec -d --pid-file "$BUNDLE/exec.pid" c1 sh -c 'mkdir /tmp/y; sleep 1000'
	wait_for_file -s "$BUNDLE/exec-state.json"
	[ "$(jq .pid "$BUNDLE/exec-state.json")" = "$(cat "$BUNDLE/exec.pid")" ]
	[ "$(jq .pid "$BUNDLE/state.json")" = "$(husk state c1 | jq .pid)" ]
}
