/* rlnet - rootless: the network namespace the user's networks live in,
 * and its way out
 *
 * An ordinary user may not make bridges in the host's network namespace,
 * so ctr-net, rootless, works in a namespace of the user namespace's own,
 * bind-mounted on the state directory's `netns` (in usr-ns's mount
 * namespace: it lives as long as the holder). slirp4netns, started from
 * the host's namespace, gives it tap0 (10.0.2.100, gateway 10.0.2.2, DNS
 * 10.0.2.3): what leaves through it goes out by the user's own sockets.
 * Its API socket takes the published ports. Owner of `netns`,
 * `netns.lock`, `slirp.pid`, `slirp.sock` and `slirp.log`. */
#ifndef CTRNET_RLNET_H
#define CTRNET_RLNET_H

#include <netinet/in.h>

#include "base/err.h"

/* Rootless (root_is_rootless): make the namespace and its slirp4netns if
 * they are not there, then join it; PORTS: ports may be published (the
 * IPv6 relays' spawner is left in the host's namespace, rlproxy.h).
 * Nothing for root. */
int rlnet_enter (int rootfd, int ports, struct bx_err *e);
/* Where the sysfs of the namespace ctr-net works in is: /sys, or
 * rootless the state directory's `netns.sys`, mounted with the namespace
 * (the holder's /sys shows the host's devices). */
const char *rlnet_sysfs (void);
/* Rootless: forward the host's HOST_IP:PORT (PROTO "tcp"/"udp") to the
 * same port of the namespace's tap0 (ADD), or stop forwarding it, through
 * slirp4netns's API; the network's DNAT takes it from there. BX_CONFLICT
 * when the host's port is taken. Nothing for root. */
int rlnet_forward (int rootfd, const char *proto, struct in_addr host_ip, unsigned port, int add, struct bx_err *e);

#endif
