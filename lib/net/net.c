#include "net/net.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "runtime/event.h"

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

/* A boolean option as Go's strconv.ParseBool reads it; DEF when unset. */
static bool
option_bool (json_t *opts, const char *key, bool def)
{
	const char *v = json_string_value (json_object_get (opts, key));

	if (!v)
		return def;
	return !strcmp (v, "1") || !strcasecmp (v, "t") || !strcasecmp (v, "true");
}

/* The driver's options and IPAM's range: what the bridge, the leases and
 * the published ports follow. */
/* the IPAM.Config entry whose Subnet is IPv6 */
static int
net_options_v6 (struct net *n, struct bx_err *e)
{
	json_t *cfg = json_object_get (json_object_get (n->config, "IPAM"), "Config"), *c;
	size_t i;

	json_array_foreach (cfg, i, c)
	{
		const char *sub = json_string_value (json_object_get (c, "Subnet"));
		const char *gw = json_string_value (json_object_get (c, "Gateway"));
		if (!sub || !strchr (sub, ':'))
			continue;
		if (cidr_v6_parse (sub, &n->subnet6, e) < 0)
			return -1;
		n->gw6 = cidr_v6_host (n->subnet6, 1);
		if (gw && inet_pton (AF_INET6, gw, &n->gw6) != 1)
			return err_set (e, BX_FAIL, 0, "invalid IPv6 gateway %s", gw);
	}
	n->ipv6 = json_is_true (json_object_get (n->config, "EnableIPv6")) && n->subnet6.len;
	return 0;
}

int
net_options_read (struct net *n, struct bx_err *e)
{
	json_t *opts = json_object_get (n->config, "Options");
	json_t *ipam = json_array_get (json_object_get (json_object_get (n->config, "IPAM"), "Config"), 0);
	const char *range = json_string_value (json_object_get (ipam, "IPRange"));
	const char *mtu = json_string_value (json_object_get (opts, "com.docker.network.driver.mtu"));
	const char *hb = json_string_value (json_object_get (opts, "com.docker.network.bridge.host_binding_ipv4"));

	n->internal = json_is_true (json_object_get (n->config, "Internal"));
	n->icc = option_bool (opts, "com.docker.network.bridge.enable_icc", true);
	n->masquerade = option_bool (opts, "com.docker.network.bridge.enable_ip_masquerade", true);
	n->mtu = mtu ? atoi (mtu) : 0;
	n->range = n->subnet;
	if (range && *range && cidr_parse (range, &n->range, e) < 0)
		return -1;
	if (hb && cidr_ip_parse (hb, &n->host_binding, e) < 0)
		return -1;
	return net_options_v6 (n, e);
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
	snprintf (n->fwchain, sizeof n->fwchain, "%s",
	          json_string_value (json_object_get (json_object_get (n->config, "Box"), "Chain")) ?: "");
	n->dns = strcmp (n->name, NET_DEFAULT) != 0;
	if (cidr_parse (subnet, &n->subnet, e) < 0 || cidr_ip_parse (gw, &n->gw, e) < 0 || net_options_read (n, e) < 0)
		return err_wrap (e, L_NET_CONFIG);
	return 0;
}

/* networks/ENTRY; one still being made only when ANY */
static int
open_entry (int rootfd, const char *name, bool any, struct net *n, struct bx_err *e)
{
	char path[PATH_MAX];

	memset (n, 0, sizeof *n);
	n->dirfd = -1;
	snprintf (path, sizeof path, L_NETWORKS "/%s", name);
	n->dirfd = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (n->dirfd >= 0 && !any && faccessat (n->dirfd, L_NET_MAKING, F_OK, 0) == 0) {
		close (n->dirfd);
		n->dirfd = -1;
		errno = ENOENT;
	}
	if (n->dirfd < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno == ENOENT ? 0 : errno,
		                "network %s not found", name);
	if (net_load (n, e) < 0) {
		net_close (n);
		return err_wrap (e, "network %s", name);
	}
	return 0;
}

int
net_open_dir (int rootfd, const char *name, struct net *n, struct bx_err *e)
{
	return open_entry (rootfd, name, false, n, e);
}

int
net_open_any (int rootfd, const char *entry, struct net *n, struct bx_err *e)
{
	return open_entry (rootfd, entry, true, n, e);
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

void
net_event (int rootfd, const char *action, const struct net *n, const char *ctr_id)
{
	struct event_attrs a = {.len = 0};

	if (ctr_id)
		event_attrs_add (&a, "container", ctr_id);
	event_attrs_add (&a, "name", n->name);
	event_attrs_add (&a, "type", n->driver[0] ? n->driver : "bridge");
	event_log (rootfd, "network", action, n->id, &a);
}
