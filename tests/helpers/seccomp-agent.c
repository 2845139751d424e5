/* seccomp-agent - a minimal seccomp notify listener for the tests.
 *
 * usage: seccomp-agent SOCKET STATEFILE ERRNO
 * Listens on the unix socket SOCKET, takes one connection from the runtime, writes
 * the containerProcessState it receives to STATEFILE, and answers every notified
 * system call with -ERRNO until the container closes the listener. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[65536], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct seccomp_notif_sizes sizes;
	struct cmsghdr *cm;
	int srv, conn, listener, out, err_ret;
	ssize_t n;

	if (argc != 4) {
		fprintf(stderr, "usage: seccomp-agent SOCKET STATEFILE ERRNO\n");
		return 2;
	}
	err_ret = atoi(argv[3]);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[1]);
	srv = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(argv[1]);
	if (srv < 0 || bind(srv, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(srv, 1) < 0) {
		perror("seccomp-agent: listen");
		return 1;
	}
	conn = accept(srv, NULL, NULL);
	n = recvmsg(conn, &mh, 0);
	cm = CMSG_FIRSTHDR(&mh);
	if (n <= 0 || !cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "seccomp-agent: no listener received\n");
		return 1;
	}
	memcpy(&listener, CMSG_DATA(cm), sizeof(int));
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write(out, buf, (size_t) n) != n) {
		perror("seccomp-agent: state file");
		return 1;
	}
	close(out);
	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		perror("seccomp-agent: SECCOMP_GET_NOTIF_SIZES");
		return 1;
	}
	for (;;) {
		struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
		struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR)
				continue;
			break; /* ENOENT: the container is gone */
		}
		resp->id = req->id;
		resp->error = -err_ret;
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
		free(req);
		free(resp);
	}
	return 0;
}
