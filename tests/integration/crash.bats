#!/usr/bin/env bats
# Crash consistency: a husk killed at any instant, racing itself, or facing damaged
# state leaves nothing that `delete --force` cannot remove, and nothing it reads can
# hang it.  The fault injection kills husk (SIGKILL, through strace's --inject) at
# every system call of create, start, run -d, exec and delete --force in turn.

load helpers

setup() {
	setup_husk
	set_args sleep 1000
}

teardown() {
	local p
	# Whatever a failed assertion left: only processes of this test's --root.
	for p in $(processes_of_root); do kill -9 "$p" 2>/dev/null || true; done
	teardown_husk
}

# The pids of processes whose command line names this test's --root (a container's
# init runs husk's code, with husk's arguments, until it execs).  Bash builtins only,
# so that no helper process of ours matches.
processes_of_root() {
	local f p args
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		[ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
		mapfile -d '' args <"$f" 2>/dev/null || continue
		[[ " ${args[*]} " == *" --root $ROOT "* ]] && echo "$p"
	done
	return 0
}

# Nothing of container ID left: state, cgroup, mounts, and no process of the
# container (its init before exec, or the sleep it runs, in its cgroup or not).
assert_clean() {
	assert_nothing_left "$1"
	[ -z "$(processes_of_root)" ] || { echo "processes left: $(processes_of_root)" >&2; return 1; }
	[ -z "${CONTAINER_PID:-}" ] || process_gone "$CONTAINER_PID" ||
		{ echo "the container's process $CONTAINER_PID is still running" >&2; return 1; }
}

# kill_points SETUP CHECK -- HUSK-ARGS...: trace `husk HUSK-ARGS` once (after SETUP)
# for its system calls; then, for each of them, SETUP again, run the same command
# killed at that call, `delete --force c1`, and CHECK.  Sets KILL_POINTS.
kill_points() {
	local setup=$1 check=$2 log=$BATS_TEST_TMPDIR/trace i name n
	shift 3
	declare -A seen=()
	$setup
	timeout 30 strace -o "$log" -qq "$HUSK" --root "$ROOT" "$@" </dev/null >/dev/null 2>&1 || true
	husk delete --force c1
	$check c1
	KILL_POINTS=0
	while IFS= read -r line; do
		case $line in [a-z]*\(*) ;; *) continue ;; esac
		name=${line%%(*}
		n=$(( ${seen[$name]:-0} + 1 ))
		seen[$name]=$n
		$setup
		timeout 30 strace -o /dev/null -qq --inject="$name:signal=KILL:when=$n" \
			"$HUSK" --root "$ROOT" "$@" </dev/null >/dev/null 2>&1 || true
		run husk delete --force c1
		[ "$status" -eq 0 ] || { echo "killed at $name #$n: delete --force: $output" >&2; return 1; }
		$check c1 || { echo "killed at $name #$n" >&2; return 1; }
		KILL_POINTS=$((KILL_POINTS + 1))
	done <"$log"
	echo "# $* : $KILL_POINTS kill points" >&3
	[ "$KILL_POINTS" -gt 20 ]
}

requires_strace() {
	command -v strace >/dev/null || skip "strace missing (apt-get install strace)"
	[ -z "${HUSK_SANITIZED:-}" ] || skip "the sanitizer build's own start-up makes the kill points ASan's"
}

no_setup() { CONTAINER_PID=; }
created() { husk create -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1 </dev/null >/dev/null 2>&1; CONTAINER_PID=$(cat "$BUNDLE/pid"); }
running() { husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1 </dev/null >/dev/null 2>&1; CONTAINER_PID=$(cat "$BUNDLE/pid"); }

@test "fault injection: husk killed at every system call of create" {
	requires_strace
	kill_points no_setup assert_clean -- create -b "$BUNDLE" c1
}

@test "fault injection: husk killed at every system call of start" {
	requires_strace
	kill_points created assert_clean -- start c1
}

@test "fault injection: husk killed at every system call of run -d" {
	requires_strace
	kill_points no_setup assert_clean -- run -d -b "$BUNDLE" c1
}

@test "fault injection: husk killed at every system call of a foreground run" {
	requires_strace
	set_args true
	kill_points no_setup assert_clean -- run -b "$BUNDLE" c1
}

@test "fault injection: husk killed at every system call of exec" {
	requires_strace
	kill_points running assert_clean -- exec c1 true
}

@test "fault injection: husk killed at every system call of delete --force" {
	requires_strace
	kill_points running assert_clean -- delete --force c1
}

# A start killed after it let the init go used to leave "created" and a second start
# that waited 10 s.  Here the fifo is read by hand, as that start had.
@test "a start that died after letting the init go: running, and a second start fails at once" {
	husk create -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	timeout 10 cat "$ROOT/c1/exec.fifo" >/dev/null
	wait_for_status c1 running
	SECONDS=0
	run husk start c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: container "c1" is running, not created' ]
	[ "$SECONDS" -lt 5 ]
	CONTAINER_PID=$(cat "$BUNDLE/pid")
	husk delete --force c1
	assert_clean c1
}

# damage ID HOW: break the state of a running container one way.
damage() {
	local st=$ROOT/$1/state.json
	case $2 in
	truncated) truncate -s 20 "$st" ;;
	garbage) head -c 300 /dev/urandom >"$st" ;;
	empty) : >"$st" ;;
	oversized) { printf '{"x":"'; head -c 2M /dev/zero | tr '\0' a; printf '"}'; } >"$st" ;;
	no-pid) jq 'del(.pid)' "$st" >"$st.new" && mv "$st.new" "$st" ;;
	fifo) rm -f "$st" && mkfifo "$st" ;;
	removed) rm -f "$st" ;;
	esac
}

