/* nft - the nftables rules of a bridge network, through the nft program
 *
 * Each network owns one table, `ip TABLE` (TABLE is its bridge's device
 * name, so tests that pick their own device prefix never meet another
 * run's rules), made once when the network is made:
 *   - masquerade of the subnet leaving by any other device, and of what
 *     the host sends from 127.0.0.0/8 into the bridge (published ports
 *     reached on 127.0.0.1: route_localnet is set on the bridge);
 *   - --internal: nothing leaves the bridge for another device, nothing
 *     enters it from one, no masquerade (published ports are not made);
 *   - isolation: nothing enters the bridge from elsewhere unless it answers
 *     a connection from inside or was DNATed to a published port, so two
 *     networks cannot reach each other;
 *   - published ports: two maps (proto . port, and host ip . proto . port)
 *     to container address . port, looked up by one DNAT rule in prerouting
 *     (other hosts, other containers) and one in output (the host itself).
 * A container's ports are map elements: adding or removing them is one
 * small transaction, with no rule handles to remember.
 *
 * The nft program is spawned (about 3 ms) rather than libnftables linked,
 * and only when a network is made or removed or a container publishes
 * ports: a plain `box run` never reaches this module. */
#ifndef BOX_NFT_H
#define BOX_NFT_H

#include <netinet/in.h>
#include <stdbool.h>

#include "base/err.h"
#include "net/cidr.h"

struct nft_port {
	char proto[4];          /* "tcp" | "udp" */
	struct in_addr host_ip; /* 0.0.0.0: every local address */
	unsigned host_port;
	struct in_addr ctr_ip;
	unsigned ctr_port;
	bool v6; /* published on [::] too, to CTR_IP6 */
	struct in6_addr ctr_ip6;
	bool relay6; /* published on [::] too, relayed to CTR_IP (portmap) */
	/* an IPv6 host address given (-p [::1]:P:C): published there alone,
	 * relayed to CTR_IP, nothing in the IPv4 maps */
	bool only6;
	struct in6_addr host_ip6;
	unsigned host_port_last; /* -p A-B:C: one port of A..B (HOST_PORT A), picked */
};

#define NFT_INTERNAL 1 /* --internal: nothing in or out of the bridge but to the host */
#define NFT_NO_MASQ 2  /* enable_ip_masquerade=false */

/* Create (or replace) the network's table, as FLAGS say. */
int nft_network_add (const char *table, const char *bridge, struct cidr subnet, unsigned flags, struct bx_err *e);
/* Create (or replace) the network's `ip6 TABLE`: masquerade, isolation
 * and a ports6 map (proto . port to a container's IPv6 address . port)
 * for SUBNET6, as the ip table's. */
int nft_network6_add (const char *table, const char *bridge, struct cidr6 subnet6, unsigned flags, struct bx_err *e);
/* Remove the tables (ip and ip6); 0 when they are already gone. */
int nft_network_del (const char *table, struct bx_err *e);
/* Add or remove port elements (removing ignores the ones already gone). */
int nft_ports_add (const char *table, const struct nft_port *p, int n, struct bx_err *e);
void nft_ports_del (const char *table, const struct nft_port *p, int n);

#endif
