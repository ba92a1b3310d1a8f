#include "bridge.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/root.h"
#include "base/timestamp.h"
#include "base/tree.h"
#include "fw.h"
#include "ipam.h"
#include "netlink.h"
#include "nft.h"
#include "resolver.h"

/* serialises picking a subnet and giving it to a bridge across every
 * state directory of the host: two roots must not take the same pool */
#define HOST_NET_LOCK "/run/lock/box-net.lock"

int
bridge_prefix (const char **out, struct bx_err *e)
{
	const char *p = getenv ("BOX_NET_PREFIX");
	size_t n;

	if (!p || !*p)
		p = "box";
	n = strlen (p);
	if (n > 6 || strspn (p, "abcdefghijklmnopqrstuvwxyz0123456789") != n)
		return err_set (e, BX_USAGE, 0, "BOX_NET_PREFIX %s: 1 to 6 of [a-z0-9]", p);
	*out = p;
	return 0;
}

/* Network names as Docker allows them. */
static bool
name_ok (const char *s)
{
	if (!isalnum ((unsigned char)*s) || strlen (s) >= NET_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum ((unsigned char)*s) && !strchr ("_.-", *s))
			return false;
	return true;
}

static int
sysctl_set (const char *path, const char *val, struct bx_err *e)
{
	if (afile_put (path, val, strlen (val)) < 0)
		return err_set (e, BX_SYSTEM, errno, "set %s", path);
	return 0;
}

static void
route_taken (struct in_addr dst, int len, void *arg)
{
	struct {
		struct cidr *v;
		int n, cap;
	} *t = arg;

	if (t->n < t->cap)
		t->v[t->n++] = (struct cidr){dst, len};
}

/* The subnets in use: every network of the store first (*NSTORE of
 * them), then the host's routes. */
static int
taken_subnets (int rootfd, struct cidr *v, int cap, int *nstore, int *n, struct bx_err *e)
{
	struct {
		struct cidr *v;
		int n, cap;
	} t = {v, 0, cap};
	struct netlink nl;
	char **names = NULL;
	size_t nn = 0;
	int rc;

	if (net_names (rootfd, &names, &nn, e) < 0)
		return -1;
	for (size_t i = 0; i < nn && t.n < cap; i++) {
		struct net o;
		struct bx_err ignored = {0};
		if (net_is_predefined (names[i]) && strcmp (names[i], NET_DEFAULT))
			continue;
		if (net_open_dir (rootfd, names[i], &o, &ignored) == 0) {
			v[t.n++] = o.subnet;
			net_close (&o);
		}
	}
	net_names_free (names, nn);
	*nstore = t.n;
	if (netlink_open (&nl, e) < 0)
		return -1;
	rc = netlink_routes (&nl, route_taken, &t, e);
	netlink_close (&nl);
	*n = t.n;
	return rc;
}

static int
choose_subnet (int rootfd, const struct bridge_opts *o, struct net *n, struct bx_err *e)
{
	struct cidr taken[512];
	int nstore = 0, nt = 0;

	if (taken_subnets (rootfd, taken, 512, &nstore, &nt, e) < 0)
		return -1;
	if (!o->subnet)
		return ipam_pick (taken, nt, &n->subnet, e);
	if (cidr_parse (o->subnet, &n->subnet, e) < 0)
		return -1;
	if (n->subnet.len > 30)
		return err_set (e, BX_USAGE, 0, "invalid subnet %s: too small for a network", o->subnet);
	n->user_subnet = true;
	/* only the store's networks, as docker checks only its own */
	for (int i = 0; i < nstore; i++)
		if (cidr_overlaps (n->subnet, taken[i]))
			return err_set (e, BX_CONFLICT, 0, "Pool overlaps with other one on this address space");
	return 0;
}

