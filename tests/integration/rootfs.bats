#!/usr/bin/env bats
# mounts, propagation, pivot_root, masked and read-only paths, /dev, the ephemeral rootfs.

load helpers

setup() { setup_husk; }
teardown() { teardown_husk; }

add_mount() { update_config ".mounts += [$1]"; }

@test "mounts: tmpfs with size and mode, in order" {
	add_mount '{"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","size=1m","mode=0710"]}'
	add_mount '{"destination":"/scratch/inner","type":"tmpfs","source":"tmpfs","options":["ro"]}'
	set_args sh -c 'stat -c %a /scratch; grep " /scratch " /proc/mounts; grep " /scratch/inner " /proc/mounts; df -k /scratch | tail -1'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 710 ]
	[[ "${lines[1]}" == *"tmpfs rw,nosuid,nodev"*"size=1024k"* ]]
	[[ "${lines[2]}" == *"tmpfs ro"* ]]
}

# runc and crun: a tmpfs without mode= takes the mode of the directory it covers
# (tmpfs's own default would be 1777).
@test "mounts: a tmpfs without mode= keeps the mode of the directory it covers" {
	private_rootfs
	mkdir -p "$ROOTFS/m750" "$ROOTFS/m1777"
	chmod 750 "$ROOTFS/m750"
	chmod 1777 "$ROOTFS/m1777"
	add_mount '{"destination":"/m750","type":"tmpfs","source":"tmpfs","options":["size=1m"]}'
	add_mount '{"destination":"/m1777","type":"tmpfs","source":"tmpfs"}'
	add_mount '{"destination":"/fresh","type":"tmpfs","source":"tmpfs","options":["nosuid"]}'
	set_args stat -c %a /m750 /m1777 /fresh
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 750 ]
	[ "${lines[1]}" = 1777 ]
	[ "${lines[2]}" = 755 ]   # made by husk, 0755
}

@test "mounts: bind, read-only bind, and rro reach every submount" {
	mkdir -p "$BUNDLE/data/sub"
	echo host-file > "$BUNDLE/data/f"
	mount -t tmpfs tmpfs "$BUNDLE/data/sub"
	add_mount '{"destination":"/rw","type":"bind","source":"'"$BUNDLE"'/data","options":["rbind"]}'
	add_mount '{"destination":"/ro","type":"bind","source":"'"$BUNDLE"'/data","options":["rbind","ro"]}'
	add_mount '{"destination":"/rro","type":"bind","source":"'"$BUNDLE"'/data","options":["rbind","rro"]}'
	set_args sh -c 'cat /rw/f; echo w > /rw/new && echo rw-ok; echo w > /ro/x || echo ro-refused;
		echo w > /ro/sub/y && echo ro-sub-writable; echo w > /rro/sub/z || echo rro-sub-refused'
	run husk run -b "$BUNDLE" c1
	umount "$BUNDLE/data/sub"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = host-file ]
	[[ "$output" == *rw-ok* ]]
	[[ "$output" == *ro-refused* ]]
	# ro on an rbind is for the top mount only; rro is recursive.
	[[ "$output" == *ro-sub-writable* ]]
	[[ "$output" == *rro-sub-refused* ]]
	[ "$(cat "$BUNDLE/data/new")" = w ]
}

@test "mounts: a relative bind source is taken from the bundle" {
	mkdir "$BUNDLE/rel"
	echo relative > "$BUNDLE/rel/f"
	add_mount '{"destination":"/rel","type":"bind","source":"rel","options":["bind"]}'
	set_args cat /rel/f
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "$output" = relative ]
}

@test "mounts: overlay" {
	mkdir -p "$BUNDLE"/{lower,upper,work}
	echo lower > "$BUNDLE/lower/f"
	add_mount '{"destination":"/ov","type":"overlay","source":"overlay","options":["lowerdir='"$BUNDLE"'/lower","upperdir='"$BUNDLE"'/upper","workdir='"$BUNDLE"'/work"]}'
	set_args sh -c 'cat /ov/f; echo new > /ov/g'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "$output" = lower ]
	[ "$(cat "$BUNDLE/upper/g")" = new ]
}

