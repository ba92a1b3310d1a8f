#include "ctrview.h"
#include "hostcfg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/human.h"
#include "base/layout.h"
#include "runtime/cgroup.h"
#include "runtime/ctrrm.h"
#include "runtime/freezer.h"
#include "runtime/health.h"
#include "runtime/volume.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"

/* DIRFD/NAME parsed; *OUT NULL when absent, an error when unreadable. */
static int
load_json (int dirfd, const char *name, json_t **out, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	json_error_t je;
	size_t len;

	*out = NULL;
	if (afile_slurp_at (dirfd, name, &buf, &len, e) < 0)
		return e->code == BX_NOTFOUND ? 0 : err_wrap (e, "%s", name);
	if (!(*out = json_loadb (buf, len, 0, &je)))
		return err_set (e, BX_FAIL, 0, "%s: line %d: %s", name, je.line, je.text);
	return 0;
}

static const char *
str_at (json_t *obj, const char *k1, const char *k2)
{
	json_t *v = json_object_get (obj, k1);

	if (k2)
		v = json_object_get (v, k2);
	return json_is_string (v) ? json_string_value (v) : NULL;
}

static void
load_image (int dirfd, struct ctrview *v)
{
	_cleanup_free_ char *buf = NULL;
	const char *s = str_at (v->create, "Image", NULL);
	struct bx_err ign;
	size_t len;

	if (!s && afile_slurp_at (dirfd, L_CIMAGE, &buf, &len, &ign) == 0) {
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
			buf[--len] = '\0';
		s = buf;
	}
	snprintf (v->image_id, sizeof v->image_id, "%s", s ? s : "");
	s = str_at (v->create, "ImageRef", NULL) ?: str_at (v->create, "Config", "Image") ?: v->image_id;
	snprintf (v->image_ref, sizeof v->image_ref, "%s", s);
}

static void
load_names (struct ctrview *v)
{
	const char *s = str_at (v->create, "Name", NULL) ?: "";
	int64_t t;

	snprintf (v->name, sizeof v->name, "%s", s[0] == '/' ? s + 1 : s);
	s = str_at (v->create, "Created", NULL) ?: v->st.created;
	snprintf (v->created, sizeof v->created, "%s", s);
	v->created_s = human_time_parse (v->created, &t) == 0 ? t : 0;
}

int
ctrview_load (int rootfd, const char *root, const char *id, struct ctrview *v, struct bx_err *e)
{
	_cleanup_close_ int dfd = -1;
	char cgpath[CGROUP_PATH_LEN];

	memset (v, 0, sizeof *v);
	snprintf (v->id, sizeof v->id, "%s", id);
	snprintf (v->dir, sizeof v->dir, "%s/" L_CONTAINERS "/%s", root, id);
	if ((dfd = ctr_open (rootfd, id, e)) < 0)
		return -1;
	if (ctr_state_read (dfd, &v->st, e) < 0)
		return -1;
	/* found lost (its supervisor killed): recorded now; gone with --rm */
	if (ctrrm_reap_lost (rootfd, dfd, id, &v->st) > 0)
		return err_set (e, BX_NOTFOUND, 0, "No such container: %s", id);
	if (ctr_create_read_opt (dfd, &v->create, e) < 0 || load_json (dfd, L_CONFIG, &v->config, e) < 0 ||
	    load_json (dfd, L_NETWORK_JSON, &v->network, e) < 0) {
		ctrview_free (v);
		return -1;
	}
	if (!v->create)
		v->create = json_object ();
	if (!v->config)
		v->config = json_object ();
	load_image (dfd, v);
	load_names (v);
	/* a container that does not run is unhealthy, as Docker says once its
	 * checks stop (also when its supervisor was killed and could not say) */
	if ((v->health = health_read (dfd)) && strcmp (v->st.status, "running"))
		json_object_set_new (v->health, "Status", json_string ("unhealthy"));
	ctr_cgroup_path (v->create, id, cgpath);
	v->paused = !strcmp (v->st.status, "running") && freezer_is_frozen_cgroup (cgpath);
	return 0;
}