/* --ip-range: inside the subnet */
static int
choose_range (const struct bridge_opts *o, struct net *n, struct bx_err *e)
{
	n->range = n->subnet;
	if (!o->ip_range)
		return 0;
	if (cidr_parse (o->ip_range, &n->range, e) < 0)
		return -1;
	if (n->range.len < n->subnet.len || !cidr_contains (n->subnet, n->range.net))
		return err_set (e, BX_USAGE, 0, "no matching subnet for range %s", o->ip_range);
	return 0;
}

/* The given gateway, else (as libnetwork) the first address of the range
 * that is a host of the subnet. */
static int
choose_gateway (const struct bridge_opts *o, struct net *n, struct bx_err *e)
{
	if (!o->gateway) {
		n->gw = n->range.net;
		if (!cidr_is_host (n->subnet, n->gw))
			n->gw = cidr_host (n->range, 1);
		return 0;
	}
	if (cidr_ip_parse (o->gateway, &n->gw, e) < 0)
		return -1;
	if (!cidr_contains (n->subnet, n->gw))
		return err_set (e, BX_USAGE, 0, "no matching subnet for gateway %s", o->gateway);
	return 0;
}

/* The IPv6 pool: given (box picks none from defaults of its own), its
 * gateway given or its first host */
static int
choose_v6 (const struct bridge_opts *o, struct net *n, struct bx_err *e)
{
	if (o->ipv6 && !o->subnet6)
		return err_set (e, BX_FAIL, 0,
		                "could not find an available, non-overlapping IPv6 address pool among the defaults to "
		                "assign to the network");
	if (!o->subnet6)
		return 0;
	if (cidr_v6_parse (o->subnet6, &n->subnet6, e) < 0)
		return -1;
	if (n->subnet6.len > 126)
		return err_set (e, BX_USAGE, 0, "invalid subnet %s: too small for a network", o->subnet6);
	n->gw6 = cidr_v6_host (n->subnet6, 1);
	if (o->gateway6 && (inet_pton (AF_INET6, o->gateway6, &n->gw6) != 1 || !cidr_v6_contains (n->subnet6, n->gw6)))
		return err_set (e, BX_USAGE, 0, "no matching subnet for gateway %s", o->gateway6);
	n->ipv6 = o->ipv6;
	return 0;
}

/* Each --aux-address is in the subnet; the leases (ctr-net/ipam) hold
 * them from the start, owned by "aux:NAME", so no container gets one. */
static int
aux_check (const struct bridge_opts *o, const struct net *n, struct bx_err *e)
{
	const char *k;
	json_t *v;

	json_object_foreach (o->aux, k, v)
	{
		struct in_addr a;
		const char *s = json_string_value (v);
		if (cidr_ip_parse (s, &a, e) < 0)
			return -1;
		if (!o->subnet || !cidr_contains (n->subnet, a))
			return err_set (e, BX_USAGE, 0, "no matching subnet for aux-address %s", s);
	}
	return 0;
}

