#!/usr/bin/env bats
# pid, mount, network, ipc, uts, user, cgroup and time namespaces; joining by path.

load helpers

setup() { setup_husk; }
teardown() { teardown_husk; }

ns_of() { readlink "/proc/$1/ns/$2"; }

@test "every configured namespace is new; the process is pid 1" {
	update_config '.linux.namespaces = [{"type":"pid"},{"type":"mount"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"cgroup"}]'
	set_args sleep 1000
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	local pid
	pid=$(cat "$BUNDLE/pid")
	for ns in pid mnt net ipc uts cgroup; do
		[ "$(ns_of "$pid" $ns)" != "$(ns_of $$ $ns)" ]
	done
	# Not asked for: shared with the host.
	[ "$(ns_of "$pid" user)" = "$(ns_of $$ user)" ]
	run husk exec c1 sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
	[ "${lines[1]}" = "sleep 1000 " ]
}

@test "uts: hostname and domainname" {
	update_config '.hostname = "box1" | .domainname = "example.org"'
	set_args sh -c 'hostname; cat /proc/sys/kernel/domainname'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = box1 ]
	[ "${lines[1]}" = example.org ]
}

@test "network: only lo, and it is up" {
	set_args sh -c 'ls /sys/class/net; cat /sys/class/net/lo/operstate; ip -o link show lo'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lo ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[2]}" == *"<LOOPBACK,UP,LOWER_UP>"* ]]
}

@test "user: container root maps to an unprivileged host uid" {
	update_config '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	set_args sh -c 'id -u; cat /proc/self/uid_map; sleep 1000'
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1 > "$BUNDLE/out"
	local pid
	pid=$(cat "$BUNDLE/pid")
	sleep 0.3
	[ "$(head -1 "$BUNDLE/out")" = 0 ]
	[ "$(sed -n 2p "$BUNDLE/out" | tr -s ' ')" = " 0 100000 65536" ]
	# On the host the container's root is uid 100000.
	[ "$(awk '/^Uid:/ { print $2 }' /proc/$pid/status)" = 100000 ]
	[ "$(ns_of "$pid" user)" != "$(ns_of $$ user)" ]
}

