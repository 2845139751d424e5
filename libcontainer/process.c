/* process.c - the namespace executor.  The parent clones the init with clone3 into
 * its namespaces (and cgroup), writes its id maps, runs the createRuntime hooks when
 * asked; the child builds the rootfs and the process and waits to exec. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/keyctl.h>
#include <linux/sched.h>

#include "caps.h"
#include "hooks.h"
#include "netlink.h"
#include "process.h"
#include "rootfs.h"
#include "seccomp_filter.h"
#include "state.h"
#include "terminal.h"
#include "utils.h"

enum sync_type {
	SYNC_USERNS_MAPPED = 1, /* parent -> child: uid/gid maps written */
	SYNC_CREATE_RUNTIME,    /* child -> parent: run prestart/createRuntime hooks now */
	SYNC_CREATE_RUNTIME_DONE,
	SYNC_READY,             /* child -> parent: waiting to exec */
	SYNC_START,             /* parent -> child: exec now (run) */
	SYNC_ERROR,             /* child -> parent: failed, with a message */
	SYNC_PID,               /* exec's first child -> parent: code is the real process's pid */
};

struct sync_msg {
	int type;
	int code;
	char msg[HUSK_ERROR_MAX];
};

static int sync_send(int fd, int type, const struct husk_error *err)
{
	struct sync_msg m = { .type = type };

	if (err) {
		m.code = err->code;
		memcpy(m.msg, err->msg, sizeof(m.msg));
	}
	while (send(fd, &m, type == SYNC_ERROR ? sizeof(m) : offsetof(struct sync_msg, msg), MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* 0 on EOF, the message type otherwise; SYNC_ERROR fills err. */
static int sync_recv(int fd, struct husk_error *err)
{
	struct sync_msg m;
	ssize_t n;

	do
		n = recv(fd, &m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	if (m.type == SYNC_ERROR) {
		m.msg[sizeof(m.msg) - 1] = '\0';
		husk_error_set(err, m.code, "%s", m.msg);
	}
	if (m.type == SYNC_PID)
		err->code = m.code; /* the pid travels in the code field */
	return m.type;
}

static pid_t clone3_fork(unsigned long flags, int cgroup_fd, int *pidfd)
{
	struct clone_args args = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (uint64_t) (uintptr_t) pidfd,
		.exit_signal = SIGCHLD,
	};

	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = cgroup_fd;
	}
	return syscall(SYS_clone3, &args, sizeof(args));
}

/* ---- the child ------------------------------------------------------------------ */
struct child {
	struct init_request *req;
	const struct spec *s;
	int sync;
	int ns_fds[16];
	struct husk_error err;
};

static void __attribute__((noreturn)) child_fail(struct child *c)
{
	if (c->sync >= 0)
		sync_send(c->sync, SYNC_ERROR, &c->err);
	else
		dprintf(STDERR_FILENO, "husk: %s\n", c->err.msg);
	_exit(1);
}

static int set_hostname(const struct spec *s, struct husk_error *err)
{
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return husk_error_sys(err, errno, "config.json: hostname: sethostname(\"%s\")", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return husk_error_sys(err, errno, "config.json: domainname: setdomainname(\"%s\")", s->domainname);
	return 0;
}

/* Through the container's /proc (resolved under rootfd), before it is read-only, and
 * only into the kernel's own files (proc_openat: no mount or link over them). */
static int apply_sysctl(const struct spec *s, int rootfd, struct husk_error *err)
{
	_cleanup_close_ int procfd = -1;

	if (s->n_sysctl) {
		procfd = rootfs_open_in_root(rootfd, "/proc", false, false, O_PATH | O_DIRECTORY);
		if (procfd < 0)
			return husk_error_sys(err, -procfd, "config.json: linux.sysctl: the container's /proc");
	}
	for (size_t i = 0; i < s->n_sysctl; i++) {
		_cleanup_free_ char *path = xasprintf("sys/%s", s->sysctl_keys[i]);
		_cleanup_close_ int fd = -1;
		ssize_t r;

		for (char *p = path + 4; *p; p++)
			if (*p == '.')
				*p = '/';
		fd = proc_openat(procfd, path, O_WRONLY);
		if (fd == -EXDEV)
			return husk_error_set(err, EXDEV, "config.json: linux.sysctl.%s: /proc/%s is not the kernel's procfs "
					      "file (something is mounted or linked over it)", s->sysctl_keys[i], path);
		if (fd < 0)
			return husk_error_sys(err, -fd, "config.json: linux.sysctl.%s", s->sysctl_keys[i]);
		r = write_all(fd, s->sysctl_values[i], strlen(s->sysctl_values[i]));
		if (r < 0)
			return husk_error_sys(err, (int) -r, "config.json: linux.sysctl.%s", s->sysctl_keys[i]);
	}
	return 0;
}

static int parse_cpu_list(const char *list, cpu_set_t *set)
{
	return parse_number_list(list, set->__bits, CPU_SETSIZE);
}

/* process.*: the attributes applied while still privileged. */
int process_apply_attributes(const struct spec *s, const struct spec_process *p, struct husk_error *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { p->rlimits[i].soft, p->rlimits[i].hard };
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return husk_error_sys(err, errno, "config.json: process.rlimits[%zu]", i);
	}
	if (p->has_oom_score_adj) {
		char buf[16];
		int r;
		snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
		r = proc_write("self/oom_score_adj", buf);
		if (r < 0)
			return husk_error_sys(err, -r, "config.json: process.oomScoreAdj");
	}
	if (s && s->has_personality && personality(s->personality) < 0)
		return husk_error_sys(err, errno, "config.json: linux.personality");
	/* The calling thread's policy, inherited across fork and execve. */
	if (s && s->has_mempolicy &&
	    syscall(SYS_set_mempolicy, s->mempolicy_mode | s->mempolicy_flags, s->mempolicy_nodes,
		    (unsigned long) SPEC_MPOL_NODES + 1) < 0)
		return husk_error_sys(err, errno, "config.json: linux.memoryPolicy: set_mempolicy");
	if (p->has_scheduler) {
		struct {
			uint32_t size, policy;
			uint64_t flags;
			int32_t nice;
			uint32_t priority;
			uint64_t runtime, deadline, period;
		} attr = { 48, p->sched_policy, p->sched_flags, p->sched_nice, p->sched_priority,
			   p->sched_runtime, p->sched_deadline, p->sched_period };
		if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
			return husk_error_sys(err, errno, "config.json: process.scheduler");
	}
	if (p->has_io_priority &&
	    syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (p->ioprio_class << 13) | p->ioprio_level) < 0)
		return husk_error_sys(err, errno, "config.json: process.ioPriority");
	if (p->cpu_affinity_initial) {
		cpu_set_t set;
		if (parse_cpu_list(p->cpu_affinity_initial, &set) < 0)
			return husk_error_set(err, EINVAL, "config.json: process.execCPUAffinity.initial: \"%s\" is not a CPU list",
					      p->cpu_affinity_initial);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			return husk_error_sys(err, errno, "config.json: process.execCPUAffinity.initial");
	}
	return 0;
}

/* Look args[0] up in the PATH of env, as execvp would, but before exec so that a
 * missing binary fails create, not start. */
char *process_find_executable(const struct spec_process *p)
{
	const char *path = strv_env_get(p->env, "PATH");
	_cleanup_free_ char *copy = NULL;
	char *dir, *save;

	if (strchr(p->args[0], '/'))
		return access(p->args[0], X_OK) == 0 ? xstrdup(p->args[0]) : NULL;
	copy = xstrdup(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *dir ? dir : ".", p->args[0]);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return NULL;
}

#define APPARMOR_DIR "/sys/kernel/security/apparmor"
#define SELINUX_DIR "/sys/fs/selinux"

int process_check_lsm(const struct spec_process *p, const char *label, struct husk_error *err)
{
	if (p->apparmor_profile && *p->apparmor_profile && access(APPARMOR_DIR, F_OK) < 0)
		return husk_error_set(err, ENOTSUP, "%s: process.apparmorProfile: \"%s\" asked for, but the host has no AppArmor",
				      label, p->apparmor_profile);
	if (p->selinux_label && *p->selinux_label && access(SELINUX_DIR "/enforce", F_OK) < 0)
		return husk_error_set(err, ENOTSUP, "%s: process.selinuxLabel: \"%s\" asked for, but the host has no SELinux",
				      label, p->selinux_label);
	return 0;
}

/* Labels take effect at execve: written to the exec attribute just before it. */
static int apply_lsm(const struct spec_process *p, struct husk_error *err)
{
	int r;

	if (p->apparmor_profile && *p->apparmor_profile) {
		_cleanup_free_ char *v = xasprintf("exec %s", p->apparmor_profile);
		/* Through proc_write: a mount over /proc cannot swallow the label (CVE-2019-16884). */
		r = proc_write("self/attr/apparmor/exec", v);
		if (r == -ENOENT)
			r = proc_write("self/attr/exec", v);
		if (r < 0)
			return husk_error_sys(err, -r, "process.apparmorProfile \"%s\"", p->apparmor_profile);
	}
	if (p->selinux_label && *p->selinux_label) {
		r = proc_write("self/attr/exec", p->selinux_label);
		if (r < 0)
			return husk_error_sys(err, -r, "process.selinuxLabel \"%s\"", p->selinux_label);
	}
	return 0;
}

/* A non-root process must be able to reopen its stdio (/dev/stdout, /proc/self/fd/1):
 * the pipes and sockets it was handed, and its own pty, become its uid's, the group
 * kept, as runc does.  A regular file or another device (the caller's terminal, say)
 * is the host's and is left alone; so is an id the user namespace does not map. */
static int chown_stdio(const struct spec_process *p, struct husk_error *err)
{
	if (p->uid == 0)
		return 0;
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;

		if (fstat(fd, &st) < 0 || st.st_uid == p->uid)
			continue;
		if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) && !(S_ISCHR(st.st_mode) && p->terminal))
			continue;
		if (fchown(fd, p->uid, (gid_t) -1) < 0 && errno != EINVAL && errno != EPERM)
			return husk_error_sys(err, errno, "give the process's stdio (fd %d) to uid %u", fd, p->uid);
	}
	return 0;
}

