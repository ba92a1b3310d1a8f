#include "net/netstore.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "net/netlink.h"
#include "net/nft.h"
#include "net/resolver.h"
#include "runtime/ctr.h"

/* serialises picking a subnet and giving it to a bridge across every
 * state directory of the host: two roots must not take the same pool */
#define HOST_NET_LOCK "/run/lock/box-net.lock"

int
net_prefix (const char **out, struct bx_err *e)
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

bool
net_name_ok (const char *s)
{
	if (!isalnum ((unsigned char)*s) || strlen (s) >= NET_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum ((unsigned char)*s) && !strchr ("_.-", *s))
			return false;
	return true;
}

bool
net_is_predefined (const char *name)
{
	return !strcmp (name, "bridge") || !strcmp (name, "host") || !strcmp (name, "none");
}

static uint64_t
fnv64 (uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

void
net_predefined_id (const char *name, char out[NET_ID_LEN + 1])
{
	char root[PATH_MAX] = "";
	const char *r = getenv ("BOX_ROOT");

	/* stable for a state directory, and different between two of them */
	if (!realpath (r && *r ? r : BOX_ROOT_DEFAULT, root))
		snprintf (root, sizeof root, "%s", r ? r : "");
	for (int i = 0; i < 4; i++) {
		uint64_t h = fnv64 (0xcbf29ce484222325ULL + i, root);
		h = fnv64 (h, "\n");
		snprintf (out + 16 * i, 17, "%016llx", (unsigned long long)fnv64 (h, name));
	}
}

int
net_random_id (char out[NET_ID_LEN + 1], struct bx_err *e)
{
	unsigned char b[32];

	if (getrandom (b, sizeof b, 0) != sizeof b)
		return err_set (e, BX_SYSTEM, errno, "random id");
	for (int i = 0; i < 32; i++)
		sprintf (out + 2 * i, "%02x", b[i]);
	return 0;
}

void
net_close (struct net *n)
{
	if (n->dirfd >= 0)
		close (n->dirfd);
	n->dirfd = -1;
	json_decref (n->config);
	n->config = NULL;
}

static void
net_pseudo (const char *name, struct net *n)
{
	memset (n, 0, sizeof *n);
	n->dirfd = -1;
	snprintf (n->name, sizeof n->name, "%s", name);
	snprintf (n->driver, sizeof n->driver, "%s", strcmp (name, "none") ? "host" : "null");
	net_predefined_id (name, n->id);
	n->config = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:n, s:[]}, s:b, s:b, s:b, "
	                       "s:{s:s}, s:b, s:{}, s:{}}",
	                       "Name", name, "Id", n->id, "Created", "0001-01-01T00:00:00Z", "Scope", "local", "Driver",
	                       n->driver, "EnableIPv6", 0, "IPAM", "Driver", "default", "Options", "Config", "Internal",
	                       0, "Attachable", 0, "Ingress", 0, "ConfigFrom", "Network", "", "ConfigOnly", 0,
	                       "Options", "Labels");
}

/* Fill N from its config.json. */
static int
net_load (struct net *n, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	json_error_t je;
	const char *name = NULL, *id = NULL, *driver = NULL, *bridge = NULL, *subnet = NULL, *gw = NULL;
	int user = 0;

	if (afile_slurp_at (n->dirfd, L_NET_CONFIG, &buf, NULL, e) < 0)
		return -1;
	if (!(n->config = json_loads (buf, 0, &je)))
		return err_set (e, BX_FAIL, 0, L_NET_CONFIG ": %s", je.text);
	if (json_unpack_ex (n->config, &je, 0, "{s:s, s:s, s:s, s:{s:[{s:s, s:s}]}, s:{s:s, s:b}}", "Name", &name, "Id",
	                    &id, "Driver", &driver, "IPAM", "Config", "Subnet", &subnet, "Gateway", &gw, "Box",
	                    "Bridge", &bridge, "UserSubnet", &user) < 0)
		return err_set (e, BX_FAIL, 0, L_NET_CONFIG ": %s", je.text);
	snprintf (n->name, sizeof n->name, "%s", name);
	snprintf (n->id, sizeof n->id, "%s", id);
	snprintf (n->driver, sizeof n->driver, "%s", driver);
	snprintf (n->bridge, sizeof n->bridge, "%s", bridge);
	n->user_subnet = user;
	n->dns = strcmp (n->name, NET_DEFAULT) != 0;
	if (cidr_parse (subnet, &n->subnet, e) < 0 || ip_parse (gw, &n->gw, e) < 0)
		return err_wrap (e, L_NET_CONFIG);
	return 0;
}