# runc opens mount sources before the container joins its user namespace: a source
# below a directory only the host's root may traverse is still mounted, ro and all.
@test "user: a bind source only the host's root can reach is mounted in a user namespace" {
	mkdir -m 700 "$BUNDLE/private"
	mkdir "$BUNDLE/private/data"
	echo secret-ok > "$BUNDLE/private/data/file"
	chown 100000:100000 "$BUNDLE/private/data"   # so only "ro" can keep it from being written
	echo file-ok > "$BUNDLE/private/single"
	update_config ".linux.namespaces += [{\"type\":\"user\"}]
		| .linux.uidMappings = [{\"containerID\":0,\"hostID\":100000,\"size\":65536}]
		| .linux.gidMappings = [{\"containerID\":0,\"hostID\":100000,\"size\":65536}]
		| .mounts += [{\"destination\":\"/root\",\"type\":\"bind\",\"source\":\"$BUNDLE/private/data\",\"options\":[\"rbind\",\"ro\"]},
			{\"destination\":\"/etc/group\",\"type\":\"bind\",\"source\":\"$BUNDLE/private/single\",\"options\":[\"bind\"]}]"
	set_args sh -c 'cat /root/file /etc/group; touch /root/x 2>/dev/null && echo writable || echo read-only'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = secret-ok ]
	[ "${lines[1]}" = file-ok ]
	[ "${lines[2]}" = read-only ]
	assert_nothing_left c1
}

@test "time: timeOffsets shift the container's boot time" {
	requires timens
	update_config '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0}}'
	set_args cat /proc/uptime
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	local up=${output%%.*}
	[ "$up" -ge 864000 ]
}

@test "joining a namespace by path: the second container sees the first's hostname" {
	update_config '.hostname = "first"'
	set_args sleep 1000
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	local pid
	pid=$(cat "$BUNDLE/pid")
	update_config ".hostname = null | .linux.namespaces |= map(if .type == \"uts\" then .path = \"/proc/$pid/ns/uts\" else . end)"
	set_args hostname
	run husk run -b "$BUNDLE" c2
	[ "$status" -eq 0 ]
	[ "$output" = first ]
}

@test "joining a pid namespace by path: both containers see each other" {
	set_args sleep 1000
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	local pid
	pid=$(cat "$BUNDLE/pid")
	update_config ".linux.namespaces |= map(if .type == \"pid\" then .path = \"/proc/$pid/ns/pid\" else . end)"
	set_args sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	run husk run -b "$BUNDLE" c2
	[ "$status" -eq 0 ]
	[ "$output" = "sleep 1000 " ]
}

@test "a namespace path that does not exist fails create and leaves nothing" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/nonexistent/ns/net" else . end)'
	run husk create -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *'linux.namespaces[1].path: "/proc/nonexistent/ns/net": No such file or directory'* ]]
	assert_nothing_left c1
}

@test "cgroup: the container is placed in its cgroupsPath, removed on delete" {
	requires cgroup2
	local cg
	cg=$(cgroup2_root)
	update_config '.linux.cgroupsPath = "/husk-test/c1"'
	set_args sleep 1000
	husk run -d -b "$BUNDLE" --pid-file "$BUNDLE/pid" c1
	grep -qx "0::/husk-test/c1" /proc/$(cat "$BUNDLE/pid")/cgroup
	[ "$(cat "$cg/husk-test/c1/cgroup.procs")" = "$(cat "$BUNDLE/pid")" ]
	# Inside, the cgroup namespace makes it the root.
	run husk exec c1 cat /proc/self/cgroup
	[[ "$output" == *"0::/"* ]]
	husk delete --force c1
	[ ! -e "$cg/husk-test/c1" ]
	[ ! -e "$cg/husk-test" ]   # husk made it, and removed it once empty
}

@test "cgroup: a cgroupsPath already in use by another container is refused" {
	requires cgroup2
	update_config '.linux.cgroupsPath = "/husk-test-shared"'
	set_args sleep 1000
	husk run -d -b "$BUNDLE" c1
	run husk run -d -b "$BUNDLE" c2
	[ "$status" -ne 0 ]
	[[ "$output" == *'husk-test-shared" is already in use (linux.cgroupsPath)'* ]]
	[ "$(husk state c1 | jq -r .status)" = running ]
	[ ! -e "$ROOT/c2" ]
	husk delete --force c1
	[ ! -e "$(cgroup2_root)/husk-test-shared" ]
}

# linux.netDevices (runtime-spec 1.3): a host interface moves into the container's
# network namespace, renamed, with its addresses and up.  This host's kernel has no
# dummy links, so husk runs in a throw-away network namespace of the test's own with a
# veth pair; nothing of the host's network is touched.
@test "linux.netDevices: an interface moves in, renamed, with its addresses and up state" {
	update_config '.linux.netDevices = {"hv0": {"name": "ctr0"}, "hv1": {}}'
	set_args sh -c 'ip addr show ctr0; ip link show hv1; ip link show hv0 2>/dev/null || echo no-hv0'
	run timeout 60 unshare -n sh -c '
		ip link add hv0 type veth peer name hv1 &&
		ip addr add 192.0.2.1/24 dev hv0 &&
		ip -6 addr add 2001:db8::1/64 dev hv0 nodad &&
		ip link set hv0 up &&
		"$0" --root "$1" run -b "$2" c1 &&
		if ip link show hv0 >/dev/null 2>&1; then echo host-still-has-hv0; fi' "$HUSK" "$ROOT" "$BUNDLE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"ctr0@"*"<"*",UP"* ]] || [[ "$output" == *"ctr0@"*"<UP"* ]]
	[[ "$output" == *"inet 192.0.2.1/24"* ]]
	[[ "$output" == *"inet6 2001:db8::1/64"* ]]
	[[ "$output" == *"hv1@"* ]]      # kept its name, and was down: stays down
	[[ "$output" != *"hv1@"*",UP"* ]]
	[[ "$output" == *no-hv0* ]]
	[[ "$output" != *host-still-has-hv0* ]]
	assert_nothing_left c1
}

@test "linux.netDevices: errors name the interface, before anything is made" {
	update_config '.linux.netDevices = {"nosuch0": {}}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: config.json: linux.netDevices.nosuch0: the host has no network interface "nosuch0"' ]
	assert_nothing_left c1
	update_config '.linux.netDevices = {"lo": {}} | .linux.namespaces |= map(select(.type != "network"))'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: config.json: linux.netDevices: needs a network namespace (linux.namespaces has none): the interfaces would stay the host's" ]
	update_config '.linux.netDevices = {"lo": {"name": "a/b"}}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: config.json: linux.netDevices.lo.name: \"a/b\" is not a network interface name (1-15 characters, no '/', ':' or spaces)" ]
	update_config '.linux.netDevices = {"x1": {"name": "e0"}, "x2": {"name": "e0"}}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: config.json: linux.netDevices.x2: the name "e0" is given to linux.netDevices.x1 too' ]
	assert_nothing_left c1
}