@test "mounts: propagation from the host reaches an rslave bind" {
	mkdir -p "$BUNDLE/shared"
	mount --bind "$BUNDLE/shared" "$BUNDLE/shared"
	mount --make-shared "$BUNDLE/shared"
	add_mount '{"destination":"/shared","type":"bind","source":"'"$BUNDLE"'/shared","options":["rbind","rslave"]}'
	set_args sh -c 'for i in $(seq 50); do [ -e /shared/sub/marker ] && echo seen && exit 0; sleep 0.1; done; echo unseen'
	husk run -d -b "$BUNDLE" c1 > "$BUNDLE/out"
	sleep 0.3
	mkdir -p "$BUNDLE/shared/sub"
	mount -t tmpfs tmpfs "$BUNDLE/shared/sub"
	touch "$BUNDLE/shared/sub/marker"
	wait_for_status c1 stopped
	umount "$BUNDLE/shared/sub"
	umount "$BUNDLE/shared"
	[ "$(cat "$BUNDLE/out")" = seen ]
}

@test "mounts never leak to the host" {
	add_mount '{"destination":"/scratch","type":"tmpfs","source":"tmpfs"}'
	set_args sleep 1000
	husk run -d -b "$BUNDLE" c1
	! grep -q "$ROOTFS/scratch" /proc/self/mountinfo
	! grep -q " /scratch " /proc/self/mountinfo
}

@test "a symlink in the image cannot send a mount outside the rootfs" {
	private_rootfs
	local outside=$BUNDLE/outside
	mkdir "$outside"
	# /evil -> the host directory, absolute and relative forms.
	ln -s "$outside" "$ROOTFS/evil"
	ln -s ../../../../../../../../.."$outside" "$ROOTFS/evil2"
	add_mount '{"destination":"/evil/m","type":"tmpfs","source":"tmpfs"}'
	add_mount '{"destination":"/evil2/m","type":"tmpfs","source":"tmpfs"}'
	set_args true
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	# The mounts landed inside the rootfs, never in the host directory.
	[ -z "$(ls -A "$outside")" ]
	[ -d "$ROOTFS$outside/m" ]
}

@test "root.readonly: the root cannot be written, tmpfs mounts can" {
	set_args sh -c 'touch /x || echo refused; touch /dev/shm/y && echo shm-ok'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[[ "$output" == *refused* ]]
	[[ "$output" == *shm-ok* ]]
}

@test "maskedPaths hide files and directories; readonlyPaths cannot be written" {
	set_args sh -c 'wc -c < /proc/keys; ls -A /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname || echo ro-refused; grep " /proc/sys " /proc/mounts'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[[ "$output" == *ro-refused* ]]
	[[ "$output" == *"/proc/sys proc ro"* ]]
}

@test "maskedPaths use the host's /dev/null even when the image replaces its own" {
	private_rootfs
	update_config '.mounts |= map(select(.destination != "/dev"))'
	mkdir -p "$ROOTFS/dev"
	echo secret > "$BUNDLE/target"
	rm -f "$ROOTFS/dev/null"
	ln -s "$BUNDLE/target" "$ROOTFS/dev/null"
	set_args sh -c 'stat -c "%t:%T" /proc/keys'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "1:3" ]
	[ "$(cat "$BUNDLE/target")" = secret ]
}

@test "/dev: the default devices, symlinks and linux.devices" {
	update_config '.linux.devices = [{"type":"c","path":"/dev/mykmsg","major":1,"minor":11,"fileMode":384,"uid":0,"gid":0}]'
	set_args sh -c 'for d in null zero full random urandom tty mykmsg; do stat -c "%n %F %t:%T %a" /dev/$d; done; readlink /dev/fd; readlink /dev/ptmx; echo x > /dev/null && echo null-ok'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/dev/null character special file 1:3 666" ]
	[ "${lines[1]}" = "/dev/zero character special file 1:5 666" ]
	[ "${lines[5]}" = "/dev/tty character special file 5:0 666" ]
	[ "${lines[6]}" = "/dev/mykmsg character special file 1:b 600" ]
	[ "${lines[7]}" = /proc/self/fd ]
	[ "${lines[8]}" = pts/ptmx ]
	[ "${lines[9]}" = null-ok ]
}