const char *
ctrview_state (const struct ctrview *v)
{
	if (v->paused)
		return "paused";
	return v->st.status[0] ? v->st.status : "created";
}

void
ctrview_free (struct ctrview *v)
{
	json_decref (v->create);
	json_decref (v->config);
	json_decref (v->network);
	json_decref (v->health);
	v->create = v->config = v->network = v->health = NULL;
}

static int64_t
since (const char *t, time_t now)
{
	int64_t s;

	return human_time_parse (t, &s) == 0 ? (int64_t)now - s : 0;
}

void
ctrview_status (const struct ctrview *v, time_t now, char *buf, size_t len)
{
	char d[64];

	if (!strcmp (v->st.status, "running")) {
		const char *h = ctrview_health (v);
		human_duration (since (v->st.started, now), d, sizeof d);
		if (v->paused)
			snprintf (buf, len, "Up %s (Paused)", d);
		else if (!strcmp (h, "none"))
			snprintf (buf, len, "Up %s", d);
		else
			snprintf (buf, len, "Up %s (%s%s)", d, strcmp (h, "starting") ? "" : "health: ", h);
	} else if (!strcmp (v->st.status, "restarting")) {
		human_duration (since (v->st.finished, now), d, sizeof d);
		snprintf (buf, len, "Restarting (%d) %s ago", v->st.exit_code, d);
	} else if (!v->st.started[0])
		snprintf (buf, len, "Created");
	else if (!v->st.finished[0])
		snprintf (buf, len, "%s", "");
	else {
		human_duration (since (v->st.finished, now), d, sizeof d);
		snprintf (buf, len, "Exited (%d) %s ago", v->st.exit_code, d);
	}
}

static void
append_all (json_t *dst, json_t *src)
{
	size_t i;
	json_t *x;

	json_array_foreach (src, i, x) json_array_append (dst, x);
}

json_t *
ctrview_argv (const struct ctrview *v)
{
	json_t *cfg = json_object_get (v->create, "Config"), *a = json_array ();
	json_t *path = json_object_get (v->create, "Path");

	/* Docker's Path and Args as ctr-create recorded them; else the
	 * entrypoint then the command, as the user knows them (not the init
	 * ctr-create may put in front) */
	if (json_is_string (path)) {
		json_array_append (a, path);
		append_all (a, json_object_get (v->create, "Args"));
	} else if (cfg) {
		append_all (a, json_object_get (cfg, "Entrypoint"));
		append_all (a, json_object_get (cfg, "Cmd"));
	}
	if (!json_array_size (a))
		append_all (a, json_object_get (json_object_get (v->config, "process"), "args"));
	return a;
}

char *
ctrview_command (const struct ctrview *v)
{
	json_t *a = ctrview_argv (v), *x;
	size_t i, len = 1;
	char *out, *p;

	json_array_foreach (a, i, x) len += strlen (json_string_value (x) ?: "") + 3;
	if (!(p = out = calloc (1, len))) {
		json_decref (a);
		return NULL;
	}
	/* as Docker's daemon: an argument with a blank in single quotes, the
	 * path as it is */
	json_array_foreach (a, i, x)
	{
		const char *s = json_string_value (x) ?: "";
		const char *q = i && strchr (s, ' ') ? "'" : "";
		p += sprintf (p, "%s%s%s%s", i ? " " : "", q, s, q);
	}
	json_decref (a);
	return out;
}

/* --- ports: docker/cli formatter.DisplayablePorts ----------------------- */

struct port {
	char ip[64], type[8];
	unsigned priv, pub;
};

static int
cmp_port (const void *a, const void *b)
{
	const struct port *x = a, *y = b;
	int c;

	if (x->priv != y->priv)
		return x->priv < y->priv ? -1 : 1;
	if ((c = strcmp (x->ip, y->ip)))
		return c;
	if (x->pub != y->pub)
		return x->pub < y->pub ? -1 : 1;
	return strcmp (x->type, y->type);
}