static int
net_open_dir (int rootfd, const char *name, struct net *n, struct bx_err *e)
{
	char path[PATH_MAX];

	memset (n, 0, sizeof *n);
	n->dirfd = -1;
	snprintf (path, sizeof path, L_NETWORKS "/%s", name);
	n->dirfd = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (n->dirfd < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno == ENOENT ? 0 : errno,
		                "network %s not found", name);
	if (net_load (n, e) < 0) {
		net_close (n);
		return err_wrap (e, "network %s", name);
	}
	return 0;
}

/* A full id or a unique id prefix: the name it belongs to. */
static int
net_by_id (int rootfd, const char *want, char name[NET_NAME_MAX], struct bx_err *e)
{
	char **v = NULL;
	size_t nv = 0, found = 0;
	struct net n;

	if (strspn (want, "0123456789abcdef") != strlen (want))
		return err_set (e, BX_NOTFOUND, 0, "network %s not found", want);
	if (net_names (rootfd, &v, &nv, e) < 0)
		return -1;
	for (size_t i = 0; i < nv; i++) {
		struct bx_err ignored = {0};
		if (net_is_predefined (v[i]) && strcmp (v[i], NET_DEFAULT)) {
			char id[NET_ID_LEN + 1];
			net_predefined_id (v[i], id);
			if (!strncmp (id, want, strlen (want)) && found++ == 0)
				snprintf (name, NET_NAME_MAX, "%s", v[i]);
			continue;
		}
		if (net_open_dir (rootfd, v[i], &n, &ignored) < 0)
			continue;
		if (!strncmp (n.id, want, strlen (want)) && found++ == 0)
			snprintf (name, NET_NAME_MAX, "%s", v[i]);
		net_close (&n);
	}
	net_names_free (v, nv);
	if (found == 0)
		return err_set (e, BX_NOTFOUND, 0, "network %s not found", want);
	if (found > 1)
		return err_set (e, BX_USAGE, 0, "network %s is ambiguous (%zu matches found based on ID prefix)", want,
		                found);
	return 0;
}

int
net_open (int rootfd, const char *name, struct net *n, struct bx_err *e)
{
	char byid[NET_NAME_MAX];

	memset (n, 0, sizeof *n);
	n->dirfd = -1;
	if (!strcmp (name, "host") || !strcmp (name, "none"))
		return net_pseudo (name, n), 0;
	if (!*name || strchr (name, '/') || name[0] == '.')
		return err_set (e, BX_NOTFOUND, 0, "network %s not found", name);
	if (net_open_dir (rootfd, name, n, e) == 0 || e->code != BX_NOTFOUND)
		return n->dirfd >= 0 ? 0 : -1;
	if (net_by_id (rootfd, name, byid, e) < 0)
		return -1;
	if (!strcmp (byid, "host") || !strcmp (byid, "none"))
		return net_pseudo (byid, n), 0;
	return net_open_dir (rootfd, byid, n, e);
}

static int
cmp_str (const void *a, const void *b)
{
	return strcmp (*(char *const *)a, *(char *const *)b);
}

static int
names_add (char ***v, size_t *n, size_t *cap, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp ((*v)[i], s))
			return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char **nv = realloc (*v, nc * sizeof *nv);
		if (!nv)
			return -1;
		*v = nv, *cap = nc;
	}
	if (!((*v)[*n] = strdup (s)))
		return -1;
	(*n)++;
	return 0;
}

