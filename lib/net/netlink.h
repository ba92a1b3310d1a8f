/* netlink - the few rtnetlink requests a container's network needs
 *
 * One request, one acknowledgement: no libmnl, no `ip` process on the hot
 * path (a veth, an address and a route cost well under a millisecond this
 * way; each `ip` spawn costs about 2 ms). A socket works in the network
 * namespace it was opened in: nl_open_in opens one inside a namespace file
 * and returns to the caller's namespace. */
#ifndef BOX_NETLINK_H
#define BOX_NETLINK_H

#include <netinet/in.h>
#include <stdint.h>

#include "base/err.h"

struct nl {
	int fd;
	uint32_t seq;
};

/* A socket in the current network namespace. */
int nl_open (struct nl *n, struct bx_err *e);
/* A socket in the namespace NSFD (an open netns file); the caller's own
 * namespace is kept. */
int nl_open_in (struct nl *n, int nsfd, struct bx_err *e);
void nl_close (struct nl *n);

/* The interface index of NAME in N's namespace, 0 when there is none. */
int nl_link_index (struct nl *n, const char *name);
/* ip link add NAME type bridge; up */
int nl_bridge_add (struct nl *n, const char *name, struct bx_err *e);
/* ip link add HOST master BRIDGE up type veth peer name PEER netns PEERNS
 * address MAC: PEER is born inside PEERNS with MAC (6 bytes). */
int nl_veth_add (struct nl *n, const char *host, int bridge, const char *peer, int peerns, const unsigned char mac[6],
                 struct bx_err *e);
/* ip link del NAME; 0 when it is already gone. */
int nl_link_del (struct nl *n, const char *name, struct bx_err *e);
/* ip link set dev IFINDEX up */
int nl_link_up (struct nl *n, int ifindex, struct bx_err *e);
/* ip addr add ADDR/PREFIX dev IFINDEX (broadcast set from the prefix) */
int nl_addr_add (struct nl *n, int ifindex, struct in_addr addr, int prefix, struct bx_err *e);
/* ip route add default via GW */
int nl_route_default (struct nl *n, struct in_addr gw, struct bx_err *e);

/* The IPv4 destinations of the main routing table (and the addresses'
 * subnets): FN is called with each network and prefix length. */
int nl_routes (struct nl *n, void (*fn) (struct in_addr dst, int len, void *arg), void *arg, struct bx_err *e);

#endif
