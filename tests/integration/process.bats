#!/usr/bin/env bats
# process.*: env, cwd, user, umask, rlimits, capabilities, noNewPrivileges,
# oomScoreAdj, sysctl, scheduler, ioPriority, personality, execCPUAffinity,
# terminal (--console-socket) and --preserve-fds.

load helpers

setup() { setup_husk; }
teardown() { teardown_husk; }

@test "env and cwd" {
	update_config '.process.env += ["GREETING=hi there"] | .process.cwd = "/tmp"'
	set_args sh -c 'echo "$GREETING"; pwd'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hi there" ]
	[ "${lines[1]}" = /tmp ]
}

@test "user: uid, gid, additionalGids and umask" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [5, 6], "umask": 63}'
	set_args sh -c 'id -u; id -g; id -G; umask'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "${lines[2]}" = "1001 5 6" ]
	[ "${lines[3]}" = 0077 ]
}

@test "rlimits" {
	update_config '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":123,"hard":456},{"type":"RLIMIT_CORE","soft":0,"hard":0}]'
	set_args sh -c 'ulimit -n; ulimit -Hn; ulimit -c'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 123 ]
	[ "${lines[1]}" = 456 ]
	[ "${lines[2]}" = 0 ]
}

@test "capabilities: the five sets exactly as configured" {
	# CAP_CHOWN=0, CAP_KILL=5, CAP_NET_BIND_SERVICE=10
	update_config '.process.capabilities = {"bounding":["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"],
		"effective":["CAP_CHOWN","CAP_KILL"], "permitted":["CAP_CHOWN","CAP_KILL"],
		"inheritable":["CAP_KILL"], "ambient":["CAP_KILL"]}'
	set_args grep ^Cap /proc/self/status
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CapInh:	0000000000000020" ]
	[ "${lines[1]}" = "CapPrm:	0000000000000021" ]
	[ "${lines[2]}" = "CapEff:	0000000000000021" ]
	[ "${lines[3]}" = "CapBnd:	0000000000000421" ]
	[ "${lines[4]}" = "CapAmb:	0000000000000020" ]
}

@test "capabilities: inheritable is empty unless asked (CVE-2022-29162)" {
	set_args grep ^CapInh /proc/self/status
	run husk run -b "$BUNDLE" c1
	[ "$output" = "CapInh:	0000000000000000" ]
}

@test "capabilities: a non-root user keeps only the ambient ones" {
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities = {"bounding":["CAP_NET_BIND_SERVICE"],
		"effective":["CAP_NET_BIND_SERVICE"], "permitted":["CAP_NET_BIND_SERVICE"], "inheritable":["CAP_NET_BIND_SERVICE"], "ambient":["CAP_NET_BIND_SERVICE"]}'
	set_args sh -c 'grep ^CapEff /proc/self/status; nc -l -p 80 -w 1 >/dev/null 2>&1 & sleep 0.2; netstat -ltn | grep -c ":80 "'
	run husk run -b "$BUNDLE" c1
	[ "${lines[0]}" = "CapEff:	0000000000000400" ]
	[ "${lines[1]}" = 1 ]
}