static int
aux_reserve (const struct bridge_opts *o, const struct net *n, struct bx_err *e)
{
	_cleanup_close_ int leases = openat (n->dirfd, L_LEASES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char owner[NET_NAME_MAX + 8];
	const char *k;
	json_t *v;

	json_object_foreach (o->aux, k, v)
	{
		struct in_addr a, got;
		cidr_ip_parse (json_string_value (v), &a, e);
		snprintf (owner, sizeof owner, IPAM_AUX_OWNER "%s", k);
		if (a.s_addr == n->gw.s_addr ||
		    ipam_lease (leases, n->subnet, n->subnet, (struct in_addr){0}, a, owner, &got, e) < 0)
			return err_set (e, BX_CONFLICT, 0,
			                "failed to allocate secondary ip address (%s:%s): Address already in use", k,
			                json_string_value (v));
	}
	return 0;
}

/* The bridge driver's options Docker knows, checked as it parses them */
static int
options_check (json_t *opts, struct bx_err *e)
{
	static const char *const bools[] = {"com.docker.network.bridge.enable_icc",
	                                    "com.docker.network.bridge.enable_ip_masquerade"};
	const char *v, *mtu = json_string_value (json_object_get (opts, "com.docker.network.driver.mtu"));
	const char *hb = json_string_value (json_object_get (opts, "com.docker.network.bridge.host_binding_ipv4"));
	struct in_addr a;
	char *end;

	for (size_t i = 0; i < sizeof bools / sizeof *bools; i++)
		if ((v = json_string_value (json_object_get (opts, bools[i]))) &&
		    !strstr ("|1|t|T|TRUE|true|True|0|f|F|FALSE|false|False|", v))
			return err_set (
			    e, BX_USAGE, 0,
			    "failed to parse %s value: %s (strconv.ParseBool: parsing \"%s\": invalid syntax)",
			    bools[i], v, v);
	if (mtu && (strtol (mtu, &end, 10), !*mtu || *end))
		return err_set (
		    e, BX_USAGE, 0,
		    "failed to parse com.docker.network.driver.mtu value: %s (strconv.Atoi: parsing \"%s\": "
		    "invalid syntax)",
		    mtu, mtu);
	if (hb && inet_pton (AF_INET, hb, &a) != 1)
		return err_set (e, BX_USAGE, 0,
		                "failed to parse com.docker.network.bridge.host_binding_ipv4 value: %s (nil ip)", hb);
	return 0;
}

/* IPAM's Config[0]: the subnet, gateway, range and aux addresses given */
static json_t *
ipam_config (const struct net *n, const struct bridge_opts *o)
{
	char sub[CIDR_STRLEN + 1], gw[INET_ADDRSTRLEN], range[CIDR_STRLEN + 1];
	json_t *c;

	cidr_format (n->subnet, sub);
	inet_ntop (AF_INET, &n->gw, gw, sizeof gw);
	c = json_pack ("{s:s}", "Subnet", sub);
	if (o->ip_range) {
		cidr_format (n->range, range);
		json_object_set_new (c, "IPRange", json_string (range));
	}
	json_object_set_new (c, "Gateway", json_string (gw));
	if (json_object_size (o->aux))
		json_object_set (c, "AuxiliaryAddresses", o->aux);
	return c;
}

/* IPAM's Config[1]: the IPv6 pool, its gateway when given (as dockerd) */
static json_t *
ipam_config6 (const struct net *n, const struct bridge_opts *o)
{
	char sub[CIDR6_STRLEN + 1];
	json_t *c;

	cidr_v6_format (n->subnet6, sub);
	c = json_pack ("{s:s}", "Subnet", sub);
	if (o->gateway6)
		json_object_set_new (c, "Gateway", json_string (o->gateway6));
	return c;
}

static json_t *
config_json (const struct net *n, const struct bridge_opts *o)
{
	char now[TIMESTAMP_LEN];
	json_t *opts;

	timestamp_now (now);
	if (!strcmp (n->name, NET_DEFAULT))
		opts = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s}", "com.docker.network.bridge.default_bridge", "true",
		                  "com.docker.network.bridge.enable_icc", "true",
		                  "com.docker.network.bridge.enable_ip_masquerade", "true",
		                  "com.docker.network.bridge.host_binding_ipv4", "0.0.0.0",
		                  "com.docker.network.bridge.name", n->bridge, "com.docker.network.driver.mtu", "1500");
	else /* the device is Box.Bridge: Docker shows the options given only */
		opts = o->options ? json_deep_copy (o->options) : json_object ();
	return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:{}, s:[o]}, s:b, s:b, s:b, "
	                  "s:{s:s}, s:b, s:o, s:o, s:{s:s, s:b, s:s}}",
	                  "Name", n->name, "Id", n->id, "Created", now, "Scope", "local", "Driver", "bridge",
	                  "EnableIPv6", o->ipv6, "IPAM", "Driver", "default", "Options", "Config", ipam_config (n, o),
	                  "Internal", o->internal, "Attachable", 0, "Ingress", 0, "ConfigFrom", "Network", "",
	                  "ConfigOnly", 0, "Options", opts, "Labels",
	                  o->labels ? json_incref (o->labels) : json_object (), "Box", "Bridge", n->bridge,
	                  "UserSubnet", n->user_subnet, "Chain", n->fwchain);
}

