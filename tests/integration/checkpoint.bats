#!/usr/bin/env bats
# checkpoint and restore on this host: the errors.  CRIU itself works on Debian's 6.1
# kernel, so checkpoints that succeed are tested in the VM (tests/criu).

load helpers

setup() {
	setup_husk
	set_args sleep 1000
}
teardown() { teardown_husk; }

requires_criu() {
	[ -e /usr/lib/x86_64-linux-gnu/libcriu.so.2 ] || skip "no libcriu.so.2 (apt-get install criu)"
}

@test "checkpoint: what cannot be checkpointed is refused with one line, the container untouched" {
	requires_criu
	run husk checkpoint --image-path "$BUNDLE/img" nosuch
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: container "nosuch" does not exist' ]
	husk create -b "$BUNDLE" c1
	run husk checkpoint --image-path "$BUNDLE/img" c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: container "c1" is created: only a running or paused one can be checkpointed' ]
	husk delete --force c1
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	run husk checkpoint --manage-cgroups-mode sometimes --image-path "$BUNDLE/img" c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: --manage-cgroups-mode: expected soft, full, strict or ignore, not "sometimes"' ]
	# Flags that do not go together, or values that are not, are refused by name
	# before anything is touched.
	while IFS='|' read -r flags message; do
		run husk checkpoint $flags --image-path "$BUNDLE/img" c1
		echo "$flags: $output"
		[ "$status" -ne 0 ]
		[ "$output" = "husk: $message" ]
	done <<'EOF'
--lazy-pages|--lazy-pages: --page-server ADDRESS:PORT is needed (where the pages are served from)
--lazy-pages --pre-dump --page-server 127.0.0.1:2700|--lazy-pages and --pre-dump do not go together
--status-fd 1|--status-fd: only with --lazy-pages
--status-fd 99 --lazy-pages|checkpoint: --status-fd: expected an open file descriptor, not "99"
--empty-ns ipc|--empty-ns: only "network" can be made empty, not "ipc"
--network-lock ebtables|--network-lock: expected iptables, nftables or skip, not "ebtables"
--page-server 127.0.0.1|--page-server: expected ADDRESS:PORT, not "127.0.0.1"
--page-server 127.0.0.1:0|--page-server: expected a port from 1 to 65535 in "127.0.0.1:0"
EOF
	[ ! -e "$BUNDLE/img" ]
	[ "$(husk state c1 | jq -r .status)" = running ]
}

# Where CRIU itself fails (this machine's 6.18 kernel and Debian's CRIU 3.17:
# "Unexpected rt vDSO area bounds"), the error is CRIU's own line, and the container
# keeps running as it was.
@test "checkpoint: a CRIU failure is one line from CRIU's log, and the container keeps running" {
	requires_criu
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	run husk checkpoint --image-path "$BUNDLE/img" c1
	if [ "$status" -eq 0 ]; then skip "CRIU works on this kernel (tests/criu covers it)"; fi
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == 'husk: checkpoint "c1": criu: '*"; full log: $BUNDLE/img/dump.log" ]]
	if grep -q "Unexpected rt vDSO area bounds" "$BUNDLE/img/dump.log"; then
		[[ "$output" == *"vdso: Unexpected rt vDSO area bounds (this CRIU cannot work with this kernel's vDSO; the container is untouched)"* ]]
	fi
	[ "$(husk state c1 | jq -r .status)" = running ]
	[ "$(husk state c1 | jq -r .pid)" = "$(cat "$BUNDLE/pid")" ]
	# What the failed dump left is not taken for a checkpoint.
	run husk restore -b "$BUNDLE" --image-path "$BUNDLE/img" c2
	[ "$status" -ne 0 ]
	[ "$output" = "husk: --image-path \"$BUNDLE/img\": not a husk checkpoint (no husk-checkpoint.json)" ]
	assert_nothing_left c2
}