@test "damaged state: state and list answer, kill and delete --force still reach the container" {
	local how
	for how in truncated garbage empty oversized no-pid fifo removed; do
		husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
		CONTAINER_PID=$(cat "$BUNDLE/pid")
		damage c1 "$how"
		run husk state c1
		echo "$how: state: $output"
		[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "husk: "* ]]
		run husk list -q
		[ "$status" -eq 0 ]
		[ "$output" = c1 ]
		# kill reaches the init through its intent record.
		run husk kill c1 STOP
		[ "$status" -eq 0 ]
		[ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$CONTAINER_PID/status")" = T ]
		run husk delete --force c1
		echo "$how: delete: $output"
		[ "$status" -eq 0 ]
		assert_clean c1
	done
}

# No record survives, but the container's cgroup (at the default path) names the
# state directory it belongs to.
@test "a state directory replaced by a file: delete --force removes it and the container" {
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	CONTAINER_PID=$(cat "$BUNDLE/pid")
	rm -rf "${ROOT:?}/c1"
	echo junk >"$ROOT/c1"
	run husk state c1
	[ "$status" -ne 0 ]
	run husk delete --force c1
	[ "$status" -eq 0 ]
	[ ! -e "$ROOT/c1" ]
	assert_clean c1
}

@test "a FIFO as config.json fails create at once" {
	rm "$BUNDLE/config.json"
	mkfifo "$BUNDLE/config.json"
	SECONDS=0
	run husk create -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: $BUNDLE/config.json: not a regular file" ]
	[ "$SECONDS" -lt 5 ]
	assert_clean c1
}

@test "concurrent delete --force of one container: every caller succeeds" {
	local i pids=() failed=0
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	CONTAINER_PID=$(cat "$BUNDLE/pid")
	for i in 1 2 3 4 5 6 7 8; do
		husk delete --force c1 2>"$BUNDLE/err.$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
	cat "$BUNDLE"/err.* >&2
	[ "$failed" -eq 0 ]
	assert_clean c1
}

@test "out of file descriptors: run -d fails and leaves nothing" {
	run bash -c "ulimit -n 4; exec timeout 30 '$HUSK' --root '$ROOT' run -d -b '$BUNDLE' c1 </dev/null >/dev/null"
	[ "$status" -ne 0 ]
	[ -z "$(husk list -q)" ]
	assert_clean c1
}

# A foreground run that gets SIGTERM at any moment: forwarded once the container
# exists (and the container, ended by it, deleted), held until then.
@test "an early SIGTERM to a foreground run leaves no container behind" {
	local i pid delay
	# Without a pid namespace of its own, so that SIGTERM ends the process whatever
	# instant it comes at (a pid 1 would ignore it until it set a handler).
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	for i in $(seq 20); do
		delay=0.00$((i % 10))
		"$HUSK" --root "$ROOT" run -b "$BUNDLE" "c$i" </dev/null >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -TERM "$pid" 2>/dev/null || true
		timeout 30 tail --pid="$pid" -f /dev/null
		wait "$pid" || true
		[ -z "$(husk list -q)" ] || { echo "attempt $i (after ${delay}s) left: $(husk list)" >&2; return 1; }
		assert_clean "c$i"
	done
}
