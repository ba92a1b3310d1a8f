#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"

/* A request being built: the header, then attributes appended in place. */
struct req {
	union {
		struct nlmsghdr h;
		char buf[1024];
	} u;
};

static struct nlmsghdr *
req_init (struct req *r, int type, int flags)
{
	memset (r, 0, sizeof *r);
	r->u.h.nlmsg_len = NLMSG_LENGTH (0);
	r->u.h.nlmsg_type = type;
	r->u.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return &r->u.h;
}

static void *
req_put (struct req *r, const void *data, size_t len)
{
	char *p = r->u.buf + NLMSG_ALIGN (r->u.h.nlmsg_len);

	memcpy (p, data, len);
	r->u.h.nlmsg_len = NLMSG_ALIGN (r->u.h.nlmsg_len) + len;
	return p;
}

static struct rtattr *
attr_put (struct req *r, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(r->u.buf + NLMSG_ALIGN (r->u.h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH (len);
	if (len)
		memcpy (RTA_DATA (a), data, len);
	r->u.h.nlmsg_len = NLMSG_ALIGN (r->u.h.nlmsg_len) + RTA_ALIGN (a->rta_len);
	return a;
}

static void
attr_str (struct req *r, int type, const char *s)
{
	attr_put (r, type, s, strlen (s) + 1);
}

static void
attr_u32 (struct req *r, int type, uint32_t v)
{
	attr_put (r, type, &v, sizeof v);
}

static struct rtattr *
nest_begin (struct req *r, int type)
{
	return attr_put (r, type, NULL, 0);
}

static void
nest_end (struct req *r, struct rtattr *a)
{
	a->rta_len = (char *)&r->u.h + r->u.h.nlmsg_len - (char *)a;
}

int
netlink_open (struct netlink *n, struct bx_err *e)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

	n->seq = 0;
	n->fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (n->fd < 0)
		return err_set (e, BX_SYSTEM, errno, "netlink socket");
	if (bind (n->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = errno;
		netlink_close (n);
		return err_set (e, BX_SYSTEM, err, "netlink bind");
	}
	return 0;
}

int
netlink_open_in (struct netlink *n, int nsfd, struct bx_err *e)
{
	_cleanup_close_ int self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int rc;

	if (self < 0)
		return err_set (e, BX_SYSTEM, errno, "open own network namespace");
	if (setns (nsfd, CLONE_NEWNET) < 0)
		return err_set (e, BX_SYSTEM, errno, "enter network namespace");
	rc = netlink_open (n, e);
	if (setns (self, CLONE_NEWNET) < 0) {
		/* staying in the container's namespace would misplace everything after */
		if (rc == 0)
			netlink_close (n);
		return err_set (e, BX_SYSTEM, errno, "return to own network namespace");
	}
	return rc;
}

void
netlink_close (struct netlink *n)
{
	if (n->fd >= 0)
		close (n->fd);
	n->fd = -1;
}

/* Send R and read its acknowledgement: 0, or -errno. */
static int
netlink_talk (struct netlink *n, struct req *r)
{
	char buf[4096];
	ssize_t len;

	r->u.h.nlmsg_seq = ++n->seq;
	if (send (n->fd, &r->u.h, r->u.h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv (n->fd, buf, sizeof buf, 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK (h, (size_t)len); h = NLMSG_NEXT (h, len)) {
			if (h->nlmsg_seq != n->seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA (h))->error;
		}
	}
}

static struct ifinfomsg *link_req (struct req *r, int type, int flags);

int
netlink_link_index (struct netlink *n, const char *name)
{
	struct req r;
	char buf[8192];
	ssize_t len;

	link_req (&r, RTM_GETLINK, 0);
	r.u.h.nlmsg_flags &= ~NLM_F_ACK;
	attr_str (&r, IFLA_IFNAME, name);
	r.u.h.nlmsg_seq = ++n->seq;
	if (send (n->fd, &r.u.h, r.u.h.nlmsg_len, 0) < 0)
		return 0;
	while ((len = recv (n->fd, buf, sizeof buf, 0)) >= 0 || errno == EINTR) {
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; len > 0 && NLMSG_OK (h, (size_t)len);
		     h = NLMSG_NEXT (h, len)) {
			if (h->nlmsg_seq != n->seq)
				continue;
			if (h->nlmsg_type == RTM_NEWLINK)
				return ((struct ifinfomsg *)NLMSG_DATA (h))->ifi_index;
			return 0;
		}
	}
	return 0;
}

static struct ifinfomsg *
link_req (struct req *r, int type, int flags)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};

	req_init (r, type, flags);
	return req_put (r, &ifi, sizeof ifi);
}

