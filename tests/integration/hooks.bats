#!/usr/bin/env bats
# OCI hooks: when each kind runs, the state on its stdin, failures and timeouts.

load helpers

setup() {
	setup_husk
	# A hook that appends "<name> <status> <id> <pid> <hostname>" to $BUNDLE/hooks.log.
	cat > "$BUNDLE/hook.sh" <<HOOK
#!/bin/sh
state=\$(cat)
echo "\$1 \$(echo "\$state" | jq -r '.status + " " + .id + " " + (.pid|tostring)') \$(hostname)" >> $BUNDLE/hooks.log
HOOK
	chmod +x "$BUNDLE/hook.sh"
}
teardown() { teardown_husk; }

hook() { echo "{\"path\": \"$BUNDLE/hook.sh\", \"args\": [\"hook.sh\", \"$1\"], \"env\": [\"PATH=/usr/bin:/bin\"]}"; }

@test "hooks run in order with the container's state on stdin" {
	update_config ".hostname = \"inbox\" | .hooks = {
		\"prestart\": [$(hook prestart)], \"createRuntime\": [$(hook createRuntime)],
		\"createContainer\": [$(hook createContainer)], \"poststart\": [$(hook poststart)],
		\"poststop\": [$(hook poststop)]}"
	set_args sleep 1000
	husk create -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	local pid
	pid=$(cat "$BUNDLE/pid")
	[ "$(cut -d' ' -f1-4 "$BUNDLE/hooks.log")" = "$(printf 'prestart creating c1 %s\ncreateRuntime creating c1 %s' "$pid" "$pid")
createContainer creating c1 $pid" ]
	# createRuntime runs in the runtime's namespaces, createContainer in the container's.
	[ "$(sed -n 2p "$BUNDLE/hooks.log" | cut -d' ' -f5)" = "$(hostname)" ]
	[ "$(sed -n 3p "$BUNDLE/hooks.log" | cut -d' ' -f5)" = inbox ]
	husk start c1
	[ "$(sed -n 4p "$BUNDLE/hooks.log" | cut -d' ' -f1-4)" = "poststart running c1 $pid" ]
	husk delete --force c1
	[ "$(sed -n 5p "$BUNDLE/hooks.log" | cut -d' ' -f1-3)" = "poststop stopped c1" ]
}

@test "startContainer runs in the container after start" {
	update_config ".hostname = \"inbox\" | .hooks.startContainer = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"hostname > /dev/shm/started\"]}]"
	set_args sh -c 'cat /dev/shm/started'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "$output" = inbox ]
}

@test "a failing prestart, createRuntime or createContainer hook fails create and leaves nothing" {
	for kind in prestart createRuntime createContainer; do
		update_config ".hooks = {\"$kind\": [{\"path\": \"/bin/true\"}, {\"path\": \"/bin/false\"}]}"
		run husk create -b "$BUNDLE" c1
		[ "$status" -ne 0 ]
		[[ "$output" == *"hooks.$kind[1]: \"/bin/false\" exited with status 1"* ]]
		assert_nothing_left c1
	done
}

# runtime-spec 1.3: the lifecycle goes on to delete, so the container is gone after
# create + start as after run; its poststop hook runs.
@test "a failing poststart hook fails start, then stops and deletes the container" {
	update_config ".hooks = {\"poststart\": [{\"path\": \"/bin/false\"}], \"poststop\": [$(hook poststop)]}"
	set_args sleep 1000
	husk create -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	run husk start c1
	[ "$status" -ne 0 ]
	[[ "$output" == *'hooks.poststart[0]: "/bin/false" exited with status 1'* ]]
	run husk state c1
	[ "$status" -ne 0 ]
	process_gone "$(cat "$BUNDLE/pid")"
	[ "$(cut -d' ' -f1-3 "$BUNDLE/hooks.log")" = "poststop stopped c1" ]
	assert_nothing_left c1
	run husk run -b "$BUNDLE" c2
	[ "$status" -ne 0 ]
	assert_nothing_left c2
}

# A hook without "env" gets the runtime's environment (runc and crun), one with
# "env" exactly that.
@test "a hook without env inherits husk's environment" {
	update_config ".hooks.prestart = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo \\\"\$HUSK_HOOK_PROBE\\\" > $BUNDLE/env1\"]},
		{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo \\\"\${HUSK_HOOK_PROBE-unset} \$ONLY\\\" > $BUNDLE/env2\"], \"env\": [\"ONLY=this\"]}]"
	HUSK_HOOK_PROBE=inherited run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "$(cat "$BUNDLE/env1")" = inherited ]
	[ "$(cat "$BUNDLE/env2")" = "unset this" ]
}

@test "a failing poststop hook is a warning; delete goes on" {
	update_config '.hooks = {"poststop": [{"path": "/bin/false"}]}'
	set_args true
	husk create -b "$BUNDLE" c1
	run husk delete c1
	[ "$status" -eq 0 ]
	assert_nothing_left c1
}

@test "a hook's timeout is honoured" {
	update_config '.hooks = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}'
	SECONDS=0
	run husk create -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *'hooks.prestart[0]: "/bin/sleep" timed out after 1 s'* ]]
	[ "$SECONDS" -lt 20 ]
	assert_nothing_left c1
}

@test "a hook path that does not exist is named" {
	update_config '.hooks = {"createRuntime": [{"path": "/nonexistent/hook"}]}'
	run husk create -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *'hooks.createRuntime[0]: "/nonexistent/hook": No such file or directory'* ]]
	assert_nothing_left c1
}
