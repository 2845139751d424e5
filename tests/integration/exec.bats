#!/usr/bin/env bats
# exec: joins every namespace and the cgroup; its options; --process.

load helpers

setup() {
	setup_husk
	set_args sleep 1000
	update_config '.hostname = "execbox"'
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
}
teardown() { teardown_husk; }

@test "exec runs in the container's namespaces and returns the exit status" {
	run husk exec c1 sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "; exit 7'
	[ "$status" -eq 7 ]
	[ "${lines[0]}" = execbox ]
	[ "${lines[1]}" = "sleep 1000 " ]
	local pid
	pid=$(cat "$BUNDLE/pid")
	husk exec -d --pid-file "$BUNDLE/epid" c1 sleep 1000
	local epid
	epid=$(cat "$BUNDLE/epid")
	for ns in pid mnt net ipc uts cgroup; do
		[ "$(readlink /proc/$epid/ns/$ns)" = "$(readlink /proc/$pid/ns/$ns)" ]
	done
	[ "$(grep ^0:: /proc/$epid/cgroup)" = "$(grep ^0:: /proc/$pid/cgroup)" ]
}

@test "exec options: --env, --cwd, --user, --cap, --no-new-privs" {
	run husk exec --env FOO=bar --cwd /tmp --user 1000:1000 --no-new-privs c1 sh -c 'echo $FOO; pwd; id -u; id -g; grep NoNewPrivs /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1000 ]
	[ "${lines[4]}" = "NoNewPrivs:	1" ]
	run husk exec --cap CAP_SYS_ADMIN c1 grep ^CapEff /proc/self/status
	[ "$output" = "CapEff:	0000000020200420" ]
}

@test "exec --process takes a runtime-spec process.json" {
	cat > "$BUNDLE/process.json" <<'JSON'
{"args": ["sh", "-c", "echo $X; pwd"], "env": ["X=from-process-json", "PATH=/bin"], "cwd": "/dev", "user": {"uid": 0, "gid": 0}}
JSON
	run husk exec --process "$BUNDLE/process.json" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-process-json ]
	[ "${lines[1]}" = /dev ]
}

@test "exec --tty with --console-socket" {
	"$RECVTTY" "$BUNDLE/tty.sock" > "$BUNDLE/tty.out" &
	local rpid=$!
	for i in $(seq 50); do [ -S "$BUNDLE/tty.sock" ] && break; sleep 0.1; done
	husk exec -t -d --console-socket "$BUNDLE/tty.sock" c1 sh -c '[ -t 1 ] && echo on-a-tty'
	timeout 10 tail --pid=$rpid -f /dev/null
	[[ "$(cat "$BUNDLE/tty.out")" == *on-a-tty* ]]
}

@test "exec of a missing command, or into a stopped container, fails clearly" {
	run husk exec c1 /no/such/thing
	[ "$status" -ne 0 ]
	[[ "$output" == *'executable "/no/such/thing" not found'* ]]
	husk kill c1 KILL
	wait_for_status c1 stopped
	run husk exec c1 true
	[ "$status" -ne 0 ]
	[[ "$output" == *'container "c1" is stopped: cannot exec into it'* ]]
}

@test "exec --preserve-fds passes fds and sets LISTEN_FDS" {
	echo into-exec > "$BUNDLE/f"
	run husk exec --preserve-fds 1 c1 sh -c 'cat <&3; echo "$LISTEN_FDS"' 3< "$BUNDLE/f"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = into-exec ]
	[ "${lines[1]}" = 1 ]
}