static size_t
collect_ports (json_t *ports, struct port **out)
{
	const char *key;
	json_t *binds, *b;
	size_t n = 0, cap = 0, i;

	*out = NULL;
	json_object_foreach (ports, key, binds)
	{
		struct port p = {0};
		if (sscanf (key, "%u/%7s", &p.priv, p.type) < 1)
			continue;
		if (!p.type[0])
			snprintf (p.type, sizeof p.type, "tcp");
		for (i = 0; i == 0 || i < json_array_size (binds); i++) {
			struct port q = p;
			if ((b = json_array_get (binds, i))) {
				snprintf (q.ip, sizeof q.ip, "%s", str_at (b, "HostIp", NULL) ?: "");
				q.pub = (unsigned)atoi (str_at (b, "HostPort", NULL) ?: "0");
			}
			if (n == cap && !(*out = realloc (*out, (cap = cap ? 2 * cap : 8) * sizeof **out)))
				return 0;
			(*out)[n++] = q;
		}
	}
	if (n)
		qsort (*out, n, sizeof **out, cmp_port);
	return n;
}

struct group {
	char key[80];
	unsigned first, last;
};

static void
form_group (FILE *f, int *any, const struct group *g)
{
	const char *slash = strrchr (g->key, '/');
	char range[32];

	if (g->first != g->last)
		snprintf (range, sizeof range, "%u-%u", g->first, g->last);
	else
		snprintf (range, sizeof range, "%u", g->first);
	fputs (*any ? ", " : "", f);
	*any = 1;
	if (slash)
		fprintf (f, "%.*s:%s->%s%s", (int)(slash - g->key), g->key, range, range, slash);
	else
		fprintf (f, "%s/%s", range, g->key);
}

/* "::" unbracketed too (":::8080->80/tcp"), as Docker 20.10's ps */
static void
host_mapping (FILE *f, const struct port *p)
{
	fprintf (f, "%s:%u->%u/%s", p->ip, p->pub, p->priv, p->type);
}

/* Same order as Docker's: groups that a gap closed, the open group of each
 * key (in the order keys appeared), then the mappings to other ports. */
static void
print_ports (FILE *f, const struct port *p, size_t n, struct group *g)
{
	size_t ng = 0, i, k;
	int any = 0;

	for (i = 0; i < n; i++) {
		char key[80];
		if (p[i].ip[0] && p[i].pub != p[i].priv)
			continue;
		if (p[i].ip[0])
			snprintf (key, sizeof key, "%s/%s", p[i].ip, p[i].type);
		else
			snprintf (key, sizeof key, "%s", p[i].type);
		for (k = 0; k < ng && strcmp (g[k].key, key); k++)
			;
		if (k == ng) {
			snprintf (g[ng].key, sizeof g[ng].key, "%s", key);
			g[ng].first = g[ng].last = p[i].priv;
			ng++;
		} else if (p[i].priv == g[k].last + 1)
			g[k].last = p[i].priv;
		else {
			form_group (f, &any, &g[k]);
			g[k].first = g[k].last = p[i].priv;
		}
	}
	for (k = 0; k < ng; k++)
		form_group (f, &any, &g[k]);
	for (i = 0; i < n; i++)
		if (p[i].ip[0] && p[i].pub != p[i].priv) {
			fputs (any ? ", " : "", f);
			any = 1;
			host_mapping (f, &p[i]);
		}
}

char *
ctrview_ports (const struct ctrview *v)
{
	_cleanup_free_ struct port *p = NULL;
	_cleanup_free_ struct group *g = NULL;
	char *out = NULL;
	size_t len = 0, n;
	FILE *f;

	n = collect_ports (json_object_get (v->network, "Ports"), &p);
	if (!(g = calloc (n + 1, sizeof *g)) || !(f = open_memstream (&out, &len)))
		return NULL;
	print_ports (f, p, n, g);
	if (fclose (f) != 0) {
		free (out);
		return NULL;
	}
	return out;
}

