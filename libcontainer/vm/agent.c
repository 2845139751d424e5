/* agent.c - the microVM's guest agent: husk itself, started by the guest kernel as
 * /init.  It makes the guest a place where the namespace executor can run (a root it
 * can pivot from, /proc, /sys, /dev, cgroup2 with every controller, the virtio
 * modules), then serves the host's monitor over the virtio-serial port "husk.agent":
 * the container is made and started by `husk create` and `husk start` inside the
 * guest, and every exec by `husk exec`, so the whole config is applied by the same
 * code as on a host.  As PID 1 it reaps the container's init and reports its status. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "json.h"
#include "terminal.h"
#include "protocol.h"
#include "utils.h"
#include "vm.h"

#define AGENT_DIR "/run/husk-vm"
#define GUEST_ROOT "/run/husk"
#define MAX_CHANS 64
/* The guest's husk command line, before its subcommand. */
#define GUEST_HUSK "husk", "--root", GUEST_ROOT, "--log", AGENT_DIR "/husk.log"

struct chan {
	bool used;
	pid_t pid;        /* the husk process serving it (exec), or the container's init (0) */
	int in, out, err; /* our ends of its stdio pipes, -1 once closed */
	bool exited;
	int status;
	long exited_at;   /* ms, to bound how long its output is drained */
};

static int port = -1;
static int32_t agent_start_ms;
static struct chan chans[MAX_CHANS];
static char *cid;