/* The last steps of every container process, init or exec'd: user, capabilities,
 * no_new_privs, seccomp, fds, exec.  Only returns on failure. */
int process_exec_final(const struct spec_process *p, struct seccomp_filter *filter, int listener,
		       const char *listener_msg, const char *exe, char **env, int preserve_fds, int sync_fd,
		       struct husk_error *err)
{
	int r;

	if ((r = chown_stdio(p, err)) < 0)
		return r;
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which the steps
	 * below drop: then it is loaded first, and the profile applies to those steps
	 * too (capset, setresuid, prctl, execve...), as with runc and crun. */
	if (filter && !p->no_new_privileges) {
		r = seccomp_load_filter(filter, listener, listener_msg, err);
		if (r < 0)
			return r;
		filter = NULL;
	}
	umask(p->has_umask ? p->umask : 0022);
	if ((r = caps_drop_bounding(p, err)) < 0)
		return r;
	if ((r = caps_switch_user(p, err)) < 0)
		return r;
	if (chdir(p->cwd) < 0)
		return husk_error_sys(err, errno, "config.json: process.cwd \"%s\"", p->cwd);
	if ((r = caps_apply(p, err)) < 0)
		return r;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return husk_error_sys(err, errno, "config.json: process.noNewPrivileges");
	if ((r = apply_lsm(p, err)) < 0)
		return r;
	/* Nothing of the runtime's crosses exec: every fd past the preserved ones is
	 * close-on-exec (CVE-2024-21626), the sync socket included. */
	for (int fd = 3; fd < 3 + preserve_fds; fd++)
		if (fd != sync_fd)
			fcntl(fd, F_SETFD, 0);
	cloexec_fds_from(3 + preserve_fds);
	if (p->cpu_affinity_final) {
		cpu_set_t set;
		if (parse_cpu_list(p->cpu_affinity_final, &set) == 0)
			sched_setaffinity(0, sizeof(set), &set);
	}
	if (filter) {
		/* With no_new_privs: loaded last, so the runtime's own syscalls above are
		 * not filtered. */
		r = seccomp_load_filter(filter, listener, listener_msg, err);
		if (r < 0)
			return r;
	}
	execve(exe, p->args, env);
	return husk_error_sys(err, errno, "exec \"%s\"", p->args[0]);
}

