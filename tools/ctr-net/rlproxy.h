/* rlproxy - a published port on the host's IPv6 too, relayed to IPv4
 *
 * A userland relay, as Docker's docker-proxy: it listens on the host's
 * [::]:PORT (IPV6_V6ONLY: 0.0.0.0:PORT stays the DNAT's or slirp4netns's)
 * and relays each connection to an IPv4 address and port:
 *   - rootless: slirp4netns's API forwards IPv4 host addresses only
 *     (add_hostfwd refuses "::"), so to slirp4netns at 127.0.0.1:PORT, as
 *     rootless Podman's rootlessport listens on both (rlnet);
 *   - rootful, a container without an IPv6 address: to its IPv4 address,
 *     as Docker 20.10 does when the host has IPv6 (portmap).
 * One process a port, a session of its own: over TCP with a child a
 * connection, over UDP a socket to the container a peer, as
 * docker-proxy's; a record of the caller's naming holds its pid= and
 * start=. */
#ifndef CTRNET_RLPROXY_H
#define CTRNET_RLPROXY_H

#include <netinet/in.h>

#include "base/err.h"

/* In the host's network namespace, before ctr-net leaves it for the
 * user's (where no process of the user's can join it again): a child
 * that stays there and starts the relays rlproxy_start asks for. Once a
 * process: a second call is no error. */
int rlproxy_prepare (struct bx_err *e);
/* A relay of [ON]:PORT (ON: in6addr_any for [::]) to TO:TO_PORT over
 * PROTO ("tcp" or "udp") started, listening in the host's namespace,
 * recorded in NAME (a path under ROOTFD whose directory exists); the one
 * NAME records from before is ended first. BX_CONFLICT when [ON]:PORT is
 * taken. */
int rlproxy_start (int rootfd, const char *name, const char *proto, const struct in6_addr *on, unsigned port,
                   struct in_addr to, unsigned to_port, struct bx_err *e);
/* The relay NAME records ended (its connections too), the record removed;
 * none is no error. */
void rlproxy_stop (int rootfd, const char *name);

#endif
