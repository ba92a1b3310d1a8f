/* bridge - make a bridge network, bring it back, remove it: its directory
 * (lib/net), bridge device and address, nftables table, resolver
 *
 * Device and table names start with a prefix, "box" unless BOX_NET_PREFIX
 * says otherwise (1 to 6 of [a-z0-9]): the default bridge is PREFIX0, a
 * user network's bridge PREFIX-<8 hex of its id>, a veth PREFIXv<8 hex>.
 * Each network's nftables table is named after its bridge. The names are
 * written into the network's config and the endpoint files when made, so
 * removing never depends on the environment. Tests set a prefix of their
 * own, so that parallel or leftover runs never share a device or a table. */
#ifndef BOX_BRIDGE_H
#define BOX_BRIDGE_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "net/net.h"

struct bridge_opts {
	const char *name;
	const char *driver;   /* NULL: bridge */
	const char *subnet;   /* NULL: picked from Docker's pools */
	const char *gateway;  /* NULL: the first host of the subnet */
	json_t *labels;       /* an object, borrowed */
	const char *device;   /* NULL: from the prefix */
	const char *ip_range; /* NULL: the whole subnet */
	json_t *aux;          /* --aux-address: name -> address, borrowed */
	json_t *options;      /* -o: the driver's options, borrowed */
	bool internal;
	bool ipv6;            /* --ipv6: containers get SUBNET6's addresses too */
	const char *subnet6;  /* a --subnet that is IPv6 */
	const char *gateway6; /* a --gateway that is IPv6 */
};

/* The device prefix (BOX_NET_PREFIX or "box"). */
int bridge_prefix (const char **out, struct bx_err *e);

/* Make the network: its directory, bridge, address, nft table, resolver. */
int bridge_create (int rootfd, const struct bridge_opts *o, struct net *n, struct bx_err *e);
/* Open the default bridge network, making it on first use. */
int bridge_open_default (int rootfd, struct net *n, struct bx_err *e);
/* Make the bridge, its address and nft table again when the device is
 * gone (after a reboot, or removed by hand). */
int bridge_ensure_up (struct net *n, struct bx_err *e);
/* Remove what a killed create or rm left in networks/ (its maker gone):
 * devices, tables, rules, resolver, directory. */
void bridge_reap (int rootfd);
/* Remove the network (BX_CONFLICT while containers are attached). */
int bridge_remove (int rootfd, struct net *n, struct bx_err *e);

#endif