int
netlink_bridge_add (struct netlink *n, const char *name, int mtu, struct bx_err *e)
{
	struct req r;
	struct ifinfomsg *ifi = link_req (&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct rtattr *info;
	int rc;

	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	attr_str (&r, IFLA_IFNAME, name);
	if (mtu)
		attr_u32 (&r, IFLA_MTU, (uint32_t)mtu);
	info = nest_begin (&r, IFLA_LINKINFO);
	attr_str (&r, IFLA_INFO_KIND, "bridge");
	nest_end (&r, info);
	if ((rc = netlink_talk (n, &r)) < 0)
		return err_set (e, rc == -EEXIST ? BX_CONFLICT : BX_SYSTEM, -rc, "create bridge %s", name);
	return 0;
}

int
netlink_link_set_alias (struct netlink *n, const char *name, const char *alias, struct bx_err *e)
{
	struct req r;
	int rc;

	link_req (&r, RTM_NEWLINK, 0);
	attr_str (&r, IFLA_IFNAME, name);
	attr_put (&r, IFLA_IFALIAS, alias, strlen (alias));
	if ((rc = netlink_talk (n, &r)) < 0)
		return err_set (e, BX_SYSTEM, -rc, "set alias of %s", name);
	return 0;
}

int
netlink_link_alias (struct netlink *n, const char *name, char *out, size_t cap)
{
	struct req r;
	char buf[8192];
	ssize_t len;

	*out = 0;
	link_req (&r, RTM_GETLINK, 0);
	r.u.h.nlmsg_flags &= ~NLM_F_ACK;
	attr_str (&r, IFLA_IFNAME, name);
	r.u.h.nlmsg_seq = ++n->seq;
	if (send (n->fd, &r.u.h, r.u.h.nlmsg_len, 0) < 0)
		return -1;
	while ((len = recv (n->fd, buf, sizeof buf, 0)) >= 0 || errno == EINTR) {
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; len > 0 && NLMSG_OK (h, (size_t)len);
		     h = NLMSG_NEXT (h, len)) {
			struct ifinfomsg *ifi = NLMSG_DATA (h);
			int alen = IFLA_PAYLOAD (h);
			if (h->nlmsg_seq != n->seq)
				continue;
			if (h->nlmsg_type != RTM_NEWLINK)
				return -1;
			for (struct rtattr *a = IFLA_RTA (ifi); RTA_OK (a, alen); a = RTA_NEXT (a, alen))
				if (a->rta_type == IFLA_IFALIAS)
					snprintf (out, cap, "%.*s", (int)RTA_PAYLOAD (a), (char *)RTA_DATA (a));
			return 0;
		}
	}
	return -1;
}

int
netlink_veth_add (struct netlink *n, const char *host, int bridge, const char *peer, int peerns,
                  const unsigned char mac[6], int mtu, struct bx_err *e)
{
	struct req r;
	struct ifinfomsg *ifi = link_req (&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC};
	struct rtattr *info, *data, *p;
	int rc;

	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	attr_str (&r, IFLA_IFNAME, host);
	if (mtu)
		attr_u32 (&r, IFLA_MTU, (uint32_t)mtu);
	attr_u32 (&r, IFLA_MASTER, bridge);
	info = nest_begin (&r, IFLA_LINKINFO);
	attr_str (&r, IFLA_INFO_KIND, "veth");
	data = nest_begin (&r, IFLA_INFO_DATA);
	p = nest_begin (&r, VETH_INFO_PEER);
	req_put (&r, &pifi, sizeof pifi);
	attr_str (&r, IFLA_IFNAME, peer);
	attr_u32 (&r, IFLA_NET_NS_FD, peerns);
	attr_put (&r, IFLA_ADDRESS, mac, 6);
	if (mtu)
		attr_u32 (&r, IFLA_MTU, (uint32_t)mtu);
	nest_end (&r, p);
	nest_end (&r, data);
	nest_end (&r, info);
	if ((rc = netlink_talk (n, &r)) < 0)
		return err_set (e, rc == -EEXIST ? BX_CONFLICT : BX_SYSTEM, -rc, "create veth %s", host);
	return 0;
}

int
netlink_link_del (struct netlink *n, const char *name, struct bx_err *e)
{
	struct req r;
	int rc;

	link_req (&r, RTM_DELLINK, 0);
	attr_str (&r, IFLA_IFNAME, name);
	rc = netlink_talk (n, &r);
	if (rc < 0 && rc != -ENODEV)
		return err_set (e, BX_SYSTEM, -rc, "delete link %s", name);
	return 0;
}

int
netlink_link_up (struct netlink *n, int ifindex, struct bx_err *e)
{
	struct req r;
	struct ifinfomsg *ifi = link_req (&r, RTM_NEWLINK, 0);
	int rc;

	ifi->ifi_index = ifindex;
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	if ((rc = netlink_talk (n, &r)) < 0)
		return err_set (e, BX_SYSTEM, -rc, "set link %d up", ifindex);
	return 0;
}

