/* netstore - the networks of a state directory: networks/NAME/
 *
 *   config.json   the network as `docker network inspect` shows it (without
 *                 Containers), plus "Box": {Bridge, UserSubnet} that
 *                 inspect leaves out
 *   lock          flock, held while endpoints, leases or the resolver change
 *   leases/IP     symlink -> container id (lib/ipam)
 *   endpoints/ID  one container's endpoint, key=value lines (lib/endpoint)
 *   hosts, dnsmasq.pid, dnsmasq.log   the resolver (lib/resolver)
 *
 * Device and table names start with a prefix, "box" unless BOX_NET_PREFIX
 * says otherwise (1 to 6 of [a-z0-9]): the default bridge is PREFIX0, a
 * user network's bridge PREFIX-<8 hex of its id>, a veth PREFIXv<8 hex>.
 * Each network's nftables table is named after its bridge. The names are
 * written into the network's config and the endpoint files when made, so
 * removing never depends on the environment. Tests set a prefix of their
 * own, so that parallel or leftover runs never share a device or a table. */
#ifndef BOX_NETSTORE_H
#define BOX_NETSTORE_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "base/err.h"
#include "net/ipam.h"

#define NET_NAME_MAX 128
#define NET_ID_LEN 64
#define NET_DEFAULT "bridge"
#define NET_DEV_MAX 16 /* IFNAMSIZ */

struct net {
	char name[NET_NAME_MAX];
	char id[NET_ID_LEN + 1];
	char driver[16];          /* bridge | host | null */
	char bridge[NET_DEV_MAX]; /* device and nft table */
	struct cidr subnet;
	struct in_addr gw;
	bool user_subnet; /* --subnet given: --ip allowed */
	bool dns;         /* a user-defined network: names resolve */
	json_t *config;   /* config.json as read */
	int dirfd;        /* networks/NAME, or -1 */
};

struct net_opts {
	const char *name;
	const char *driver;  /* NULL: bridge */
	const char *subnet;  /* NULL: picked from Docker's pools */
	const char *gateway; /* NULL: the first host of the subnet */
	json_t *labels;      /* an object, borrowed */
	const char *device;  /* NULL: from the prefix */
};

/* The device prefix (BOX_NET_PREFIX or "box"). */
int net_prefix (const char **out, struct bx_err *e);
/* Network names as Docker allows them. */
bool net_name_ok (const char *name);
/* host and none exist without a directory; bridge once it is made. */
bool net_is_predefined (const char *name);

/* Open NAME (a name, an id or a unique id prefix). BX_NOTFOUND:
 * "network NAME not found". host and none open without a directory. */
int net_open (int rootfd, const char *name, struct net *n, struct bx_err *e);
/* Make the network: its directory, bridge, address, nft table, resolver. */
int net_create (int rootfd, const struct net_opts *o, struct net *n, struct bx_err *e);
/* Open the default bridge network, making it on first use. */
int net_open_default (int rootfd, struct net *n, struct bx_err *e);
/* Make the bridge, its address and nft table again when the device is
 * gone (after a reboot, or removed by hand). */
int net_ensure_up (struct net *n, struct bx_err *e);
/* Remove the network (BX_CONFLICT while containers are attached). */
int net_remove (int rootfd, struct net *n, struct bx_err *e);
void net_close (struct net *n);

/* The names of every network in the store, with host and none, sorted. */
int net_names (int rootfd, char ***out, size_t *n, struct bx_err *e);
void net_names_free (char **v, size_t n);

/* A stable id for a predefined network of this state directory. */
void net_predefined_id (const char *name, char out[NET_ID_LEN + 1]);
/* 64 random hex characters. */
int net_random_id (char out[NET_ID_LEN + 1], struct bx_err *e);

#endif