# A capability husk's own bounding set lacks cannot reach any process: create says so,
# naming the capability, instead of start failing with EPERM.  husk runs here under
# capsh with CAP_SYS_RESOURCE dropped from its bounding set.
@test "a capability outside husk's bounding set fails create, naming it" {
	update_config '.process.capabilities.bounding += ["CAP_SYS_RESOURCE"] | .process.capabilities.permitted += ["CAP_SYS_RESOURCE"]'
	# stdio to files: were create to succeed, its init would hold a captured pipe open.
	run timeout 30 capsh --drop=cap_sys_resource -- -c "exec $HUSK --root $ROOT create -b $BUNDLE c1 </dev/null >/dev/null 2>$BUNDLE/err"
	[ "$status" -ne 0 ]
	[ "$(cat "$BUNDLE/err")" = "husk: config.json: process.capabilities.bounding: CAP_SYS_RESOURCE is not in husk's own bounding set, so no process husk starts can have it" ]
	assert_nothing_left c1
	# exec --cap the same way, into a container created with the full set.
	update_config '.process.capabilities.bounding -= ["CAP_SYS_RESOURCE"] | .process.capabilities.permitted -= ["CAP_SYS_RESOURCE"]'
	set_args sleep 1000
	husk run -d -b "$BUNDLE" c2
	run timeout 30 capsh --drop=cap_sys_resource -- -c "exec $HUSK --root $ROOT exec --cap CAP_SYS_RESOURCE c2 true </dev/null"
	[ "$status" -ne 0 ]
	[ "$output" = "husk: exec: process.capabilities.bounding: CAP_SYS_RESOURCE is not in husk's own bounding set, so no process husk starts can have it" ]
	husk delete --force c2
}

@test "an unknown capability is an error naming the field" {
	update_config '.process.capabilities.bounding += ["CAP_FLY"]'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: config.json: process.capabilities: bounding[3]: unknown capability "CAP_FLY"' ]
	assert_nothing_left c1
}

@test "noNewPrivileges, oomScoreAdj" {
	update_config '.process.noNewPrivileges = true | .process.oomScoreAdj = 321'
	set_args sh -c 'grep ^NoNewPrivs /proc/self/status; cat /proc/self/oom_score_adj'
	run husk run -b "$BUNDLE" c1
	[ "${lines[0]}" = "NoNewPrivs:	1" ]
	[ "${lines[1]}" = 321 ]
	update_config '.process.noNewPrivileges = false'
	set_args grep ^NoNewPrivs /proc/self/status
	run husk run -b "$BUNDLE" c2
	[ "$output" = "NoNewPrivs:	0" ]
}

@test "sysctl in the container's network namespace" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1"}'
	set_args sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced'
	local host
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1 ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
}

@test "scheduler, ioPriority, personality, execCPUAffinity" {
	update_config '.process.scheduler = {"policy":"SCHED_BATCH","nice":5}
		| .process.ioPriority = {"class":"IOPRIO_CLASS_IDLE","priority":0}
		| .linux.personality = {"domain":"LINUX32"}
		| .process.execCPUAffinity = {"initial":"0","final":"0"}'
	set_args sh -c 'awk "{ print \$41 }" /proc/self/stat; awk "{ print \$19 }" /proc/self/stat; ionice; uname -m; grep Cpus_allowed_list /proc/self/status'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 3 ]    # SCHED_BATCH
	[ "${lines[1]}" = 5 ]    # nice
	[ "${lines[2]}" = idle ]
	[ "${lines[3]}" = i686 ]
	[ "${lines[4]}" = "Cpus_allowed_list:	0" ]
}

@test "terminal: the pty master goes to --console-socket, /dev/console is the pty" {
	update_config '.process.terminal = true'
	set_args sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; stat -c %t /dev/console'
	"$RECVTTY" "$BUNDLE/tty.sock" > "$BUNDLE/tty.out" &
	local rpid=$!
	for i in $(seq 50); do [ -S "$BUNDLE/tty.sock" ] && break; sleep 0.1; done
	husk run -d --console-socket "$BUNDLE/tty.sock" -b "$BUNDLE" c1
	timeout 10 tail --pid=$rpid -f /dev/null
	[[ "$(cat "$BUNDLE/tty.out")" == *"/dev/pts/0"* ]]
	[[ "$(cat "$BUNDLE/tty.out")" == *stdin-is-tty* ]]
	[[ "$(tr -d '\r' < "$BUNDLE/tty.out" | tail -1)" == 88 ]] # devpts major 136 = 0x88
}

@test "terminal without --console-socket is refused for create" {
	update_config '.process.terminal = true'
	run husk create -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket is required with create"* ]]
	assert_nothing_left c1
}

