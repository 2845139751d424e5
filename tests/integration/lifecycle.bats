#!/usr/bin/env bats
# The lifecycle as containerd and Podman drive it: create, start, state, kill,
# delete, run (foreground and detached), list, ps.

load helpers

setup() { setup_husk; }
teardown() { teardown_husk; }

@test "run prints the container's output and returns its exit status" {
	set_args sh -c 'echo hello from $(hostname); exit 3'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 3 ]
	[ "$output" = "hello from husk" ]
	# A foreground run deletes the container once it has exited.
	assert_nothing_left c1
}

@test "run returns 128+N when the process dies of signal N" {
	set_args sleep 1000
	(exec timeout 30 "$HUSK" --root "$ROOT" run -b "$BUNDLE" c1) &
	local pid=$!
	wait_for_status c1 running
	husk kill c1 KILL
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 137 ]
}

@test "signals sent to husk run reach the container" {
	set_args sh -c 'trap "echo got TERM; exit 42" TERM; while :; do sleep 0.1; done'
	# exec: $! is husk's timeout wrapper, which passes TERM on to husk.
	(exec timeout 30 "$HUSK" --root "$ROOT" run -b "$BUNDLE" c1 > "$BUNDLE/out") &
	local pid=$!
	wait_for_status c1 running
	sleep 0.3 # let sh install its trap
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 42 ]
	grep -q "got TERM" "$BUNDLE/out"
}

@test "create, start, state, kill, delete" {
	set_args sleep 1000
	husk create -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	run husk state c1
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .id <<<"$output")" = c1 ]
	[ "$(jq -r .bundle <<<"$output")" = "$(realpath "$BUNDLE")" ]
	[ "$(jq -r .ociVersion <<<"$output")" = 1.3.0 ]
	local pid
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" = "$(cat "$BUNDLE/pid")" ]
	# Created: the process is husk's init, not yet sleep.
	[ "$(tr '\0' ' ' < /proc/$pid/cmdline)" != "sleep 1000 " ]

	husk start c1
	[ "$(husk state c1 | jq -r .status)" = running ]
	sleep 0.2
	[ "$(tr '\0' ' ' < /proc/$pid/cmdline)" = "sleep 1000 " ]

	husk kill c1 KILL
	wait_for_status c1 stopped
	[ "$(husk state c1 | jq -r .pid)" = 0 ]
	husk delete c1
	run husk state c1
	[ "$status" -ne 0 ]
	[[ "$output" == *'container "c1" does not exist'* ]]
	assert_nothing_left c1
}

@test "start of a running container is refused" {
	set_args sleep 1000
	husk create -b "$BUNDLE" c1
	husk start c1
	run husk start c1
	[ "$status" -ne 0 ]
	[[ "$output" == *'container "c1" is running, not created'* ]]
}

@test "delete of a created container kills it" {
	set_args sleep 1000
	husk create -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	local pid
	pid=$(cat "$BUNDLE/pid")
	husk delete c1
	! kill -0 "$pid" 2>/dev/null
	assert_nothing_left c1
}

@test "delete of a running container needs --force" {
	set_args sleep 1000
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	run husk delete c1
	[ "$status" -ne 0 ]
	[[ "$output" == *'container "c1" is running: stop it first or use delete --force'* ]]
	kill -0 "$(cat "$BUNDLE/pid")"
	husk delete --force c1
	! kill -0 "$(cat "$BUNDLE/pid")" 2>/dev/null
	assert_nothing_left c1
}

@test "kill takes signal names and numbers" {
	set_args sh -c 'trap "echo USR1 >> /tmp/sig" USR1; trap "echo HUP >> /tmp/sig" HUP; while :; do sleep 0.1; done'
	update_config '.mounts += [{"destination": "/tmp", "type": "bind", "source": "'"$BUNDLE"'", "options": ["rbind"]}]'
	husk run -d -b "$BUNDLE" c1
	sleep 0.3
	husk kill c1 USR1
	sleep 0.3
	husk kill c1 SIGHUP
	sleep 0.3
	husk kill c1 9
	wait_for_status c1 stopped
	[ "$(cat "$BUNDLE/sig")" = "$(printf 'USR1\nHUP')" ]
}

