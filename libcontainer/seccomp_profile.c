/* seccomp_profile.c - husk's default seccomp profile (husk spec --seccomp; also
 * contrib/seccomp.json).
 *
 * An allowlist: every system call of the x86_64 table is allowed except those that
 * reach outside the container or the kernel's state (modules, kexec, reboot, mount
 * and the new mount API, namespaces through unshare/setns, ptrace and cross-process
 * memory, BPF and perf, keyrings, clock and time setting, swap, quotas, NUMA
 * placement, userfaultfd, io_uring, and the long-dead calls).  Anything not listed,
 * including system calls newer than this list, fails with EPERM.  clone is allowed
 * without namespace flags; clone3, whose flags sit in memory seccomp cannot read,
 * fails with ENOSYS so that libc falls back to clone.  personality is allowed for the
 * execution domains a program legitimately asks for. */
#include "config.h"

#include "json.h"
#include "seccomp_profile.h"

static const char *const default_allow[] = {
	"read", "write", "open", "close", "stat", "fstat",
	"lstat", "poll", "lseek", "mmap", "mprotect", "munmap",
	"brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl", "pread64",
	"pwrite64", "readv", "writev", "access", "pipe", "select",
	"sched_yield", "mremap", "msync", "mincore", "madvise", "shmget",
	"shmat", "shmctl", "dup", "dup2", "pause", "nanosleep",
	"getitimer", "alarm", "setitimer", "getpid", "sendfile", "socket",
	"connect", "accept", "sendto", "recvfrom", "sendmsg", "recvmsg",
	"shutdown", "bind", "listen", "getsockname", "getpeername", "socketpair",
	"setsockopt", "getsockopt", "fork", "vfork", "execve", "exit",
	"wait4", "kill", "uname", "semget", "semop", "semctl",
	"shmdt", "msgget", "msgsnd", "msgrcv", "msgctl", "fcntl",
	"flock", "fsync", "fdatasync", "truncate", "ftruncate", "getdents",
	"getcwd", "chdir", "fchdir", "rename", "mkdir", "rmdir",
	"creat", "link", "unlink", "symlink", "readlink", "chmod",
	"fchmod", "chown", "fchown", "lchown", "umask", "gettimeofday",
	"getrlimit", "getrusage", "sysinfo", "times", "getuid", "getgid",
	"setuid", "setgid", "geteuid", "getegid", "setpgid", "getppid",
	"getpgrp", "setsid", "setreuid", "setregid", "getgroups", "setgroups",
	"setresuid", "getresuid", "setresgid", "getresgid", "getpgid", "setfsuid",
	"setfsgid", "getsid", "capget", "capset", "rt_sigpending", "rt_sigtimedwait",
	"rt_sigqueueinfo", "rt_sigsuspend", "sigaltstack", "utime", "mknod", "statfs",
	"fstatfs", "getpriority", "setpriority", "sched_setparam", "sched_getparam", "sched_setscheduler",
	"sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval", "mlock", "munlock",
	"mlockall", "munlockall", "prctl", "arch_prctl", "setrlimit", "chroot",
	"sync", "sethostname", "setdomainname", "gettid", "readahead", "setxattr",
	"lsetxattr", "fsetxattr", "getxattr", "lgetxattr", "fgetxattr", "listxattr",
	"llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr", "tkill",
	"time", "futex", "sched_setaffinity", "sched_getaffinity", "set_thread_area", "io_setup",
	"io_destroy", "io_getevents", "io_submit", "io_cancel", "get_thread_area", "epoll_create",
	"remap_file_pages", "getdents64", "set_tid_address", "restart_syscall", "semtimedop", "fadvise64",
	"timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete", "clock_gettime",
	"clock_getres", "clock_nanosleep", "exit_group", "epoll_wait", "epoll_ctl", "tgkill",
	"utimes", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
	"mq_getsetattr", "waitid", "ioprio_set", "ioprio_get", "inotify_init", "inotify_add_watch",
	"inotify_rm_watch", "openat", "mkdirat", "mknodat", "fchownat", "futimesat",
	"newfstatat", "unlinkat", "renameat", "linkat", "symlinkat", "readlinkat",
	"fchmodat", "faccessat", "pselect6", "ppoll", "set_robust_list", "get_robust_list",
	"splice", "tee", "sync_file_range", "vmsplice", "utimensat", "epoll_pwait",
	"signalfd", "timerfd_create", "eventfd", "fallocate", "timerfd_settime", "timerfd_gettime",
	"accept4", "signalfd4", "eventfd2", "epoll_create1", "dup3", "pipe2",
	"inotify_init1", "preadv", "pwritev", "rt_tgsigqueueinfo", "recvmmsg", "fanotify_init",
	"fanotify_mark", "prlimit64", "syncfs", "sendmmsg", "getcpu", "sched_setattr",
	"sched_getattr", "renameat2", "seccomp", "getrandom", "memfd_create", "execveat",
	"membarrier", "mlock2", "copy_file_range", "preadv2", "pwritev2", "pkey_mprotect",
	"pkey_alloc", "pkey_free", "statx", "io_pgetevents", "rseq", "pidfd_send_signal",
	"pidfd_open", "close_range", "openat2", "pidfd_getfd", "faccessat2", "process_madvise",
	"epoll_pwait2", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "memfd_secret", "process_mrelease",
	"futex_waitv", "cachestat", "fchmodat2", "map_shadow_stack", "futex_wake", "futex_wait",
	"futex_requeue",
	/* The i386 and x32 names of the same calls, for 32-bit programs. */
	"_llseek", "_newselect", "chown32", "fchown32", "fcntl64", "fstat64",
	"fstatat64", "fstatfs64", "ftruncate64", "getegid32", "geteuid32", "getgid32",
	"getgroups32", "getresgid32", "getresuid32", "getuid32", "lchown32", "lstat64",
	"mmap2", "sendfile64", "setfsgid32", "setfsuid32", "setgid32", "setgroups32",
	"setregid32", "setresgid32", "setresuid32", "setreuid32", "setuid32", "sigaction",
	"sigprocmask", "sigreturn", "socketcall", "stat64", "statfs64", "truncate64",
	"ugetrlimit", "waitpid", "clock_gettime64", "clock_nanosleep_time64", "futex_time64",
	"ppoll_time64", "pselect6_time64", "recvmmsg_time64", "rt_sigtimedwait_time64",
	"semtimedop_time64", "timer_gettime64", "timer_settime64", "timerfd_gettime64",
	"timerfd_settime64", "utimensat_time64",
	NULL,
};