/* --- inspect ------------------------------------------------------------ */

static int
has_prefix (const char *s, const char *p)
{
	return strncmp (s, p, strlen (p)) == 0;
}

/* The volume name when SRC is a volume's data in the state directory. */
static int
volume_name (const struct ctrview *v, const char *src, char *buf, size_t len)
{
	char root[sizeof v->dir];

	/* v->dir is ROOT/containers/<id> */
	snprintf (root, sizeof root, "%.*s", (int)(strlen (v->dir) - strlen ("/" L_CONTAINERS "/") - CTR_ID_LEN),
	          v->dir);
	return volume_of_source (root, src, buf, len);
}

static int
is_runtime_mount (const struct ctrview *v, const char *type, const char *src, const char *dst)
{
	if (strcmp (type, "bind") && strcmp (type, "none"))
		return 1;
	/* hosts, hostname, resolv.conf, netns: the bundle's own files */
	return has_prefix (src, v->dir) || has_prefix (dst, "/proc") || has_prefix (dst, "/dev") ||
	       has_prefix (dst, "/sys");
}

static json_t *
mount_entry (const struct ctrview *v, json_t *m)
{
	const char *type = str_at (m, "type", NULL) ?: "bind", *src = str_at (m, "source", NULL) ?: "",
	           *dst = str_at (m, "destination", NULL) ?: "";
	json_t *opt, *o;
	char name[256];
	int rw = 1;
	size_t i;

	if (is_runtime_mount (v, type, src, dst))
		return NULL;
	opt = json_object_get (m, "options");
	json_array_foreach (opt, i, o) rw &= strcmp (json_string_value (o) ?: "", "ro") != 0;
	if (volume_name (v, src, name, sizeof name))
		return json_pack ("{ss ss ss ss ss ss sb ss}", "Type", "volume", "Name", name, "Source", src,
		                  "Destination", dst, "Driver", "local", "Mode", "", "RW", rw, "Propagation", "");
	return json_pack ("{ss ss ss ss sb ss}", "Type", "bind", "Source", src, "Destination", dst, "Mode", "", "RW",
	                  rw, "Propagation", "rprivate");
}

json_t *
ctrview_mounts (const struct ctrview *v)
{
	json_t *out, *m;
	size_t i;

	/* ctr-create records Docker's list; older bundles: from config.json */
	if (json_is_array (json_object_get (v->create, "Mounts")))
		return json_deep_copy (json_object_get (v->create, "Mounts"));
	out = json_array ();
	json_array_foreach (json_object_get (v->config, "mounts"), i, m)
	{
		json_t *x = mount_entry (v, m);
		if (x)
			json_array_append_new (out, x);
	}
	return out;
}

const char *
ctrview_health (const struct ctrview *v)
{
	const char *s = json_string_value (json_object_get (v->health, "Status"));

	return s ? s : "none";
}

static json_t *
inspect_state (const struct ctrview *v)
{
	int running = !strcmp (v->st.status, "running"), restarting = !strcmp (v->st.status, "restarting");

	/* Docker: a container waiting to restart is Running and Restarting, no Pid */
	return json_pack ("{ss sb sb sb sb sb si si ss ss ss sO*}", "Status", ctrview_state (v), "Running",
	                  running || restarting, "Paused", v->paused, "Restarting", restarting, "OOMKilled",
	                  v->st.oom_killed != 0, "Dead", 0, "Pid", running ? (int)v->st.pid : 0, "ExitCode",
	                  v->st.exit_code, "Error", v->st.error, "StartedAt",
	                  v->st.started[0] ? v->st.started : ZERO_TIME, "FinishedAt",
	                  v->st.finished[0] ? v->st.finished : ZERO_TIME, "Health", v->health);
}

