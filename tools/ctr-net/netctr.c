#include "netctr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/gomap.h"
#include "base/layout.h"
#include "bridge.h"
#include "endpoint.h"
#include "net/netfiles.h"
#include "netlink.h"
#include "portmap.h"
#include "resolver.h"
#include "runtime/ctr.h"

/* --- create.json ------------------------------------------------------------ */

static const char *
network_mode (json_t *create)
{
	const char *m = json_string_value (json_object_get (json_object_get (create, "HostConfig"), "NetworkMode"));

	return !m || !*m || !strcmp (m, "default") ? NET_DEFAULT : m;
}

static const char *
ctr_name (json_t *create, const char *id)
{
	const char *n = json_string_value (json_object_get (create, "Name"));

	if (!n || !*n)
		return id;
	return *n == '/' ? n + 1 : n;
}

/* Whether N is the network NetworkMode MODE names (by name or id prefix). */
static bool
is_mode_net (const struct net *n, const char *mode)
{
	size_t l = strlen (mode);

	if (!strcmp (n->name, mode))
		return true;
	return l && strspn (mode, "0123456789abcdef") == l && !strncmp (n->id, mode, l);
}

/* NetworkingConfig.EndpointsConfig for network N: keyed by its name, or
 * by the id (prefix) the user gave as --network */
static json_t *
networking_config (json_t *create, const struct net *n)
{
	json_t *eps = json_object_get (json_object_get (create, "NetworkingConfig"), "EndpointsConfig");
	json_t *cfg = json_object_get (eps, n->name);
	const char *key;
	json_t *v;

	if (cfg)
		return cfg;
	json_object_foreach (eps, key, v) if (*key && strlen (key) <= strlen (n->id) &&
	                                      !strncmp (n->id, key, strlen (key))) return v;
	return NULL;
}

/* --- the namespace file ------------------------------------------------------ */

/* containers/<id>/netns: a new namespace, bind-mounted; an fd on it. The
 * file exists before the namespace does, so detach finds it after a crash. */
