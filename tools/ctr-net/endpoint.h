/* endpoint - one container on one bridge network
 *
 * networks/NAME/endpoints/<container id> (key=value lines) records what
 * attaching made, and is written *before* the veth and the port rules are
 * made, so whatever a crash leaves is found and removed by endpoint_remove:
 * the lease, the veth, the port reservations and map elements, the
 * resolver's entry. An endpoint whose container directory is gone is stale
 * and is removed by the next attach to its network (endpoint_sweep).
 *
 *   endpoint=<64 hex>    Docker's EndpointID
 *   ip=172.18.0.2        its lease (networks/NAME/leases/172.18.0.2)
 *   mac=02:42:ac:12:00:02
 *   veth=boxv1a2b3c4d    the host side, on the bridge
 *   ifname=eth0          the container side
 *   name=web             container name (resolves on user networks)
 *   alias=db             one line per alias
 *   port=tcp 0.0.0.0 8080 80   one line per published port; " relay6"
 *                        at its end: on [::] too, through a relay (portmap)
 */
#ifndef BOX_ENDPOINT_H
#define BOX_ENDPOINT_H

#include <net/if.h>
#include <netinet/in.h>

#include "base/err.h"
#include "net/net.h"
#include "netlink.h"
#include "nft.h"
#include "portmap.h"

#define ENDPOINT_ALIAS_MAX 16

struct endpoint {
	char cid[65];
	char epid[65];
	struct in_addr ip;
	unsigned char mac[6];
	char veth[IF_NAMESIZE];
	char ifname[IF_NAMESIZE];
	char name[256];
	char aliases[ENDPOINT_ALIAS_MAX][128];
	int naliases;
	struct nft_port ports[PORTMAP_MAX];
	int nports;
};

/* What to attach with: EP's cid, name, aliases, ports (host port 0: pick
 * one), ifname, and WANT (0.0.0.0: any address). GATEWAY: make the
 * network's gateway the container's default route. */
struct endpoint_req {
	struct endpoint ep;
	struct in_addr want;
	int gateway;
};

/* Attach R's container to N: lease, veth into NSFD (INNER: a netlink
 * socket in that namespace), address, route, ports, resolver. Fills R->ep.
 * On failure nothing of it stays. Takes N's lock. */
int endpoint_add (int rootfd, struct net *n, struct endpoint_req *r, int nsfd, struct netlink *inner, struct bx_err *e);
/* Remove everything of CID's endpoint on N; 0 when there is none. Takes
 * N's lock. KEEP_LINK: the container's namespace is gone (or going), and
 * its veth with it: deleting a veth by hand costs 20 ms of the kernel's
 * RCU wait, while a dead namespace's devices go in a batch, asynchronously. */
int endpoint_remove (int rootfd, struct net *n, const char *cid, int keep_link, struct bx_err *e);
/* CID's endpoint on N takes NAME (docker rename), and the resolver's
 * hosts file with it; 0 when it has none. Takes N's lock. */
int endpoint_rename (int rootfd, struct net *n, const char *cid, const char *name, struct bx_err *e);
/* EP's IPv6 address on N (an IPv6 network): the host of N's v6 subnet
 * with the number its IPv4 address has in N's subnet (.2: ::2, as
 * dockerd hands them out in order) */
struct in6_addr endpoint_ip6 (const struct net *n, const struct endpoint *ep);
/* Read CID's endpoint on N (BX_NOTFOUND when it has none). */
int endpoint_read (struct net *n, const char *cid, struct endpoint *ep, struct bx_err *e);
/* Call FN for each endpoint of N whose container still exists. */
int endpoint_each (int rootfd, struct net *n, int (*fn) (const struct endpoint *ep, void *arg), void *arg,
                   struct bx_err *e);
/* Remove N's endpoints whose container directory is gone. Takes N's lock. */
int endpoint_sweep (int rootfd, struct net *n, struct bx_err *e);

#endif