/* create.json's Config in the order of Docker's container.Config */
static json_t *
config_ordered (json_t *cfg)
{
	static const char *const order[] = {
	    "Hostname",     "Domainname",   "User",        "AttachStdin",     "AttachStdout",
	    "AttachStderr", "ExposedPorts", "Tty",         "OpenStdin",       "StdinOnce",
	    "Env",          "Cmd",          "Healthcheck", "ArgsEscaped",     "Image",
	    "Volumes",      "WorkingDir",   "Entrypoint",  "NetworkDisabled", "MacAddress",
	    "OnBuild",      "Labels",       "StopSignal",  "StopTimeout",     "Shell"};
	json_t *out = json_object (), *x;
	const char *k;

	for (size_t i = 0; i < sizeof order / sizeof *order; i++)
		if ((x = json_object_get (cfg, order[i])))
			json_object_set (out, order[i], x);
	json_object_foreach (cfg, k, x) if (!json_object_get (out, k)) json_object_set (out, k, x);
	return out;
}

/* Docker 20.10's NetworkSettings and EndpointSettings, in order, empty */
static const char NS_DEFAULTS[] =
    "{\"Bridge\": \"\", \"SandboxID\": \"\", \"HairpinMode\": false, \"LinkLocalIPv6Address\": \"\","
    " \"LinkLocalIPv6PrefixLen\": 0, \"Ports\": {}, \"SandboxKey\": \"\", \"SecondaryIPAddresses\": null,"
    " \"SecondaryIPv6Addresses\": null, \"EndpointID\": \"\", \"Gateway\": \"\", \"GlobalIPv6Address\": \"\","
    " \"GlobalIPv6PrefixLen\": 0, \"IPAddress\": \"\", \"IPPrefixLen\": 0, \"IPv6Gateway\": \"\","
    " \"MacAddress\": \"\", \"Networks\": {}}";
static const char EP_DEFAULTS[] =
    "{\"IPAMConfig\": null, \"Links\": null, \"Aliases\": null, \"NetworkID\": \"\", \"EndpointID\": \"\","
    " \"Gateway\": \"\", \"IPAddress\": \"\", \"IPPrefixLen\": 0, \"IPv6Gateway\": \"\","
    " \"GlobalIPv6Address\": \"\", \"GlobalIPv6PrefixLen\": 0, \"MacAddress\": \"\", \"DriverOpts\": null}";

/* DEFAULTS (JSON text) with HAVE's values over it; HAVE's other keys
 * (DNSNames: newer Docker's, kept) after them */
static json_t *
shaped (const char *defaults, json_t *have)
{
	json_t *out = json_loads (defaults, 0, NULL), *x;
	const char *k;

	json_object_foreach (have, k, x) json_object_set (out, k, x);
	return out;
}

/* A created or stopped container: the networks its start joins (the one
 * NetworkMode names, those a connect added), as create.json asks for
 * them, no address yet */
static void
networks_to_join (json_t *create, const char *mode, json_t *nets)
{
	json_t *eps = json_object_get (json_object_get (create, "NetworkingConfig"), "EndpointsConfig"), *ep;
	const char *k;

	if (mode && !strncmp (mode, "container:", 10))
		return;
	if (!mode || !strcmp (mode, "default"))
		mode = "bridge";
	json_object_set_new (nets, mode, shaped (EP_DEFAULTS, json_object_get (eps, mode)));
	json_object_foreach (eps, k, ep) if (strcmp (k, "default") && !json_object_get (nets, k))
	    json_object_set_new (nets, k, shaped (EP_DEFAULTS, ep));
}