int
net_names (int rootfd, char ***out, size_t *n, struct bx_err *e)
{
	_cleanup_dir_ DIR *d = NULL;
	int fd = openat (rootfd, L_NETWORKS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t cap = 0;
	struct dirent *de;

	*out = NULL, *n = 0;
	if (fd >= 0 && !(d = fdopendir (fd)))
		close (fd);
	while (d && (de = readdir (d)))
		if (de->d_name[0] != '.' && !afile_is_tmp_name (de->d_name) && names_add (out, n, &cap, de->d_name) < 0)
			goto oom;
	if (names_add (out, n, &cap, "bridge") < 0 || names_add (out, n, &cap, "host") < 0 ||
	    names_add (out, n, &cap, "none") < 0)
		goto oom;
	qsort (*out, *n, sizeof **out, cmp_str);
	return 0;
oom:
	net_names_free (*out, *n);
	return err_set (e, BX_SYSTEM, ENOMEM, "list networks");
}

void
net_names_free (char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free (v[i]);
	free (v);
}

static int
sysctl_set (const char *path, const char *val, struct bx_err *e)
{
	_cleanup_close_ int fd = open (path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || afile_write_all (fd, val, strlen (val)) < 0)
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
	struct nl nl;
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
	if (nl_open (&nl, e) < 0)
		return -1;
	rc = nl_routes (&nl, route_taken, &t, e);
	nl_close (&nl);
	*n = t.n;
	return rc;
}

static int
choose_subnet (int rootfd, const struct net_opts *o, struct net *n, struct bx_err *e)
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

static int
choose_gateway (const struct net_opts *o, struct net *n, struct bx_err *e)
{
	if (!o->gateway) {
		n->gw = cidr_host (n->subnet, 1);
		return 0;
	}
	if (ip_parse (o->gateway, &n->gw, e) < 0)
		return -1;
	if (!cidr_contains (n->subnet, n->gw))
		return err_set (e, BX_USAGE, 0, "no matching subnet for gateway %s", o->gateway);
	return 0;
}

static json_t *
net_config (const struct net *n, const struct net_opts *o)
{
	char sub[CIDR_STRLEN + 1], gw[INET_ADDRSTRLEN], now[CTR_TIME_LEN];
	json_t *opts;

	cidr_format (n->subnet, sub);
	inet_ntop (AF_INET, &n->gw, gw, sizeof gw);
	ctr_time_now (now);
	if (!strcmp (n->name, NET_DEFAULT))
		opts = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s}", "com.docker.network.bridge.default_bridge", "true",
		                  "com.docker.network.bridge.enable_icc", "true",
		                  "com.docker.network.bridge.enable_ip_masquerade", "true",
		                  "com.docker.network.bridge.host_binding_ipv4", "0.0.0.0",
		                  "com.docker.network.bridge.name", n->bridge, "com.docker.network.driver.mtu", "1500");
	else
		opts = json_pack ("{s:s}", "com.docker.network.bridge.name", n->bridge);
	return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:{}, s:[{s:s, s:s}]}, s:b, s:b, s:b, "
	                  "s:{s:s}, s:b, s:o, s:o, s:{s:s, s:b}}",
	                  "Name", n->name, "Id", n->id, "Created", now, "Scope", "local", "Driver", "bridge",
	                  "EnableIPv6", 0, "IPAM", "Driver", "default", "Options", "Config", "Subnet", sub, "Gateway",
	                  gw, "Internal", 0, "Attachable", 0, "Ingress", 0, "ConfigFrom", "Network", "", "ConfigOnly",
	                  0, "Options", opts, "Labels", o->labels ? json_incref (o->labels) : json_object (), "Box",
	                  "Bridge", n->bridge, "UserSubnet", n->user_subnet);
}