@test "kill with an unknown signal fails and leaves the container alone" {
	set_args sleep 1000
	husk run -d -b "$BUNDLE" c1
	run husk kill c1 SIGNOPE
	[ "$status" -ne 0 ]
	[[ "$output" == *'unknown signal "SIGNOPE"'* ]]
	[ "$(husk state c1 | jq -r .status)" = running ]
}

@test "kill --all reaches every process of the container" {
	set_args sh -c 'sleep 1000 & sleep 1000 & wait'
	husk run -d -b "$BUNDLE" c1
	sleep 0.3
	run husk ps --format json c1
	[ "$(jq length <<<"$output")" -eq 3 ]
	local pids=$output
	husk kill --all c1 KILL
	wait_for_status c1 stopped
	for p in $(jq -r '.[]' <<<"$pids"); do
		! kill -0 "$p" 2>/dev/null
	done
}

@test "list shows containers as a table, JSON and ids" {
	set_args sleep 1000
	husk create -b "$BUNDLE" c1
	husk run -d -b "$BUNDLE" c2
	run husk list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID*PID*STATUS*BUNDLE*CREATED*OWNER ]]
	[[ "$output" == *"c1 "*created* ]]
	[[ "$output" == *"c2 "*running* ]]
	run husk list --format json
	[ "$(jq -r 'map(select(.id == "c2"))[0].status' <<<"$output")" = running ]
	[ "$(jq -r 'map(select(.id == "c1"))[0].status' <<<"$output")" = created ]
	run husk list -q
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "c1 c2 " ]
}

@test "ps lists the container's processes" {
	set_args sleep 1000
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	run husk ps --format json c1
	[ "$status" -eq 0 ]
	[ "$output" = "[$(cat "$BUNDLE/pid")]" ]
	run husk ps c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]
}

# A container with no process left: ps(1)'s header alone (it ran "ps -p 0" and said
# "process ID out of range").
@test "ps of a container with no process left prints the header only" {
	set_args true
	husk create -b "$BUNDLE" c1
	husk start c1
	wait_for_status c1 stopped
	run husk ps c1
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"PID"*"CMD"* ]]
	run husk ps --format json c1
	[ "$output" = "[]" ]
	run husk ps c1 -- -o pid,comm
	[ "$status" -eq 0 ]
	[ "$output" = "    PID COMMAND" ] || [ "$output" = "  PID COMMAND" ]
}

@test "two creates of one id: exactly one wins" {
	set_args sleep 1000
	husk create -b "$BUNDLE" c1 & local a=$!
	husk create -b "$BUNDLE" c1 & local b=$!
	local ra=0 rb=0
	wait $a || ra=$?
	wait $b || rb=$?
	[ $((ra == 0 ? 1 : 0)) -ne $((rb == 0 ? 1 : 0)) ]
	[ "$(husk list -q)" = c1 ]
}

# runc's --keep: the foreground run's container stays, stopped, until delete.
@test "run --keep keeps the stopped container until delete" {
	set_args sh -c 'exit 3'
	run husk run --keep -b "$BUNDLE" c1
	[ "$status" -eq 3 ]
	run husk state c1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = stopped ]
	husk delete c1
	assert_nothing_left c1
	run husk run --keep -d -b "$BUNDLE" c2
	[ "$status" -ne 0 ]
	[ "$output" = "husk: run: --keep and --detach cannot both be used (a detached container is kept anyway)" ]
	assert_nothing_left c2
	run husk create --keep -b "$BUNDLE" c3
	[ "$status" -ne 0 ]
	assert_nothing_left c3
}

@test "run --detach with --pid-file leaves a running container" {
	set_args sleep 1000
	# The container keeps husk's stdio, as with runc: send it to a file, not to bats.
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1 > "$BUNDLE/out" 2>&1
	[ ! -s "$BUNDLE/out" ]
	[ "$(husk state c1 | jq -r .status)" = running ]
	[ "$(tr '\0' ' ' < /proc/$(cat "$BUNDLE/pid")/cmdline)" = "sleep 1000 " ]
}

