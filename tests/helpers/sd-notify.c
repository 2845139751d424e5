/* sd-notify.c - a static helper copied into test containers: sends its arguments,
 * one per line, as one datagram to $NOTIFY_SOCKET (sd_notify(3) without libsystemd),
 * then sleeps for the seconds in $SD_NOTIFY_SLEEP, if set. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
	const char *path = getenv("NOTIFY_SOCKET"), *nap = getenv("SD_NOTIFY_SLEEP");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[4096] = "";
	int fd;

	if (!path || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sd-notify: NOTIFY_SOCKET unset or too long\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s\n", argv[i]);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || sendto(fd, msg, strlen(msg), 0, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		perror("sd-notify");
		return 1;
	}
	if (nap)
		sleep(atoi(nap));
	return 0;
}