@test "--preserve-fds passes fds and sets LISTEN_FDS" {
	echo passed-in > "$BUNDLE/f"
	set_args sh -c 'cat <&3; echo "$LISTEN_FDS"; ls /proc/self/fd | sort -n | tr "\n" " "'
	run husk run --preserve-fds 1 -b "$BUNDLE" c1 3< "$BUNDLE/f"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = passed-in ]
	[ "${lines[1]}" = 1 ]
}

@test "no runtime fd and no host directory leaks into the container (CVE-2024-21626)" {
	set_args sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "; echo; readlink /proc/self/cwd; readlink /proc/1/cwd'
	run husk run -b "$BUNDLE" c1 3</dev/null
	[ "$status" -eq 0 ]
	# 0, 1, 2 and the fd ls opens for /proc/self/fd: nothing else.
	[ "${lines[0]}" = "0 1 2 3 " ]
	[ "${lines[1]}" = / ]
	[ "${lines[2]}" = / ]
}

@test "terminal in the foreground: husk run proxies the pty to its own terminal" {
	update_config '.process.terminal = true'
	set_args sh -c 'tty; read line; echo "got $line"'
	# script(1) gives husk a real terminal; "hello" is typed into it.
	run timeout 30 script -qec "printf 'hello\n' | $HUSK --root $ROOT run -b $BUNDLE c1" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *"got hello"* ]]
}

@test "--systemd-cgroup on a host without systemd: a clear error, nothing left" {
	[ ! -d /run/systemd/system ] || skip "systemd runs this host (tests/systemd covers it)"
	update_config '.linux.cgroupsPath = "husktest.slice:husk:c1"'
	run husk --systemd-cgroup run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: --systemd-cgroup: systemd is not running on this host (no /run/systemd/system); use the cgroupfs manager" ]
	assert_nothing_left c1
	[ ! -e "$(cgroup2_root)/husktest.slice" ]
}

@test "seccomp: rules, errnoRet, argument conditions and the default action" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		"syscalls": [
			{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
			{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}
		]}'
	set_args sh -c 'mkdir /dev/shm/x 2>&1; linux32 true 2>/dev/null && echo linux32-ok || echo linux32-denied; linux64 true && echo linux64-ok'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"Function not implemented"* ]]   # errnoRet 38 = ENOSYS
	[ "${lines[1]}" = linux32-denied ]                     # personality(PER_LINUX32 = 8) matches the rule
	[ "${lines[2]}" = linux64-ok ]                         # personality(PER_LINUX = 0) does not
}

# runc and crun: conditions on one argument are alternatives (one rule each, OR), as
# the runtime-tools generator's personality rule needs; on distinct arguments they
# must all hold (one rule, AND).
@test "seccomp: several conditions on one argument match any (OR), on distinct arguments all (AND)" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
		{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}'
	set_args sh -c 'linux32 true 2>/dev/null && echo linux32-ok || echo linux32-denied;
		linux64 true 2>/dev/null && echo linux64-ok || echo linux64-denied;
		kill -0 1 2>/dev/null && echo kill0-ok || echo kill0-denied;
		kill -USR1 1 2>/dev/null && echo usr1-ok || echo usr1-denied'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = linux32-denied ]   # personality(8): the first condition
	[ "${lines[1]}" = linux64-denied ]   # personality(0): the second one, ORed
	[ "${lines[2]}" = kill0-denied ]     # kill(1, 0): both conditions hold
	[ "${lines[3]}" = usr1-ok ]          # kill(1, SIGUSR1): only one holds, and AND needs both
}