/* The home directory of UID in the container's /etc/passwd (the process's root is the
 * container's by now), or NULL. */
static char *passwd_home(uid_t uid)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save;

	if (read_regular_file_at(AT_FDCWD, "/etc/passwd", 4 << 20, &text, NULL) < 0)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *field[7] = { 0 }, *f = line, *end;
		size_t k;

		for (k = 0; k < ARRAY_SIZE(field) && f; k++) {
			field[k] = f;
			f = strchr(f, ':');
			if (f)
				*f++ = '\0';
		}
		if (k < 6 || !*field[2])
			continue;
		errno = 0;
		unsigned long id = strtoul(field[2], &end, 10);
		if (!errno && !*end && id == uid && *field[5])
			return xstrdup(field[5]);
	}
	return NULL;
}

/* The process's environment: HOME from the container's /etc/passwd (else "/") when
 * the config has none, as runc and crun do; LISTEN_FDS/LISTEN_PID for socket
 * activation through --preserve-fds. */
static char **process_env(const struct spec_process *p, int preserve_fds)
{
	char **env = strv_dup(p->env);
	size_t n = strv_len(env);
	char buf[64];

	if (!strv_env_get(env, "HOME")) {
		_cleanup_free_ char *home = passwd_home(p->uid);
		_cleanup_free_ char *kv = xasprintf("HOME=%s", home ? home : "/");
		strv_push(&env, &n, kv);
	}

	if (preserve_fds > 0) {
		snprintf(buf, sizeof(buf), "LISTEN_FDS=%d", preserve_fds);
		strv_push(&env, &n, buf);
		snprintf(buf, sizeof(buf), "LISTEN_PID=%d", getpid());
		strv_push(&env, &n, buf);
	}
	return env;
}

