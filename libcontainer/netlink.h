/* netlink.h - the few rtnetlink requests a new network namespace needs. */
#ifndef HUSK_NETLINK_H
#define HUSK_NETLINK_H

#include "husk.h"

/* Bring "lo" up in the calling process's network namespace. */
int netlink_loopback_up(struct husk_error *err);

#endif