@test "seccomp: a default action of ERRNO with defaultErrnoRet" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
		"syscalls": [{"names": ["execve","brk","mmap","munmap","mprotect","arch_prctl","set_tid_address","set_robust_list","rseq","prlimit64","getrandom","exit_group","write","writev","getuid","getpid","rt_sigaction","rt_sigprocmask","fstat","newfstatat","uname","getcwd","getppid","ioctl","read","close","openat","access","readlinkat","getdents64","wait4","clone","fork","vfork","exit","rt_sigreturn","geteuid","getgid","getegid","dup2","fcntl","lseek","stat","lstat","chdir","set_tid_address","futex","sched_getaffinity","sysinfo"], "action": "SCMP_ACT_ALLOW"}]}'
	set_args sh -c 'echo alive; kill -0 1 2>/dev/null || echo kill-denied'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = alive ]
	[[ "$output" == *kill-denied* ]]
}

@test "seccomp: a bad profile fails create, naming the field" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_BOGUS"}'
	run husk create -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: config.json: linux.seccomp.defaultAction: unknown action "SCMP_ACT_BOGUS"' ]
	assert_nothing_left c1
}

@test "an AppArmor profile or SELinux label the host lacks is a clear error" {
	[ ! -d /sys/kernel/security/apparmor ] || skip "this host has AppArmor (tests/lsm covers it)"
	update_config '.process.apparmorProfile = "docker-default"'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: config.json: process.apparmorProfile: "docker-default" asked for, but the host has no AppArmor' ]
	assert_nothing_left c1
	[ ! -e /sys/fs/selinux/enforce ] || skip "this host has SELinux"
	update_config 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run husk run -b "$BUNDLE" c1
	[ "$output" = 'husk: config.json: process.selinuxLabel: "system_u:system_r:container_t:s0" asked for, but the host has no SELinux' ]
	assert_nothing_left c1
}

# A sysctl is written only into a namespace the container owns; anything else would
# change the host's value.  Each refusal names the key and what is missing, and the
# host's value stays as it was.
@test "sysctl: refused where it would reach the host, host values unchanged" {
	local mq dom
	mq=$(cat /proc/sys/fs/mqueue/queues_max)
	dom=$(cat /proc/sys/kernel/domainname)
	update_config '.linux.namespaces |= map(select(.type != "ipc")) | .linux.sysctl = {"fs.mqueue.queues_max": "200"}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: config.json: linux.sysctl.fs.mqueue.queues_max: needs a private ipc namespace (without one it would change the host's value)" ]
	[ "$(cat /proc/sys/fs/mqueue/queues_max)" = "$mq" ]
	assert_nothing_left c1

	update_config '.hostname = null | .linux.namespaces |= map(select(.type != "uts")) | .linux.sysctl = {"kernel.domainname": "evil"}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: config.json: linux.sysctl.kernel.domainname: needs a private uts namespace (without one it would change the host's value)" ]
	[ "$(cat /proc/sys/kernel/domainname)" = "$dom" ]

	update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.sysctl.net.ipv4.ip_forward: needs a private network namespace"* ]]

	# Not namespaced at all: refused even with every namespace.
	update_config '.linux.namespaces = [{"type":"pid"},{"type":"mount"},{"type":"network"},{"type":"ipc"},{"type":"uts"}] | .linux.sysctl = {"vm.swappiness": "1"}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: config.json: linux.sysctl.vm.swappiness: not allowed: this sysctl is not scoped by any namespace, so it would change the host's value" ]
	# The '/' spelling is classified the same.
	update_config '.linux.sysctl = {"kernel/randomize_va_space": "0"}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.sysctl.kernel/randomize_va_space: not allowed"* ]]
	assert_nothing_left c1
}

@test "sysctl: kernel.hostname and kernel.domainname need a uts namespace and conflict with the fields" {
	update_config '.hostname = "h1" | .linux.sysctl = {"kernel.hostname": "h2"}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = 'husk: config.json: linux.sysctl.kernel.hostname: conflicts with the "hostname" field: set one of them' ]
	update_config '.hostname = null | .linux.sysctl = {"kernel.hostname": "h2", "kernel.domainname": "d2"}'
	set_args sh -c 'hostname; cat /proc/sys/kernel/domainname'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = h2 ]
	[ "${lines[1]}" = d2 ]
}

