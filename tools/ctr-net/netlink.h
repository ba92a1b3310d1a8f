/* netlink - the few rtnetlink requests a container's network needs
 *
 * One request, one acknowledgement: no libmnl, no `ip` process on the hot
 * path (a veth, an address and a route cost well under a millisecond this
 * way; each `ip` spawn costs about 2 ms). A socket works in the network
 * namespace it was opened in: netlink_open_in opens one inside a namespace
 * file and returns to the caller's namespace. */
#ifndef BOX_NETLINK_H
#define BOX_NETLINK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct netlink {
	int fd;
	uint32_t seq;
};

/* A socket in the current network namespace. */
int netlink_open (struct netlink *n, struct bx_err *e);
/* A socket in the namespace NSFD (an open netns file); the caller's own
 * namespace is kept. */
int netlink_open_in (struct netlink *n, int nsfd, struct bx_err *e);
void netlink_close (struct netlink *n);

/* The interface index of NAME in N's namespace, 0 when there is none. */
int netlink_link_index (struct netlink *n, const char *name);
/* ip link add NAME mtu MTU type bridge; up (MTU 0: the kernel's) */
int netlink_bridge_add (struct netlink *n, const char *name, int mtu, struct bx_err *e);
/* ip link add HOST mtu MTU master BRIDGE up type veth peer name PEER mtu
 * MTU netns PEERNS address MAC: PEER is born inside PEERNS with MAC (6
 * bytes); MTU 0: the kernel's. */
int netlink_veth_add (struct netlink *n, const char *host, int bridge, const char *peer, int peerns,
                      const unsigned char mac[6], int mtu, struct bx_err *e);
/* ip link set NAME alias ALIAS */
int netlink_link_set_alias (struct netlink *n, const char *name, const char *alias, struct bx_err *e);
/* NAME's alias into OUT ("" when it has none); -1 when there is no NAME. */
int netlink_link_alias (struct netlink *n, const char *name, char *out, size_t cap);
/* ip link del NAME; 0 when it is already gone. */
int netlink_link_del (struct netlink *n, const char *name, struct bx_err *e);
/* ip link set dev IFINDEX up */
int netlink_link_up (struct netlink *n, int ifindex, struct bx_err *e);
/* ip addr add ADDR/PREFIX dev IFINDEX (broadcast set from the prefix) */
int netlink_addr_add (struct netlink *n, int ifindex, struct in_addr addr, int prefix, struct bx_err *e);
/* ip -6 addr add ADDR/PREFIX dev IFINDEX nodad */
int netlink_addr6_add (struct netlink *n, int ifindex, struct in6_addr addr, int prefix, struct bx_err *e);
/* ip -6 route add default via GW */
int netlink_route6_default (struct netlink *n, struct in6_addr gw, struct bx_err *e);
/* ip route add default via GW; REPLACE: ip route replace */
int netlink_route_default (struct netlink *n, struct in_addr gw, int replace, struct bx_err *e);

/* The IPv4 destinations of the main routing table (and the addresses'
 * subnets): FN is called with each network and prefix length. */
int netlink_routes (struct netlink *n, void (*fn) (struct in_addr dst, int len, void *arg), void *arg,
                    struct bx_err *e);

#endif