static int wait_for_start(struct child *c)
{
	struct init_request *req = c->req;
	char path[64], byte = 0;
	int fd, r;

	if (req->fifo_fd < 0) {
		r = sync_recv(c->sync, &c->err);
		if (r != SYNC_START)
			_exit(1); /* the parent went away: nobody wants this container */
		return 0;
	}
	/* create: block until "husk start" opens the fifo for reading. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", req->fifo_fd);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_sys(&c->err, errno, "open the exec fifo");
	if (write(fd, &byte, 1) != 1)
		r = husk_error_sys(&c->err, errno, "write the exec fifo");
	else
		r = 0;
	close(fd);
	close(req->fifo_fd);
	req->fifo_fd = -1;
	return r;
}

static int child_run(struct child *c)
{
	_cleanup_free_ char *listener_msg = NULL;
	struct init_request *req = c->req;
	const struct spec *s = c->s;
	const struct spec_process *p = &s->process;
	struct rootfs_config rc = {
		.spec = s, .bundle = req->bundle, .state_dir = req->state_dir,
		.ephemeral_size = req->ephemeral_size, .ephemeral_on_host = req->ephemeral_on_host,
		.no_pivot = req->no_pivot,
		.in_userns = s->ns_new & CLONE_NEWUSER, .cgroup_path = req->cgroup_path,
		.sources = req->sources,
		.sys = &syscalls_kernel,
	};
	_cleanup_free_ char *rootfs = NULL, *exe = NULL;
	_cleanup_strv_ char **env = NULL;
	_cleanup_close_ int rootfd = -1;
	pid_t host_pid = getpid();
	int r;

	if (s->ns_new & CLONE_NEWUSER) {
		if (sync_recv(c->sync, &c->err) != SYNC_USERNS_MAPPED)
			_exit(1);
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			return husk_error_sys(&c->err, errno, "become root in the user namespace (is 0 mapped?)");
	}
	/* Until it execs, this process runs the host's husk binary: non-dumpable, no
	 * process of the container can open its /proc/PID/exe and, once the binary is no
	 * longer running, write through it (CVE-2019-5736).  execve makes the container's
	 * own process dumpable again.  Set after the id maps, which the parent writes
	 * through our /proc files. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return husk_error_sys(&c->err, errno, "prctl(PR_SET_DUMPABLE)");
	/* Join the namespaces given by path: the user namespace first, so the rest are
	 * joined with its privileges. */
	for (size_t i = 0; i < s->n_namespaces; i++) {
		const struct spec_namespace *ns = &s->namespaces[i];
		if (ns->type == CLONE_NEWUSER && ns->path && setns(c->ns_fds[i], CLONE_NEWUSER) < 0)
			return husk_error_sys(&c->err, errno, "config.json: linux.namespaces[%zu]: join \"%s\"", i, ns->path);
	}
	for (size_t i = 0; i < s->n_namespaces; i++) {
		const struct spec_namespace *ns = &s->namespaces[i];
		if (!ns->path || ns->type == CLONE_NEWUSER || ns->type == CLONE_NEWPID || ns->type == CLONE_NEWTIME)
			continue;
		if (setns(c->ns_fds[i], ns->type) < 0)
			return husk_error_sys(&c->err, errno, "config.json: linux.namespaces[%zu]: join \"%s\"", i, ns->path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(c->ns_fds); i++)
		if (c->ns_fds[i] >= 0) {
			close(c->ns_fds[i]);
			c->ns_fds[i] = -1;
		}
	/* The state hooks and a seccomp agent get carries the pid as the host sees it:
	 * the host's /proc is still mounted here, and its "self" is that pid. */
	if (s->n_hooks[HOOK_CREATE_CONTAINER] || s->n_hooks[HOOK_START_CONTAINER] || c->req->seccomp_listener >= 0) {
		char buf[32];
		ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			host_pid = atoi(buf);
		}
	}
	if ((s->ns_new & CLONE_NEWNET) && (r = netlink_loopback_up(&c->err)) < 0)
		return r;
	if ((r = set_hostname(s, &c->err)) < 0)
		return r;
	if (!req->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, req->id) < 0 &&
	    errno != ENOSYS && errno != EDQUOT && errno != EPERM)
		return husk_error_sys(&c->err, errno, "join a new session keyring");
	if ((r = rootfs_prepare(&rc, &rootfs, &rootfd, &c->err)) < 0)
		return r;
	if (s->n_hooks[HOOK_PRESTART] || s->n_hooks[HOOK_CREATE_RUNTIME]) {
		if ((r = sync_send(c->sync, SYNC_CREATE_RUNTIME, NULL)) < 0)
			return husk_error_sys(&c->err, -r, "sync with the runtime");
		if (sync_recv(c->sync, &c->err) != SYNC_CREATE_RUNTIME_DONE)
			_exit(1); /* the parent reports its own error */
	}
	if (s->n_hooks[HOOK_CREATE_CONTAINER]) {
		_cleanup_free_ char *state = state_oci_json(req->id, "creating", host_pid, req->bundle, s->annotations,
							    NULL, false);
		if ((r = hooks_run(s, HOOK_CREATE_CONTAINER, state, &c->err)) < 0)
			return r;
	}
	if ((r = apply_sysctl(s, rootfd, &c->err)) < 0)
		return r;
	if (p->terminal) {
		r = terminal_setup(rootfd, req->console_fd, p->console_height, p->console_width, true, &c->err);
		if (r < 0)
			return r;
		close(req->console_fd);
	} else if (setsid() < 0 && errno != EPERM) {
		return husk_error_sys(&c->err, errno, "setsid");
	}
	if ((r = rootfs_finish(&rc, rootfd, &c->err)) < 0)
		return r;
	if ((r = rootfs_pivot(&rc, rootfs, &c->err)) < 0)
		return r;
	if ((r = process_apply_attributes(s, p, &c->err)) < 0)
		return r;
	exe = process_find_executable(p);
	if (!exe)
		return husk_error_set(&c->err, ENOENT, "config.json: process.args[0]: executable \"%s\" not found "
				      "in the container's PATH", p->args[0]);
	if (chdir(p->cwd) < 0 && p->uid == 0)
		return husk_error_sys(&c->err, errno, "config.json: process.cwd \"%s\"", p->cwd);
	env = process_env(p, req->preserve_fds);
	/* Nobody but "husk start" (or run) may let the container go on: clear the death
	 * signal now that the parent's lifetime no longer bounds ours. */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if ((r = sync_send(c->sync, SYNC_READY, NULL)) < 0)
		return husk_error_sys(&c->err, -r, "sync with the runtime");
	if (req->fifo_fd >= 0) {
		/* create: the parent is gone after READY; errors go to stderr from here. */
		close(c->sync);
		c->sync = -1;
	}
	if ((r = wait_for_start(c)) < 0)
		return r;
	if (s->n_hooks[HOOK_START_CONTAINER]) {
		_cleanup_free_ char *state = state_oci_json(req->id, "running", host_pid, req->bundle, s->annotations,
							    NULL, false);
		if ((r = hooks_run(s, HOOK_START_CONTAINER, state, &c->err)) < 0)
			return r;
	}
	if (req->seccomp_listener >= 0) {
		_cleanup_free_ char *state = state_oci_json(req->id, "running", host_pid, req->bundle, s->annotations,
							    NULL, false);
		listener_msg = seccomp_listener_message(req->seccomp, host_pid, state);
	}
	return process_exec_final(p, req->seccomp, req->seccomp_listener, listener_msg, exe, env, req->preserve_fds,
				  c->sync, &c->err);
}

