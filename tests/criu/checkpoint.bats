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

# Background helpers a test starts (recvtty, criu lazy-pages) end with it.
BG_PIDS=()
teardown() {
	local p
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	teardown_husk
}

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

# CRIU's modes for the cgroups it saved (soft: only what it made, full: all
# properties, strict: fail on any difference, ignore: nothing); in each the
# restored container is in the cgroup its config names, with the config's limits.
@test "--manage-cgroups-mode soft, full, strict and ignore: the container lands in its cgroup" {
	update_config '.linux.resources = {"pids": {"limit": 55}}'
	husk run -d -b "$BUNDLE" c1
	wait_count c1 2
	local mode pid
	for mode in soft full strict ignore; do
		husk checkpoint --leave-running --manage-cgroups-mode $mode --image-path "$BUNDLE/img-$mode" c1
		husk restore -d --manage-cgroups-mode $mode -b "$BUNDLE" --image-path "$BUNDLE/img-$mode" \
			--pid-file "$BUNDLE/pid" "r-$mode"
		pid=$(cat "$BUNDLE/pid")
		echo "$mode: $(cat /proc/$pid/cgroup)"
		[ "$(sed -n 's/^0:://p' /proc/$pid/cgroup)" = "/husk/r-$mode" ]
		[ "$(cat /sys/fs/cgroup/husk/r-$mode/pids.max)" = 55 ]
		husk events --stats "r-$mode" | jq -e '.data.pids.current >= 1' >/dev/null
		husk delete --force "r-$mode"
		[ ! -e "/sys/fs/cgroup/husk/r-$mode" ]
	done
	husk delete --force c1
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
	run husk exec c2 sh -c 'echo x > /proc/sys/kernel/domainname'
	[ "$status" -ne 0 ]                              # readonlyPaths: /proc/sys
	[[ "$output" == *"Read-only file system"* ]]
	# The config's devices and /dev/pts.
	[ "$(husk exec c2 sh -c 'echo x > /dev/null && head -c 3 /dev/zero | wc -c')" = 3 ]
	husk exec c2 test -c /dev/pts/ptmx
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

# wait_file FILE: FILE is a socket or a file that is not empty (bounded by 30 s).
wait_file() {
	local i
	for i in $(seq 300); do
		[ -S "$1" ] || [ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "$1 never appeared" >&2
	return 1
}

# A terminal container: CRIU makes a new pty for the restored process and hands its
# master over (its "orphan-pts-master" callback); husk sends it to --console-socket,
# as create does, or proxies it in the foreground, as run does.
@test "a terminal container: the new pty's master goes to --console-socket, or husk proxies it" {
	update_config '.process.terminal = true'
	set_args sh -c 'i=0; while [ $i -lt 150 ]; do i=$((i+1)); echo $i > /tmp/count; echo tick $i; sleep 0.1; done; exit 3'
	"$RECVTTY" "$BUNDLE/tty1.sock" >/dev/null &
	BG_PIDS+=($!)
	wait_file "$BUNDLE/tty1.sock"
	husk run -d --console-socket "$BUNDLE/tty1.sock" -b "$BUNDLE" c1
	wait_count c1 3
	husk checkpoint --image-path "$IMG" c1
	"$RECVTTY" "$BUNDLE/tty2.sock" >"$BUNDLE/tty2.out" &
	local recv=$! n first
	BG_PIDS+=($recv)
	wait_file "$BUNDLE/tty2.sock"
	husk restore -d --console-socket "$BUNDLE/tty2.sock" -b "$BUNDLE" --image-path "$IMG" c2
	n=$(count c2)
	wait_count c2 $((n + 3))
	# The restored process's stdio is its terminal, as before.
	[ "$(husk exec c2 readlink /proc/1/fd/0)" = /dev/pts/0 ]
	[ "$(husk exec c2 readlink /proc/1/fd/1)" = /dev/pts/0 ]
	husk delete --force c2
	timeout 10 tail --pid=$recv -f /dev/null     # the pty closed with the container
	# What the restored process printed reached the new terminal, counting on.
	first=$(tr -d '\r' <"$BUNDLE/tty2.out" | sed -n 's/^tick //p' | head -n 1)
	[ "$first" -ge 3 ]
	grep -q "tick $((n + 3))" "$BUNDLE/tty2.out"
	# In the foreground, without a console socket, husk is the terminal's other end.
	run husk restore -b "$BUNDLE" --image-path "$IMG" c3 </dev/null
	[ "$status" -eq 3 ]
	[[ "$output" == *"tick 150"* ]]
	assert_nothing_left c3
	# A terminal config with a checkpoint that has none is refused, nothing left.
	update_config '.process.terminal = false'
	husk run -d -b "$BUNDLE" c4
	wait_count c4 2
	husk checkpoint --image-path "$BUNDLE/plain" c4
	update_config '.process.terminal = true'
	run husk restore -b "$BUNDLE" --image-path "$BUNDLE/plain" c5 </dev/null
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: config.json: process.terminal is true, but the checkpoint has no terminal' ]
	assert_nothing_left c5
}

@test "an established TCP connection lives on with --tcp-established; without it, CRIU's reason" {
	private_rootfs
	cp "$TCP_PINGPONG" "$ROOTFS/bin/tcp-pingpong"
	set_args tcp-pingpong /tmp/count
	husk run -d -b "$BUNDLE" c1
	wait_count c1 3
	run husk checkpoint --leave-running --image-path "$BUNDLE/no" c1
	[ "$status" -ne 0 ]
	echo "$output"
	[[ "$output" == 'husk: checkpoint "c1": criu: '*'--tcp-established'*"; full log: $BUNDLE/no/dump.log" ]]
	[ "$(husk state c1 | jq -r .status)" = running ]
	husk checkpoint --tcp-established --image-path "$IMG" c1
	husk restore -d --tcp-established -b "$BUNDLE" --image-path "$IMG" c2
	local n
	n=$(count c2)
	[ "$n" -ge 3 ]
	wait_count c2 $((n + 5))   # both ends still talk over the same connection
	husk delete --force c2
}

# CRIU keeps the container's clocks going on from where they were: the offsets come
# back less the time the container spent checkpointed, so its uptime never goes back.
@test "the time namespace comes back: the container's clocks go on from where they were" {
	update_config '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0}, "monotonic": {"secs": 7200, "nanosecs": 0}}'
	husk run -d -b "$BUNDLE" c1
	wait_count c1 2
	local before after pid mono boot
	before=$(husk exec c1 cut -d. -f1 /proc/uptime)
	[ "$before" -ge 864000 ]
	husk checkpoint --image-path "$IMG" c1
	sleep 2
	husk restore -d -b "$BUNDLE" --image-path "$IMG" --pid-file "$BUNDLE/pid" c2
	pid=$(cat "$BUNDLE/pid")
	cat "/proc/$pid/timens_offsets"
	[ "$(readlink "/proc/$pid/ns/time")" != "$(readlink /proc/self/ns/time)" ]
	mono=$(awk '$1 == "monotonic" {print $2}' "/proc/$pid/timens_offsets")
	boot=$(awk '$1 == "boottime" {print $2}' "/proc/$pid/timens_offsets")
	[ "$mono" -le 7198 ] && [ "$mono" -gt 7000 ]
	[ "$boot" -le 863998 ] && [ "$boot" -gt 863800 ]
	after=$(husk exec c2 cut -d. -f1 /proc/uptime)
	[ "$after" -ge "$before" ] && [ "$after" -lt $((before + 60)) ]
	husk delete --force c2
}

@test "--empty-ns network: the network namespace comes back empty; without it, as it was" {
	update_config '.process.capabilities.bounding += ["CAP_NET_ADMIN"] | .process.capabilities.effective += ["CAP_NET_ADMIN"] | .process.capabilities.permitted += ["CAP_NET_ADMIN"]'
	set_args sh -c 'ip addr add 10.9.8.7/32 dev lo; i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'
	husk run -d -b "$BUNDLE" c1
	wait_count c1 2
	husk checkpoint --leave-running --image-path "$BUNDLE/full" c1
	husk checkpoint --empty-ns network --image-path "$IMG" c1
	husk restore -d -b "$BUNDLE" --image-path "$BUNDLE/full" c2
	[[ "$(husk exec c2 ip addr show dev lo)" == *10.9.8.7* ]]
	husk restore -d --empty-ns network -b "$BUNDLE" --image-path "$IMG" c3
	local n
	n=$(count c3)
	wait_count c3 $((n + 2))
	[[ "$(husk exec c3 ip addr show dev lo)" != *10.9.8.7* ]]
	[ "$(readlink /proc/"$(husk state c3 | jq -r .pid)"/ns/net)" != "$(readlink /proc/self/ns/net)" ]
	husk delete --force c2
	husk delete --force c3
}

@test "--network-lock: the methods this CRIU has lock and unlock; one it lacks is refused" {
	husk run -d -b "$BUNDLE" c1
	wait_count c1 2
	husk checkpoint --leave-running --network-lock iptables --image-path "$IMG" c1
	grep -q 'iptables' "$IMG/dump.log"
	run husk checkpoint --leave-running --network-lock skip --image-path "$BUNDLE/skip" c1
	if [ "$status" -ne 0 ]; then
		[ "$output" = 'husk: --network-lock skip: this CRIU does not know it (iptables or nftables)' ]
	fi
	[ "$(husk state c1 | jq -r .status)" = running ]
	husk restore -d -b "$BUNDLE" --image-path "$IMG" c2
	local n
	n=$(count c2)
	wait_count c2 $((n + 2))
	husk delete --force c1
	husk delete --force c2
}

# CRIU's --lsm-profile replaces the label the processes had at checkpoint (a host
# with other profile names, say); processes that were unconfined stay so.
@test "restore --lsm-profile: the restored processes run under that AppArmor profile instead" {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] || skip "AppArmor is not enabled in this kernel"
	command -v apparmor_parser >/dev/null || skip "apparmor_parser missing (apt-get install apparmor)"
	local p
	for p in husk-criu-test husk-criu-other; do
		cat >"$BUNDLE/$p" <<PROFILE
profile $p flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  ptrace,
  mount,
  umount,
  pivot_root,
}
PROFILE
		apparmor_parser -r -W "$BUNDLE/$p"
	done
	update_config '.process.apparmorProfile = "husk-criu-test"'
	husk run -d -b "$BUNDLE" c1
	wait_count c1 2
	husk checkpoint --image-path "$IMG" c1
	husk restore -d -b "$BUNDLE" --image-path "$IMG" --pid-file "$BUNDLE/pid" c2
	[ "$(cat /proc/"$(cat "$BUNDLE/pid")"/attr/current)" = "husk-criu-test (enforce)" ]
	husk restore -d --lsm-profile apparmor:husk-criu-other -b "$BUNDLE" --image-path "$IMG" --pid-file "$BUNDLE/pid" c3
	[ "$(cat /proc/"$(cat "$BUNDLE/pid")"/attr/current)" = "husk-criu-other (enforce)" ]
	husk delete --force c2
	husk delete --force c3
	for p in husk-criu-test husk-criu-other; do apparmor_parser -R "$BUNDLE/$p"; done
}

