/* rlproxy - a published port relayed by a process, as Docker's
 * docker-proxy: it listens on a host address and port (IPv6 ones
 * IPV6_V6ONLY: 0.0.0.0:PORT stays the DNAT's or slirp4netns's) and
 * relays each connection to an IPv4 address and port:
 *   - rootless TCP: slirp4netns's API forwards IPv4 host addresses only
 *     (add_hostfwd refuses "::"), so [::]:PORT to slirp4netns at
 *     127.0.0.1:PORT, as rootless Podman's rootlessport listens on both;
 *   - rootless UDP, IPv4 and IPv6: from the user's network namespace to
 *     tap0's address, which the network's DNAT takes to the container
 *     (slirp4netns's UDP forward loses the answers to the host's
 *     loopback under --disable-host-loopback) (rlnet);
 *   - rootful, a container without an IPv6 address: [::]:PORT to its IPv4
 *     address, as Docker 20.10 does when the host has IPv6 (portmap).
 * One process a port, a session of its own: over TCP with a child a
 * connection, over UDP a socket to the container a peer, as
 * docker-proxy's; a record of the caller's naming holds its pid= and
 * start=. */
#ifndef CTRNET_RLPROXY_H
#define CTRNET_RLPROXY_H

#include <netinet/in.h>

#include "base/err.h"

#include <stdbool.h>

/* In the host's network namespace, before ctr-net leaves it for the
 * user's (where no process of the user's can join it again): a child
 * that stays there and starts the relays rlproxy_start asks for; NETNS
 * (-1: none) the user's namespace, which inner relays reach TO from.
 * Once a process: a second call is no error. */
int rlproxy_prepare (int netns, struct bx_err *e);

/* a relay: where it listens, what it reaches */
struct rlproxy_spec {
	const char *proto; /* "tcp" or "udp" */
	int family;        /* AF_INET6: [ON6]:PORT (in6addr_any: [::]); AF_INET: ON4:PORT */
	struct in6_addr on6;
	struct in_addr on4;
	unsigned port;
	struct in_addr to; /* TO:TO_PORT */
	unsigned to_port;
	bool inner; /* TO reached from the user's namespace, else the host's */
};

/* Relay S started, listening in the host's namespace, recorded in NAME
 * (a path under ROOTFD whose directory exists); the one NAME records
 * from before is ended first. BX_CONFLICT when its address is taken. */
int rlproxy_start (int rootfd, const char *name, const struct rlproxy_spec *s, struct bx_err *e);
/* The relay NAME records ended (its connections too), the record removed;
 * none is no error. */
void rlproxy_stop (int rootfd, const char *name);

#endif
