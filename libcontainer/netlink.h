/* netlink.h - the few rtnetlink requests a new network namespace needs. */
#ifndef HUSK_NETLINK_H
#define HUSK_NETLINK_H

#include "husk.h"

/* Bring "lo" up in the calling process's network namespace. */
int netlink_loopback_up(struct husk_error *err);
/* linux.netDevices: move host interface HOST into the network namespace NETNS_FD as
 * NAME, with its addresses, and up if it was up.  The caller is single-threaded and
 * may enter that namespace (the calling thread joins it for a moment). */
int netlink_move_device(const char *host, const char *name, int netns_fd, struct husk_error *err);

#endif