@test "restore: a missing or foreign image, an id in use, a bad flag: one line, nothing left" {
	requires_criu
	run husk restore -b "$BUNDLE" --image-path "$BUNDLE/nosuch" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: --image-path \"$BUNDLE/nosuch\": No such file or directory" ]
	assert_nothing_left c1
	mkdir "$BUNDLE/foreign"
	run husk restore -b "$BUNDLE" --image-path "$BUNDLE/foreign" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: --image-path \"$BUNDLE/foreign\": not a husk checkpoint (no husk-checkpoint.json)" ]
	assert_nothing_left c1
	echo '{"husk":"1","externalMounts":[]}' >"$BUNDLE/foreign/husk-checkpoint.json"
	run husk restore -b "$BUNDLE" --image-path "$BUNDLE/foreign" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: --image-path \"$BUNDLE/foreign\": husk-checkpoint.json is damaged" ]
	jq -n --rawfile c "$BUNDLE/config.json" '{husk: "1", externalMounts: [], config: $c}' \
		>"$BUNDLE/foreign/husk-checkpoint.json"
	husk run -d -b "$BUNDLE" c1
	run husk restore -b "$BUNDLE" --image-path "$BUNDLE/foreign" c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: container "c1" already exists' ]
	[ "$(husk state c1 | jq -r .status)" = running ]
	# runc's clients may spell a long option with one dash (go-runc: -no-subreaper).
	for flag in --no-pivot -no-pivot; do
		run husk restore $flag c2
		[ "$status" -ne 0 ]
		[ "$output" = "husk: restore: --no-pivot cannot be honoured: CRIU puts the container's root in place itself, with pivot_root" ]
	done
	run husk restore -b "$BUNDLE" --empty-ns pid --image-path "$BUNDLE/foreign" c2
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: --empty-ns: only "network" can be made empty, not "pid"' ]
	update_config '.process.terminal = true'
	run husk restore -d -b "$BUNDLE" --image-path "$BUNDLE/foreign" c2
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: config.json: process.terminal is true: --console-socket is required with restore --detach' ]
	assert_nothing_left c2
}

# libcriu is loaded only when used: without it, husk works and says what to install.
@test "without libcriu: checkpoint names the package, and features says so" {
	requires_criu
	husk run -d -b "$BUNDLE" c1
	run timeout 30 unshare -m --propagation private sh -c '
		for lib in /usr/lib/x86_64-linux-gnu/libcriu.so*; do mount --bind /dev/null "$lib"; done
		"$0" --root "$1" checkpoint --image-path "$2/img" c1; echo "status $?"
		"$0" features | jq -r ".annotations[\"run.husk.checkpoint\"]"' "$HUSK" "$ROOT" "$BUNDLE"
	echo "$output"
	[ "${lines[0]}" = "husk: checkpoint and restore need CRIU (Debian: apt-get install criu)" ]
	[ "${lines[1]}" = "status 1" ]
	[ "${lines[2]}" = "unavailable: libcriu.so.2 not found (Debian: apt-get install criu)" ]
	[ "$(husk state c1 | jq -r .status)" = running ]
	run "$HUSK" features
	[ "$(jq -r '.annotations["run.husk.checkpoint"]' <<<"$output")" = "libcriu.so.2 (CRIU)" ]
	run "$HUSK" --version
	[[ "$output" == *"+CRIU"* ]]
}

# What CRIU brings back from its images must be what the restoring config asks for:
# the namespaces, the terminal, the bind mounts' sources.  Refused before anything
# is made.
@test "restore: a bundle that differs from the checkpointed one where it matters is refused, nothing left" {
	mkdir -p "$BUNDLE/img" "$BUNDLE/data"
	update_config ".mounts += [{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$BUNDLE/data\",\"options\":[\"rbind\"]}]"
	jq -n --rawfile c "$BUNDLE/config.json" --arg src "$BUNDLE/gone" \
		'{husk: "1", externalMounts: [{destination: "/data", source: $src}], config: $c}' >"$BUNDLE/img/husk-checkpoint.json"
	cp "$BUNDLE/config.json" "$BUNDLE/orig.json"
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	run husk restore -b "$BUNDLE" --image-path "$BUNDLE/img" c1
	[ "$status" -ne 0 ]
	[[ "$output" == 'husk: config.json: linux.namespaces: the checkpointed container had pid, network, mount, ipc, uts'*'; this config has network, mount, ipc, uts'* ]]
	assert_nothing_left c1
	cp "$BUNDLE/orig.json" "$BUNDLE/config.json"
	update_config '.process.terminal = true'
	run husk restore -b "$BUNDLE" --image-path "$BUNDLE/img" c1 </dev/null
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: config.json: process.terminal is true, but the checkpoint has no terminal' ]
	assert_nothing_left c1
	cp "$BUNDLE/orig.json" "$BUNDLE/config.json"
	update_config '.mounts |= map(select(.destination != "/data"))'
	run husk restore -b "$BUNDLE" --image-path "$BUNDLE/img" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: config.json: mounts: the checkpointed container had a bind mount on /data, which this config does not make, and its source \"$BUNDLE/gone\" is gone" ]
	assert_nothing_left c1
}