@test "--log-format json writes runc's log lines" {
	run husk --log "$BUNDLE/log.json" --log-format json state nope
	[ "$status" -ne 0 ]
	[ "$(jq -r .level "$BUNDLE/log.json")" = error ]
	[[ "$(jq -r .msg "$BUNDLE/log.json")" == *'container "nope" does not exist'* ]]
	jq -e .time "$BUNDLE/log.json" >/dev/null
}

@test "--version lists the compiled-in features" {
	run "$HUSK" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "husk version "* ]]
	[[ "$output" == *"+SECCOMP"* ]]
	[[ "$output" == *"+CAP"* ]]
}

# NOTIFY_SOCKET (systemd units, Podman --sdnotify=container): the container gets a
# socket of its own; start (or run -d) returns once it says READY=1, which husk passes
# on with MAINPID to the caller's socket.  A python3 listener plays systemd.
notify_listener() {   # SOCKET OUTFILE: receive one datagram (within 20 s) into OUTFILE
	rm -f "$1" "$2"
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(20)
try:
    data = s.recv(4096)
except socket.timeout:
    data = b"TIMEOUT"
open(sys.argv[2], "wb").write(data)' "$1" "$2" &
	LISTENER=$!
	for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done
	return 1
}

@test "NOTIFY_SOCKET: READY=1 from the container reaches the caller, with MAINPID" {
	private_rootfs
	cp "$SD_NOTIFY" "$ROOTFS/bin/sd-notify"
	update_config '.process.env += ["SD_NOTIFY_SLEEP=1000", "NOTIFY_SOCKET=/from/the/config"]'
	set_args sh -c 'echo "$NOTIFY_SOCKET" > /dev/shm/env; [ ! -e /from/the/config ] && exec sd-notify STATUS=up READY=1'
	notify_listener "$BUNDLE/host.sock" "$BUNDLE/got"
	NOTIFY_SOCKET=$BUNDLE/host.sock husk create -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	# The container must not see the caller's socket.
	# (Its own socket is bound by start, before the process runs.)
	run husk exec c1 sh -c 'test -d /run/notify && echo dir; test -e '"$BUNDLE"'/host.sock && echo visible || echo hidden'
	[ "${lines[0]}" = dir ]
	[ "${lines[1]}" = hidden ]
	NOTIFY_SOCKET=$BUNDLE/host.sock husk start c1
	wait "$LISTENER"
	[ "$(cat "$BUNDLE/got")" = "$(printf 'READY=1\nMAINPID=%s' "$(cat "$BUNDLE/pid")")" ]
	[ "$(husk exec c1 cat /dev/shm/env)" = /run/notify/notify.sock ]
	husk delete --force c1

	# run -d the same way.
	notify_listener "$BUNDLE/host.sock" "$BUNDLE/got"
	NOTIFY_SOCKET=$BUNDLE/host.sock husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c2
	wait "$LISTENER"
	[ "$(cat "$BUNDLE/got")" = "$(printf 'READY=1\nMAINPID=%s' "$(cat "$BUNDLE/pid")")" ]
	husk delete --force c2

	# A foreground run stays the parent: the MAINPID is husk's own.
	update_config '.process.env |= map(select(startswith("SD_NOTIFY_SLEEP=") | not))'
	notify_listener "$BUNDLE/host.sock" "$BUNDLE/got"
	(NOTIFY_SOCKET=$BUNDLE/host.sock exec "$HUSK" --root "$ROOT" run -b "$BUNDLE" c3 </dev/null >/dev/null) &
	local hpid=$!
	wait "$LISTENER"
	wait "$hpid"
	[ "$(cat "$BUNDLE/got")" = "$(printf 'READY=1\nMAINPID=%s' "$hpid")" ]
	assert_nothing_left c3
}

@test "NOTIFY_SOCKET: a container that exits before READY=1 fails start clearly" {
	set_args true
	notify_listener "$BUNDLE/host.sock" "$BUNDLE/got"
	NOTIFY_SOCKET=$BUNDLE/host.sock run husk run -d -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: NOTIFY_SOCKET: the container exited before it sent READY=1" ]
	assert_nothing_left c1
	kill "$LISTENER" 2>/dev/null || true
}