/* Remove DIRFD/NAME and everything below it (a network's directory holds
 * files, symlinks and two flat directories). */
static void
rmtree_at (int at, const char *name)
{
	int fd = openat (at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;

	if (fd >= 0 && !d)
		close (fd);
	while (d && (de = readdir (d))) {
		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR)
			rmtree_at (dirfd (d), de->d_name);
		else
			unlinkat (dirfd (d), de->d_name, 0);
	}
	unlinkat (at, name, AT_REMOVEDIR);
}

/* The bridge: device, address, forwarding, nft table. */
static int
bridge_up (struct net *n, struct bx_err *e)
{
	char path[128];
	struct nl nl;
	int rc = -1;

	if (nl_open (&nl, e) < 0)
		return -1;
	if (nl_bridge_add (&nl, n->bridge, e) < 0) {
		if (e->code == BX_CONFLICT)
			err_wrap (e, "another state directory uses the device prefix (see BOX_NET_PREFIX)");
		goto out;
	}
	snprintf (path, sizeof path, "/proc/sys/net/ipv4/conf/%s/route_localnet", n->bridge);
	if (nl_addr_add (&nl, nl_link_index (&nl, n->bridge), n->gw, n->subnet.len, e) < 0 ||
	    sysctl_set ("/proc/sys/net/ipv4/ip_forward", "1", e) < 0 || sysctl_set (path, "1", e) < 0 ||
	    nft_network_add (n->bridge, n->bridge, n->subnet, e) < 0) {
		struct bx_err ignored = {0};
		nl_link_del (&nl, n->bridge, &ignored);
		goto out;
	}
	rc = 0;
out:
	nl_close (&nl);
	return rc;
}

int
net_ensure_up (struct net *n, struct bx_err *e)
{
	struct nl nl;
	int br;

	if (nl_open (&nl, e) < 0)
		return -1;
	br = nl_link_index (&nl, n->bridge);
	nl_close (&nl);
	if (br)
		return 0;
	if (bridge_up (n, e) < 0)
		return err_wrap (e, "network %s: bring back its bridge", n->name);
	return 0;
}

static void
bridge_down (struct net *n)
{
	struct bx_err ignored = {0};
	struct nl nl;

	nft_network_del (n->bridge, &ignored);
	if (nl_open (&nl, &ignored) == 0) {
		nl_link_del (&nl, n->bridge, &ignored);
		nl_close (&nl);
	}
}

static int
net_check_opts (const struct net_opts *o, struct bx_err *e)
{
	if (!net_name_ok (o->name))
		return err_set (e, BX_USAGE, 0,
		                "invalid network name \"%s\", only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", o->name);
	if (o->driver && strcmp (o->driver, "bridge"))
		return err_set (e, BX_USAGE, 0, "plugin \"%s\" not found", o->driver);
	if (o->gateway && !o->subnet)
		return err_set (e, BX_USAGE, 0, "every ip-range or gateway must have a corresponding subnet");
	return 0;
}