/* The CLONE_NEW* flags: clone(2) with any of them is refused. */
#define CLONE_NAMESPACES 0x7E020000ULL

static void write_rule(struct json_writer *w, const char *const *names, const char *action, int errno_ret)
{
	json_write_object_begin(w);
	json_write_string_array(w, "names", (char *const *) names);
	json_write_key_string(w, "action", action);
	if (errno_ret)
		json_write_key_int(w, "errnoRet", errno_ret);
}

static void write_arg(struct json_writer *w, unsigned index, uint64_t value, uint64_t value2, const char *op)
{
	json_write_object_begin(w);
	json_write_key_int(w, "index", index);
	json_write_key(w, "value");
	json_write_uint(w, value);
	json_write_key(w, "valueTwo");
	json_write_uint(w, value2);
	json_write_key_string(w, "op", op);
	json_write_object_end(w);
}

void seccomp_write_default_profile(struct json_writer *w)
{
	static const char *const archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
	static const char *const clone_[] = { "clone", NULL }, *const clone3[] = { "clone3", NULL };
	static const char *const personality[] = { "personality", NULL };
	/* PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32|UNAME26, and the query 0xffffffff. */
	static const uint64_t personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

	json_write_object_begin(w);
	json_write_key_string(w, "defaultAction", "SCMP_ACT_ERRNO");
	json_write_key_int(w, "defaultErrnoRet", 1);
	json_write_string_array(w, "architectures", (char *const *) archs);
	json_write_key(w, "syscalls");
	json_write_array_begin(w);
	write_rule(w, default_allow, "SCMP_ACT_ALLOW", 0);
	json_write_object_end(w);
	write_rule(w, clone_, "SCMP_ACT_ALLOW", 0);
	json_write_key(w, "args");
	json_write_array_begin(w);
	write_arg(w, 0, CLONE_NAMESPACES, 0, "SCMP_CMP_MASKED_EQ");
	json_write_array_end(w);
	json_write_object_end(w);
	write_rule(w, clone3, "SCMP_ACT_ERRNO", 38 /* ENOSYS */);
	json_write_object_end(w);
	for (size_t i = 0; i < sizeof(personalities) / sizeof(personalities[0]); i++) {
		write_rule(w, personality, "SCMP_ACT_ALLOW", 0);
		json_write_key(w, "args");
		json_write_array_begin(w);
		write_arg(w, 0, personalities[i], 0, "SCMP_CMP_EQ");
		json_write_array_end(w);
		json_write_object_end(w);
	}
	json_write_array_end(w);
	json_write_object_end(w);
}
