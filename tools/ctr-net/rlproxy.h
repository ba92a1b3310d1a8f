/* rlproxy - rootless: a published TCP port on the host's IPv6 too
 *
 * slirp4netns's API forwards IPv4 host addresses only (add_hostfwd
 * refuses "::"), so rootless ctr-net listens on the host's [::]:PORT
 * itself (IPV6_V6ONLY: slirp4netns keeps 0.0.0.0:PORT) and relays each
 * connection to slirp4netns at 127.0.0.1:PORT, as rootless Podman's
 * rootlessport listens on both. One process a port, a session of its own
 * with a child a connection; `slirp6/tcp-PORT` records it (pid=,
 * start=). Owner of `slirp6/`. */
#ifndef CTRNET_RLPROXY_H
#define CTRNET_RLPROXY_H

#include "base/err.h"

/* In the host's network namespace, before ctr-net leaves it for the
 * user's (where no process of the user's can join it again): a child
 * that stays there and starts the relays rlproxy_start asks for. */
int rlproxy_prepare (struct bx_err *e);
/* The relay of PORT started, listening in the host's namespace; one left
 * from before is ended first. BX_CONFLICT when [::]:PORT is taken. */
int rlproxy_start (int rootfd, unsigned port, struct bx_err *e);
/* The relay of PORT ended (its connections too), its record removed;
 * none is no error. */
void rlproxy_stop (int rootfd, unsigned port);

#endif
