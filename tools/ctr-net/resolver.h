/* resolver - one dnsmasq per user-defined network, so containers find each
 * other by name
 *
 * dnsmasq listens on the network's gateway address only (--bind-interfaces,
 * so one per network can run side by side) and answers from the network's
 * `hosts` file, which ctr-net/endpoint rewrites on every attach and detach;
 * SIGHUP makes dnsmasq read it again. Other names go to the host's
 * resolvers. Its pid is in dnsmasq.pid, and a dnsmasq found dead (after a
 * crash or a reboot) is started again on the next attach. */
#ifndef BOX_RESOLVER_H
#define BOX_RESOLVER_H

#include <netinet/in.h>

#include "base/err.h"

/* DIRFD is the network's directory (networks/NAME), where the resolver
 * keeps its hosts file, pid and log; the caller names the network in
 * the errors. */

/* Start the network's dnsmasq on GW unless it runs; returns once it
 * listens. */
int resolver_start (int dirfd, struct in_addr gw, struct bx_err *e);
/* Replace the hosts file with HOSTS and tell dnsmasq, if it runs. */
int resolver_update (int dirfd, const char *hosts, struct bx_err *e);
/* Stop the network's dnsmasq, if it runs. */
void resolver_stop (int dirfd);

/* A container on two user networks or more asks one resolver for names
 * of them all, as Docker's embedded one answers for every network of the
 * container: a dnsmasq of its own, inside its network namespace on
 * RESOLVER_CTR_ADDR (Docker's address), reading each network's hosts
 * file, and forwarding other names to SERVERS. A network's resolver
 * cannot do it: it answers every container of its network alike, and
 * the names of another network are not theirs to see. CDIR is the
 * container's directory (pid file and log there); NSFD its namespace. */
#define RESOLVER_CTR_ADDR "127.0.0.11"
int resolver_ctr_start (int cdir, int nsfd, char *const *hosts, int nhosts, char *const *servers, int nservers,
                        struct bx_err *e);
/* Have it read the hosts files again, if it runs. */
void resolver_ctr_hup (int cdir);
/* Stop it, if it runs (before its namespace is let go: it holds it). */
void resolver_ctr_stop (int cdir);

#endif