/* The network's iptables chain: as recorded, or (a config older than
 * the chain) after the prefix */
static const char *
fw_chain (struct net *n)
{
	const char *prefix;
	struct bx_err ignored = {0};

	if (!*n->fwchain && bridge_prefix (&prefix, &ignored) == 0)
		fw_chain_name (prefix, n->fwchain);
	return n->fwchain;
}

/* --- who owns a bridge ---------------------------------------------------------------
 *
 * A bridge's alias names the network directory it was made for: "box
 * DEV:INO PATH", the directory's device and inode, then its path. The
 * owner is gone when PATH is no longer that directory: its state
 * directory was deleted, or made anew. A bridge whose owner is gone is
 * taken over (its device, table and rules made anew); one whose owner
 * lives, or that names none, is another state directory's. */

#define OWNER_TAG "box "

enum owner { OWNER_UNKNOWN, OWNER_SELF, OWNER_ALIVE, OWNER_GONE };

static void
owner_alias (int dirfd, char *out, size_t cap)
{
	char link[64], path[PATH_MAX];
	struct stat st;
	ssize_t len;

	*out = 0;
	snprintf (link, sizeof link, "/proc/self/fd/%d", dirfd);
	if (fstat (dirfd, &st) < 0 || (len = readlink (link, path, sizeof path - 1)) < 0)
		return;
	path[len] = 0;
	/* an alias holds 255 bytes: a longer path names no owner */
	if ((size_t)snprintf (out, cap, OWNER_TAG "%llx:%llx %s", (unsigned long long)st.st_dev,
	                      (unsigned long long)st.st_ino, path) >= cap)
		*out = 0;
}

/* What BRIDGE's alias says of its owner, as seen from the network
 * directory DIRFD (-1: none); -1 when there is no such link. */
