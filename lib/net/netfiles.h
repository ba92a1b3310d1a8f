/* netfiles - a container's /etc/hosts and /etc/resolv.conf, as Docker
 * writes them (ctr-net rewrites them when it attaches a network) */
#ifndef BOX_NETFILES_H
#define BOX_NETFILES_H

#include <jansson.h>

#include "base/err.h"

/* Docker's hosts file: localhost and the IPv6 names, then each
 * "host:ip" of EXTRA (--add-host, an array of strings) as "ip\thost".
 * HOST_NET: the host's /etc/hosts instead of the defaults. *OUT malloc'd. */
int netfiles_hosts (int host_net, json_t *extra, char **out, struct bx_err *e);

/* The host's resolv.conf (systemd-resolved's upstream file when the host
 * names only 127.0.0.53). Without HOST_NET, localhost and IPv6
 * nameservers are dropped as Docker does, and Google's public servers
 * stand in when none is left. DNS (--dns, array) replaces the nameservers,
 * SEARCH (--dns-search; "." alone: none) the search and domain lines,
 * OPTIONS (--dns-option) the options line. */
int netfiles_resolv (int host_net, json_t *dns, json_t *search, json_t *options, char **out, struct bx_err *e);

#endif
