/* netlink.c - rtnetlink through libmnl: bring the loopback interface up, and move a
 * host interface into a container (linux.netDevices). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netlink.h"
#include "utils.h"

int netlink_loopback_up(struct husk_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	unsigned int seq = time(NULL), portid;
	int r = 0, n;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return husk_error_sys(err, errno, "open rtnetlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = husk_error_sys(err, errno, "bind rtnetlink socket");
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = 1; /* lo is always index 1 in a new network namespace */
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = husk_error_sys(err, errno, "send RTM_NEWLINK for lo");
		goto out;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, n, seq, portid, NULL, NULL) < 0)
		r = husk_error_sys(err, errno, "bring lo up");
out:
	mnl_socket_close(nl);
	return r;
}

/* ---- linux.netDevices ------------------------------------------------------------ */
/* One address of the interface, as RTM_NEWADDR will want it back. */
struct saved_addr {
	struct ifaddrmsg ifa;
	unsigned char local[16], address[16], broadcast[4];
	bool has_local, has_address, has_broadcast;
};

struct addr_dump {
	int ifindex;
	struct saved_addr *v;
	size_t n;
};

static int nl_open(struct mnl_socket **nl, unsigned int *portid)
{
	*nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!*nl)
		return -errno;
	if (mnl_socket_bind(*nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = -errno;
		mnl_socket_close(*nl);
		return r;
	}
	*portid = mnl_socket_get_portid(*nl);
	return 0;
}

/* Send one request and read the answers until its ACK (or the end of a dump). */
static int nl_talk(struct mnl_socket *nl, unsigned int portid, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int seq = nlh->nlmsg_seq;
	int n, r;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, n, seq, portid, cb, data);
	} while (r > 0);
	return r < 0 ? -errno : 0;
}

static int addr_attr(const struct nlattr *a, void *data)
{
	struct saved_addr *s = data;
	size_t len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case IFA_LOCAL:
		if (len <= sizeof(s->local)) {
			memcpy(s->local, mnl_attr_get_payload(a), len);
			s->has_local = true;
		}
		break;
	case IFA_ADDRESS:
		if (len <= sizeof(s->address)) {
			memcpy(s->address, mnl_attr_get_payload(a), len);
			s->has_address = true;
		}
		break;
	case IFA_BROADCAST:
		if (len == sizeof(s->broadcast)) {
			memcpy(s->broadcast, mnl_attr_get_payload(a), len);
			s->has_broadcast = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct saved_addr s = { .ifa = *ifa };

	if ((int) ifa->ifa_index != d->ifindex)
		return MNL_CB_OK;
	/* IPv6 link-local addresses are the kernel's own: it makes them again on up. */
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr, &s);
	if (ifa->ifa_family == AF_INET6 && s.has_address && s.address[0] == 0xfe && (s.address[1] & 0xc0) == 0x80)
		return MNL_CB_OK;
	d->v = xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
	d->v[d->n++] = s;
	return MNL_CB_OK;
}

static int link_flags(const char *name, short *flags)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	*flags = ifr.ifr_flags;
	close(fd);
	return r;
}

/* In the container's network namespace: its addresses back, and up if it was. */
static int restore_in_netns(const char *name, const struct addr_dump *d, bool up, const char *field,
			    struct husk_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid, seq = time(NULL);
	int ifindex = if_nametoindex(name), r = 0;

	if (!ifindex)
		return husk_error_sys(err, errno, "%s: \"%s\" in the container's network namespace", field, name);
	if ((r = nl_open(&nl, &portid)) < 0)
		return husk_error_sys(err, -r, "%s: rtnetlink in the container's network namespace", field);
	for (size_t i = 0; i < d->n && r == 0; i++) {
		const struct saved_addr *a = &d->v[i];
		size_t alen = a->ifa.ifa_family == AF_INET ? 4 : 16;
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ifaddrmsg *ifa;

		nlh->nlmsg_type = RTM_NEWADDR;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
		nlh->nlmsg_seq = ++seq;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		*ifa = a->ifa;
		ifa->ifa_index = ifindex;
		if (a->has_local)
			mnl_attr_put(nlh, IFA_LOCAL, alen, a->local);
		if (a->has_address)
			mnl_attr_put(nlh, IFA_ADDRESS, alen, a->address);
		if (a->has_broadcast)
			mnl_attr_put(nlh, IFA_BROADCAST, sizeof(a->broadcast), a->broadcast);
		if ((r = nl_talk(nl, portid, nlh, NULL, NULL)) < 0 && r != -EEXIST)
			r = husk_error_sys(err, -r, "%s: add its address back in the container", field);
		else
			r = 0;
	}
	if (r == 0 && up) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ifinfomsg *ifm;

		nlh->nlmsg_type = RTM_NEWLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = ++seq;
		ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
		ifm->ifi_family = AF_UNSPEC;
		ifm->ifi_index = ifindex;
		ifm->ifi_flags = ifm->ifi_change = IFF_UP;
		if ((r = nl_talk(nl, portid, nlh, NULL, NULL)) < 0)
			r = husk_error_sys(err, -r, "%s: bring \"%s\" up in the container", field, name);
	}
	mnl_socket_close(nl);
	return r;
}

int netlink_move_device(const char *host, const char *name, int netns_fd, struct husk_error *err)
{
	_cleanup_free_ char *field = xasprintf("config.json: linux.netDevices.%s", host);
	_cleanup_close_ int own = -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct addr_dump d = { 0 };
	struct mnl_socket *nl = NULL;
	struct nlmsghdr *nlh;
	unsigned int portid, seq = time(NULL);
	short flags = 0;
	int r;

	d.ifindex = if_nametoindex(host);
	if (!d.ifindex)
		return husk_error_set(err, ENODEV, "%s: the host has no network interface \"%s\"", field, host);
	if ((r = link_flags(host, &flags)) < 0)
		return husk_error_sys(err, -r, "%s: read its flags", field);
	if ((r = nl_open(&nl, &portid)) < 0)
		return husk_error_sys(err, -r, "%s: rtnetlink", field);
	/* Its addresses: the move to another namespace drops them. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++seq;
	((struct rtgenmsg *) mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtgenmsg)))->rtgen_family = AF_UNSPEC;
	if ((r = nl_talk(nl, portid, nlh, addr_cb, &d)) < 0) {
		r = husk_error_sys(err, -r, "%s: read its addresses", field);
		goto out;
	}
	/* Moved and renamed in one request, so no other name is ever seen in the container. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	((struct ifinfomsg *) mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg)))->ifi_index = d.ifindex;
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, netns_fd);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if ((r = nl_talk(nl, portid, nlh, NULL, NULL)) < 0) {
		r = husk_error_sys(err, -r, "%s: move it into the container's network namespace as \"%s\"", field, name);
		goto out;
	}
	/* The rest from inside: this thread joins the namespace and comes back. */
	own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0 || setns(netns_fd, CLONE_NEWNET) < 0) {
		r = husk_error_sys(err, errno, "%s: enter the container's network namespace", field);
		goto out;
	}
	r = restore_in_netns(name, &d, flags & IFF_UP, field, err);
	if (setns(own, CLONE_NEWNET) < 0 && r == 0)
		r = husk_error_sys(err, errno, "%s: return to husk's network namespace", field);
out:
	free(d.v);
	mnl_socket_close(nl);
	return r;
}
