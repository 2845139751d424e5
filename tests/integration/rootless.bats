#!/usr/bin/env bats
# Rootless: an unprivileged user made by the test runs `husk spec --rootless` and
# `husk run` with its state under $XDG_RUNTIME_DIR/husk, in a user namespace that
# maps only its own uid, and without a cgroup unless one is delegated to it.

load helpers

RL_USER=husk-rootless-test

setup_file() {
	if ! id "$RL_USER" >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin "$RL_USER"
		touch "$BATS_FILE_TMPDIR/created-user"
	fi
}

teardown_file() {
	if [ -e "$BATS_FILE_TMPDIR/created-user" ]; then
		userdel "$RL_USER" || true
	fi
}

setup() {
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	RL_RUNDIR=$(mktemp -d /tmp/husk-xdg.XXXXXX)
	chown "$RL_UID:$RL_GID" "$RL_RUNDIR"
	chmod 700 "$RL_RUNDIR"
	BUNDLE=$(mktemp -d /tmp/husk-bundle.XXXXXX)
	ROOTFS=$(base_rootfs)
	chown "$RL_UID:$RL_GID" "$BUNDLE"
	# The root test suite's bundles are made by root; this one by the user itself.
	as_user sh -c "cd '$BUNDLE' && '$HUSK' spec --rootless"
	jq ".process.terminal = false | .root.path = \"$ROOTFS\"" "$BUNDLE/config.json" > "$BUNDLE/c.json"
	chown "$RL_UID:$RL_GID" "$BUNDLE/c.json"
	mv "$BUNDLE/c.json" "$BUNDLE/config.json"
}

teardown() {
	local id
	for id in $(as_user "$HUSK" list -q 2>/dev/null); do
		as_user "$HUSK" delete --force "$id" || true
	done
	kill_seccomp_agents
	rm -rf "$RL_RUNDIR" "$BUNDLE"
	[ -z "${DELEG:-}" ] || rmdir "$DELEG" 2>/dev/null || true
}

# as_user CMD...: CMD as the test user, no capabilities, its XDG_RUNTIME_DIR set,
# bounded in time.
as_user() {
	timeout --kill-after=5 "$HUSK_TIMEOUT" setpriv --reuid "$RL_UID" --regid "$RL_GID" --clear-groups \
		--inh-caps=-all --bounding-set=-all \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ XDG_RUNTIME_DIR="$RL_RUNDIR" "$@"
}

rl_config() {
	jq "$1" "$BUNDLE/config.json" > "$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json"
}

@test "rootless: spec --rootless maps the user's own uid and gid to root" {
	run jq -c '[.linux.uidMappings, .linux.gidMappings, ([.linux.namespaces[].type] | index("user") != null)]' \
		"$BUNDLE/config.json"
	[ "$output" = "[[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}],[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}],true]" ]
}

@test "rootless: run prints the output, is root inside, and returns the exit code" {
	rl_config '.process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map; echo out; exit 3"]'
	run as_user "$HUSK" run -b "$BUNDLE" c1
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = 0 ]
	[ "$(echo "${lines[1]}" | tr -s ' ')" = " 0 $RL_UID 1" ]
	[ "${lines[2]}" = out ]
	# The state lived in $XDG_RUNTIME_DIR/husk and is gone with the container.
	[ -d "$RL_RUNDIR/husk" ]
	[ -z "$(ls "$RL_RUNDIR/husk")" ]
	# An explicit --root of the user's own works the same.
	run as_user "$HUSK" --root "$RL_RUNDIR/own-root" run -b "$BUNDLE" c2
	[ "$status" -eq 3 ]
	[ "${lines[2]}" = out ]
	[ -d "$RL_RUNDIR/own-root" ]
	[ -z "$(ls "$RL_RUNDIR/own-root")" ]
}

@test "rootless: create, start, exec, ps, kill and delete" {
	rl_config '.process.args = ["sleep", "1000"]'
	as_user "$HUSK" create -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	[ -d "$RL_RUNDIR/husk/c1" ]
	[ "$(stat -c %u "$RL_RUNDIR/husk/c1")" = "$RL_UID" ]
	as_user "$HUSK" start c1
	run as_user "$HUSK" exec c1 sh -c 'echo $$; id -u; exit 5'
	[ "$status" -eq 5 ]
	# pid 1 is the init, so the exec'd shell is in the container's pid namespace.
	[ "${lines[0]}" -gt 1 ]
	[ "${lines[1]}" = 0 ]
	as_user "$HUSK" exec -d c1 sleep 999
	run as_user "$HUSK" exec c1 ps -o pid,args
	[[ "$output" == *"sleep 999"* ]]
	local pid
	pid=$(as_user "$HUSK" state c1 | jq -r .pid)
	[ "$(stat -c %u "/proc/$pid")" = "$RL_UID" ]
	run as_user "$HUSK" ps c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"$pid"* ]]
	as_user "$HUSK" kill c1 KILL
	for _ in $(seq 50); do
		[ "$(as_user "$HUSK" state c1 | jq -r .status)" = stopped ] && break
		sleep 0.1
	done
	as_user "$HUSK" delete c1
	[ ! -e "$RL_RUNDIR/husk/c1" ]
}

