#!/usr/bin/env bats
# Checkpoint and restore through CRIU, for real.  Debian's CRIU 3.17 works on Debian's
# 6.1 kernel, so these run inside tests/vm/husk-vm; tests/run.sh boots it.

load ../integration/helpers

setup() {
	[ -n "${HUSK_VM:-}" ] || skip "runs inside tests/vm/husk-vm (tests/run.sh starts it)"
	command -v criu >/dev/null || skip "criu missing (apt-get install criu)"
	setup_husk
	IMG=$BUNDLE/img
	# A counter that writes its count to /tmp (a tmpfs of the container's, which CRIU
	# saves with it) every 0.1 s.
	update_config '.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev"]}]'
	set_args sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'
}

teardown() { teardown_husk; }

count() { husk exec "$1" cat /tmp/count; }

# wait_count ID N: the counter of ID reaches N (bounded by 30 s).
wait_count() {
	local i
	for i in $(seq 300); do
		[ "$(count "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "the counter of $1 never reached $2" >&2
	return 1
}

@test "a counter keeps counting across checkpoint and restore, under a new id" {
	husk run -d -b "$BUNDLE" c1
	wait_count c1 5
	husk checkpoint --image-path "$IMG" c1
	# As with runc, the checkpointed container is gone.
	run husk state c1
	[ "$status" -ne 0 ]
	assert_nothing_left c1
	husk restore -d -b "$BUNDLE" --image-path "$IMG" --pid-file "$BUNDLE/pid" c2
	local n1 n2
	n1=$(count c2)
	[ "$n1" -ge 5 ]               # it goes on from where it was, not from 1
	wait_count c2 $((n1 + 3))
	# A husk container like any other: state, ps, pause, resume, kill, delete.
	[ "$(husk state c2 | jq -r .status)" = running ]
	[ "$(husk state c2 | jq -r .pid)" = "$(cat "$BUNDLE/pid")" ]
	run husk ps --format json c2
	jq -e "index($(cat "$BUNDLE/pid"))" <<<"$output" >/dev/null
	husk pause c2
	[ "$(husk state c2 | jq -r .status)" = paused ]
	husk resume c2
	n2=$(count c2)
	wait_count c2 $((n2 + 2))
	husk kill c2 KILL
	wait_for_status c2 stopped
	husk delete c2
	assert_nothing_left c2
}

@test "--leave-running, and one image restored twice under two ids" {
	husk run -d -b "$BUNDLE" c1
	wait_count c1 3
	husk checkpoint --leave-running --image-path "$IMG" c1
	[ "$(husk state c1 | jq -r .status)" = running ]
	husk restore -d -b "$BUNDLE" --image-path "$IMG" c2
	husk restore -d -b "$BUNDLE" --image-path "$IMG" c3
	local n
	for id in c1 c2 c3; do
		n=$(count $id)
		wait_count $id $((n + 2))
	done
	[ "$(husk list -q | sort | tr '\n' ' ')" = "c1 c2 c3 " ]
	for id in c1 c2 c3; do husk delete --force $id; assert_nothing_left $id; done
}

@test "the restored container is in its own cgroup with the config's limits" {
	update_config '.linux.resources = {"pids": {"limit": 77}, "memory": {"limit": 67108864}}'
	husk run -d -b "$BUNDLE" c1
	wait_count c1 2
	husk checkpoint --image-path "$IMG" c1
	husk restore -d -b "$BUNDLE" --image-path "$IMG" --pid-file "$BUNDLE/pid" c2
	[ "$(sed -n 's/^0:://p' "/proc/$(cat "$BUNDLE/pid")/cgroup")" = /husk/c2 ]
	[ "$(cat /sys/fs/cgroup/husk/c2/pids.max)" = 77 ]
	[ "$(cat /sys/fs/cgroup/husk/c2/memory.max)" = 67108864 ]
	husk update --pids-limit 88 c2
	[ "$(cat /sys/fs/cgroup/husk/c2/pids.max)" = 88 ]
	husk delete --force c2
	[ ! -e /sys/fs/cgroup/husk/c2 ]
}

@test "bind mounts and masked paths come back" {
	mkdir "$BUNDLE/data"
	echo from-the-host >"$BUNDLE/data/file"
	update_config ".mounts += [{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$BUNDLE/data\",\"options\":[\"rbind\",\"ro\"]}]"
	husk run -d -b "$BUNDLE" c1
	wait_count c1 2
	husk checkpoint --image-path "$IMG" c1
	husk restore -d -b "$BUNDLE" --image-path "$IMG" c2
	[ "$(husk exec c2 cat /data/file)" = from-the-host ]
	run husk exec c2 sh -c 'touch /data/x'
	[ "$status" -ne 0 ]                              # still read-only
	[ "$(husk exec c2 wc -c /proc/kcore | cut -d' ' -f1)" = 0 ]   # still masked
	husk delete --force c2
}

@test "pre-dump, then a dump on top of it: fewer pages, and it restores" {
	# 3 MB that do not change, in the shell's heap: the pre-dump takes them once.
	set_args sh -c 'x=$(head -c 3000000 /dev/zero | tr "\0" a); i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'
	husk run -d -b "$BUNDLE" c1
	wait_count c1 3
	husk checkpoint --leave-running --image-path "$BUNDLE/full" c1
	husk checkpoint --pre-dump --image-path "$BUNDLE/pre" c1
	husk checkpoint --parent-path ../pre --image-path "$BUNDLE/final" c1
	local full final
	full=$(cat "$BUNDLE"/full/pages-*.img | wc -c)
	final=$(cat "$BUNDLE"/final/pages-*.img | wc -c)
	echo "pages: full $full, on top of the pre-dump $final" >&3
	[ "$final" -lt "$full" ]
	husk restore -d -b "$BUNDLE" --image-path "$BUNDLE/final" c2
	local n
	n=$(count c2)
	wait_count c2 $((n + 2))
	husk delete --force c2
}

@test "a foreground restore waits and exits with the container's status" {
	set_args sh -c 'i=0; while [ $i -lt 150 ]; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done; exit 7'
	husk run -d -b "$BUNDLE" c1
	wait_count c1 2
	husk checkpoint --image-path "$IMG" c1
	run husk restore -b "$BUNDLE" --image-path "$IMG" c2
	echo "$output"
	[ "$status" -eq 7 ]
	assert_nothing_left c2
}

# The OCI hooks at restore: prestart and createRuntime when CRIU has made the
# namespaces (its "setup-namespaces" callback, with the restored pid), poststart once
# it runs; a failing one fails the restore and leaves nothing.
@test "restore runs prestart, createRuntime and poststart with the restored pid; a failing hook fails it" {
	cat >"$BUNDLE/hook.sh" <<HOOK
#!/bin/sh
echo "\$1 \$(jq -r '.status + " " + .id + " " + (.pid|tostring)')" >> $BUNDLE/hooks.log
HOOK
	chmod +x "$BUNDLE/hook.sh"
	husk run -d -b "$BUNDLE" c1
	wait_count c1 2
	husk checkpoint --image-path "$IMG" c1
	update_config ".hooks = {\"prestart\": [{\"path\": \"$BUNDLE/hook.sh\", \"args\": [\"hook.sh\", \"prestart\"]}],
		\"createRuntime\": [{\"path\": \"$BUNDLE/hook.sh\", \"args\": [\"hook.sh\", \"createRuntime\"]}],
		\"poststart\": [{\"path\": \"$BUNDLE/hook.sh\", \"args\": [\"hook.sh\", \"poststart\"]}]}"
	husk restore -d -b "$BUNDLE" --image-path "$IMG" --pid-file "$BUNDLE/pid" c2
	local pid
	pid=$(cat "$BUNDLE/pid")
	[ "$(cat "$BUNDLE/hooks.log")" = "$(printf 'prestart creating c2 %s\ncreateRuntime creating c2 %s\npoststart running c2 %s' "$pid" "$pid" "$pid")" ]
	husk delete --force c2
	update_config '.hooks = {"createRuntime": [{"path": "/bin/false"}]}'
	run husk restore -d -b "$BUNDLE" --image-path "$IMG" c3
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: hooks.createRuntime[0]: "/bin/false" exited with status 1' ]
	assert_nothing_left c3
}
