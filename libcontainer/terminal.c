/* terminal.c - pty creation in the container, SCM_RIGHTS hand-over, and the proxy
 * that "husk run" uses when no --console-socket is given. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "rootfs.h"
#include "terminal.h"
#include "utils.h"

static int connect_socket(const char *path, int *fd, struct husk_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int s;

	if (strlen(path) >= sizeof(addr.sun_path))
		return husk_error_set(err, ENAMETOOLONG, "--console-socket \"%s\": path too long", path);
	strcpy(addr.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return husk_error_sys(err, errno, "--console-socket: socket");
	if (connect(s, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
		int r = husk_error_sys(err, errno, "--console-socket: connect to \"%s\"", path);
		close(s);
		return r;
	}
	*fd = s;
	return 0;
}

int terminal_open_socket(const char *console_socket, int *send_fd, int *peer, struct husk_error *err)
{
	int sp[2];

	*peer = -1;
	if (console_socket)
		return connect_socket(console_socket, send_fd, err);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return husk_error_sys(err, errno, "socketpair for the pty master");
	*peer = sp[0];
	*send_fd = sp[1];
	return 0;
}

static int send_fd(int sock, int fd, const char *name)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *) name, .iov_len = strlen(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int terminal_send_master(int sock, int master, const char *name, struct husk_error *err)
{
	int r = send_fd(sock, master, name);

	if (r < 0)
		return husk_error_sys(err, -r, "process.terminal: send the pty master to the console socket");
	return 0;
}

int terminal_recv_master(int sock, int *master, struct husk_error *err)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, name[256];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return husk_error_sys(err, errno, "receive the pty master");
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return husk_error_set(err, EIO, "receive the pty master: no descriptor in the message");
	memcpy(master, CMSG_DATA(cm), sizeof(int));
	return 0;
}

int terminal_setup(int rootfd, int sock, unsigned rows, unsigned cols, bool bind_console, struct husk_error *err)
{
	_cleanup_close_ int master = -1, slave = -1;
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	int unlock = 0, ptn, r;
	char name[64];

	master = rootfs_open_in_root(rootfd, "/dev/ptmx", false, false, O_RDWR | O_NOCTTY);
	if (master < 0)
		return husk_error_sys(err, -master, "process.terminal: open /dev/ptmx (is devpts mounted on /dev/pts?)");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &ptn) < 0)
		return husk_error_sys(err, errno, "process.terminal: unlock the pty");
	/* TIOCGPTPEER opens the slave through the master, not through a path the
	 * container could have replaced. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return husk_error_sys(err, errno, "process.terminal: open the pty slave");
	snprintf(name, sizeof(name), "/dev/pts/%d", ptn);
	if ((rows || cols) && ioctl(slave, TIOCSWINSZ, &ws) < 0)
		return husk_error_sys(err, errno, "process.consoleSize");
	if (bind_console) {
		/* Not followed if the image made it a link: the pty would be bound over
		 * whatever it points to, a procfs file say (CVE-2025-52565). */
		_cleanup_close_ int target = rootfs_open_in_root(rootfd, "/dev/console", true, true, O_PATH | O_NOFOLLOW);
		char src[32], dst[32];
		struct stat st;

		if (target < 0)
			return husk_error_sys(err, -target, "process.terminal: /dev/console");
		if (fstat(target, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
			return husk_error_set(err, EPERM, "process.terminal: the rootfs's /dev/console is not a file or a "
					      "device (a symlink?): refused");
		snprintf(src, sizeof(src), "/proc/self/fd/%d", slave);
		snprintf(dst, sizeof(dst), "/proc/self/fd/%d", target);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			return husk_error_sys(err, errno, "process.terminal: bind %s on /dev/console", name);
	}
	if ((r = terminal_send_master(sock, master, name, err)) < 0)
		return r;
	if (setsid() < 0 && errno != EPERM)
		return husk_error_sys(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return husk_error_sys(err, errno, "process.terminal: make the pty the controlling terminal");
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		return husk_error_sys(err, errno, "process.terminal: dup2");
	return 0;
}

static struct termios saved_tio;
static bool tio_saved;

void terminal_restore_stdin(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

bool terminal_raw_stdin(void)
{
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return false;
	struct termios raw = saved_tio;
	cfmakeraw(&raw);
	tio_saved = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	atexit(terminal_restore_stdin);
	return true;
}

int terminal_host_pty(int console_fd, unsigned rows, unsigned cols, int *slave, struct husk_error *err)
{
	_cleanup_close_ int master = -1, tty = -1;
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	struct termios raw;
	int r;

	if (openpty(&master, &tty, NULL, NULL, rows ? &ws : NULL) < 0)
		return husk_error_sys(err, errno, "openpty");
	if (tcgetattr(tty, &raw) == 0) {
		cfmakeraw(&raw);
		tcsetattr(tty, TCSANOW, &raw);
	}
	if ((r = terminal_send_master(console_fd, master, "/dev/ptmx", err)) < 0)
		return r;
	*slave = TAKE_FD(tty);
	return 0;
}

int terminal_proxy(int master, int pidfd)
{
	char buf[8192];
	bool in_open = true, exited = false;
	struct winsize ws;

	if (terminal_raw_stdin() && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = master, .events = POLLIN },
			{ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = exited ? -1 : pidfd, .events = POLLIN },
		};
		ssize_t n;

		if (poll(p, 3, exited ? 100 : -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0 && errno != EINTR && errno != EAGAIN)
				break; /* EIO: every slave is closed */
			if (n > 0)
				(void) write_all(STDOUT_FILENO, buf, n);
		} else if (exited) {
			break; /* drained */
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				in_open = false;
			else
				(void) write_all(master, buf, n);
		}
		if (p[2].revents & POLLIN)
			exited = true;
	}
	terminal_restore_stdin();
	return 0;
}