# A device the host does not have is made with mknod, in a directory of its own, with
# the config's owner and mode (runc, crun).
@test "/dev: linux.devices absent from the host are created with their owner and mode" {
	[ ! -e /dev/sub ] && [ ! -e /dev/myloop9 ]
	update_config '.linux.devices = [{"type":"c","path":"/dev/sub/mynull","major":1,"minor":3,"fileMode":416,"uid":1000,"gid":1001},
		{"type":"b","path":"/dev/myloop9","major":7,"minor":9}]'
	set_args stat -c "%n %F %t:%T %a %u %g" /dev/sub/mynull /dev/myloop9
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/dev/sub/mynull character special file 1:3 640 1000 1001" ]
	[ "${lines[1]}" = "/dev/myloop9 block special file 7:9 666 0 0" ]
}

@test "--no-pivot runs the container with chroot" {
	set_args sh -c 'ls / | head -3'
	run husk run --no-pivot -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bin ]
}

@test "ephemeral rootfs: writes vanish, the image is untouched, the size is enforced" {
	update_config '.root.readonly = false'
	set_args sh -c 'echo temp > /written && cat /written; dd if=/dev/zero of=/big bs=1M count=8 2>/dev/null || echo enospc'
	run husk run --ephemeral-rootfs 4M -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = temp ]
	[ "${lines[1]}" = enospc ]
	[ ! -e "$ROOTFS/written" ]
	[ ! -e "$ROOTFS/big" ]
	assert_nothing_left c1
}

@test "ephemeral rootfs: a root.path overlayfs cannot take fails cleanly, its tmpfs unmounted" {
	mkdir "$BUNDLE/a,b"
	cp -a "$ROOTFS" "$BUNDLE/a,b/rootfs"
	update_config ".root.readonly = false | .root.path = \"$BUNDLE/a,b/rootfs\""
	run husk run --ephemeral-rootfs 4M -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"ephemeral rootfs: root.path \"$BUNDLE/a,b/rootfs\" holds ',' or ':'"* ]]
	assert_nothing_left c1
	! grep -q " $ROOT/" /proc/self/mountinfo
}

@test "ephemeral rootfs by annotation" {
	update_config '.root.readonly = false | .annotations["run.husk.ephemeral-rootfs"] = "1M"'
	set_args sh -c 'echo a > /f && grep " / " /proc/mounts'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"overlay"* ]]
	[ ! -e "$ROOTFS/f" ]
	update_config '.annotations["run.husk.ephemeral-rootfs"] = "lots"'
	run husk run -b "$BUNDLE" c2
	[ "$status" -ne 0 ]
	[[ "$output" == *'annotations.run.husk.ephemeral-rootfs: "lots" is not a size'* ]]
	assert_nothing_left c2
}

@test "idmap: a bind mount shows host root's files as the container's root" {
	mkdir "$BUNDLE/data"
	echo owned > "$BUNDLE/data/f"
	chown 0:0 "$BUNDLE/data/f"
	# The image belongs to the container's root, as for any user-namespaced container.
	private_rootfs
	chown -R 100000:100000 "$ROOTFS"
	update_config '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	add_mount '{"destination":"/plain","type":"bind","source":"'"$BUNDLE"'/data","options":["bind"]}'
	add_mount '{"destination":"/mapped","type":"bind","source":"'"$BUNDLE"'/data","options":["bind","idmap"],
		"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],
		"gidMappings":[{"containerID":0,"hostID":100000,"size":65536}]}'
	set_args sh -c 'stat -c %u:%g /plain/f /mapped/f; echo new > /mapped/g'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	# Unmapped host root shows as the overflow id; through the idmapped mount it is root.
	[ "${lines[0]}" = 65534:65534 ]
	[ "${lines[1]}" = 0:0 ]
	# What the container's root writes there is owned by host root.
	[ "$(stat -c %u:%g "$BUNDLE/data/g")" = 0:0 ]
}

@test "idmap without any mapping is refused" {
	mkdir "$BUNDLE/data"
	add_mount '{"destination":"/mapped","type":"bind","source":"'"$BUNDLE"'/data","options":["bind","idmap"]}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts[7]: an idmapped mount needs uidMappings and gidMappings"* ]]
	assert_nothing_left c1
}

@test "rootfsPropagation sets the propagation of the container's root" {
	update_config '.linux.rootfsPropagation = "private"'
	set_args awk '$5 == "/"' /proc/self/mountinfo
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"master:"* ]]
	[[ "$output" != *"shared:"* ]]
	update_config '.linux.rootfsPropagation = "rshared"'
	run husk run -b "$BUNDLE" c2
	[ "$status" -eq 0 ]
	[[ "$output" == *"shared:"* ]]
}