int process_write_id_map(pid_t pid, const char *file, const struct spec_id_mapping *m, size_t n)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/%s", pid, file), *buf = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%u %u %u\n", buf, m[i].container_id, m[i].host_id, m[i].size);
		free(buf);
		buf = next;
	}
	return write_file_at(AT_FDCWD, path, buf, strlen(buf), 0);
}

static int write_id_map(pid_t pid, const char *file, const struct spec_id_mapping *m, size_t n,
			struct husk_error *err)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/%s", pid, file);
	int r = process_write_id_map(pid, file, m, n);

	if (r < 0)
		return husk_error_set(err, -r, "config.json: linux.%s: write %s: %s%s",
				      strcmp(file, "uid_map") ? "gidMappings" : "uidMappings", path, strerror(-r),
				      r == -EPERM && geteuid() != 0 ? " (unprivileged: map only your own id, size 1)" : "");
	return 0;
}

static int write_time_offsets(const struct spec *s, struct husk_error *err)
{
	_cleanup_free_ char *buf = xasprintf("monotonic %lld %u\nboottime %lld %u\n",
					     (long long) s->monotonic_secs, s->monotonic_nsecs,
					     (long long) s->boottime_secs, s->boottime_nsecs);
	int r = write_file_at(AT_FDCWD, "/proc/self/timens_offsets", buf, strlen(buf), 0);
	if (r < 0)
		return husk_error_sys(err, -r, "config.json: linux.timeOffsets");
	return 0;
}

