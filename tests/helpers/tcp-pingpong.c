/* tcp-pingpong FILE - one established TCP connection over loopback that must stay
 * up, for the checkpoint tests: a server on 127.0.0.1 and a client (a child) that
 * sends it 1, 2, 3, ... every 0.1 s; the server writes each number it receives to
 * FILE.  Either end exits (and so the count stops) when the connection breaks.
 * Static: it runs inside the test containers' busybox rootfs. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int tick(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	return nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	uint32_t n = 0;
	int l, c;

	if (argc != 2) {
		fprintf(stderr, "usage: tcp-pingpong FILE\n");
		return 2;
	}
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *) &a, &len) < 0) {
		perror("tcp-pingpong: listen");
		return 1;
	}
	if (fork() == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		close(l);
		if (s < 0 || connect(s, (struct sockaddr *) &a, sizeof(a)) < 0) {
			perror("tcp-pingpong: connect");
			return 1;
		}
		for (;;) {
			n++;
			if (write(s, &n, sizeof(n)) != sizeof(n))
				return 1;
			tick();
		}
	}
	c = accept(l, NULL, NULL);
	if (c < 0) {
		perror("tcp-pingpong: accept");
		return 1;
	}
	close(l);
	while (read(c, &n, sizeof(n)) == sizeof(n)) {
		FILE *f = fopen(argv[1], "w");
		if (!f)
			return 1;
		fprintf(f, "%u\n", n);
		fclose(f);
	}
	return 0;
}
