/* net - find and read the networks of a state directory: networks/NAME/
 *
 *   config.json   the network as `docker network inspect` shows it (without
 *                 Containers), plus "Box": {Bridge, UserSubnet, Chain}
 *                 that inspect leaves out
 *   lock          flock, held while endpoints, leases or the resolver change
 *   leases/IP     symlink -> container id (ctr-net/ipam)
 *   endpoints/ID  one container's endpoint, key=value lines (ctr-net/endpoint)
 *   hosts, dnsmasq.pid, dnsmasq.log   the resolver (ctr-net/resolver)
 *   making        flock held by the ctr-net making the network: until it
 *                 is gone, the network is not there (ctr-net/bridge)
 *
 * (names in base/layout.h). Nothing here changes the state directory or
 * the host: ctr-create looks a network up without linking what makes one
 * (ctr-net/bridge: the devices, nftables tables and resolvers). */
#ifndef BOX_NET_H
#define BOX_NET_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "base/err.h"
#include "net/cidr.h"

#define NET_NAME_MAX 128
#define NET_ID_LEN 64
#define NET_DEFAULT "bridge"
#define NET_DEV_MAX 16 /* IFNAMSIZ */

struct net {
	char name[NET_NAME_MAX];
	char id[NET_ID_LEN + 1];
	char driver[16];          /* bridge | host | null */
	char bridge[NET_DEV_MAX]; /* device and nft table */
	char fwchain[32];         /* its iptables chain (ctr-net/fw), "" in an older config */
	struct cidr subnet;
	struct in_addr gw;
	bool user_subnet;            /* --subnet given: --ip allowed */
	bool dns;                    /* a user-defined network: names resolve */
	bool internal;               /* --internal: no way out, nothing published */
	bool icc;                    /* enable_icc: its containers reach each other */
	bool masquerade;             /* enable_ip_masquerade: what leaves is masqueraded */
	int mtu;                     /* driver.mtu, 0: the kernel's */
	struct cidr range;           /* --ip-range; the subnet when none */
	struct in_addr host_binding; /* host_binding_ipv4: -p without an address */
	bool ipv6;                   /* EnableIPv6 with a v6 subnet: containers get v6 too */
	struct cidr6 subnet6;        /* the v6 pool of IPAM.Config (len 0: none) */
	struct in6_addr gw6;         /* its Gateway, else its first host */
	json_t *config;              /* config.json as read */
	int dirfd;                   /* networks/NAME, or -1 */
};

/* host and none exist without a directory; bridge once it is made. */
bool net_is_predefined (const char *name);

/* Open NAME (a name, an id or a unique id prefix). BX_NOTFOUND:
 * "network NAME not found". host and none open without a directory. */
int net_open (int rootfd, const char *name, struct net *n, struct bx_err *e);
/* Open the directory networks/NAME: NAME exactly, no id, not host or none;
 * BX_NOTFOUND while it is being made (it has a `making` file). */
int net_open_dir (int rootfd, const char *name, struct net *n, struct bx_err *e);
/* Open networks/ENTRY whatever its state: half made, being removed
 * (.rm-NAME.tmp-PID), a temporary name; for whoever reaps it. */
int net_open_any (int rootfd, const char *entry, struct net *n, struct bx_err *e);
void net_close (struct net *n);
/* Docker's network event ACTION (create, destroy; connect, disconnect
 * with the container CTR_ID) in the state directory's log (runtime/event) */
void net_event (int rootfd, const char *action, const struct net *n, const char *ctr_id);

/* N's internal, icc, masquerade, mtu, range, host_binding and IPv6 side
 * from its config (Internal, Options, IPAM.Config[0].IPRange, EnableIPv6
 * and the IPAM.Config entry whose Subnet is IPv6). */
int net_options_read (struct net *n, struct bx_err *e);

/* The names of every network in the store, with host and none, sorted. */
int net_names (int rootfd, char ***out, size_t *n, struct bx_err *e);
void net_names_free (char **v, size_t n);

/* A stable id for a predefined network of this state directory. */
void net_predefined_id (const char *name, char out[NET_ID_LEN + 1]);
/* 64 random hex characters. */
int net_random_id (char out[NET_ID_LEN + 1], struct bx_err *e);

#endif