static json_t *
network_settings (const struct ctrview *v)
{
	const char *mode = str_at (v->create, "HostConfig", "NetworkMode"), *k;
	json_t *have = v->network ? v->network : json_object_get (v->create, "NetworkSettings");
	json_t *ns = shaped (NS_DEFAULTS, have), *nets = json_object (), *ep;

	if (!ns || !nets) {
		json_decref (ns);
		json_decref (nets);
		return NULL;
	}
	json_object_foreach (json_object_get (have, "Networks"), k, ep)
	{
		json_t *e = shaped (EP_DEFAULTS, ep);
		/* newer Docker's key, which 20.10 lacks: shown where it names something */
		if (json_is_null (json_object_get (e, "DNSNames")))
			json_object_del (e, "DNSNames");
		json_object_set_new (nets, k, e);
	}
	/* not attached: none and host are networks of their own, as Docker shows */
	if (!have && mode && (!strcmp (mode, "none") || !strcmp (mode, "host")))
		json_object_set_new (nets, mode, shaped (EP_DEFAULTS, NULL));
	else if (!have)
		networks_to_join (v->create, mode, nets);
	json_object_set_new (ns, "Networks", nets);
	/* Docker publishes ports while the container runs only */
	if (strcmp (v->st.status, "running") && strcmp (v->st.status, "restarting"))
		json_object_set_new (ns, "Ports", json_object ());
	return ns;
}

static json_t *
graph_driver (const struct ctrview *v, const char *lowerdir)
{
	char p[3][4200];
	int overlay;

	snprintf (p[0], sizeof p[0], "%s/" L_ROOTFS, v->dir);
	snprintf (p[1], sizeof p[1], "%s/" L_UPPER, v->dir);
	snprintf (p[2], sizeof p[2], "%s/" L_WORK, v->dir);
	overlay = access (p[1], F_OK) == 0;
	if (!overlay)
		return json_pack ("{s{ss} ss}", "Data", "MergedDir", p[0], "Name", "vfs");
	/* Docker's keys are a Go map's: sorted */
	return json_pack ("{s{ss* ss ss ss} ss}", "Data", "LowerDir", lowerdir, "MergedDir", p[0], "UpperDir", p[1],
	                  "WorkDir", p[2], "Name", "overlay2");
}

static json_t *
inspect_paths (const struct ctrview *v, json_t *o)
{
	static const char *const keys[][2] = {
	    {"ResolvConfPath", L_RESOLV}, {"HostnamePath", L_HOSTNAME}, {"HostsPath", L_HOSTS}, {"LogPath", L_LOG}};
	char path[4200], name[260];

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		snprintf (path, sizeof path, "%s/%s", v->dir, keys[i][1]);
		json_object_set_new (o, keys[i][0], json_string (path));
	}
	snprintf (name, sizeof name, "/%s", v->name);
	json_object_set_new (o, "Name", json_string (name));
	return o;
}

json_t *
ctrview_inspect (const struct ctrview *v, const char *lowerdir)
{
	json_t *argv = ctrview_argv (v), *o = json_object (), *gd = graph_driver (v, lowerdir), *path;

	if (!argv || !o || !gd) {
		json_decref (argv);
		json_decref (o);
		json_decref (gd);
		return NULL;
	}
	/* Docker's key order */
	path = json_array_get (argv, 0);
	json_object_set_new (o, "Id", json_string (v->id));
	json_object_set_new (o, "Created", json_string (v->created));
	json_object_set_new (o, "Path", path ? json_incref (path) : json_string (""));
	json_array_remove (argv, 0);
	json_object_set_new (o, "Args", argv);
	json_object_set_new (o, "State", inspect_state (v));
	json_object_set_new (o, "Image", json_string (v->image_id));
	inspect_paths (v, o);
	json_object_set_new (o, "RestartCount", json_integer (v->st.restart_count));
	json_object_set (o, "Driver", json_object_get (gd, "Name"));
	json_object_set_new (o, "Platform", json_string ("linux"));
	json_object_set_new (o, "MountLabel", json_string (""));
	json_object_set_new (o, "ProcessLabel", json_string (""));
	json_object_set_new (o, "AppArmorProfile", json_string (""));
	json_object_set_new (o, "ExecIDs", json_null ());
	json_object_set_new (o, "HostConfig", hostcfg_inspect (json_object_get (v->create, "HostConfig"), v->config));
	json_object_set_new (o, "GraphDriver", gd);
	json_object_set_new (o, "Mounts", ctrview_mounts (v));
	json_object_set_new (o, "Config", config_ordered (json_object_get (v->create, "Config")));
	json_object_set_new (o, "NetworkSettings", network_settings (v));
	return o;
}

