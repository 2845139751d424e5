/* recvtty SOCKET [INPUT] - the other end of --console-socket, for tests: accept one
 * connection on the unix socket SOCKET, receive the pty master (SCM_RIGHTS), write
 * INPUT to it, and copy what the container prints to stdout until the pty closes. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(sizeof(int))], name[256], buf[4096];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int s, c, master;
	ssize_t n;

	if (argc < 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(argv[1]);
	if (s < 0 || bind(s, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(s, 1) < 0) {
		perror("recvtty: socket");
		return 1;
	}
	c = accept(s, NULL, NULL);
	if (c < 0 || recvmsg(c, &msg, 0) < 0 || !(cm = CMSG_FIRSTHDR(&msg)) || cm->cmsg_type != SCM_RIGHTS) {
		perror("recvtty: receive");
		return 1;
	}
	memcpy(&master, CMSG_DATA(cm), sizeof(int));
	if (argc > 2)
		(void) !write(master, argv[2], strlen(argv[2]));
	while ((n = read(master, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	return 0;
}