/* ---- the parent ----------------------------------------------------------------- */
static void kill_and_reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* A sysctl's namespace joined by path must not be husk's own (the host's): the write
 * would land there.  NS_FDS are the opened linux.namespaces paths. */
static int check_sysctl_namespaces(const struct spec *s, const int *ns_fds, struct husk_error *err)
{
	static const struct {
		int type;
		const char *proc;
	} own[] = { { CLONE_NEWIPC, "ipc" }, { CLONE_NEWNET, "net" }, { CLONE_NEWUTS, "uts" }, { CLONE_NEWPID, "pid" } };

	for (size_t k = 0; k < s->n_sysctl; k++) {
		int type = spec_sysctl_namespace(s->sysctl_keys[k]);
		for (size_t i = 0; i < s->n_namespaces; i++) {
			struct stat joined, host;
			_cleanup_free_ char *path = NULL;

			if (s->namespaces[i].type != type || ns_fds[i] < 0)
				continue;
			for (size_t j = 0; j < ARRAY_SIZE(own); j++)
				if (own[j].type == type)
					path = xasprintf("/proc/self/ns/%s", own[j].proc);
			if (path && fstat(ns_fds[i], &joined) == 0 && stat(path, &host) == 0 &&
			    joined.st_dev == host.st_dev && joined.st_ino == host.st_ino)
				return husk_error_set(err, EPERM, "config.json: linux.sysctl.%s: linux.namespaces[%zu] "
						      "joins the host's namespace (\"%s\"), so the sysctl would change the "
						      "host's value", s->sysctl_keys[k], i, s->namespaces[i].path);
		}
	}
	return 0;
}

int process_spawn_init(struct init_request *req, struct husk_error *err)
{
	const struct spec *s = req->spec;
	_cleanup_close_ int own_pidns = -1, own_timens = -1;
	int fds[2], ns_fds[16], r = 0;
	unsigned long flags = s->ns_new & ~CLONE_NEWTIME;
	size_t i;
	pid_t pid;

	if (s->n_namespaces > ARRAY_SIZE(ns_fds))
		return husk_error_set(err, E2BIG, "config.json: linux.namespaces: too many entries");
	for (i = 0; i < ARRAY_SIZE(ns_fds); i++)
		ns_fds[i] = -1;
	/* Open every namespace path first: a bad one fails before anything is cloned. */
	for (i = 0; i < s->n_namespaces; i++) {
		if (!s->namespaces[i].path)
			continue;
		ns_fds[i] = open(s->namespaces[i].path, O_RDONLY | O_CLOEXEC);
		if (ns_fds[i] < 0) {
			r = husk_error_sys(err, errno, "config.json: linux.namespaces[%zu].path: \"%s\"", i,
					   s->namespaces[i].path);
			goto out_fds;
		}
	}
	if ((r = check_sysctl_namespaces(s, ns_fds, err)) < 0)
		goto out_fds;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) {
		r = husk_error_sys(err, errno, "socketpair");
		goto out_fds;
	}
	/* A pid namespace given by path and a new time namespace only take effect for
	 * children: set them for the clone, and restore ours right after. */
	for (i = 0; i < s->n_namespaces; i++) {
		if (s->namespaces[i].type != CLONE_NEWPID || !s->namespaces[i].path)
			continue;
		own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (setns(ns_fds[i], CLONE_NEWPID) < 0) {
			r = husk_error_sys(err, errno, "config.json: linux.namespaces[%zu]: join \"%s\"", i, s->namespaces[i].path);
			goto out_sock;
		}
	}
	if (s->ns_new & CLONE_NEWTIME) {
		own_timens = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
		if (unshare(CLONE_NEWTIME) < 0) {
			r = husk_error_sys(err, errno, "linux.namespaces: new time namespace");
			goto out_sock;
		}
		if (s->has_time_offsets && (r = write_time_offsets(s, err)) < 0)
			goto out_sock;
	}
	pid = clone3_fork(flags, req->cgroup_fd, &req->pidfd);
	if (pid < 0 && req->cgroup_fd >= 0 && (errno == EINVAL || errno == EBUSY || errno == EOPNOTSUPP)) {
		/* Some cgroups refuse CLONE_INTO_CGROUP (e.g. a threaded domain): join after. */
		pid = clone3_fork(flags, -1, &req->pidfd);
		if (pid > 0) {
			_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", req->cgroup_path);
			char buf[16];
			int n = snprintf(buf, sizeof(buf), "%d", pid);
			if ((r = write_file_at(AT_FDCWD, procs, buf, n, 0)) < 0) {
				kill_and_reap(pid);
				r = husk_error_sys(err, -r, "move the container into cgroup \"%s\"", req->cgroup_path);
				goto out_sock;
			}
		}
	}
	if (pid == 0) {
		struct child c = { .req = req, .s = s, .sync = fds[1] };
		sigset_t none;

		/* A foreground run holds termination signals back while it creates: the
		 * container starts with none blocked. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		memcpy(c.ns_fds, ns_fds, sizeof(ns_fds));
		close(fds[0]);
		if (req->lock_fd >= 0)
			close(req->lock_fd); /* the lock is the runtime's, not the container's */
		/* Were the runtime gone before this is armed, the next sync with it fails
		 * (EPIPE or EOF on the socket pair) and the child exits. */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		child_run(&c);
		child_fail(&c);
	}
	if (own_pidns >= 0)
		setns(own_pidns, CLONE_NEWPID);
	if (own_timens >= 0)
		setns(own_timens, CLONE_NEWTIME);
	if (pid < 0) {
		r = husk_error_sys(err, errno, "clone the container's init");
		goto out_sock;
	}
	close(fds[1]);
	fds[1] = -1;
	req->pid = pid;
	/* Recorded before anything can block: until READY the init dies with us (its
	 * death signal), from READY on only this record lets delete --force find it. */
	if (req->cloned && (r = req->cloned(req->data, pid, err)) < 0)
		goto out_kill;
	if (s->ns_new & CLONE_NEWUSER) {
		/* An unprivileged caller may write gid_map only after setgroups is denied
		 * (user_namespaces(7)); root keeps setgroups usable in the container. */
		if (geteuid() != 0) {
			_cleanup_free_ char *sg = xasprintf("/proc/%d/setgroups", pid);
			if ((r = write_file_at(AT_FDCWD, sg, "deny", 4, 0)) < 0) {
				r = husk_error_sys(err, -r, "write %s", sg);
				goto out_kill;
			}
		}
		if ((r = write_id_map(pid, "uid_map", s->uid_mappings, s->n_uid_mappings, err)) < 0 ||
		    (r = write_id_map(pid, "gid_map", s->gid_mappings, s->n_gid_mappings, err)) < 0)
			goto out_kill;
		if ((r = sync_send(fds[0], SYNC_USERNS_MAPPED, NULL)) < 0) {
			r = husk_error_sys(err, -r, "sync with the container's init");
			goto out_kill;
		}
	}
	for (;;) {
		int t = sync_recv(fds[0], err);
		if (t == SYNC_READY)
			break;
		if (t == SYNC_ERROR) {
			r = -err->code;
			goto out_kill;
		}
		if (t == SYNC_CREATE_RUNTIME) {
			if (req->create_runtime && (r = req->create_runtime(req->data, pid, err)) < 0)
				goto out_kill;
			if ((r = sync_send(fds[0], SYNC_CREATE_RUNTIME_DONE, NULL)) < 0) {
				r = husk_error_sys(err, -r, "sync with the container's init");
				goto out_kill;
			}
			continue;
		}
		r = husk_error_set(err, EIO, "the container's init exited during setup");
		goto out_kill;
	}
	req->sync_fd = fds[0];
	r = 0;
	goto out_fds;
out_kill:
	kill_and_reap(pid);
	req->pid = 0;
out_sock:
	close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (req->pidfd >= 0) {
		close(req->pidfd);
		req->pidfd = -1;
	}
out_fds:
	for (i = 0; i < ARRAY_SIZE(ns_fds); i++)
		if (ns_fds[i] >= 0)
			close(ns_fds[i]);
	return r;
}