static void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void agent_log(const char *fmt, ...)
{
	va_list ap;

	fputs("husk-agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The end of the guest: a reboot, which QEMU (-no-reboot, reboot=t) turns into its
 * exit, with or without ACPI. */
static void __attribute__((noreturn)) power_off(void)
{
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- the guest's base system ------------------------------------------------------- */
/* The kernel's initramfs is its rootfs mount, which pivot_root cannot leave (it has
 * no parent).  A bind mount of it, moved over /, has one: the namespace executor can
 * pivot from there, and nothing is copied. */
static int leave_initramfs(void)
{
	if (mkdir("/newroot", 0755) < 0 || mount("/", "/newroot", NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    chdir("/newroot") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return -errno;
	return 0;
}

static void load_modules(void)
{
	_cleanup_fclose_ FILE *f = fopen("/modules/order", "re");
	char name[256];

	while (f && fgets(name, sizeof(name), f)) {
		name[strcspn(name, "\n")] = '\0';
		_cleanup_free_ char *path = xasprintf("/modules/%s.ko", name);
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST))
			agent_log("load %s: %s", name, strerror(errno));
	}
}

static int base_system(void)
{
	static const struct {
		const char *src, *dst, *type, *opts;
	} mounts[] = {
		{ "proc", "/proc", "proc", NULL },
		{ "sysfs", "/sys", "sysfs", NULL },
		{ "devtmpfs", "/dev", "devtmpfs", NULL },
		{ "tmpfs", "/run", "tmpfs", "mode=0755" },
		{ "cgroup2", "/sys/fs/cgroup", "cgroup2", "nsdelegate" },
	};
	_cleanup_free_ char *controllers = NULL;
	size_t len;

	for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
		mkdir(mounts[i].dst, 0755);
		if (mount(mounts[i].src, mounts[i].dst, mounts[i].type, MS_NOSUID, mounts[i].opts) < 0) {
			agent_log("mount %s: %s", mounts[i].dst, strerror(errno));
			return -errno;
		}
	}
	mkdir("/dev/pts", 0755);
	mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666");
	symlink("pts/ptmx", "/dev/ptmx");
	mkdir("/dev/shm", 01777);
	mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	/* Every controller for the container's cgroup, as on a cgroup v2 host. */
	if (read_file_at(AT_FDCWD, "/sys/fs/cgroup/cgroup.controllers", 65536, &controllers, &len) == 0) {
		char *save, *tok;
		for (tok = strtok_r(controllers, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			_cleanup_free_ char *plus = xasprintf("+%s", tok);
			if (write_file_at(AT_FDCWD, "/sys/fs/cgroup/cgroup.subtree_control", plus, strlen(plus), 0) < 0)
				agent_log("enable the %s controller: %s", tok, strerror(errno));
		}
	}
	mkdir_p(AGENT_DIR "/bundle", 0700);
	return 0;
}

/* /dev/vportNpM whose name is husk.agent; the port appears once virtio_console binds. */
static int open_port(void)
{
	for (int tries = 0; tries < 500; tries++) {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *de;
		while (d && (de = readdir(d))) {
			_cleanup_free_ char *namef = xasprintf("/sys/class/virtio-ports/%s/name", de->d_name), *name = NULL;
			size_t len;
			if (de->d_name[0] == '.' || read_file_at(AT_FDCWD, namef, 8192, &name, &len) < 0 ||
			    strncmp(name, VM_PORT_NAME, strlen(VM_PORT_NAME)))
				continue;
			_cleanup_free_ char *dev = xasprintf("/dev/%s", de->d_name);
			closedir(d);
			return open(dev, O_RDWR | O_CLOEXEC);
		}
		if (d)
			closedir(d);
		usleep(10000);
	}
	return -ENOENT;
}

/* ---- the container ----------------------------------------------------------------- */
/* Run /init (husk) with ARGV on a channel's pipes; its pid, or -errno. */
static pid_t spawn_husk(struct chan *c, char **argv)
{
	int in[2], out[2], err[2];
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv("/init", argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		close(err[0]);
		return -errno;
	}
	c->used = true;
	c->exited = false;
	c->pid = pid;
	c->in = in[1];
	c->out = out[0];
	c->err = err[0];
	fcntl(c->out, F_SETFL, O_NONBLOCK);
	fcntl(c->err, F_SETFL, O_NONBLOCK);
	return pid;
}

static void chan_close(struct chan *c)
{
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	if (c->err >= 0)
		close(c->err);
	memset(c, 0, sizeof(*c));
	c->in = c->out = c->err = -1;
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 255;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* What a failed husk command printed on stderr, as one line without "husk: ". */
static char *read_failure(int fd)
{
	char buf[4096];
	ssize_t n;
	size_t len = 0;

	fcntl(fd, F_SETFL, 0);
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(str_has_prefix(buf, "husk: ") ? buf + 6 : len ? buf : "failed without a message");
}

static int mount_shares(const json_value *shares, char **msg)
{
	for (size_t i = 0; i < json_len(shares); i++) {
		const json_value *s = json_array_at(shares, i);
		const char *tag = json_string(json_object_get(s, "tag")), *path = json_string(json_object_get(s, "path"));
		if (!tag || !path)
			continue;
		mkdir_p(path, 0755);
		if (mount(tag, path, "9p", 0, "trans=virtio,version=9p2000.L,msize=512000,cache=mmap") < 0) {
			*msg = xasprintf("mount the host's share %s on %s: %s", tag, path, strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static int listen_console(const char *path, char **msg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(sa.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		*msg = xasprintf("the console socket: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The terminal's master from husk create, while it runs (it sends it during create). */
static int accept_master(int lsock, pid_t create)
{
	struct husk_error err = { 0 };
	int master = -1;

	for (int i = 0; i < 3000; i++) {
		struct pollfd p = { .fd = lsock, .events = POLLIN };
		if (poll(&p, 1, 10) == 1) {
			int conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			if (conn >= 0 && terminal_recv_master(conn, &master, &err) < 0)
				master = -1;
			if (conn >= 0)
				close(conn);
			return master;
		}
		siginfo_t si = { 0 };
		if (waitid(P_PID, create, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == create)
			break; /* create ended without sending it */
	}
	return -1;
}

static void do_create(const struct vm_frame *f)
{
	_cleanup_free_ char *msg = NULL, *cfg = NULL;
	_cleanup_close_ int lsock = -1;
	const json_value *proc;
	int master = -1;
	bool tty;
	char perr[256];
	json_value *doc = NULL;
	struct json_writer *w;
	int status;

	if (json_parse(f->data ? f->data : "", &doc, perr, sizeof(perr)) < 0) {
		vm_send(port, VM_ERROR, 0, perr, strlen(perr));
		return;
	}
	cid = xstrdup(json_string(json_object_get(doc, "id")) ?: "container");
	if (mount_shares(json_object_get(doc, "shares"), &msg) < 0)
		goto fail;
	w = json_writer_new(false);
	json_write_value(w, json_object_get(doc, "config"));
	cfg = json_writer_finish(w);
	if (write_file_at(AT_FDCWD, AGENT_DIR "/bundle/config.json", cfg, strlen(cfg), 0600) < 0) {
		msg = xasprintf("write the config: %s", strerror(errno));
		goto fail;
	}
	proc = json_object_get(json_object_get(doc, "config"), "process");
	tty = json_is_true(json_object_get(proc, "terminal"));
	if (tty && (lsock = listen_console(AGENT_DIR "/console.sock", &msg)) < 0)
		goto fail;
	char *argv[] = { GUEST_HUSK, "create", "--bundle",
			 AGENT_DIR "/bundle", "--pid-file", AGENT_DIR "/init.pid",
			 tty ? "--console-socket" : cid, tty ? AGENT_DIR "/console.sock" : NULL, cid, NULL };
	struct chan *c = &chans[0];
	pid_t pid = spawn_husk(c, argv);
	if (pid < 0) {
		msg = xasprintf("fork: %s", strerror(-pid));
		goto fail;
	}
	if (tty)
		master = accept_master(lsock, pid);
	status = wait_child(pid);
	if (status) {
		msg = read_failure(c->err);
		chan_close(c);
		if (master >= 0)
			close(master);
		goto fail;
	}
	if (tty) {
		if (master < 0) {
			msg = xstrdup("the container's terminal did not arrive");
			goto fail;
		}
		/* The init's terminal is channel 0: in and out over the pty's master. */
		close(c->in);
		close(c->out);
		close(c->err);
		c->in = master;
		c->out = dup(master);
		c->err = -1;
		fcntl(c->out, F_SETFL, O_NONBLOCK);
	}
	/* From here on channel 0 is the container's init (reparented to us). */
	{
		_cleanup_free_ char *text = NULL;
		size_t len;
		if (read_file_at(AT_FDCWD, AGENT_DIR "/init.pid", 64, &text, &len) < 0) {
			msg = xstrdup("the container's pid file is missing");
			goto fail;
		}
		c->pid = atoi(text);
	}
	json_free(doc);
	vm_send(port, VM_READY, 0, NULL, 0);
	return;
fail:
	json_free(doc);
	vm_send(port, VM_ERROR, 0, msg, strlen(msg));
}

static void do_start(void)
{
	char *argv[] = { GUEST_HUSK, "start", cid, NULL };
	struct chan scratch = { .in = -1, .out = -1, .err = -1 };
	pid_t pid = cid ? spawn_husk(&scratch, argv) : -ENOENT;
	_cleanup_free_ char *msg = NULL;

	if (pid < 0) {
		msg = xasprintf("start: %s", strerror(-pid));
	} else if (wait_child(pid)) {
		msg = read_failure(scratch.err);
	}
	chan_close(&scratch);
	if (msg)
		vm_send(port, VM_ERROR, 0, msg, strlen(msg));
	else
		vm_send(port, VM_STARTED, 0, NULL, 0);
}

/* An exec: `husk exec` in the guest, with the argument vector the host's husk sent
 * (its options, then the command), and --process's document when it had one. */
static void do_exec(const struct vm_frame *f)
{
	json_value *doc = NULL;
	char perr[256];
	_cleanup_strv_ char **argv = NULL;
	size_t n = 0;
	struct chan *c = &chans[f->chan];
	const json_value *args, *process;
	_cleanup_free_ char *pidfile = xasprintf(AGENT_DIR "/exec-%u.pid", f->chan);
	_cleanup_free_ char *procfile = xasprintf(AGENT_DIR "/exec-%u.json", f->chan);
	_cleanup_free_ char *sockpath = xasprintf(AGENT_DIR "/console-%u.sock", f->chan);
	_cleanup_close_ int lsock = -1;
	bool tty = false;
	pid_t pid;

	if (f->chan == 0 || f->chan >= MAX_CHANS || c->used || !cid ||
	    json_parse(f->data ? f->data : "", &doc, perr, sizeof(perr)) < 0) {
		const char *m = "husk: exec: a malformed request\n";
		vm_send(port, VM_STDERR, f->chan, m, strlen(m));
		vm_send_int(port, VM_EXIT, f->chan, 255, 0);
		return;
	}
	unlink(pidfile);
	for (const char *const *a = (const char *const[]){ GUEST_HUSK, "exec", "--pid-file", NULL }; *a; a++)
		strv_push(&argv, &n, *a);
	strv_push(&argv, &n, pidfile);
	process = json_object_get(doc, "process");
	if (process && json_type_of(process) == JSON_OBJECT) {
		struct json_writer *w = json_writer_new(false);
		json_write_value(w, process);
		_cleanup_free_ char *text = json_writer_finish(w);
		write_file_at(AT_FDCWD, procfile, text, strlen(text), 0600);
		strv_push(&argv, &n, "--process");
		strv_push(&argv, &n, procfile);
	}
	args = json_object_get(doc, "options");
	for (size_t i = 0; i < json_len(args); i++)
		if (json_string(json_array_at(args, i))) {
			strv_push(&argv, &n, json_string(json_array_at(args, i)));
			tty |= !strcmp(json_string(json_array_at(args, i)), "--tty");
		}
	/* A terminal's master comes to us, so that resizes reach it. */
	if (tty) {
		_cleanup_free_ char *m = NULL;
		if ((lsock = listen_console(sockpath, &m)) < 0) {
			_cleanup_free_ char *line = xasprintf("husk: exec: %s\n", m);
			vm_send(port, VM_STDERR, f->chan, line, strlen(line));
			vm_send_int(port, VM_EXIT, f->chan, 255, 0);
			json_free(doc);
			return;
		}
		strv_push(&argv, &n, "--console-socket");
		strv_push(&argv, &n, sockpath);
	}
	strv_push(&argv, &n, cid);
	args = json_object_get(doc, "args");
	for (size_t i = 0; i < json_len(args); i++)
		if (json_string(json_array_at(args, i)))
			strv_push(&argv, &n, json_string(json_array_at(args, i)));
	json_free(doc);
	pid = spawn_husk(c, argv);
	if (pid < 0) {
		_cleanup_free_ char *m = xasprintf("husk: exec: fork: %s\n", strerror(-pid));
		vm_send(port, VM_STDERR, f->chan, m, strlen(m));
		vm_send_int(port, VM_EXIT, f->chan, 255, 0);
		return;
	}
	if (tty) {
		int master = accept_master(lsock, pid);
		unlink(sockpath);
		if (master >= 0) {
			/* in and out over the master; husk exec's own stderr stays for its errors */
			close(c->in);
			close(c->out);
			c->in = master;
			c->out = dup(master);
			fcntl(c->out, F_SETFL, O_NONBLOCK);
		}
	}
}

static void do_resize(const struct vm_frame *f)
{
	struct winsize ws = { .ws_row = vm_frame_int(f, 0), .ws_col = vm_frame_int(f, 1) };

	if (f->chan < MAX_CHANS && chans[f->chan].used && chans[f->chan].in >= 0)
		ioctl(chans[f->chan].in, TIOCSWINSZ, &ws);
}

/* A signal for a channel: the init's goes through `husk kill` semantics (all: every
 * process of the container); an exec's to the process itself once its pid is known,
 * else to the husk exec that forwards it. */
static void do_signal(const struct vm_frame *f)
{
	int sig = vm_frame_int(f, 0), flags = vm_frame_int(f, 1);
	struct chan *c = f->chan < MAX_CHANS ? &chans[f->chan] : NULL;

	if (!c || !c->used || c->exited)
		return;
	if (f->chan == 0 && (flags & VM_SIGNAL_ALL)) {
		_cleanup_free_ char *s = xasprintf("%d", sig);
		char *argv[] = { GUEST_HUSK, "kill", "--all", cid, s,
				 NULL };
		struct chan scratch = { .in = -1, .out = -1, .err = -1 };
		pid_t pid = spawn_husk(&scratch, argv);
		if (pid > 0)
			wait_child(pid);
		chan_close(&scratch);
		return;
	}
	pid_t target = c->pid;
	if (f->chan) {
		_cleanup_free_ char *pidfile = xasprintf(AGENT_DIR "/exec-%u.pid", f->chan), *text = NULL;
		size_t len;
		if (read_file_at(AT_FDCWD, pidfile, 64, &text, &len) == 0 && atoi(text) > 0)
			target = atoi(text);
	}
	kill(target, sig);
}

/* A channel's output, as frames; false once both pipes are at their end. */
static bool pump(uint16_t n, struct chan *c)
{
	char buf[65536];
	int *fds[2] = { &c->out, &c->err };

	for (int i = 0; i < 2; i++) {
		while (*fds[i] >= 0) {
			ssize_t r = read(*fds[i], buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && errno == EAGAIN)
				break; /* drained for now */
			if (r <= 0) {
				close(*fds[i]); /* at its end, or broken */
				*fds[i] = -1;
				break;
			}
			vm_send(port, i ? VM_STDERR : VM_STDOUT, n, buf, r);
		}
	}
	return c->out >= 0 || c->err >= 0;
}

static void reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (int i = 0; i < MAX_CHANS; i++)
			if (chans[i].used && !chans[i].exited && chans[i].pid == pid) {
				chans[i].exited = true;
				chans[i].exited_at = now_ms();
				chans[i].status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			}
}

/* A channel whose process has exited and whose output is drained (or has had a
 * second: a daemon of the container may hold the pipe) reports its status. */
static void report_exits(void)
{
	for (int i = 0; i < MAX_CHANS; i++) {
		struct chan *c = &chans[i];
		if (!c->used || !c->exited)
			continue;
		if (pump(i, c) && now_ms() - c->exited_at < 1000)
			continue;
		vm_send_int(port, VM_EXIT, i, c->status, 0);
		chan_close(c);
	}
}

static void serve(void)
{
	sigset_t mask;
	int sfd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	{
		/* When the kernel started us and when we are ready, in ms of guest uptime. */
		struct timespec now;
		clock_gettime(CLOCK_BOOTTIME, &now);
		int32_t t[2] = { agent_start_ms, (int32_t) (now.tv_sec * 1000 + now.tv_nsec / 1000000) };
		vm_send(port, VM_HELLO, 0, t, sizeof(t));
	}
	for (;;) {
		struct pollfd p[2 + 2 * MAX_CHANS];
		int np = 0, pending = 0;

		p[np++] = (struct pollfd){ .fd = port, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (int i = 0; i < MAX_CHANS; i++) {
			if (!chans[i].used)
				continue;
			pending += chans[i].exited;
			p[np++] = (struct pollfd){ .fd = chans[i].out, .events = POLLIN };
			p[np++] = (struct pollfd){ .fd = chans[i].err, .events = POLLIN };
		}
		if (poll(p, np, pending ? 100 : -1) < 0 && errno != EINTR)
			power_off();
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
			reap();
		}
		for (int i = 0, k = 2; i < MAX_CHANS; i++)
			if (chans[i].used) {
				if (p[k].revents || p[k + 1].revents)
					pump(i, &chans[i]);
				k += 2;
			}
		report_exits();
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			struct vm_frame f;
			if (vm_recv(port, &f) < 0) {
				/* The host closed the port: nothing is left to serve. */
				if (p[0].revents & POLLHUP)
					usleep(10000);
				continue;
			}
			switch (f.type) {
			case VM_CREATE:
				do_create(&f);
				break;
			case VM_START:
				do_start();
				break;
			case VM_EXEC:
				do_exec(&f);
				break;
			case VM_SIGNAL:
				do_signal(&f);
				break;
			case VM_RESIZE:
				do_resize(&f);
				break;
			case VM_STDIN:
				if (f.chan < MAX_CHANS && chans[f.chan].in >= 0) {
					if (f.len)
						(void) write_all(chans[f.chan].in, f.data, f.len);
					else {
						close(chans[f.chan].in);
						chans[f.chan].in = -1;
					}
				}
				break;
			}
			free(f.data);
		}
	}
}

bool husk_is_agent(const char *argv0)
{
	return getpid() == 1 && argv0 && !strcmp(argv0, "/init");
}

int husk_agent_main(void)
{
	int r;

	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	agent_start_ms = (int32_t) (t.tv_sec * 1000 + t.tv_nsec / 1000000);
	for (int i = 0; i < MAX_CHANS; i++)
		chans[i].in = chans[i].out = chans[i].err = -1;
	signal(SIGPIPE, SIG_IGN);
	if ((r = leave_initramfs()) < 0) {
		agent_log("leave the initramfs: %s", strerror(-r));
		power_off();
	}
	if (base_system() < 0)
		power_off();
	load_modules();
	port = open_port();
	if (port < 0) {
		agent_log("no virtio-serial port named %s", VM_PORT_NAME);
		power_off();
	}
	serve();
	power_off();
}
