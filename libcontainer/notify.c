/* notify.c - sd_notify through a container.  When husk runs with NOTIFY_SOCKET (a
 * systemd unit, Podman's --sdnotify=container), the container gets a socket of its
 * own, <state dir>/notify/notify.sock bind-mounted at /run/notify, and NOTIFY_SOCKET
 * names it; "husk start" (or run) waits for the container's READY=1 and passes it
 * on to the caller's socket with MAINPID, as runc and crun do.  The caller's socket
 * is never exposed to the container. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "notify.h"
#include "utils.h"

#define NOTIFY_DIR "notify"
#define NOTIFY_SOCK "notify.sock"
#define NOTIFY_DEST "/run/notify"

/* AF_UNIX address of PATH ("@name": the abstract namespace, as systemd writes it). */
static int unix_addr(const char *path, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@')
		sa->sun_path[0] = '\0';
	*len = offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1);
	return 0;
}

int notify_prepare(struct spec *s, const char *state_dir, struct husk_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/" NOTIFY_DIR, state_dir);
	char **env = s->process.env;
	size_t n = 0, i;
	struct spec_mount *m;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return husk_error_sys(err, errno, "NOTIFY_SOCKET: mkdir \"%s\"", dir);
	/* The container's process may be any user: it must reach the socket. */
	if (chmod(dir, 0755) < 0)
		return husk_error_sys(err, errno, "NOTIFY_SOCKET: chmod \"%s\"", dir);
	s->mounts = xrealloc(s->mounts, (s->n_mounts + 1) * sizeof(*s->mounts));
	m = &s->mounts[s->n_mounts++];
	memset(m, 0, sizeof(*m));
	m->destination = xstrdup(NOTIFY_DEST);
	m->source = TAKE_PTR(dir);
	m->type = xstrdup("bind");
	m->flags = MS_BIND;
	m->bind = true;
	/* The process's NOTIFY_SOCKET is the container's socket, whatever the config said. */
	for (i = 0; env && env[i]; i++)
		if (str_has_prefix(env[i], "NOTIFY_SOCKET="))
			free(env[i]);
		else
			env[n++] = env[i];
	if (env)
		env[n] = NULL;
	strv_push(&s->process.env, &n, "NOTIFY_SOCKET=" NOTIFY_DEST "/" NOTIFY_SOCK);
	return 0;
}

int notify_listen(const char *state_dir, int *fd, struct husk_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/" NOTIFY_DIR "/" NOTIFY_SOCK, state_dir);
	_cleanup_close_ int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_un sa;
	socklen_t len;

	if (s < 0)
		return husk_error_sys(err, errno, "NOTIFY_SOCKET: socket");
	if (unix_addr(path, &sa, &len) < 0)
		return husk_error_set(err, ENAMETOOLONG, "NOTIFY_SOCKET: \"%s\": path too long for a socket", path);
	unlink(path);
	if (bind(s, (struct sockaddr *) &sa, len) < 0 || chmod(path, 0777) < 0)
		return husk_error_sys(err, errno, "NOTIFY_SOCKET: bind \"%s\"", path);
	*fd = TAKE_FD(s);
	return 0;
}

/* Whether datagram BUF holds the line READY=1. */
static bool says_ready(const char *buf)
{
	for (const char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, "READY=1", 7) && (l[7] == '\n' || l[7] == '\0'))
			return true;
	return false;
}

int notify_relay(int fd, int pidfd, const char *host_socket, pid_t mainpid, struct husk_error *err)
{
	char buf[4096], msg[64];
	struct sockaddr_un sa;
	socklen_t len;

	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		ssize_t n;

		if (poll(p, pidfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return husk_error_sys(err, errno, "NOTIFY_SOCKET: poll");
		}
		if (p[0].revents & POLLIN) {
			n = recv(fd, buf, sizeof(buf) - 1, 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n < 0)
				return husk_error_sys(err, errno, "NOTIFY_SOCKET: receive");
			buf[n] = '\0';
			if (says_ready(buf))
				break;
			continue;
		}
		if (pidfd >= 0 && (p[1].revents & POLLIN))
			return husk_error_set(err, ESRCH, "NOTIFY_SOCKET: the container exited before it sent READY=1");
	}
	/* READY=1 with the pid systemd should watch, on a socket of our own. */
	{
		_cleanup_close_ int out = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		int k = snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%d\n", (int) mainpid);

		if (out < 0)
			return husk_error_sys(err, errno, "NOTIFY_SOCKET: socket");
		if (unix_addr(host_socket, &sa, &len) < 0)
			return husk_error_set(err, ENAMETOOLONG, "NOTIFY_SOCKET: \"%s\" is not a socket path", host_socket);
		if (sendto(out, msg, k, MSG_NOSIGNAL, (struct sockaddr *) &sa, len) < 0)
			return husk_error_sys(err, errno, "NOTIFY_SOCKET: send READY=1 to \"%s\"", host_socket);
	}
	return 0;
}