# Lazy migration as runc has it: the dump leaves the pages in the frozen container
# and serves them (--page-server); "criu lazy-pages" fetches them for a restore
# --lazy-pages as the restored process touches them; --status-fd says when the
# pages can be fetched.
@test "--lazy-pages with --page-server and --status-fd: the restore fetches the pages as they are touched" {
	criu check --feature uffd-noncoop >/dev/null 2>&1 || skip "no userfaultfd for CRIU on this kernel"
	husk run -d -b "$BUNDLE" c1
	wait_count c1 3
	mkdir "$BUNDLE/work"
	husk checkpoint --lazy-pages --page-server 127.0.0.1:27027 --status-fd 3 --image-path "$IMG" c1 \
		3>"$BUNDLE/status" &
	local dump=$! lazy n
	BG_PIDS+=($dump)
	wait_file "$BUNDLE/status"
	[ "$(od -An -tx1 "$BUNDLE/status" | tr -d ' ')" = 00 ]
	timeout 60 criu lazy-pages --page-server --address 127.0.0.1 --port 27027 -D "$IMG" -W "$BUNDLE/work" \
		-o lazy-pages.log &
	lazy=$!
	BG_PIDS+=($lazy)
	wait_file "$BUNDLE/work/lazy-pages.socket"
	husk restore -d --lazy-pages -b "$BUNDLE" --image-path "$IMG" --work-path "$BUNDLE/work" c2
	n=$(count c2)
	[ "$n" -ge 3 ]
	wait_count c2 $((n + 3))
	wait $dump            # the dump ends once every page has been fetched
	wait $lazy
	husk state c1 && false
	# The pages were served, not written into the image.
	[ -z "$(ls "$IMG"/pages-*.img 2>/dev/null)" ] || [ "$(cat "$IMG"/pages-*.img | wc -c)" -lt 100000 ]
	husk delete --force c2
}