@test "rootless: limits without a delegated cgroup are a clear error, and nothing is left" {
	rl_config '.process.args = ["true"] | .linux.resources = {"pids": {"limit": 10}}'
	run as_user "$HUSK" run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.pids.limit: rootless, and the cgroup is not delegated to uid $RL_UID"* ]]
	[ ! -e "$RL_RUNDIR/husk/c1" ]
	[ -z "$(as_user "$HUSK" list -q)" ]
}

@test "rootless: a delegated cgroup is used: the container gets a child of the user's own cgroup" {
	requires cgroup2
	local cg pid
	cg=$(cgroup2_root)
	DELEG=$cg/husk-rootless-deleg.$$
	mkdir "$DELEG"
	chown "$RL_UID:$RL_GID" "$DELEG" "$DELEG/cgroup.procs" "$DELEG/cgroup.subtree_control" "$DELEG/cgroup.threads"
	rl_config '.process.args = ["sleep", "1000"]'
	# The user's session lives in the delegated cgroup, as systemd's user@.service
	# puts it; moving it there needs the common ancestor, so root does that first.
	timeout 30 sh -c "echo \$\$ > '$DELEG/cgroup.procs' && exec setpriv --reuid $RL_UID --regid $RL_GID \
		--clear-groups env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR='$RL_RUNDIR' '$HUSK' run -d -b '$BUNDLE' c1" \
		</dev/null >/dev/null 2>&1
	pid=$(as_user "$HUSK" state c1 | jq -r .pid)
	[ "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" = "${DELEG#"$cg"}/husk-c1" ]
	as_user "$HUSK" delete --force c1
	[ ! -e "$DELEG/husk-c1" ]
}

@test "rootless: errors name what needs a privilege" {
	rl_config ".linux.uidMappings[0].hostID = 0"
	run as_user "$HUSK" run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.uidMappings: write /proc/"*"/uid_map: Operation not permitted (unprivileged: map only your own id, size 1)"* ]]
	[ -z "$(ls "$RL_RUNDIR/husk")" ]
	run timeout 30 setpriv --reuid "$RL_UID" --regid "$RL_GID" --clear-groups env -i PATH=/usr/bin:/bin \
		"$HUSK" run -b "$BUNDLE" c2
	[ "$status" -ne 0 ]
	# /run/husk may or may not exist yet (a root husk makes it): either way the hint.
	if [ -d /run/husk ]; then
		[[ "$output" == *'create state directory "/run/husk/c2": Permission denied (not root: set XDG_RUNTIME_DIR or pass --root)'* ]]
	else
		[[ "$output" == *'create state root "/run/husk": Permission denied (not root: set XDG_RUNTIME_DIR or pass --root)'* ]]
	fi
}

@test "rootless: exec with a seccomp notify listener sends the exec'd process's host pid" {
	rl_config ".process.args = [\"sleep\", \"1000\"] | .mounts += [{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]
		| .linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$BUNDLE/agent.sock\",
		   \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	start_seccomp_agent "$BUNDLE/agent.sock" "$BUNDLE/state.json"
	as_user "$HUSK" run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	wait_for_file -s "$BUNDLE/state.json"
	start_seccomp_agent "$BUNDLE/agent.sock" "$BUNDLE/exec-state.json"
	as_user "$HUSK" exec -d --pid-file "$BUNDLE/exec.pid" c1 sh -c 'mkdir /tmp/y 2>/tmp/err; sleep 1000'
	wait_for_file -s "$BUNDLE/exec-state.json"
	# Each agent got the host pid of the process that sent it the listener.
	[ "$(jq .pid "$BUNDLE/state.json")" = "$(as_user "$HUSK" state c1 | jq .pid)" ]
	[ "$(jq .pid "$BUNDLE/exec-state.json")" = "$(cat "$BUNDLE/exec.pid")" ]
	[ "$(jq -r .state.id "$BUNDLE/exec-state.json")" = c1 ]
}
