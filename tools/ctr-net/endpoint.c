#include "endpoint.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "bridge.h"
#include "ipam.h"
#include "resolver.h"
#include "rlnet.h"

/* --- the endpoint file ---------------------------------------------------- */

static void
endpoint_set (struct endpoint *ep, const char *k, const char *v)
{
	if (!strcmp (k, "endpoint"))
		snprintf (ep->epid, sizeof ep->epid, "%s", v);
	else if (!strcmp (k, "ip"))
		inet_pton (AF_INET, v, &ep->ip);
	else if (!strcmp (k, "mac"))
		sscanf (v, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &ep->mac[0], &ep->mac[1], &ep->mac[2], &ep->mac[3],
		        &ep->mac[4], &ep->mac[5]);
	else if (!strcmp (k, "veth"))
		snprintf (ep->veth, sizeof ep->veth, "%s", v);
	else if (!strcmp (k, "ifname"))
		snprintf (ep->ifname, sizeof ep->ifname, "%s", v);
	else if (!strcmp (k, "name"))
		snprintf (ep->name, sizeof ep->name, "%s", v);
	else if (!strcmp (k, "alias") && ep->naliases < ENDPOINT_ALIAS_MAX)
		snprintf (ep->aliases[ep->naliases++], sizeof ep->aliases[0], "%s", v);
	else if (!strcmp (k, "port") && ep->nports < PORTMAP_MAX) {
		struct nft_port *p = &ep->ports[ep->nports];
		char hip[INET6_ADDRSTRLEN], relay[8] = "";
		if (sscanf (v, "%3s %45s %u %u %7s", p->proto, hip, &p->host_port, &p->ctr_port, relay) >= 4 &&
		    (inet_pton (AF_INET, hip, &p->host_ip) == 1 ||
		     (p->only6 = inet_pton (AF_INET6, hip, &p->host_ip6) == 1))) {
			p->ctr_ip = ep->ip;
			p->relay6 = !strcmp (relay, "relay6");
			ep->nports++;
		}
	}
}

struct in6_addr
endpoint_ip6 (const struct net *n, const struct endpoint *ep)
{
	return cidr_v6_host (n->subnet6, ntohl (ep->ip.s_addr) - ntohl (n->subnet.net.s_addr));
}

/* EP's ports go to its addresses; on an IPv6 network, those published on
 * every address are published on [::] too, to its IPv6 address */
static void
endpoint_ports_to (const struct net *n, struct endpoint *ep)
{
	for (int i = 0; i < ep->nports; i++) {
		struct nft_port *p = &ep->ports[i];
		p->ctr_ip = ep->ip;
		p->v6 = n->ipv6 && !p->host_ip.s_addr && !p->only6;
		if (p->v6)
			p->ctr_ip6 = endpoint_ip6 (n, ep);
	}
}

int
endpoint_read (struct net *n, const char *cid, struct endpoint *ep, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	char path[128], *line, *save = NULL;

	memset (ep, 0, sizeof *ep);
	snprintf (ep->cid, sizeof ep->cid, "%s", cid);
	snprintf (path, sizeof path, L_ENDPOINTS "/%s", cid);
	if (afile_slurp_at (n->dirfd, path, &buf, NULL, e) < 0)
		return -1;
	for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
		char *eq = strchr (line, '=');
		if (eq) {
			*eq = 0;
			endpoint_set (ep, line, eq + 1);
		}
	}
	endpoint_ports_to (n, ep);
	return 0;
}

static int
endpoint_write (struct net *n, const struct endpoint *ep, struct bx_err *e)
{
	/* a port line is at most 70 bytes, an alias line 134 */
	size_t size = 1024 + (size_t)ep->nports * 80 + (size_t)ep->naliases * 140, off;
	_cleanup_free_ char *buf = malloc (size);
	char ip[INET_ADDRSTRLEN], path[128];

	if (!buf)
		return err_set (e, BX_SYSTEM, ENOMEM, "endpoint %s", ep->cid);
	inet_ntop (AF_INET, &ep->ip, ip, sizeof ip);
	off = snprintf (
	    buf, size, "endpoint=%s\nip=%s\nmac=%02x:%02x:%02x:%02x:%02x:%02x\nveth=%s\nifname=%s\nname=%s\n", ep->epid,
	    ip, ep->mac[0], ep->mac[1], ep->mac[2], ep->mac[3], ep->mac[4], ep->mac[5], ep->veth, ep->ifname, ep->name);
	for (int i = 0; i < ep->naliases; i++)
		off += snprintf (buf + off, size - off, "alias=%s\n", ep->aliases[i]);
	for (int i = 0; i < ep->nports; i++) {
		char hip[INET6_ADDRSTRLEN];
		if (ep->ports[i].only6)
			inet_ntop (AF_INET6, &ep->ports[i].host_ip6, hip, sizeof hip);
		else
			inet_ntop (AF_INET, &ep->ports[i].host_ip, hip, sizeof hip);
		off += snprintf (buf + off, size - off, "port=%s %s %u %u%s\n", ep->ports[i].proto, hip,
		                 ep->ports[i].host_port, ep->ports[i].ctr_port, ep->ports[i].relay6 ? " relay6" : "");
	}
	snprintf (path, sizeof path, L_ENDPOINTS "/%s", ep->cid);
	return afile_replace_at (n->dirfd, path, buf, strlen (buf), 0644, e);
}