int
ctrview_has_label (const struct ctrview *v, const char *want)
{
	json_t *labels = json_object_get (json_object_get (v->create, "Config"), "Labels"), *x;
	const char *eq = strchr (want, '=');
	char key[512];

	snprintf (key, sizeof key, "%.*s", eq ? (int)(eq - want) : (int)strlen (want), want);
	x = json_object_get (labels, key);
	return x && (!eq || !strcmp (json_string_value (x) ?: "", eq + 1));
}

/* go-units Ellipsis (one column per code point) then strconv.Quote. */
char *
ctrview_quote_command (const char *cmd, int trunc)
{
	size_t n = 0, cut = strlen (cmd), i;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	for (i = 0; cmd[i]; i++)
		if (((unsigned char)cmd[i] & 0xc0) != 0x80 && ++n == 20)
			cut = i;
	if (!(f = open_memstream (&out, &len)))
		return NULL;
	fputc ('"', f);
	for (i = 0; cmd[i] && (!trunc || n <= 20 || i < cut); i++) {
		unsigned char ch = (unsigned char)cmd[i];
		const char *esc = ch == '"'    ? "\\\""
		                  : ch == '\\' ? "\\\\"
		                  : ch == '\n' ? "\\n"
		                  : ch == '\t' ? "\\t"
		                  : ch == '\r' ? "\\r"
		                               : NULL;
		if (esc)
			fputs (esc, f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf (f, "\\x%02x", ch);
		else
			fputc (ch, f);
	}
	if (trunc && n > 20)
		fputs ("\u2026", f);
	fputc ('"', f);
	return fclose (f) == 0 ? out : (free (out), NULL);
}

void
ctrview_labels (const struct ctrview *v, char *buf, size_t len)
{
	json_t *labels = json_object_get (json_object_get (v->create, "Config"), "Labels"), *x;
	const char *k;
	size_t off = 0;

	buf[0] = '\0';
	json_object_foreach (labels, k, x) if (off < len) off +=
	    (size_t)snprintf (buf + off, len - off, "%s%s=%s", off ? "," : "", k, json_string_value (x) ?: "");
}

void
ctrview_mount_names (const struct ctrview *v, int trunc, char *buf, size_t len, int *local)
{
	json_t *mounts = ctrview_mounts (v), *m;
	size_t off = 0, i;

	buf[0] = '\0';
	*local = 0;
	json_array_foreach (mounts, i, m)
	{
		const char *name = json_string_value (json_object_get (m, "Name"));
		const char *s = name ? name : json_string_value (json_object_get (m, "Source"));
		*local += name != NULL;
		if (off < len)
			off +=
			    (size_t)snprintf (buf + off, len - off, trunc && strlen (s) > 15 ? "%s%.14s\u2026" : "%s%s",
			                      off ? "," : "", s);
	}
	json_decref (mounts);
}

void
ctrview_networks (const struct ctrview *v, char *buf, size_t len)
{
	json_t *nets = json_object_get (v->network, "Networks"), *x;
	const char *k,
	    *mode = json_string_value (json_object_get (json_object_get (v->create, "HostConfig"), "NetworkMode"));
	size_t off = 0;

	buf[0] = '\0';
	json_object_foreach (nets, k, x) if (off < len) off +=
	    (size_t)snprintf (buf + off, len - off, "%s%s", off ? "," : "", k);
	/* not attached yet: the network it will join ("default" is the bridge) */
	if (!off && mode)
		snprintf (buf, len, "%s", strcmp (mode, "default") ? mode : "bridge");
}
