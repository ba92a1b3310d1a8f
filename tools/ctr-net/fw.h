/* fw - a network's place in the host's own firewall: accept rules where
 * the filter chains of iptables and nftables see its traffic
 *
 * The table of each network (ctr-net/nft) accepts and drops in its own
 * forward chain, but a packet passes every base chain of a hook: a
 * FORWARD policy of DROP elsewhere still drops it. dockerd sets that
 * policy when it turns forwarding on, and many firewalls do the same;
 * dockerd also loads br_netfilter, which sends the traffic between two
 * ports of one bridge through those chains too. So, as Docker and Netavark
 * do for theirs, box accepts its own traffic there:
 *   - iptables (iptables-nft always, iptables-legacy when its filter table
 *     is loaded): a chain PREFIX-FORWARD (BOX-FORWARD for the default
 *     prefix; a test's prefix gives it a chain of its own), jumped to from
 *     the top of FORWARD, with two rules per network:
 *       -i BRIDGE -j ACCEPT   (within the network, and out of it)
 *       -o BRIDGE -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT
 *   - nftables: the same two (three) rules, commented "box:BRIDGE", at the
 *     top of each `inet` table's forward base chain whose policy is drop.
 * They are added when a network's bridge is made (also when it is made
 * again) and removed with it; the chain and the jump go with the last
 * network of the prefix. What enters the bridge from elsewhere is left to
 * the host's chains and to the network's own table, which drops it.
 *
 * iptables-nft's tables are changed only through iptables-nft, never by
 * nft: rules nft writes there are ones iptables cannot read back. Each
 * change is one `iptables-save` and one `iptables-restore --noflush`
 * under a host-wide lock, at network create and remove only. */
#ifndef BOX_FW_H
#define BOX_FW_H

#include "base/err.h"

#define FW_CHAIN_MAX 29 /* iptables' chain names: 28 characters */

/* PREFIX-FORWARD in upper case. */
void fw_chain_name (const char *prefix, char out[FW_CHAIN_MAX]);
/* Accept BRIDGE's traffic in CHAIN (made and jumped to when missing) and
 * in nftables' dropping forward chains; what is there already stays. */
int fw_network_add (const char *chain, const char *bridge, struct bx_err *e);
/* Remove what fw_network_add made for BRIDGE; the chain and its jump when
 * no other bridge uses them. Best effort: nothing to report. */
void fw_network_del (const char *chain, const char *bridge);

#endif