/* --- listing -------------------------------------------------------------- */

static bool
ctr_exists (int rootfd, const char *cid)
{
	char path[128];

	snprintf (path, sizeof path, L_CONTAINERS "/%s", cid);
	return faccessat (rootfd, path, F_OK, 0) == 0;
}

/* FN for each endpoint file of N; LIVE: only those whose container exists,
 * else only those whose container is gone. */
static int
endpoint_scan (int rootfd, struct net *n, bool live, int (*fn) (const struct endpoint *, void *), void *arg,
               struct bx_err *e)
{
	int fd = openat (n->dirfd, L_ENDPOINTS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;
	struct endpoint ep;

	if (fd >= 0 && !d)
		close (fd);
	while (d && (de = readdir (d))) {
		struct bx_err ignored = {0};
		if (de->d_name[0] == '.' || afile_is_tmp_name (de->d_name) || ctr_exists (rootfd, de->d_name) != live)
			continue;
		if (endpoint_read (n, de->d_name, &ep, &ignored) < 0)
			continue;
		if (fn (&ep, arg) < 0)
			return err_set (e, BX_SYSTEM, ENOMEM, "network %s: endpoints", n->name);
	}
	return 0;
}

int
endpoint_each (int rootfd, struct net *n, int (*fn) (const struct endpoint *ep, void *arg), void *arg, struct bx_err *e)
{
	return endpoint_scan (rootfd, n, true, fn, arg, e);
}

/* --- the resolver's hosts file --------------------------------------------- */

struct text {
	char *s;
	size_t len, cap;
};

static int
text_add (struct text *t, const char *s)
{
	size_t l = strlen (s);

	if (t->len + l + 1 > t->cap) {
		size_t nc = (t->cap + l + 1) * 2;
		char *ns = realloc (t->s, nc);
		if (!ns)
			return -1;
		t->s = ns, t->cap = nc;
	}
	memcpy (t->s + t->len, s, l + 1);
	t->len += l;
	return 0;
}

/* "IP name alias... shortid": the names Docker's resolver answers */
static int
hosts_line (const struct endpoint *ep, void *arg)
{
	char line[4096], ip[INET_ADDRSTRLEN];
	size_t off;

	inet_ntop (AF_INET, &ep->ip, ip, sizeof ip);
	off = snprintf (line, sizeof line, "%s\t%s", ip, ep->name);
	for (int i = 0; i < ep->naliases && off < sizeof line; i++)
		off += snprintf (line + off, sizeof line - off, " %s", ep->aliases[i]);
	if (off < sizeof line)
		snprintf (line + off, sizeof line - off, " %.12s\n", ep->cid);
	return text_add (arg, line);
}

/* The resolver of a container on several networks reads this one's
 * hosts file too (ctr-net/resolver). */
static int
ctr_resolver_hup (const struct endpoint *ep, void *rootfd)
{
	char path[128];
	int cdir;

	snprintf (path, sizeof path, L_CONTAINERS "/%s", ep->cid);
	if ((cdir = openat (*(int *)rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	resolver_ctr_hup (cdir);
	close (cdir);
	return 0;
}

static int
hosts_update (int rootfd, struct net *n, struct bx_err *e)
{
	struct text t = {0};
	int rc;

	if (!n->dns)
		return 0;
	rc = text_add (&t, "") < 0 ? err_set (e, BX_SYSTEM, ENOMEM, "hosts")
	                           : endpoint_each (rootfd, n, hosts_line, &t, e);
	if (rc == 0 && resolver_update (n->dirfd, t.s, e) < 0)
		rc = err_wrap (e, "network %s", n->name);
	free (t.s);
	if (rc == 0)
		endpoint_each (rootfd, n, ctr_resolver_hup, &rootfd, &(struct bx_err){0});
	return rc;
}

/* The resolver of a user-defined network, started when found dead. */
static int
resolver_ensure (struct net *n, struct bx_err *e)
{
	if (n->dns && resolver_start (n->dirfd, n->gw, e) < 0)
		return err_wrap (e, "network %s", n->name);
	return 0;
}

/* --- removal --------------------------------------------------------------- */

/* Remove N's leases whose owner (the symlink's target, a container id)
 * DROP accepts. */
static void
leases_drop (struct net *n, bool (*drop) (const char *owner, const void *arg), const void *arg)
{
	int fd = openat (n->dirfd, L_LEASES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;
	char owner[128];
	ssize_t len;

	if (fd >= 0 && !d)
		close (fd);
	while (d && (de = readdir (d))) {
		if (de->d_name[0] == '.' || (len = readlinkat (dirfd (d), de->d_name, owner, sizeof owner - 1)) < 0)
			continue;
		owner[len] = 0;
		if (drop (owner, arg))
			unlinkat (dirfd (d), de->d_name, 0);
	}
}

static bool
owned_by (const char *owner, const void *cid)
{
	return !strcmp (owner, cid);
}

/* Everything of CID's endpoint, N's lock held; the lease even when no
 * endpoint file was written. */
static void
endpoint_remove_locked (int rootfd, struct net *n, const char *cid, int keep_link)
{
	struct bx_err ignored = {0};
	char path[128];
	struct endpoint ep;
	struct netlink nl;

	if (endpoint_read (n, cid, &ep, &ignored) == 0) {
		if (ep.nports) {
			nft_ports_del (n->bridge, ep.ports, ep.nports);
			portmap_release (rootfd, ep.ports, ep.nports, cid);
		}
		if (!keep_link && *ep.veth && netlink_open (&nl, &ignored) == 0) {
			netlink_link_del (&nl, ep.veth, &ignored);
			netlink_close (&nl);
		}
	}
	leases_drop (n, owned_by, cid);
	snprintf (path, sizeof path, L_ENDPOINTS "/%s", cid);
	unlinkat (n->dirfd, path, 0);
}

int
endpoint_remove (int rootfd, struct net *n, const char *cid, int keep_link, struct bx_err *e)
{
	_cleanup_close_ int lock = lock_take_at (n->dirfd, L_NET_LOCK, LOCK_WAIT, e);

	if (lock < 0)
		return err_wrap (e, "network %s", n->name);
	endpoint_remove_locked (rootfd, n, cid, keep_link);
	return hosts_update (rootfd, n, e);
}

int
endpoint_rename (int rootfd, struct net *n, const char *cid, const char *name, struct bx_err *e)
{
	_cleanup_close_ int lock = lock_take_at (n->dirfd, L_NET_LOCK, LOCK_WAIT, e);
	struct endpoint ep;

	if (lock < 0)
		return err_wrap (e, "network %s", n->name);
	if (endpoint_read (n, cid, &ep, e) < 0)
		return e->code == BX_NOTFOUND ? (*e = (struct bx_err){0}, 0) : -1;
	snprintf (ep.name, sizeof ep.name, "%s", name);
	if (endpoint_write (n, &ep, e) < 0)
		return err_wrap (e, "network %s", n->name);
	return hosts_update (rootfd, n, e);
}

static int
sweep_one (const struct endpoint *ep, void *arg)
{
	void **a = arg;

	endpoint_remove_locked (*(int *)a[0], a[1], ep->cid, 0);
	return 0;
}

static bool
owner_gone (const char *owner, const void *rootfd)
{
	/* an --aux-address is the network's own */
	return strncmp (owner, IPAM_AUX_OWNER, strlen (IPAM_AUX_OWNER)) && !ctr_exists (*(const int *)rootfd, owner);
}

static int
sweep_locked (int rootfd, struct net *n, struct bx_err *e)
{
	void *a[2] = {&rootfd, n};

	if (endpoint_scan (rootfd, n, false, sweep_one, a, e) < 0)
		return -1;
	/* leases no endpoint explains (a crash between taking the lease and
	 * writing the endpoint) whose container is gone */
	leases_drop (n, owner_gone, &rootfd);
	return 0;
}

int
endpoint_sweep (int rootfd, struct net *n, struct bx_err *e)
{
	_cleanup_close_ int lock = lock_take_at (n->dirfd, L_NET_LOCK, LOCK_WAIT, e);

	if (lock < 0)
		return err_wrap (e, "network %s", n->name);
	if (sweep_locked (rootfd, n, e) < 0)
		return -1;
	return hosts_update (rootfd, n, e);
}

/* --- attaching ------------------------------------------------------------- */

static uint32_t
fnv32 (const char *a, const char *b)
{
	uint32_t h = 0x811c9dc5u;

	for (const char *s = a; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x01000193u;
	for (const char *s = b; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x01000193u;
	return h;
}

/* Lease, names, MAC (Docker's: 02:42 and the address), ports: the file
 * that says what is about to be made. */
static int
endpoint_plan (int rootfd, struct net *n, struct endpoint_req *r, struct bx_err *e)
{
	struct endpoint *ep = &r->ep;
	_cleanup_close_ int leases = openat (n->dirfd, L_LEASES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *prefix;
	uint32_t ip;

	if (leases < 0)
		return err_set (e, BX_SYSTEM, errno, "network %s: leases", n->name);
	if (bridge_prefix (&prefix, e) < 0 || net_random_id (ep->epid, e) < 0)
		return -1;
	if (ipam_lease (leases, n->subnet, n->range, n->gw, r->want, ep->cid, &ep->ip, e) < 0)
		return -1;
	ip = ntohl (ep->ip.s_addr);
	ep->mac[0] = 0x02, ep->mac[1] = 0x42;
	for (int i = 0; i < 4; i++)
		ep->mac[2 + i] = (ip >> (24 - 8 * i)) & 0xff;
	snprintf (ep->veth, sizeof ep->veth, "%sv%08x", prefix, fnv32 (ep->cid, n->id));
	endpoint_ports_to (n, ep);
	if (portmap_reserve (rootfd, ep->ports, ep->nports, ep->cid, e) < 0)
		return err_wrap (e, "driver failed programming external connectivity on endpoint %s (%s)", ep->name,
		                 ep->epid);
	if (endpoint_write (n, ep, e) < 0) {
		portmap_release (rootfd, ep->ports, ep->nports, ep->cid);
		return -1;
	}
	return 0;
}

/* A flag of the veth's bridge port: hairpin_mode (a container reaching
 * its own published port goes out of its bridge port and must come back
 * in by it; Docker sets the same without its proxy), isolated (enable_icc
 * false: no frame between two isolated ports, the host still reached;
 * IP between ports never passes the ip family's hooks without
 * br_netfilter, which box does not load) */
static int
brport_on (const char *veth, const char *flag, struct bx_err *e)
{
	char path[PATH_MAX + 64];

	snprintf (path, sizeof path, "%s/class/net/%s/brport/%s", rlnet_sysfs (), veth, flag);
	if (afile_put (path, "1", 1) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s on %s", flag, veth);
	return 0;
}

/* The veth, and inside the container: address, up, default route. */
static int
endpoint_link (struct net *n, struct endpoint_req *r, int nsfd, struct netlink *inner, struct bx_err *e)
{
	struct endpoint *ep = &r->ep;
	struct netlink host;
	int br, idx, rc;

	if (netlink_open (&host, e) < 0)
		return -1;
	br = netlink_link_index (&host, n->bridge);
	if (!br)
		rc = err_set (e, BX_SYSTEM, ENODEV, "bridge %s", n->bridge);
	else
		rc = netlink_veth_add (&host, ep->veth, br, ep->ifname, nsfd, ep->mac, n->mtu, e);
	netlink_close (&host);
	if (rc < 0 || brport_on (ep->veth, "hairpin_mode", e) < 0 ||
	    (!n->icc && brport_on (ep->veth, "isolated", e) < 0))
		return -1;
	if (!(idx = netlink_link_index (inner, ep->ifname)))
		return err_set (e, BX_SYSTEM, ENODEV, "container interface %s", ep->ifname);
	if (netlink_addr_add (inner, idx, ep->ip, n->subnet.len, e) < 0 || netlink_link_up (inner, idx, e) < 0)
		return -1;
	if (r->gateway && netlink_route_default (inner, n->gw, 0, e) < 0)
		return -1;
	if (n->ipv6 && (netlink_addr6_add (inner, idx, endpoint_ip6 (n, ep), n->subnet6.len, e) < 0 ||
	                (r->gateway && netlink_route6_default (inner, n->gw6, e) < 0)))
		return -1;
	return 0;
}

int
endpoint_add (int rootfd, struct net *n, struct endpoint_req *r, int nsfd, struct netlink *inner, struct bx_err *e)
{
	_cleanup_close_ int lock = lock_take_at (n->dirfd, L_NET_LOCK, LOCK_WAIT, e);
	struct bx_err ignored = {0};
	char path[128];

	if (lock < 0)
		return err_wrap (e, "network %s", n->name);
	if (sweep_locked (rootfd, n, e) < 0 || bridge_ensure_up (n, e) < 0)
		return -1;
	snprintf (path, sizeof path, L_ENDPOINTS "/%s", r->ep.cid);
	if (faccessat (n->dirfd, path, F_OK, 0) == 0)
		return err_set (e, BX_CONFLICT, 0, "endpoint with name %s already exists in network %s", r->ep.name,
		                n->name);
	if (endpoint_plan (rootfd, n, r, e) < 0 || endpoint_link (n, r, nsfd, inner, e) < 0 ||
	    (r->ep.nports && nft_ports_add (n->bridge, r->ep.ports, r->ep.nports, e) < 0) ||
	    hosts_update (rootfd, n, e) < 0 || resolver_ensure (n, e) < 0) {
		endpoint_remove_locked (rootfd, n, r->ep.cid, 0);
		hosts_update (rootfd, n, &ignored);
		return -1;
	}
	return 0;
}