int process_start_init(struct init_request *req, struct husk_error *err)
{
	int r, t;

	if ((r = sync_send(req->sync_fd, SYNC_START, NULL)) < 0)
		return husk_error_sys(err, -r, "start the container's init");
	/* EOF: the sync socket was closed by a successful exec (it is close-on-exec). */
	t = sync_recv(req->sync_fd, err);
	close(req->sync_fd);
	req->sync_fd = -1;
	if (t == SYNC_ERROR)
		return -err->code;
	return 0;
}

/* ---- exec ---------------------------------------------------------------------- */
static const struct {
	int type;
	const char *name;
} ns_files[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mnt" }, { CLONE_NEWNET, "net" }, { CLONE_NEWIPC, "ipc" },
	{ CLONE_NEWUTS, "uts" }, { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" },
};

static bool same_ns(pid_t pid, const char *name)
{
	char a[64], b[64];
	struct stat sa, sb;

	snprintf(a, sizeof(a), "/proc/%d/ns/%s", pid, name);
	snprintf(b, sizeof(b), "/proc/self/ns/%s", name);
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

int process_spawn_exec(struct exec_request *req, struct husk_error *err)
{
	_cleanup_close_ int target = -1, own_pidns = -1, pidns = -1, cgroup_fd = -1;
	struct spec_process *p = req->process;
	unsigned long join = 0;
	bool pidns_late = false;
	int fds[2], r = 0;
	char path[64];
	pid_t pid;

	target = syscall(SYS_pidfd_open, req->init_pid, 0);
	if (target < 0)
		return husk_error_sys(err, errno, "open the container's init (pid %d)", req->init_pid);
	for (size_t i = 0; i < ARRAY_SIZE(ns_files); i++)
		if (!same_ns(req->init_pid, ns_files[i].name))
			join |= ns_files[i].type;
	if (!same_ns(req->init_pid, "pid")) {
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", req->init_pid);
		pidns = open(path, O_RDONLY | O_CLOEXEC);
		own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (pidns < 0 || own_pidns < 0)
			return husk_error_sys(err, errno, "join the pid namespace of pid %d", req->init_pid);
		if (setns(pidns, CLONE_NEWPID) < 0) {
			/* Rootless: the pid namespace belongs to the container's user namespace,
			 * which only a child can enter; that child then forks the process. */
			if (errno != EPERM || !(join & CLONE_NEWUSER))
				return husk_error_sys(err, errno, "join the pid namespace of pid %d", req->init_pid);
			pidns_late = true;
			join |= CLONE_NEWPID;
		}
	}
	if (req->cgroup_path)
		cgroup_fd = open(req->cgroup_path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return husk_error_sys(err, errno, "socketpair");
	pid = clone3_fork(0, pidns_late ? -1 : cgroup_fd, &req->pidfd);
	if (pid < 0 && cgroup_fd >= 0)
		pid = clone3_fork(0, -1, &req->pidfd);
	if (pid == 0) {
		struct husk_error cerr = { 0 };
		_cleanup_free_ char *exe = NULL, *listener_msg = NULL;
		_cleanup_strv_ char **env = NULL;
		_cleanup_close_ int host_proc = -1;

		close(fds[0]);
		/* Not dumpable while it runs husk's binary (see child_run; CVE-2019-5736). */
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		/* The host's /proc, kept across setns: its "self" names the process's host pid. */
		if (req->seccomp_listener >= 0)
			host_proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		/* setns with a pidfd enters all of them at once, the user namespace first. */
		if (join && setns(target, join) < 0) {
			husk_error_sys(&cerr, errno, "join the namespaces of pid %d", req->init_pid);
			goto child_fail;
		}
		close(target);
		if (pidns_late) {
			/* The process itself: in the pid namespace, and husk's child (CLONE_PARENT,
			 * which clone3 takes only with exit_signal 0: not clone3_fork). */
			struct clone_args args = { .flags = CLONE_PARENT };
			pid_t g;

			if (cgroup_fd >= 0) {
				args.flags |= CLONE_INTO_CGROUP;
				args.cgroup = cgroup_fd;
			}
			g = syscall(SYS_clone3, &args, sizeof(args));
			if (g < 0 && cgroup_fd >= 0) {
				args.flags = CLONE_PARENT;
				g = syscall(SYS_clone3, &args, sizeof(args));
			}
			if (g < 0) {
				husk_error_sys(&cerr, errno, "clone the exec process");
				goto child_fail;
			}
			if (g > 0) {
				struct husk_error pid_msg = { .code = g };
				sync_send(fds[1], SYNC_PID, &pid_msg);
				_exit(0);
			}
		}
		if (p->terminal) {
			_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (terminal_setup(root, req->console_fd, p->console_height, p->console_width, false, &cerr) < 0)
				goto child_fail;
			close(req->console_fd);
		} else {
			setsid();
		}
		if (process_apply_attributes(NULL, p, &cerr) < 0)
			goto child_fail;
		exe = process_find_executable(p);
		if (!exe) {
			husk_error_set(&cerr, ENOENT, "exec: executable \"%s\" not found in the container's PATH", p->args[0]);
			goto child_fail;
		}
		env = process_env(p, req->preserve_fds);
		if (host_proc >= 0) {
			char self[32] = "";
			readlinkat(host_proc, "self", self, sizeof(self) - 1);
			listener_msg = seccomp_listener_message(req->seccomp, atoi(self), req->state_json);
		}
		process_exec_final(p, req->seccomp, req->seccomp_listener, listener_msg, exe, env, req->preserve_fds,
				   fds[1], &cerr);
child_fail:
		sync_send(fds[1], SYNC_ERROR, &cerr);
		_exit(1);
	}
	if (own_pidns >= 0)
		setns(own_pidns, CLONE_NEWPID);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return husk_error_sys(err, errno, "clone the exec process");
	}
	req->pid = pid;
	r = sync_recv(fds[0], err);
	if (r == SYNC_PID) {
		pid_t g = (pid_t) err->code;
		int status;

		err->code = 0;
		waitpid(pid, &status, 0);
		close(req->pidfd);
		req->pid = pid = g;
		/* husk is its parent and has not reaped it: the pid is still this process. */
		req->pidfd = syscall(SYS_pidfd_open, g, 0);
		r = sync_recv(fds[0], err);
	}
	close(fds[0]);
	if (r == SYNC_ERROR) {
		int status;
		waitpid(pid, &status, 0);
		close(req->pidfd);
		req->pidfd = -1;
		return -err->code;
	}
	return 0;
}

/* ---- waiting and signals ------------------------------------------------------- */
static volatile pid_t forward_pid;

static void forward_handler(int sig)
{
	if (forward_pid > 0)
		kill(forward_pid, sig);
}

void process_forward_signals(pid_t pid)
{
	struct sigaction sa = { .sa_handler = forward_handler, .sa_flags = SA_RESTART };

	forward_pid = pid;
	/* Stopping: the handlers stay, and forward nothing with no pid to forward to. */
	if (pid == 0)
		return;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD || sig == SIGPIPE || sig == SIGTTIN ||
		    sig == SIGTTOU || sig == SIGTSTP || (sig >= 32 && sig < SIGRTMIN))
			continue;
		sigaction(sig, &sa, NULL);
	}
}

int process_wait(pid_t pid, int *status)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno == EINTR)
			continue;
		return -errno;
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

const struct executor executor_namespaces = {
	.name = "namespaces",
	.spawn = process_spawn_init,
	.start = process_start_init,
};
