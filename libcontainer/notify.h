/* notify.h - relaying sd_notify's READY=1 from a container to husk's NOTIFY_SOCKET. */
#ifndef HUSK_NOTIFY_H
#define HUSK_NOTIFY_H

#include <sys/types.h>

#include "husk.h"
#include "spec.h"

/* create: give the container a notify socket directory of its own (a bind mount at
 * /run/notify) and point its NOTIFY_SOCKET there. */
int notify_prepare(struct spec *s, const char *state_dir, struct husk_error *err);
/* start/run, before the container runs: bind the container's socket; *fd reads it. */
int notify_listen(const char *state_dir, int *fd, struct husk_error *err);
/* Wait for READY=1 on fd (or for pidfd, the init, to exit: an error), then send
 * READY=1 and MAINPID=mainpid to host_socket. */
int notify_relay(int fd, int pidfd, const char *host_socket, pid_t mainpid, struct husk_error *err);

#endif