static int
owner_of (struct netlink *nl, const char *bridge, int dirfd)
{
	char alias[300];
	unsigned long long dev, ino;
	struct stat st, self;
	int off = 0;

	if (netlink_link_alias (nl, bridge, alias, sizeof alias) < 0)
		return -1;
	if (strncmp (alias, OWNER_TAG, 4) || sscanf (alias + 4, "%llx:%llx %n", &dev, &ino, &off) < 2 ||
	    alias[4 + off] != '/')
		return OWNER_UNKNOWN;
	if (dirfd >= 0 && fstat (dirfd, &self) == 0 && self.st_dev == dev && self.st_ino == ino)
		return OWNER_SELF;
	if (stat (alias + 4 + off, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? OWNER_GONE : OWNER_ALIVE;
	return st.st_dev == dev && st.st_ino == ino ? OWNER_ALIVE : OWNER_GONE;
}

/* The bridge's device, table and rules; IF_OWNED: only when the device is
 * not another live network's. */
static void
devices_down (struct net *n, struct netlink *nl, bool if_owned)
{
	struct bx_err ignored = {0};
	int owner = owner_of (nl, n->bridge, n->dirfd);

	if (if_owned && owner == OWNER_ALIVE)
		return;
	fw_network_del (fw_chain (n), n->bridge);
	nft_network_del (n->bridge, &ignored);
	netlink_link_del (nl, n->bridge, &ignored);
}

/* Remove N's bridge when it is left by a state directory that is gone. */
static void
adopt_stale (struct netlink *nl, struct net *n)
{
	if (owner_of (nl, n->bridge, n->dirfd) == OWNER_GONE)
		devices_down (n, nl, false);
}

/* IPv6 on the bridge: its gateway address (no duplicate detection: the
 * address is ours), forwarding */
static int
bridge_up6 (struct net *n, struct netlink *nl, struct bx_err *e)
{
	char path[128];

	if (!n->ipv6)
		return 0;
	snprintf (path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", n->bridge);
	if (sysctl_set (path, "0", e) < 0 ||
	    netlink_addr6_add (nl, netlink_link_index (nl, n->bridge), n->gw6, n->subnet6.len, e) < 0)
		return -1;
	return sysctl_set ("/proc/sys/net/ipv6/conf/all/forwarding", "1", e);
}

static unsigned
nft_flags (const struct net *n)
{
	return (n->internal ? NFT_INTERNAL : 0) | (n->masquerade ? 0 : NFT_NO_MASQ);
}

/* The bridge: device (its alias naming N's directory), address,
 * forwarding, nft table, the host's firewall. */
static int
bridge_up (struct net *n, struct bx_err *e)
{
	char path[128], alias[300];
	struct netlink nl;
	int rc = -1;

	if (netlink_open (&nl, e) < 0)
		return -1;
	adopt_stale (&nl, n);
	if (netlink_bridge_add (&nl, n->bridge, n->mtu, e) < 0) {
		if (e->code == BX_CONFLICT)
			err_wrap (e, "another state directory uses the device prefix (see BOX_NET_PREFIX)");
		goto out;
	}
	owner_alias (n->dirfd, alias, sizeof alias);
	snprintf (path, sizeof path, "/proc/sys/net/ipv4/conf/%s/route_localnet", n->bridge);
	if ((*alias && netlink_link_set_alias (&nl, n->bridge, alias, e) < 0) ||
	    netlink_addr_add (&nl, netlink_link_index (&nl, n->bridge), n->gw, n->subnet.len, e) < 0 ||
	    sysctl_set ("/proc/sys/net/ipv4/ip_forward", "1", e) < 0 || sysctl_set (path, "1", e) < 0 ||
	    bridge_up6 (n, &nl, e) < 0 || nft_network_add (n->bridge, n->bridge, n->subnet, nft_flags (n), e) < 0 ||
	    (n->ipv6 && nft_network6_add (n->bridge, n->bridge, n->subnet6, nft_flags (n), e) < 0) ||
	    fw_network_add (fw_chain (n), n->bridge, e) < 0) {
		devices_down (n, &nl, false);
		goto out;
	}
	rc = 0;
out:
	netlink_close (&nl);
	return rc;
}

int
bridge_ensure_up (struct net *n, struct bx_err *e)
{
	struct netlink nl;
	int br;

	if (netlink_open (&nl, e) < 0)
		return -1;
	br = netlink_link_index (&nl, n->bridge);
	netlink_close (&nl);
	if (br)
		return 0;
	if (bridge_up (n, e) < 0)
		return err_wrap (e, "network %s: bring back its bridge", n->name);
	return 0;
}

/* Everything bridge_up made, unless the device is another live network's. */
static void
bridge_down (struct net *n)
{
	struct bx_err ignored = {0};
	struct netlink nl;

	if (netlink_open (&nl, &ignored) < 0)
		return;
	devices_down (n, &nl, true);
	netlink_close (&nl);
}

/* --- leftovers of a killed create or rm ------------------------------------------------
 *
 * A network is made under networks/NAME.tmp-PID/, whose `making` file its
 * maker holds locked, renamed to NAME with that file still there, and only
 * then given its bridge, table, rules and resolver; removing the file
 * makes it a network. rm renames NAME to .rm-NAME.tmp-PID holding its
 * `lock`. So whatever a kill leaves is an entry whose lock nobody holds,
 * with its record of what was made: the next ctr-net removes it all. */

/* True (and *HELD the fd that holds FILE's lock) when the maker of the
 * entry DIRFD is gone: FILE is there and unlocked; without FILE, PID
 * (when known) is dead. */
static bool
maker_gone (int dirfd, const char *file, pid_t pid, int *held)
{
	int fd = openat (dirfd, file, O_RDWR | O_CLOEXEC);
	struct stat st;

	*held = -1;
	if (fd < 0)
		return errno == ENOENT && pid > 0 && kill (pid, 0) < 0 && errno == ESRCH;
	/* unlinked once locked: its maker finished meanwhile */
	if (flock (fd, LOCK_EX | LOCK_NB) < 0 || fstat (fd, &st) < 0 || st.st_nlink == 0) {
		close (fd);
		return false;
	}
	*held = fd;
	return true;
}

static bool
is_stale (int rootfd, const char *entry, int *held)
{
	char path[NET_NAME_MAX + 80];
	const char *t = strstr (entry, ".tmp-");
	pid_t pid = t ? (pid_t)atoi (t + 5) : 0;
	_cleanup_close_ int fd = -1;

	snprintf (path, sizeof path, L_NETWORKS "/%s", entry);
	if ((fd = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return false;
	if (entry[0] == '.')
		return !strncmp (entry, ".rm-", 4) && t && maker_gone (fd, L_NET_LOCK, pid, held);
	if (t)
		return maker_gone (fd, L_NET_MAKING, pid, held);
	if (faccessat (fd, L_NET_MAKING, F_OK, 0) == 0)
		return maker_gone (fd, L_NET_MAKING, 0, held);
	/* every network has its config from the start: this is what a
	 * removal cut short left */
	return faccessat (fd, L_NET_CONFIG, F_OK, 0) < 0 && errno == ENOENT;
}

/* ENTRY renamed to .rm-ENTRY.tmp-PID first, holding its lock: a reaper
 * killed in turn leaves an entry the next one knows. */
static void
reap (int rootfd, const char *entry)
{
	char path[NET_NAME_MAX + 80], gone[NET_NAME_MAX + 120];
	struct bx_err ignored = {0};
	_cleanup_close_ int lock = -1;
	struct net n;

	snprintf (path, sizeof path, L_NETWORKS "/%s", entry);
	snprintf (gone, sizeof gone, L_NETWORKS "/.rm-%s.tmp-%d", entry, (int)getpid ());
	if (entry[0] != '.') {
		_cleanup_close_ int fd = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || (lock = lock_take_at (fd, L_NET_LOCK, LOCK_TRY, &ignored)) < 0)
			return;
		/* dnsmasq is found by the directory's path: before the rename */
		resolver_stop (fd);
		if (renameat (rootfd, path, rootfd, gone) < 0)
			return;
		snprintf (path, sizeof path, "%s", gone);
	}
	if (net_open_any (rootfd, path + strlen (L_NETWORKS "/"), &n, &ignored) == 0) {
		bridge_down (&n);
		net_close (&n);
	}
	tree_remove_at (rootfd, path);
}

void
bridge_reap (int rootfd)
{
	int fd = openat (rootfd, L_NETWORKS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;

	if (fd >= 0 && !d)
		close (fd);
	while (d && (de = readdir (d))) {
		int held = -1;
		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, "..") || de->d_type != DT_DIR)
			continue;
		if (is_stale (rootfd, de->d_name, &held))
			reap (rootfd, de->d_name);
		if (held >= 0)
			close (held);
	}
}

/* --- create ----------------------------------------------------------------------------- */

static int
check_opts (const struct bridge_opts *o, struct bx_err *e)
{
	if (!name_ok (o->name))
		return err_set (e, BX_USAGE, 0,
		                "invalid network name \"%s\", only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", o->name);
	if (o->driver && strcmp (o->driver, "bridge"))
		return err_set (e, BX_USAGE, 0, "plugin \"%s\" not found", o->driver);
	if ((o->gateway || o->ip_range) && !o->subnet)
		return err_set (e, BX_USAGE, 0, "every ip-range or gateway must have a corresponding subnet");
	return options_check (o->options, e);
}

/* Names, subnet, gateway, config: the network's record under TMP, with
 * its `making` file locked (*MAKING), then renamed to FINAL. The host's
 * lock is held on return (*HOSTLOCK) until the bridge holds the subnet. */
static int
make_record (int rootfd, const struct bridge_opts *o, struct net *n, const char *tmp, const char *final, int *hostlock,
             int *making, struct bx_err *e)
{
	_cleanup_free_ char *js = NULL;
	const char *prefix;
	struct netlink nl;
	json_t *cfg;

	if (bridge_prefix (&prefix, e) < 0 || net_random_id (n->id, e) < 0)
		return -1;
	if (o->device)
		snprintf (n->bridge, sizeof n->bridge, "%s", o->device);
	else
		snprintf (n->bridge, sizeof n->bridge, "%s-%.8s", prefix, n->id);
	fw_chain_name (prefix, n->fwchain);
	mkdir ("/run/lock", 01777);
	/* rootless: the namespace, so its subnets, are the state directory's */
	if ((*hostlock = root_is_rootless () ? lock_take_at (rootfd, L_RL_NETNS_LOCK, LOCK_WAIT, e)
	                                     : lock_take_at (AT_FDCWD, HOST_NET_LOCK, LOCK_WAIT, e)) < 0)
		return -1;
	/* a bridge left by a state directory that is gone holds no subnet */
	if (netlink_open (&nl, e) < 0)
		return -1;
	adopt_stale (&nl, n);
	netlink_close (&nl);
	if (choose_subnet (rootfd, o, n, e) < 0 || choose_range (o, n, e) < 0 || choose_gateway (o, n, e) < 0 ||
	    aux_check (o, n, e) < 0 || choose_v6 (o, n, e) < 0)
		return -1;
	if ((cfg = config_json (n, o)) && n->subnet6.len)
		json_array_append_new (json_object_get (json_object_get (cfg, "IPAM"), "Config"), ipam_config6 (n, o));
	if (!cfg || !(js = json_dumps (cfg, JSON_INDENT (4))))
		return json_decref (cfg), err_set (e, BX_SYSTEM, ENOMEM, "network config");
	n->config = cfg;
	if (net_options_read (n, e) < 0)
		return -1;
	if (mkdirat (rootfd, tmp, 0711) < 0)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", tmp);
	n->dirfd = openat (rootfd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (n->dirfd < 0 || (*making = lock_take_at (n->dirfd, L_NET_MAKING, LOCK_WAIT, e)) < 0 ||
	    mkdirat (n->dirfd, L_LEASES, 0700) < 0 || mkdirat (n->dirfd, L_ENDPOINTS, 0700) < 0 ||
	    afile_write_at (n->dirfd, L_NET_CONFIG, js, strlen (js), 0644, e) < 0 || aux_reserve (o, n, e) < 0 ||
	    renameat (rootfd, tmp, rootfd, final) < 0) {
		if (!e->code)
			err_set (e, BX_SYSTEM, errno, "make %s", tmp);
		tree_remove_at (rootfd, tmp);
		return -1;
	}
	return 0;
}

int
bridge_create (int rootfd, const struct bridge_opts *o, struct net *n, struct bx_err *e)
{
	_cleanup_close_ int storelock = -1, hostlock = -1, making = -1;
	char tmp[NET_NAME_MAX + 64], final[NET_NAME_MAX + 16];

	memset (n, 0, sizeof *n);
	n->dirfd = -1;
	if (check_opts (o, e) < 0)
		return -1;
	snprintf (n->name, sizeof n->name, "%s", o->name);
	snprintf (n->driver, sizeof n->driver, "bridge");
	n->dns = strcmp (o->name, NET_DEFAULT) != 0;
	if (afile_mkdir_p_at (rootfd, L_NETWORKS, 0711, e) < 0)
		return -1;
	if ((storelock = lock_take_at (rootfd, L_NETWORKS "/" L_NETS_LOCK, LOCK_WAIT, e)) < 0)
		return -1;
	/* a create killed before this one is no reason to refuse the name */
	bridge_reap (rootfd);
	snprintf (final, sizeof final, L_NETWORKS "/%s", o->name);
	if (faccessat (rootfd, final, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return err_set (e, BX_CONFLICT, 0, "network with name %s already exists", o->name);
	snprintf (tmp, sizeof tmp, L_NETWORKS "/%s.tmp-%d", o->name, (int)getpid ());
	if (make_record (rootfd, o, n, tmp, final, &hostlock, &making, e) < 0) {
		net_close (n);
		return -1;
	}
	if (bridge_up (n, e) < 0)
		goto undo;
	if (n->dns && resolver_start (n->dirfd, n->gw, e) < 0) {
		err_wrap (e, "network %s", n->name);
		bridge_down (n);
		goto undo;
	}
	/* made: the network is there */
	unlinkat (n->dirfd, L_NET_MAKING, 0);
	net_event (rootfd, "create", n, NULL);
	return 0;
undo:
	tree_remove_at (rootfd, final);
	net_close (n);
	return -1;
}

int
bridge_open_default (int rootfd, struct net *n, struct bx_err *e)
{
	struct bridge_opts o = {.name = NET_DEFAULT};
	char dev[NET_DEV_MAX];
	const char *prefix;

	memset (n, 0, sizeof *n);
	n->dirfd = -1;
	if (net_open_dir (rootfd, NET_DEFAULT, n, e) == 0 || e->code != BX_NOTFOUND)
		return n->dirfd >= 0 ? 0 : -1;
	memset (e, 0, sizeof *e);
	if (bridge_prefix (&prefix, e) < 0)
		return -1;
	snprintf (dev, sizeof dev, "%s0", prefix);
	o.device = dev;
	if (bridge_create (rootfd, &o, n, e) == 0)
		return 0;
	if (e->code != BX_CONFLICT || net_open_dir (rootfd, NET_DEFAULT, n, &(struct bx_err){0}) < 0)
		return -1;
	/* made by someone else meanwhile */
	memset (e, 0, sizeof *e);
	return 0;
}

int
bridge_remove (int rootfd, struct net *n, struct bx_err *e)
{
	_cleanup_close_ int lock = -1;
	_cleanup_dir_ DIR *d = NULL;
	char path[NET_NAME_MAX + 16], tmp[NET_NAME_MAX + 64];
	struct dirent *de;
	int fd;

	if (n->dirfd < 0 || !strcmp (n->name, NET_DEFAULT))
		return err_set (e, BX_CONFLICT, 0, "%s is a pre-defined network and cannot be removed", n->name);
	if ((lock = lock_take_at (n->dirfd, L_NET_LOCK, LOCK_WAIT, e)) < 0)
		return -1;
	if ((fd = openat (n->dirfd, L_ENDPOINTS, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0 && !(d = fdopendir (fd)))
		close (fd);
	while (d && (de = readdir (d)))
		if (de->d_name[0] != '.' && !afile_is_tmp_name (de->d_name))
			return err_set (e, BX_CONFLICT, 0,
			                "error while removing network: network %s id %s has active endpoints", n->name,
			                n->id);
	snprintf (path, sizeof path, L_NETWORKS "/%s", n->name);
	snprintf (tmp, sizeof tmp, L_NETWORKS "/.rm-%s.tmp-%d", n->name, (int)getpid ());
	/* dnsmasq is found by the directory's path: stop it before the rename */
	resolver_stop (n->dirfd);
	/* then the name, so nobody attaches to a network half removed */
	if (renameat (rootfd, path, rootfd, tmp) < 0)
		return err_set (e, BX_SYSTEM, errno, "remove network %s", n->name);
	bridge_down (n);
	tree_remove_at (rootfd, tmp);
	net_event (rootfd, "destroy", n, NULL);
	return 0;
}