@test "sysctl: an ipc namespace joined by path must not be the host's" {
	local mq
	mq=$(cat /proc/sys/fs/mqueue/queues_max)
	update_config ".linux.namespaces |= map(if .type == \"ipc\" then .path = \"/proc/$$/ns/ipc\" else . end) | .linux.sysctl = {\"fs.mqueue.queues_max\": \"200\"}"
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[ "$output" = "husk: config.json: linux.sysctl.fs.mqueue.queues_max: linux.namespaces[2] joins the host's namespace (\"/proc/$$/ns/ipc\"), so the sysctl would change the host's value" ]
	[ "$(cat /proc/sys/fs/mqueue/queues_max)" = "$mq" ]
	assert_nothing_left c1
	# A private ipc namespace takes it, and the host keeps its own.
	update_config '.linux.namespaces |= map(if .type == "ipc" then del(.path) else . end)'
	set_args cat /proc/sys/fs/mqueue/queues_max
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "$output" = 200 ]
	[ "$(cat /proc/sys/fs/mqueue/queues_max)" = "$mq" ]
}

# HOME, when process.env has none: the container's /etc/passwd entry of process.user.uid,
# else "/", on run and on exec (runc and crun do the same).
@test "HOME comes from the container's /etc/passwd when the config sets none" {
	private_rootfs
	printf 'root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n' > "$ROOTFS/etc/passwd"
	update_config '.process.env |= map(select(startswith("HOME=") | not))'
	set_args sh -c 'echo "$HOME"'
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "$output" = /root ]
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	run husk run -b "$BUNDLE" c1
	[ "$output" = /home/u ]
	update_config '.process.user = {"uid": 2000, "gid": 2000}'
	run husk run -b "$BUNDLE" c1
	[ "$output" = / ]
	update_config '.process.env += ["HOME=/mine"]'
	run husk run -b "$BUNDLE" c1
	[ "$output" = /mine ]
	# exec: the same lookup for the exec'd process's user.
	update_config '.process.env |= map(select(startswith("HOME=") | not)) | .process.user = {"uid": 0, "gid": 0}'
	set_args sleep 1000
	husk run -d -b "$BUNDLE" c2
	run husk exec --user 1000:1000 c2 sh -c 'echo "$HOME"'
	[ "$status" -eq 0 ]
	[ "$output" = /home/u ]
	run husk exec c2 sh -c 'echo "$HOME"'
	[ "$output" = /root ]
	husk delete --force c2
}

# A missing process.cwd is made inside the rootfs (runc and crun), never outside it:
# not through "..", not through a symlink of the image's that points at a host path.
@test "a missing process.cwd is created, inside the rootfs only" {
	private_rootfs
	local escape=/tmp/husk-cwd-escape.$$
	rm -rf "$escape"
	ln -s "$escape" "$ROOTFS/link"
	update_config '.process.cwd = "/work/new/dir" | .root.readonly = true'
	set_args pwd
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "$output" = /work/new/dir ]
	[ -d "$ROOTFS/work/new/dir" ]
	update_config ".process.cwd = \"/link/sub\""
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ ! -e "$escape" ]
	[ -d "$ROOTFS$escape/sub" ]
	update_config ".process.cwd = \"/../../..$escape/x\""
	run husk run -b "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ ! -e "$escape" ]
	# A file in the way is a clear error naming the field.
	touch "$ROOTFS/afile"
	update_config '.process.cwd = "/afile/sub"'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *'config.json: process.cwd "/afile/sub": Not a directory'* ]]
	assert_nothing_left c1
}