static int
netns_make (int cdir, struct bx_err *e)
{
	_cleanup_close_ int self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	char target[64];
	int fd, rc = 0;

	if (self < 0)
		return err_set (e, BX_SYSTEM, errno, "open own network namespace");
	fd = openat (cdir, L_NETNS, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return err_set (e, errno == EEXIST ? BX_CONFLICT : BX_SYSTEM, errno == EEXIST ? 0 : errno,
		                "network namespace%s", errno == EEXIST ? ": the container is attached already" : "");
	close (fd);
	snprintf (target, sizeof target, "/proc/self/fd/%d/" L_NETNS, cdir);
	if (unshare (CLONE_NEWNET) < 0)
		rc = err_set (e, BX_SYSTEM, errno, "new network namespace");
	else if (mount ("/proc/thread-self/ns/net", target, NULL, MS_BIND, NULL) < 0)
		rc = err_set (e, BX_SYSTEM, errno, "bind network namespace");
	if (setns (self, CLONE_NEWNET) < 0 && rc == 0)
		rc = err_set (e, BX_SYSTEM, errno, "return to own network namespace");
	if (rc == 0 && (fd = openat (cdir, L_NETNS, O_RDONLY | O_CLOEXEC)) < 0)
		rc = err_set (e, BX_SYSTEM, errno, "open network namespace");
	if (rc < 0) {
		umount2 (target, MNT_DETACH);
		unlinkat (cdir, L_NETNS, 0);
		return -1;
	}
	return fd;
}

static void
netns_remove (int cdir)
{
	char target[64];

	snprintf (target, sizeof target, "/proc/self/fd/%d/" L_NETNS, cdir);
	/* several times: a namespace file may have been mounted twice over */
	while (umount2 (target, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
		;
	unlinkat (cdir, L_NETNS, 0);
}

/* --- /etc/hosts and /etc/resolv.conf, as Docker writes them ------------------ */

static const char HOSTS_HEAD[] = "127.0.0.1\tlocalhost\n"
                                 "::1\tlocalhost ip6-localhost ip6-loopback\n"
                                 "fe00::0\tip6-localnet\n"
                                 "ff00::0\tip6-mcastprefix\n"
                                 "ff02::1\tip6-allnodes\n"
                                 "ff02::2\tip6-allrouters\n";

static const char *
hostname_of (int cdir, json_t *create, const char *id, char buf[256])
{
	const char *h = json_string_value (json_object_get (json_object_get (create, "Config"), "Hostname"));
	_cleanup_free_ char *f = NULL;
	struct bx_err ignored = {0};

	if (h && *h)
		return h;
	if (afile_slurp_at (cdir, L_HOSTNAME, &f, NULL, &ignored) == 0 && *f) {
		snprintf (buf, 256, "%s", f);
		buf[strcspn (buf, "\n")] = 0;
		return buf;
	}
	snprintf (buf, 256, "%.12s", id);
	return buf;
}

/* --add-host NAME:IP lines ("host-gateway": the network's gateway) */
static size_t
extra_hosts (json_t *create, const struct net *n, char *out, size_t cap)
{
	json_t *v, *hosts = json_object_get (json_object_get (create, "HostConfig"), "ExtraHosts");
	size_t i, off = 0;

	json_array_foreach (hosts, i, v)
	{
		const char *s = json_string_value (v), *colon = s ? strchr (s, ':') : NULL;
		char gw[INET_ADDRSTRLEN];
		if (!colon || off >= cap)
			continue;
		inet_ntop (AF_INET, &n->gw, gw, sizeof gw);
		off += snprintf (out + off, cap - off, "%s\t%.*s\n",
		                 strcmp (colon + 1, "host-gateway") ? colon + 1 : gw, (int)(colon - s), s);
	}
	return off;
}

/* NAME replaced whole, owned as before: a remapped container's files are
 * its root's (ctr-create), as dockerd gives them to the remapped root */
static int
replace_owned (int cdir, const char *name, const char *text, struct bx_err *e)
{
	struct stat st;
	int had = fstatat (cdir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;

	if (afile_replace_at (cdir, name, text, strlen (text), 0644, e) < 0)
		return -1;
	if (had && (st.st_uid || st.st_gid) && fchownat (cdir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set (e, BX_SYSTEM, errno, "chown %s", name);
	return 0;
}

static int
write_hosts (int cdir, json_t *create, const struct net *n, const struct endpoint *ep, struct bx_err *e)
{
	char buf[16384], host[256], ip[INET_ADDRSTRLEN];
	size_t off = snprintf (buf, sizeof buf, "%s", HOSTS_HEAD);

	off += extra_hosts (create, n, buf + off, sizeof buf - off - 512);
	inet_ntop (AF_INET, &ep->ip, ip, sizeof ip);
	snprintf (buf + off, sizeof buf - off, "%s\t%s\n", ip, hostname_of (cdir, create, ep->cid, host));
	return replace_owned (cdir, L_HOSTS, buf, e);
}

/* Rewrite NAME of the container in place: a running container has the
 * file bind-mounted, and a rename would leave it the old inode. */
static int
write_in_place (int cdir, const char *name, const char *text, struct bx_err *e)
{
	_cleanup_close_ int fd = openat (cdir, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || afile_write_all (fd, text, strlen (text)) < 0)
		return err_set (e, BX_SYSTEM, errno, "write %s", name);
	return 0;
}

static int
write_text (int cdir, const char *name, const char *text, int in_place, struct bx_err *e)
{
	if (in_place)
		return write_in_place (cdir, name, text, e);
	return replace_owned (cdir, name, text, e);
}

/* Docker's resolv.conf (lib/net/netfiles: the host's, loopback nameservers
 * dropped, --dns, --dns-search, --dns-option); on a user network FIRST,
 * its resolver, is the nameserver, and only --dns ones follow it (the
 * resolver forwards the rest to the host's, as Docker's embedded one). */
static int
write_resolv (int cdir, json_t *create, const char *first, int in_place, struct bx_err *e)
{
	json_t *hc = json_object_get (create, "HostConfig"), *dns = json_object_get (hc, "Dns");
	_cleanup_free_ char *base = NULL, *out = NULL;
	char *line, *save = NULL;
	size_t len = 0;
	FILE *f;

	if (netfiles_resolv (0, dns, json_object_get (hc, "DnsSearch"), json_object_get (hc, "DnsOptions"), &base, e) <
	    0)
		return -1;
	if (!first)
		return write_text (cdir, L_RESOLV, base, in_place, e);
	if (!(f = open_memstream (&out, &len)))
		return err_set (e, BX_SYSTEM, errno, "resolv.conf");
	fprintf (f, "nameserver %s\n", first);
	for (line = strtok_r (base, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
		if (strncmp (line, "nameserver", 10) || json_array_size (dns))
			fprintf (f, "%s\n", line);
	if (fclose (f) != 0)
		return err_set (e, BX_SYSTEM, ENOMEM, "resolv.conf");
	return write_text (cdir, L_RESOLV, out, in_place, e);
}

/* --- NetworkSettings ----------------------------------------------------------- */

/* EP's aliases; on a user network with the short id among them, as
 * dockerd adds it to the endpoint's config (updateNetworkConfig) */
static json_t *
aliases_of (const struct endpoint *ep, int with_dns)
{
	json_t *a = json_array ();
	char shortid[13];
	int has = 0;

	snprintf (shortid, sizeof shortid, "%.12s", ep->cid);
	for (int i = 0; i < ep->naliases; i++) {
		has |= !strcmp (ep->aliases[i], shortid);
		json_array_append_new (a, json_string (ep->aliases[i]));
	}
	if (with_dns && !has)
		json_array_append_new (a, json_string (shortid));
	if (json_array_size (a))
		return a;
	json_decref (a);
	return json_null ();
}

/* DNSNames (newer Docker's): the name, then the aliases with the short id */
static json_t *
names_of (const struct endpoint *ep, int with_dns)
{
	json_t *a, *al;

	if (!with_dns)
		return json_null ();
	a = json_array ();
	json_array_append_new (a, json_string (ep->name));
	al = aliases_of (ep, with_dns);
	json_array_extend (a, al);
	json_decref (al);
	return a;
}

/* Networks.NET of Docker's NetworkSettings */
static json_t *
network_entry (const struct net *n, const struct endpoint *ep, json_t *create)
{
	char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN], mac[18], ip6[INET6_ADDRSTRLEN] = "", gw6[INET6_ADDRSTRLEN] = "";
	json_t *cfg = networking_config (create, n), *ipam = json_object_get (cfg, "IPAMConfig");
	json_t *opts = json_object_get (cfg, "DriverOpts");
	struct in6_addr a6 = endpoint_ip6 (n, ep);

	inet_ntop (AF_INET, &ep->ip, ip, sizeof ip);
	inet_ntop (AF_INET, &n->gw, gw, sizeof gw);
	if (n->ipv6) {
		inet_ntop (AF_INET6, &a6, ip6, sizeof ip6);
		inet_ntop (AF_INET6, &n->gw6, gw6, sizeof gw6);
	}
	snprintf (mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", ep->mac[0], ep->mac[1], ep->mac[2], ep->mac[3],
	          ep->mac[4], ep->mac[5]);
	return json_pack ("{s:O, s:n, s:o, s:s, s:O, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:o}", "IPAMConfig",
	                  ipam ? ipam : json_null (), "Links", "Aliases", aliases_of (ep, n->dns), "MacAddress", mac,
	                  "DriverOpts", opts ? opts : json_null (), "NetworkID", n->id, "EndpointID", ep->epid,
	                  "Gateway", gw, "IPAddress", ip, "IPPrefixLen", n->subnet.len, "IPv6Gateway", gw6,
	                  "GlobalIPv6Address", ip6, "GlobalIPv6PrefixLen", n->ipv6 ? n->subnet6.len : 0, "DNSNames",
	                  names_of (ep, n->dns));
}

/* Ports: each published port, and each exposed one unpublished (null),
 * keyed as Go's map */
static json_t *
ports_json (const struct endpoint *ep, json_t *create)
{
	json_t *ports = json_object (), *v, *sorted;
	json_t *exposed = json_object_get (json_object_get (create, "Config"), "ExposedPorts");
	const char *key;
	char k[32], ip[INET6_ADDRSTRLEN], hp[8];

	json_object_foreach (exposed, key, v) json_object_set_new (ports, key, json_null ());
	for (int i = 0; ep && i < ep->nports; i++) {
		const struct nft_port *p = &ep->ports[i];
		snprintf (k, sizeof k, "%u/%s", p->ctr_port, p->proto);
		if (p->only6)
			inet_ntop (AF_INET6, &p->host_ip6, ip, sizeof ip);
		else
			inet_ntop (AF_INET, &p->host_ip, ip, sizeof ip);
		snprintf (hp, sizeof hp, "%u", p->host_port);
		if (!json_is_array (json_object_get (ports, k)))
			json_object_set_new (ports, k, json_array ());
		json_array_append_new (json_object_get (ports, k),
		                       json_pack ("{s:s, s:s}", "HostIp", ip, "HostPort", hp));
		if (!p->only6 && (p->v6 || p->relay6))
			json_array_append_new (json_object_get (ports, k),
			                       json_pack ("{s:s, s:s}", "HostIp", "::", "HostPort", hp));
	}
	sorted = gomap_sorted (ports);
	json_decref (ports);
	return sorted;
}

/* The top-level fields Docker fills from the default bridge only */
static void
settings_bridge (json_t *s, json_t *ep)
{
	static const char *keys[] = {"EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "MacAddress"};

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		json_object_set (s, keys[i], json_object_get (ep, keys[i]));
}

static json_t *
settings_new (const char *id, int cdir)
{
	char sandbox[PATH_MAX] = "", link[64];
	ssize_t len;

	snprintf (link, sizeof link, "/proc/self/fd/%d", cdir);
	if ((len = readlink (link, sandbox, sizeof sandbox - 8)) > 0)
		snprintf (sandbox + len, sizeof sandbox - len, "/" L_NETNS);
	else
		sandbox[0] = 0;
	return json_pack ("{s:s, s:s, s:b, s:s, s:i, s:{}, s:s, s:n, s:n, s:s, s:s, s:s, s:i, s:s, s:i, s:s, "
	                  "s:s, s:{}}",
	                  "Bridge", "", "SandboxID", id, "HairpinMode", 0, "LinkLocalIPv6Address", "",
	                  "LinkLocalIPv6PrefixLen", 0, "Ports", "SandboxKey", sandbox, "SecondaryIPAddresses",
	                  "SecondaryIPv6Addresses", "EndpointID", "", "Gateway", "", "GlobalIPv6Address", "",
	                  "GlobalIPv6PrefixLen", 0, "IPAddress", "", "IPPrefixLen", 0, "IPv6Gateway", "", "MacAddress",
	                  "", "Networks");
}

/* The endpoint that carries the ports: the one on the network named by
 * NetworkMode */
static int
settings_add (json_t *s, struct net *n, const struct endpoint *ep, json_t *create)
{
	json_t *j = network_entry (n, ep, create);
	const char *mode = network_mode (create);

	if (!j)
		return -1;
	if (is_mode_net (n, mode)) {
		json_object_set_new (s, "Ports", ports_json (ep, create));
		if (!strcmp (n->name, NET_DEFAULT))
			settings_bridge (s, j);
	}
	return json_object_set_new (json_object_get (s, "Networks"), n->name, j);
}

struct settings_ctx {
	int rootfd;
	const char *id;
	json_t *create;
	json_t *s;
};

static int
each_network (int rootfd, int (*fn) (struct net *n, void *arg), void *arg, struct bx_err *e)
{
	char **names = NULL;
	size_t nn = 0;
	int rc = 0;

	if (net_names (rootfd, &names, &nn, e) < 0)
		return -1;
	for (size_t i = 0; i < nn && rc == 0; i++) {
		struct net n;
		struct bx_err ignored = {0};
		if (!strcmp (names[i], "host") || !strcmp (names[i], "none"))
			continue;
		if (net_open (rootfd, names[i], &n, &ignored) < 0)
			continue;
		rc = fn (&n, arg);
		net_close (&n);
	}
	net_names_free (names, nn);
	if (rc < 0)
		return err_set (e, BX_SYSTEM, ENOMEM, "network settings");
	return 0;
}

static int
settings_one (struct net *n, void *arg)
{
	struct settings_ctx *c = arg;
	struct bx_err ignored = {0};
	struct endpoint ep;

	if (endpoint_read (n, c->id, &ep, &ignored) < 0)
		return 0;
	return settings_add (c->s, n, &ep, c->create);
}

int
netctr_settings (int rootfd, const char *id, json_t **out, struct bx_err *e)
{
	_cleanup_close_ int cdir = ctr_open (rootfd, id, e);
	struct settings_ctx c = {rootfd, id, NULL, NULL};

	if (cdir < 0 || !(c.create = ctr_create_read (cdir, e)))
		return -1;
	c.s = settings_new (id, cdir);
	if (!c.s || each_network (rootfd, settings_one, &c, e) < 0) {
		json_decref (c.create);
		json_decref (c.s);
		return c.s ? -1 : err_set (e, BX_SYSTEM, ENOMEM, "network settings");
	}
	json_decref (c.create);
	*out = c.s;
	return 0;
}

static int
write_settings (int rootfd, int cdir, const char *id, struct bx_err *e)
{
	json_t *s = NULL;
	_cleanup_free_ char *js = NULL;

	if (netctr_settings (rootfd, id, &s, e) < 0)
		return -1;
	js = json_dumps (s, JSON_INDENT (4) | JSON_PRESERVE_ORDER);
	json_decref (s);
	if (!js)
		return err_set (e, BX_SYSTEM, ENOMEM, L_NETWORK_JSON);
	return afile_replace_at (cdir, L_NETWORK_JSON, js, strlen (js), 0644, e);
}

/* --- attach, connect ------------------------------------------------------------ */

/* The request for container ID on N from create.json's endpoint config. */
static int
attach_request (json_t *create, const char *id, struct net *n, struct endpoint_req *r, struct bx_err *e)
{
	json_t *cfg = networking_config (create, n), *v;
	const char *ip = json_string_value (json_object_get (json_object_get (cfg, "IPAMConfig"), "IPv4Address"));
	size_t i;

	memset (r, 0, sizeof *r);
	snprintf (r->ep.cid, sizeof r->ep.cid, "%s", id);
	snprintf (r->ep.name, sizeof r->ep.name, "%s", ctr_name (create, id));
	json_array_foreach (json_object_get (cfg, "Aliases"), i, v)
	{
		if (!n->dns)
			return err_set (
			    e, BX_USAGE, 0,
			    "network-scoped alias is supported only for containers in user defined networks");
		if (json_is_string (v) && r->ep.naliases < ENDPOINT_ALIAS_MAX)
			snprintf (r->ep.aliases[r->ep.naliases++], sizeof r->ep.aliases[0], "%s",
			          json_string_value (v));
	}
	if (ip && *ip) {
		if (!n->user_subnet)
			return err_set (e, BX_USAGE, 0,
			                "user specified IP address is supported only when connecting to networks with "
			                "user configured subnets");
		if (cidr_ip_parse (ip, &r->want, e) < 0)
			return -1;
	}
	return 0;
}

static int
open_mode_net (int rootfd, const char *mode, struct net *n, struct bx_err *e)
{
	if (!strcmp (mode, NET_DEFAULT))
		return bridge_open_default (rootfd, n, e);
	if (net_open (rootfd, mode, n, e) < 0)
		return -1;
	if (n->dirfd < 0) { /* host or none named by id */
		net_close (n);
		return err_set (e, BX_USAGE, 0, "network %s: not a bridge network", mode);
	}
	return 0;
}

/* lo up inside the new namespace */
static int
lo_up (struct netlink *inner, struct bx_err *e)
{
	int lo = netlink_link_index (inner, "lo");

	if (!lo)
		return err_set (e, BX_SYSTEM, ENODEV, "loopback");
	return netlink_link_up (inner, lo, e);
}

struct attach {
	int rootfd, cdir, nsfd;
	const char *id;
	json_t *create;
	struct net n;
	struct netlink inner;
	struct endpoint_req r;
};

/* The ports N publishes: none on an internal network (as Docker), and
 * those without an address on its host_binding_ipv4. */
static void
ports_on (const struct net *n, struct endpoint *ep)
{
	if (n->internal)
		ep->nports = 0;
	for (int i = 0; i < ep->nports; i++)
		if (!ep->ports[i].host_ip.s_addr && !ep->ports[i].only6)
			ep->ports[i].host_ip = n->host_binding;
}

static int
attach_steps (struct attach *a, const char *mode, struct bx_err *e)
{
	if (open_mode_net (a->rootfd, mode, &a->n, e) < 0 || attach_request (a->create, a->id, &a->n, &a->r, e) < 0 ||
	    portmap_parse (a->create, a->r.ep.ports, &a->r.ep.nports, e) < 0)
		return -1;
	ports_on (&a->n, &a->r.ep);
	snprintf (a->r.ep.ifname, sizeof a->r.ep.ifname, "eth0");
	a->r.gateway = 1;
	if ((a->nsfd = netns_make (a->cdir, e)) < 0)
		return -1;
	if (netlink_open_in (&a->inner, a->nsfd, e) < 0 || lo_up (&a->inner, e) < 0)
		return -1;
	if (endpoint_add (a->rootfd, &a->n, &a->r, a->nsfd, &a->inner, e) < 0)
		return -1;
	if (write_hosts (a->cdir, a->create, &a->n, &a->r.ep, e) < 0)
		return -1;
	if (write_resolv (a->cdir, a->create, a->n.dns ? inet_ntoa (a->n.gw) : NULL, 0, e) < 0)
		return -1;
	return write_settings (a->rootfd, a->cdir, a->id, e);
}

static int detach (int rootfd, const char *id, int may_keep_link, struct bx_err *e);
static int attach_connected (struct attach *a, const char *mode, struct bx_err *e);

/* 1: containers/<id>/netns is a live namespace (attached already), 0: there
 * is none, -1: a file that is no namespace any more (the mount was lost
 * with a reboot), whose endpoints are stale. */
static int
netns_state (int cdir)
{
	_cleanup_close_ int fd = openat (cdir, L_NETNS, O_RDONLY | O_CLOEXEC);
	struct statfs sf;

	if (fd < 0)
		return 0;
	return fstatfs (fd, &sf) == 0 && sf.f_type == NSFS_MAGIC ? 1 : -1;
}

int
netctr_attach (int rootfd, const char *id, struct bx_err *e)
{
	struct attach a = {.rootfd = rootfd, .nsfd = -1, .id = id, .n = {.dirfd = -1}, .inner = {.fd = -1}};
	const char *mode;
	int rc;

	if ((a.cdir = ctr_open (rootfd, id, e)) < 0 || !(a.create = ctr_create_read (a.cdir, e))) {
		if (a.cdir >= 0)
			close (a.cdir);
		return -1;
	}
	mode = network_mode (a.create);
	rc = 0;
	/* box start attaches every time: once attached, the network stays
	 * until rm; what a reboot left is cleaned and made anew */
	switch (netns_state (a.cdir)) {
	case 1: mode = "none"; break;
	/* by hand: the same veth names are made again at once */
	case -1: detach (rootfd, id, 0, &(struct bx_err){0}); break;
	}
	if (strcmp (mode, "none") && strcmp (mode, "host") && strncmp (mode, "container:", 10)) {
		rc = attach_steps (&a, mode, e);
		if (rc == 0)
			net_event (rootfd, "connect", &a.n, id);
		if (rc == 0)
			rc = attach_connected (&a, mode, e);
		/* undo from the namespace on: before it, nothing was made (but
		 * the default bridge, which stays, as Docker's does) */
		if (rc < 0 && a.nsfd >= 0)
			netctr_detach (rootfd, id, &(struct bx_err){0});
	}
	netlink_close (&a.inner);
	if (a.nsfd >= 0)
		close (a.nsfd);
	net_close (&a.n);
	json_decref (a.create);
	close (a.cdir);
	return rc;
}

/* Absolute path of the open directory FD, then /NAME. */
static void
fd_path (int fd, const char *name, char out[PATH_MAX])
{
	char link[64];
	ssize_t len;

	snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
	len = readlink (link, out, PATH_MAX - 64);
	snprintf (out + (len > 0 ? len : 0), 64, "/%s", name);
}

#define DNS_NETS_MAX 16

struct dns_ctx {
	const char *id, *mode;
	char gw[INET_ADDRSTRLEN];
	int primary;
	char hosts[DNS_NETS_MAX][PATH_MAX]; /* the hosts files of its user networks */
	int nuser;
};

static int
dns_one (struct net *n, void *arg)
{
	struct dns_ctx *c = arg;
	int primary = is_mode_net (n, c->mode);
	char path[128];

	snprintf (path, sizeof path, L_ENDPOINTS "/%s", c->id);
	if (!n->dns || faccessat (n->dirfd, path, F_OK, 0) < 0)
		return 0;
	if (c->nuser < DNS_NETS_MAX)
		fd_path (n->dirfd, L_NET_HOSTS, c->hosts[c->nuser++]);
	if ((c->gw[0] && !primary) || c->primary)
		return 0;
	inet_ntop (AF_INET, &n->gw, c->gw, sizeof c->gw);
	c->primary = primary;
	return 0;
}

/* The nameservers a container's own resolver forwards to: those its
 * resolv.conf would name without a user network. */
static int
upstream_servers (json_t *create, char out[3][64], struct bx_err *e)
{
	json_t *hc = json_object_get (create, "HostConfig");
	_cleanup_free_ char *base = NULL;
	char *line, *save = NULL;
	int n = 0;

	if (netfiles_resolv (0, json_object_get (hc, "Dns"), NULL, NULL, &base, e) < 0)
		return -1;
	for (line = strtok_r (base, "\n", &save); line && n < 3; line = strtok_r (NULL, "\n", &save))
		if (sscanf (line, "nameserver %63s", out[n]) == 1)
			n++;
	return n;
}

/* After connect or disconnect: on one user network, its resolver (the
 * network NetworkMode names first, else any user network, as Docker's
 * embedded resolver comes with the first user network); on several, a
 * resolver of the container's own that answers for all of them
 * (ctr-net/resolver); on none, the host's nameservers. */
static int
update_resolv (int rootfd, int cdir, const char *id, json_t *create, struct bx_err *e)
{
	struct dns_ctx *c = calloc (1, sizeof *c);
	char servers[3][64], *hosts[DNS_NETS_MAX], *sv[3] = {servers[0], servers[1], servers[2]};
	_cleanup_close_ int nsfd = -1;
	int ns, rc = -1;

	if (!c)
		return err_set (e, BX_SYSTEM, ENOMEM, "resolv.conf");
	c->id = id, c->mode = network_mode (create);
	resolver_ctr_stop (cdir);
	if (each_network (rootfd, dns_one, c, e) < 0)
		goto out;
	if (c->nuser < 2) {
		rc = write_resolv (cdir, create, c->gw[0] ? c->gw : NULL, 1, e);
		goto out;
	}
	for (int i = 0; i < c->nuser; i++)
		hosts[i] = c->hosts[i];
	if ((ns = upstream_servers (create, servers, e)) < 0)
		goto out;
	if ((nsfd = openat (cdir, L_NETNS, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = err_set (e, BX_SYSTEM, errno, "open network namespace");
		goto out;
	}
	if (resolver_ctr_start (cdir, nsfd, hosts, c->nuser, sv, ns, e) < 0)
		goto out;
	rc = write_resolv (cdir, create, RESOLVER_CTR_ADDR, 1, e);
out:
	free (c);
	return rc;
}

/* --- the default route --------------------------------------------------------- */

struct gw_ctx {
	const char *id;
	struct in_addr gw;
	bool found;
};

static int
gw_one (struct net *n, void *arg)
{
	struct gw_ctx *c = arg;
	char path[128];

	snprintf (path, sizeof path, L_ENDPOINTS "/%s", c->id);
	if (c->found || faccessat (n->dirfd, path, F_OK, 0) < 0)
		return 0;
	c->gw = n->gw;
	c->found = true;
	return 0;
}

/* The default route as Docker chooses it when networks come and go
 * (libnetwork orders a container's endpoints by the priority given at
 * connect, then networks of the swarm's gateway last, internal networks
 * last, networks with a gateway first, then by network name; the first
 * one's gateway is the default route). box has no priorities, no
 * internal networks, and a gateway on every network: the network whose
 * name sorts first (each_network goes in name order). */
static int
update_route (int rootfd, int cdir, const char *id, struct bx_err *e)
{
	struct gw_ctx c = {.id = id};
	struct netlink inner = {.fd = -1};
	_cleanup_close_ int nsfd = openat (cdir, L_NETNS, O_RDONLY | O_CLOEXEC);
	int rc;

	if (nsfd < 0) /* no namespace of its own: no route to set */
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "open network namespace");
	if (each_network (rootfd, gw_one, &c, e) < 0)
		return -1;
	if (!c.found)
		return 0;
	if (netlink_open_in (&inner, nsfd, e) < 0)
		return -1;
	rc = netlink_route_default (&inner, c.gw, 1, e);
	netlink_close (&inner);
	return rc;
}

/* The first ethN that the namespace does not have yet. */
static void
next_ifname (struct netlink *inner, char out[IF_NAMESIZE])
{
	for (int i = 0; i < 100; i++) {
		snprintf (out, IF_NAMESIZE, "eth%d", i);
		if (!netlink_link_index (inner, out))
			return;
	}
}

/* ID joins N now: an endpoint as create.json's EndpointsConfig entry for
 * N says (aliases, address), the route and resolver after it */
static int
connect_live (int rootfd, int cdir, int nsfd, struct net *n, const char *id, json_t *create, struct bx_err *e)
{
	struct netlink inner = {.fd = -1};
	struct endpoint_req r;
	int rc = -1;

	if (attach_request (create, id, n, &r, e) < 0 || netlink_open_in (&inner, nsfd, e) < 0)
		return -1;
	next_ifname (&inner, r.ep.ifname);
	if (endpoint_add (rootfd, n, &r, nsfd, &inner, e) == 0 && write_settings (rootfd, cdir, id, e) == 0 &&
	    update_route (rootfd, cdir, id, e) == 0)
		rc = update_resolv (rootfd, cdir, id, create, e);
	if (rc == 0)
		net_event (rootfd, "connect", n, id);
	netlink_close (&inner);
	return rc;
}

/* The networks a connect added (create.json's EndpointsConfig but the
 * one NetworkMode names), joined again at each start: a network
 * removed meanwhile fails it, as Docker's start does. */
static int
attach_connected (struct attach *a, const char *mode, struct bx_err *e)
{
	json_t *eps = json_object_get (json_object_get (a->create, "NetworkingConfig"), "EndpointsConfig"), *v;
	const char *key;

	json_object_foreach (eps, key, v)
	{
		struct net n;
		int rc;
		if (!strcmp (key, mode) || (!strcmp (mode, NET_DEFAULT) && !strcmp (key, "default")))
			continue;
		if (net_open (a->rootfd, key, &n, e) < 0)
			return err_set (e, BX_NOTFOUND, 0, "network %s not found", key);
		rc = is_mode_net (&n, mode) ? 0 : connect_live (a->rootfd, a->cdir, a->nsfd, &n, a->id, a->create, e);
		net_close (&n);
		if (rc < 0)
			return -1;
	}
	return 0;
}

struct record {
	const char *net;
	json_t *entry; /* NULL: the network's entry removed */
};

static int
record_edit (json_t *create, void *arg, struct bx_err *e)
{
	struct record *r = arg;
	json_t *nc = json_object_get (create, "NetworkingConfig"), *eps;

	if (!json_is_object (nc))
		json_object_set_new (create, "NetworkingConfig", nc = json_object ());
	if (!json_is_object (eps = json_object_get (nc, "EndpointsConfig")))
		json_object_set_new (nc, "EndpointsConfig", eps = json_object ());
	if (r->entry ? json_object_set (eps, r->net, r->entry) : json_object_del (eps, r->net))
		return r->entry ? err_set (e, BX_SYSTEM, ENOMEM, L_CREATE_JSON) : 0;
	return 0;
}

/* create.json keeps a connect (ENTRY) or forgets it (NULL): a stopped
 * container joins its networks at its next start */
static int
record (int cdir, const char *net, json_t *entry, struct bx_err *e)
{
	struct record r = {net, entry};

	return ctr_create_edit (cdir, record_edit, &r, e);
}

/* EndpointsConfig's entry for a connect, as dockerd records it: the
 * address asked for, the aliases (attach_request reads both), DriverOpts */
static json_t *
connect_entry (const struct net *n, const char *id, const char *const *aliases, int naliases, const char *ip)
{
	struct endpoint ep = {.naliases = 0};

	snprintf (ep.cid, sizeof ep.cid, "%s", id);
	for (int i = 0; i < naliases && ep.naliases < ENDPOINT_ALIAS_MAX; i++)
		snprintf (ep.aliases[ep.naliases++], sizeof ep.aliases[0], "%s", aliases[i]);
	return json_pack ("{s:o, s:o, s:{}}", "IPAMConfig",
	                  ip ? json_pack ("{s:s}", "IPv4Address", ip) : json_object (), "Aliases",
	                  aliases_of (&ep, n->dns), "DriverOpts");
}

/* ID has an endpoint on N, or will have at its start (N is its
 * NetworkMode's, or a connect recorded it): NSFD its namespace, if any */
static bool
is_connected (struct net *n, const char *id, json_t *create, int nsfd)
{
	struct endpoint ep;
	struct bx_err ignored = {0};

	if (endpoint_read (n, id, &ep, &ignored) == 0)
		return true;
	return nsfd < 0 && (is_mode_net (n, network_mode (create)) || networking_config (create, n));
}

int
netctr_connect (int rootfd, struct net *n, const char *id, const char *const *aliases, int naliases, const char *ip,
                struct bx_err *e)
{
	_cleanup_close_ int cdir = ctr_open (rootfd, id, e);
	_cleanup_close_ int nsfd = -1;
	const char *mode;
	json_t *create = NULL, *entry = NULL;
	struct endpoint_req r;
	bool again;
	int rc = -1;

	if (cdir < 0 || !(create = ctr_create_read (cdir, e)))
		return -1;
	mode = network_mode (create);
	if (n->dirfd < 0) {
		err_set (e, BX_USAGE, 0,
		         "container cannot be disconnected from host network or connected to host network");
		goto out;
	}
	if (!strcmp (mode, "none") || !strcmp (mode, "host") || !strncmp (mode, "container:", 10)) {
		err_set (e, BX_USAGE, 0, "container %.12s has no network of its own to connect (network mode %s)", id,
		         mode);
		goto out;
	}
	nsfd = openat (cdir, L_NETNS, O_RDONLY | O_CLOEXEC);
	again = is_connected (n, id, create, nsfd);
	entry = connect_entry (n, id, aliases, naliases, ip);
	if (record_edit (create, &(struct record){n->name, entry}, e) < 0 || attach_request (create, id, n, &r, e) < 0)
		goto out;
	/* Docker takes a connect again of a container that does not run */
	if (again && nsfd < 0) {
		rc = 0;
		goto out;
	}
	if (again) {
		err_set (e, BX_CONFLICT, 0, "endpoint with name %s already exists in network %s", ctr_name (create, id),
		         n->name);
		goto out;
	}
	if (nsfd >= 0 && connect_live (rootfd, cdir, nsfd, n, id, create, e) < 0)
		goto out;
	if ((rc = record (cdir, n->name, entry, e)) < 0 && nsfd >= 0)
		netctr_disconnect (rootfd, n, id, &(struct bx_err){0});
out:
	json_decref (entry);
	json_decref (create);
	return rc;
}

int
netctr_disconnect (int rootfd, struct net *n, const char *id, struct bx_err *e)
{
	_cleanup_close_ int cdir = -1;
	json_t *create = NULL;
	struct endpoint ep;
	int rc, live;

	if (n->dirfd < 0)
		return err_set (e, BX_USAGE, 0,
		                "container cannot be disconnected from host network or connected to host network");
	cdir = ctr_open (rootfd, id, &(struct bx_err){0});
	create = cdir >= 0 ? ctr_create_read (cdir, &(struct bx_err){0}) : NULL;
	live = endpoint_read (n, id, &ep, &(struct bx_err){0}) == 0;
	/* Docker's words: libnetwork's for a running container, the daemon's
	 * for one that is not */
	if (!live && !(create && networking_config (create, n))) {
		json_decref (create);
		return err_set (e, BX_FAIL, 0, "container %s is not connected to %snetwork %s", id,
		                cdir >= 0 && faccessat (cdir, L_NETNS, F_OK, 0) == 0 ? "" : "the ", n->name);
	}
	rc = create ? record (cdir, n->name, NULL, e) : 0;
	if (rc == 0 && live && endpoint_remove (rootfd, n, id, 0, e) < 0)
		rc = -1;
	/* gone meanwhile, or not running: nothing to rewrite */
	if (rc == 0 && live && create && faccessat (cdir, L_NETNS, F_OK, 0) == 0 &&
	    (write_settings (rootfd, cdir, id, e) < 0 || update_route (rootfd, cdir, id, e) < 0 ||
	     update_resolv (rootfd, cdir, id, create, e) < 0))
		rc = -1;
	json_decref (create);
	if (rc == 0)
		net_event (rootfd, "disconnect", n, id);
	return rc;
}

/* --- detach ----------------------------------------------------------------------- */

struct detach_ctx {
	int rootfd;
	const char *id;
	int keep_link;
	struct bx_err *e;
	int failed;
};

static int
detach_one (struct net *n, void *arg)
{
	struct detach_ctx *c = arg;
	struct bx_err e = {0};

	if (endpoint_remove (c->rootfd, n, c->id, c->keep_link, &e) < 0 && !c->failed++)
		*c->e = e;
	return 0;
}

/* A container whose process runs keeps its namespace (and veths) alive
 * whatever we unmount. */
static int
is_running (int cdir)
{
	struct ctr_state st;
	struct bx_err ignored = {0};

	if (ctr_state_read (cdir, &st, &ignored) < 0)
		return 0;
	ctr_state_settle (&st);
	return !strcmp (st.status, "running");
}

/* MAY_KEEP_LINK: a stopped container's veths may go with its namespace */
static int
detach (int rootfd, const char *id, int may_keep_link, struct bx_err *e)
{
	char path[128];
	struct detach_ctx c = {rootfd, id, 0, e, 0};
	int cdir;

	/* the namespace first: once it is gone, its veths go with it */
	snprintf (path, sizeof path, L_CONTAINERS "/%s", id);
	if ((cdir = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		/* its own resolver lives in the namespace, and would keep it */
		resolver_ctr_stop (cdir);
		c.keep_link = may_keep_link && !is_running (cdir) && faccessat (cdir, L_NETNS, F_OK, 0) == 0;
		netns_remove (cdir);
	}
	if (each_network (rootfd, detach_one, &c, e) < 0) {
		if (cdir >= 0)
			close (cdir);
		return -1;
	}
	if (cdir >= 0) {
		unlinkat (cdir, L_NETWORK_JSON, 0);
		close (cdir);
	}
	return c.failed ? -1 : 0;
}

int
netctr_detach (int rootfd, const char *id, struct bx_err *e)
{
	return detach (rootfd, id, 1, e);
}

struct kept_ctx {
	int rootfd;
	const char *id;
	json_t *nets; /* {name: {NetworkID, dns}} */
};

static int
kept_one (struct net *n, void *arg)
{
	struct kept_ctx *c = arg;
	struct bx_err ignored = {0};
	struct endpoint ep;

	if (endpoint_read (n, c->id, &ep, &ignored) < 0)
		return 0;
	/* dockerd's event of a stop, network by network */
	net_event (c->rootfd, "disconnect", n, c->id);
	return json_object_set_new (c->nets, n->name, json_pack ("{s:s, s:b}", "NetworkID", n->id, "dns", n->dns));
}

static int
kept_edit (json_t *create, void *arg, struct bx_err *e)
{
	json_t *nets = arg, *v, *eps, *ep, *al, *a;
	const char *k;
	char shortid[13];
	size_t i;

	(void)e;
	snprintf (shortid, sizeof shortid, "%.12s", json_string_value (json_object_get (create, "Id")) ?: "");
	if (!json_is_object (json_object_get (create, "NetworkingConfig")))
		json_object_set_new (create, "NetworkingConfig", json_object ());
	if (!json_is_object (eps = json_object_get (json_object_get (create, "NetworkingConfig"), "EndpointsConfig")))
		json_object_set_new (json_object_get (create, "NetworkingConfig"), "EndpointsConfig",
		                     eps = json_object ());
	json_object_foreach (nets, k, v)
	{
		int has = 0;
		if (!json_is_object (ep = json_object_get (eps, k)))
			json_object_set_new (eps, k, ep = json_object ());
		json_object_set (ep, "NetworkID", json_object_get (v, "NetworkID"));
		if (!json_is_true (json_object_get (v, "dns")) || !*shortid)
			continue;
		if (!json_is_array (al = json_object_get (ep, "Aliases")))
			json_object_set_new (ep, "Aliases", al = json_array ());
		json_array_foreach (al, i, a) has |= !strcmp (json_string_value (a) ?: "", shortid);
		if (!has)
			json_array_append_new (al, json_string (shortid));
	}
	return 0;
}

/* What dockerd keeps of a container's endpoints in its config once they
 * are gone: each network's NetworkID, and on a user network the short id
 * among the aliases (added at the start), shown by inspect while it is
 * stopped; and its network disconnect events */
static int
keep_ids (int rootfd, const char *id, struct bx_err *e)
{
	_cleanup_close_ int cdir = ctr_open (rootfd, id, e);
	struct kept_ctx c = {rootfd, id, json_object ()};
	int rc = -1;

	if (cdir >= 0 && c.nets && each_network (rootfd, kept_one, &c, e) == 0)
		rc = json_object_size (c.nets) ? ctr_create_edit (cdir, kept_edit, c.nets, e) : 0;
	json_decref (c.nets);
	return rc;
}

/* the veths deleted here: the namespace's own go with it later, and the
 * next start makes the same names */
int
netctr_release (int rootfd, const char *id, struct bx_err *e)
{
	struct bx_err kept = {0};

	/* a container whose create.json cannot be edited is released all the same */
	keep_ids (rootfd, id, &kept);
	return detach (rootfd, id, 0, e);
}

struct rename_ctx {
	int rootfd;
	const char *id, *name;
	struct bx_err *e;
};

static int
rename_one (struct net *n, void *arg)
{
	struct rename_ctx *c = arg;

	return endpoint_rename (c->rootfd, n, c->id, c->name, c->e);
}

int
netctr_rename (int rootfd, const char *id, struct bx_err *e)
{
	_cleanup_close_ int cdir = ctr_open (rootfd, id, e);
	struct rename_ctx c = {rootfd, id, NULL, e};
	json_t *create;
	int rc;

	if (cdir < 0 || !(create = ctr_create_read (cdir, e)))
		return -1;
	c.name = ctr_name (create, id);
	rc = each_network (rootfd, rename_one, &c, e);
	json_decref (create);
	/* not attached (created, or --network none): no settings to show */
	if (rc < 0 || faccessat (cdir, L_NETWORK_JSON, F_OK, 0) < 0)
		return rc;
	return write_settings (rootfd, cdir, id, e);
}