int
netlink_addr_add (struct netlink *n, int ifindex, struct in_addr addr, int prefix, struct bx_err *e)
{
	struct req r;
	struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = prefix, .ifa_index = ifindex};
	uint32_t mask = prefix ? htonl (~0u << (32 - prefix)) : 0;
	struct in_addr brd = {.s_addr = addr.s_addr | ~mask};
	int rc;

	req_init (&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	req_put (&r, &ifa, sizeof ifa);
	attr_put (&r, IFA_LOCAL, &addr, sizeof addr);
	attr_put (&r, IFA_ADDRESS, &addr, sizeof addr);
	if (prefix < 31)
		attr_put (&r, IFA_BROADCAST, &brd, sizeof brd);
	if ((rc = netlink_talk (n, &r)) < 0)
		return err_set (e, BX_SYSTEM, -rc, "add address %s/%d", inet_ntoa (addr), prefix);
	return 0;
}

int
netlink_addr6_add (struct netlink *n, int ifindex, struct in6_addr addr, int prefix, struct bx_err *e)
{
	struct req r;
	struct ifaddrmsg ifa = {
	    .ifa_family = AF_INET6, .ifa_prefixlen = prefix, .ifa_flags = IFA_F_NODAD, .ifa_index = ifindex};
	char s[INET6_ADDRSTRLEN];
	int rc;

	req_init (&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	req_put (&r, &ifa, sizeof ifa);
	attr_put (&r, IFA_LOCAL, &addr, sizeof addr);
	attr_put (&r, IFA_ADDRESS, &addr, sizeof addr);
	if ((rc = netlink_talk (n, &r)) < 0)
		return err_set (e, BX_SYSTEM, -rc, "add address %s/%d", inet_ntop (AF_INET6, &addr, s, sizeof s),
		                prefix);
	return 0;
}

int
netlink_route6_default (struct netlink *n, struct in6_addr gw, struct bx_err *e)
{
	struct req r;
	struct rtmsg rt = {.rtm_family = AF_INET6,
	                   .rtm_table = RT_TABLE_MAIN,
	                   .rtm_protocol = RTPROT_BOOT,
	                   .rtm_scope = RT_SCOPE_UNIVERSE,
	                   .rtm_type = RTN_UNICAST};
	char s[INET6_ADDRSTRLEN];
	int rc;

	req_init (&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	req_put (&r, &rt, sizeof rt);
	attr_put (&r, RTA_GATEWAY, &gw, sizeof gw);
	if ((rc = netlink_talk (n, &r)) < 0)
		return err_set (e, BX_SYSTEM, -rc, "add default route via %s", inet_ntop (AF_INET6, &gw, s, sizeof s));
	return 0;
}

int
netlink_route_default (struct netlink *n, struct in_addr gw, int replace, struct bx_err *e)
{
	struct req r;
	struct rtmsg rt = {.rtm_family = AF_INET,
	                   .rtm_table = RT_TABLE_MAIN,
	                   .rtm_protocol = RTPROT_BOOT,
	                   .rtm_scope = RT_SCOPE_UNIVERSE,
	                   .rtm_type = RTN_UNICAST};
	int rc;

	req_init (&r, RTM_NEWROUTE, NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL));
	req_put (&r, &rt, sizeof rt);
	attr_put (&r, RTA_GATEWAY, &gw, sizeof gw);
	if ((rc = netlink_talk (n, &r)) < 0)
		return err_set (e, BX_SYSTEM, -rc, "%s default route via %s", replace ? "set" : "add", inet_ntoa (gw));
	return 0;
}

static void
route_one (struct nlmsghdr *h, void (*fn) (struct in_addr, int, void *), void *arg)
{
	struct rtmsg *rt = NLMSG_DATA (h);
	int len = RTM_PAYLOAD (h);
	struct in_addr dst = {0};

	if (rt->rtm_family != AF_INET || rt->rtm_table != RT_TABLE_MAIN || rt->rtm_dst_len == 0)
		return;
	for (struct rtattr *a = RTM_RTA (rt); RTA_OK (a, len); a = RTA_NEXT (a, len))
		if (a->rta_type == RTA_DST)
			memcpy (&dst, RTA_DATA (a), sizeof dst);
	fn (dst, rt->rtm_dst_len, arg);
}

int
netlink_routes (struct netlink *n, void (*fn) (struct in_addr dst, int len, void *arg), void *arg, struct bx_err *e)
{
	struct req r;
	struct rtmsg rt = {.rtm_family = AF_INET};
	char buf[16384];
	ssize_t len;

	req_init (&r, RTM_GETROUTE, NLM_F_DUMP);
	r.u.h.nlmsg_flags &= ~NLM_F_ACK;
	req_put (&r, &rt, sizeof rt);
	r.u.h.nlmsg_seq = ++n->seq;
	if (send (n->fd, &r.u.h, r.u.h.nlmsg_len, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "list routes");
	for (;;) {
		len = recv (n->fd, buf, sizeof buf, 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return err_set (e, BX_SYSTEM, errno, "list routes");
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK (h, (size_t)len); h = NLMSG_NEXT (h, len)) {
			if (h->nlmsg_seq != n->seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return err_set (e, BX_SYSTEM, -((struct nlmsgerr *)NLMSG_DATA (h))->error,
				                "list routes");
			if (h->nlmsg_type == RTM_NEWROUTE)
				route_one (h, fn, arg);
		}
	}
}