# The pipes husk hands a non-root process become its uid's (runc), so it can reopen
# them; a regular file of the host's given as stdio is left alone.
@test "stdio pipes belong to a non-root process.user, which can reopen them" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'echo via-reopen > /proc/self/fd/1; stat -L -c %u /proc/self/fd/1; echo err-ok > /dev/stderr'
	run husk run -b "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = via-reopen ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = err-ok ]
	# A host file as stdout keeps its owner.
	set_args sh -c 'echo hi'
	: > "$BUNDLE/out"
	husk run -b "$BUNDLE" c2 > "$BUNDLE/out"
	[ "$(stat -c %u "$BUNDLE/out")" = 0 ]
	[ "$(cat "$BUNDLE/out")" = hi ]
}

# linux.memoryPolicy (runtime-spec 1.3): set_mempolicy in the init, inherited by the
# process; numa_maps names the task policy of every mapping that has none of its own.
@test "linux.memoryPolicy: each mode and flag reaches the process" {
	[ -r /proc/self/numa_maps ] || skip "this kernel has no NUMA support (CONFIG_NUMA)"
	set_args sh -c 'head -n 1 /proc/self/numa_maps | cut -d" " -f2'
	local mode want
	while read -r mode nodes flags want; do
		update_config ".linux.memoryPolicy = {\"mode\": \"$mode\"}
			| if \"$nodes\" != \"-\" then .linux.memoryPolicy.nodes = \"$nodes\" else . end
			| if \"$flags\" != \"-\" then .linux.memoryPolicy.flags = [\"$flags\"] else . end"
		run husk run -b "$BUNDLE" c1
		echo "$mode $nodes $flags: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$want" ]
	done <<'CASES'
MPOL_BIND 0 - bind:0
MPOL_INTERLEAVE 0 - interleave:0
MPOL_PREFERRED 0 - prefer:0
MPOL_LOCAL - - local
MPOL_DEFAULT - - default
MPOL_BIND 0 MPOL_F_STATIC_NODES bind=static:0
MPOL_INTERLEAVE 0 MPOL_F_RELATIVE_NODES interleave=relative:0
CASES
	# Without memoryPolicy the process keeps the default.
	update_config 'del(.linux.memoryPolicy)'
	run husk run -b "$BUNDLE" c1
	[ "$output" = default ]
}

@test "linux.memoryPolicy: bad modes, nodes and flags are named before anything is made" {
	local cfg want
	while IFS='|' read -r cfg want; do
		update_config ".linux.memoryPolicy = $cfg"
		run husk run -b "$BUNDLE" c1
		echo "$cfg: $output"
		[ "$status" -ne 0 ]
		[ "$output" = "husk: config.json: $want" ]
		assert_nothing_left c1
	done <<'CASES'
{"nodes": "0"}|linux.memoryPolicy.mode: missing
{"mode": "MPOL_FAST"}|linux.memoryPolicy.mode: unknown mode "MPOL_FAST"
{"mode": "MPOL_BIND"}|linux.memoryPolicy.nodes: MPOL_BIND needs a list of nodes
{"mode": "MPOL_LOCAL", "nodes": "0"}|linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes
{"mode": "MPOL_BIND", "nodes": "0-x"}|linux.memoryPolicy.nodes: "0-x" is not a list of nodes such as "0-3,7"
{"mode": "MPOL_BIND", "nodes": "3-1"}|linux.memoryPolicy.nodes: "3-1": a node past 1023 or a range backwards
{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_FAST"]}|linux.memoryPolicy.flags[0]: unknown flag "MPOL_F_FAST"
{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"]}|linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other
{"mode": "MPOL_DEFAULT", "flags": ["MPOL_F_STATIC_NODES"]}|linux.memoryPolicy.flags: MPOL_DEFAULT takes no flags
{"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_NUMA_BALANCING"]}|linux.memoryPolicy.flags: MPOL_F_NUMA_BALANCING goes with MPOL_BIND or MPOL_PREFERRED_MANY only
CASES
	# A node the host does not have is the kernel's to refuse, named as well.
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "1000"}'
	run husk run -b "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == *"config.json: linux.memoryPolicy: set_mempolicy: Invalid argument"* ]]
	assert_nothing_left c1
}