# husk's ephemeral rootfs: the overlay's upper layer is a tmpfs that CRIU does not
# save; husk saves it into the image (husk-ephemeral.tar), and restore makes the
# tmpfs and overlay again from it, so the files written before the checkpoint are
# there after it, deletions included, and the image's rootfs is never written.
@test "--ephemeral-rootfs: what was written before the checkpoint is there after it" {
	update_config '.root.readonly = false'
	ls "$ROOTFS/etc/passwd"
	set_args sh -c 'echo before > /etc/written; mkdir -p /new/dir; echo deep > /new/dir/f; rm /etc/passwd;
		i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'
	husk run -d --ephemeral-rootfs 16M -b "$BUNDLE" c1
	wait_count c1 2
	husk checkpoint --leave-running --image-path "$BUNDLE/running" c1
	# Frozen for the save, then running again.
	[ "$(husk state c1 | jq -r .status)" = running ]
	local m
	m=$(count c1)
	wait_count c1 $((m + 2))
	husk checkpoint --image-path "$IMG" c1
	[ -s "$IMG/husk-ephemeral.tar" ]
	husk restore -d -b "$BUNDLE" --image-path "$IMG" c2
	local n
	n=$(count c2)
	wait_count c2 $((n + 2))
	[ "$(husk exec c2 cat /etc/written)" = before ]
	[ "$(husk exec c2 cat /new/dir/f)" = deep ]
	run husk exec c2 ls /etc/passwd
	[ "$status" -ne 0 ]                               # the deletion came back too
	[[ "$(husk exec c2 grep ' / ' /proc/mounts)" == overlay* ]]
	husk exec c2 sh -c 'echo after > /etc/after'
	# The image's rootfs was never written.
	[ ! -e "$ROOTFS/etc/written" ] && [ ! -e "$ROOTFS/etc/after" ] && [ -e "$ROOTFS/etc/passwd" ]
	# The image taken with --leave-running restores too, and c1 ran on meanwhile.
	husk restore -d -b "$BUNDLE" --image-path "$BUNDLE/running" c3
	[ "$(husk exec c3 cat /new/dir/f)" = deep ]
	husk delete --force c2
	husk delete --force c3
	assert_nothing_left c2
	assert_nothing_left c3
	! grep -q "$ROOT" /proc/self/mountinfo
	# A checkpoint of a container without one, restored by a config that asks for an
	# ephemeral rootfs, gets an empty one: the image's rootfs is not written.
	set_args sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'
	update_config '.root.readonly = true'
	husk run -d -b "$BUNDLE" c4
	wait_count c4 2
	husk checkpoint --image-path "$BUNDLE/plain" c4
	update_config '.root.readonly = false'
	update_config '.annotations["run.husk.ephemeral-rootfs"] = "8M"'
	husk restore -d -b "$BUNDLE" --image-path "$BUNDLE/plain" c5
	husk exec c5 sh -c 'echo x > /etc/after-plain'
	[ ! -e "$ROOTFS/etc/after-plain" ]
	[[ "$(husk exec c5 grep ' / ' /proc/mounts)" == overlay* ]]
	husk delete --force c5
	assert_nothing_left c5
}