/* Directory, config and bridge, under the store's and the host's locks. */
static int
net_make (int rootfd, const struct net_opts *o, struct net *n, char *tmp, struct bx_err *e)
{
	_cleanup_close_ int hostlock = -1;
	_cleanup_free_ char *js = NULL;
	const char *prefix;
	json_t *cfg;

	if (net_prefix (&prefix, e) < 0 || net_random_id (n->id, e) < 0)
		return -1;
	if (o->device)
		snprintf (n->bridge, sizeof n->bridge, "%s", o->device);
	else
		snprintf (n->bridge, sizeof n->bridge, "%s-%.8s", prefix, n->id);
	mkdir ("/run/lock", 01777);
	if ((hostlock = lock_take_at (AT_FDCWD, HOST_NET_LOCK, LOCK_WAIT, e)) < 0)
		return -1;
	if (choose_subnet (rootfd, o, n, e) < 0 || choose_gateway (o, n, e) < 0)
		return -1;
	if (!(cfg = net_config (n, o)) || !(js = json_dumps (cfg, JSON_INDENT (4))))
		return json_decref (cfg), err_set (e, BX_SYSTEM, ENOMEM, "network config");
	n->config = cfg;
	if (mkdirat (rootfd, tmp, 0711) < 0)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", tmp);
	n->dirfd = openat (rootfd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (n->dirfd < 0 || mkdirat (n->dirfd, L_LEASES, 0700) < 0 || mkdirat (n->dirfd, L_ENDPOINTS, 0700) < 0 ||
	    afile_write_at (n->dirfd, L_NET_CONFIG, js, strlen (js), e) < 0) {
		if (!e->code)
			err_set (e, BX_SYSTEM, errno, "make %s", tmp);
		rmtree_at (rootfd, tmp);
		return -1;
	}
	if (bridge_up (n, e) < 0) {
		rmtree_at (rootfd, tmp);
		return -1;
	}
	return 0;
}

int
net_create (int rootfd, const struct net_opts *o, struct net *n, struct bx_err *e)
{
	_cleanup_close_ int storelock = -1;
	char tmp[NET_NAME_MAX + 64], final[NET_NAME_MAX + 16];

	memset (n, 0, sizeof *n);
	n->dirfd = -1;
	if (net_check_opts (o, e) < 0)
		return -1;
	snprintf (n->name, sizeof n->name, "%s", o->name);
	snprintf (n->driver, sizeof n->driver, "bridge");
	n->dns = strcmp (o->name, NET_DEFAULT) != 0;
	if (afile_mkdir_p_at (rootfd, L_NETWORKS, 0711, e) < 0)
		return -1;
	if ((storelock = lock_take_at (rootfd, L_NETWORKS "/" L_NETS_LOCK, LOCK_WAIT, e)) < 0)
		return -1;
	snprintf (final, sizeof final, L_NETWORKS "/%s", o->name);
	if (faccessat (rootfd, final, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return err_set (e, BX_CONFLICT, 0, "network with name %s already exists", o->name);
	snprintf (tmp, sizeof tmp, L_NETWORKS "/%s.tmp-%d", o->name, (int)getpid ());
	if (net_make (rootfd, o, n, tmp, e) < 0) {
		net_close (n);
		return -1;
	}
	if (renameat (rootfd, tmp, rootfd, final) < 0) {
		err_set (e, BX_SYSTEM, errno, "rename %s", tmp);
		goto undo;
	}
	if (n->dns && resolver_start (n->dirfd, n->gw, e) < 0) {
		err_wrap (e, "network %s", n->name);
		rmtree_at (rootfd, final);
		goto undo_bridge;
	}
	return 0;
undo:
	rmtree_at (rootfd, tmp);
undo_bridge:
	bridge_down (n);
	net_close (n);
	return -1;
}

int
net_open_default (int rootfd, struct net *n, struct bx_err *e)
{
	struct net_opts o = {.name = NET_DEFAULT};
	char dev[NET_DEV_MAX];
	const char *prefix;

	memset (n, 0, sizeof *n);
	n->dirfd = -1;
	if (net_open_dir (rootfd, NET_DEFAULT, n, e) == 0 || e->code != BX_NOTFOUND)
		return n->dirfd >= 0 ? 0 : -1;
	memset (e, 0, sizeof *e);
	if (net_prefix (&prefix, e) < 0)
		return -1;
	snprintf (dev, sizeof dev, "%s0", prefix);
	o.device = dev;
	if (net_create (rootfd, &o, n, e) == 0)
		return 0;
	if (e->code != BX_CONFLICT || net_open_dir (rootfd, NET_DEFAULT, n, &(struct bx_err){0}) < 0)
		return -1;
	/* made by someone else meanwhile */
	memset (e, 0, sizeof *e);
	return 0;
}

int
net_remove (int rootfd, struct net *n, struct bx_err *e)
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
	rmtree_at (rootfd, tmp);
	return 0;
}
