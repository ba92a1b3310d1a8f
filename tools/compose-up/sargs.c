/* sargs - each key of a service, the flag docker create has for it */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/hash.h"
#include "image/platform.h"
#include "links.h"
#include "norm.h"
#include "sargs.h"

/* the keys of the specification box has nothing for, and why */
static const char *const refused[][2] = {
    {"cpu_count", "not implemented (Docker has it on Windows only)"},
    {"cpu_percent", "not implemented (Docker has it on Windows only)"},
    {"credential_spec", "not implemented (Windows containers only)"},
    {"isolation", "not implemented (Windows containers only)"},
    {"develop", "not implemented (compose watch is not built)"},
    {"gpus", "not implemented (box has no GPU support)"},
    {"runtime", "not implemented (box has one runtime)"},
    {"storage_opt", "not implemented (box's storage has no options)"},
};

static int
check_platform (const char *name, const char *want, struct bx_err *e)
{
	struct platform here, p;
	char buf[128];

	platform_default (&here);
	platform_format (&here, buf, sizeof buf);
	if (platform_parse (want, &p, e) < 0)
		return err_wrap (e, "service \"%s\": platform %s", name, want);
	if (!platform_matches (&here, &p))
		return err_set (e, BX_FAIL, 0,
		                "service \"%s\": platform %s: only this machine's platform (%s) can be run", name, want,
		                buf);
	return 0;
}

static int
check_hooks (const char *name, const json_t *svc, struct bx_err *e)
{
	static const char *const keys[] = {"post_start", "pre_stop"};
	json_t *h;
	size_t k;

	for (int i = 0; i < 2; i++)
		json_array_foreach (json_object_get (svc, keys[i]), k, h)
		{
			if (!json_is_object (h) || !json_object_get (h, "command"))
				return err_set (e, BX_USAGE, 0, "service \"%s\": %s[%zu]: command is required", name,
				                keys[i], k);
			if (json_is_true (json_object_get (h, "privileged")))
				return err_set (e, BX_FAIL, 0, "service \"%s\": %s: privileged: not implemented", name,
				                keys[i]);
		}
	return 0;
}

int
sargs_check (const char *name, const json_t *svc, struct bx_err *e)
{
	const char *p = json_string_value (json_object_get (svc, "platform"));

	for (size_t k = 0; k < sizeof refused / sizeof *refused; k++)
		if (json_object_get (svc, refused[k][0]))
			return err_set (e, BX_FAIL, 0, "service \"%s\": %s: %s", name, refused[k][0], refused[k][1]);
	if (p && check_platform (name, p, e) < 0)
		return -1;
	return check_hooks (name, svc, e);
}

char *
sargs_image (const struct model *m, const char *service, const json_t *svc)
{
	const char *img = json_string_value (json_object_get (svc, "image"));
	char *s = NULL;

	if (img)
		return strdup (img);
	if (asprintf (&s, "%s-%s", m->name, service) < 0)
		return NULL;
	return s;
}

void
sargs_hash (const json_t *svc, char out[65])
{
	json_t *c = json_deep_copy (svc);
	char d[DIGEST_STR_LEN + 1];
	char *s;

	json_object_del (c, "scale");
	json_object_del (json_object_get (c, "deploy"), "replicas");
	s = json_dumps (c, JSON_COMPACT | JSON_SORT_KEYS);
	hash_buf (s ? s : "", s ? strlen (s) : 0, d);
	snprintf (out, 65, "%s", digest_hex (d));
	free (s);
	json_decref (c);
}

long
sargs_seconds (const char *d)
{
	double total = 0;
	char *end;

	if (!d || !*d)
		return -1;
	while (*d) {
		double v = strtod (d, &end);
		if (end == d)
			return -1;
		if (!strncmp (end, "ms", 2))
			v /= 1000, end += 2;
		else if (*end == 'h')
			v *= 3600, end++;
		else if (*end == 'm')
			v *= 60, end++;
		else if (*end == 's')
			end++;
		else if (*end)
			return -1;
		total += v;
		d = end;
	}
	return (long)(total + 0.999);
}

static int
cmp_str (const void *a, const void *b)
{
	return strcmp (*(const char *const *)a, *(const char *const *)b);
}

json_t *
sargs_networks (const json_t *svc)
{
	json_t *n = json_object_get (svc, "networks"), *out = json_array (), *v;
	const char **names = calloc (json_object_size (n) + 1, sizeof *names);
	const char *k;
	size_t c = 0;

	json_object_foreach (n, k, v) names[c++] = k;
	if (c)
		qsort (names, c, sizeof *names, cmp_str);
	for (size_t i = 0; i < c; i++)
		json_array_append_new (out, json_string (names[i]));
	free (names);
	return out;
}

static void
flag (struct prog_argv *a, const char *f, const char *v)
{
	prog_add (a, f);
	prog_add (a, v);
}

static void
flag_scalar (struct prog_argv *a, const char *f, const json_t *v)
{
	if (json_is_string (v))
		flag (a, f, json_string_value (v));
	else if (json_is_integer (v))
		prog_addf (a, "%s=%lld", f, (long long)json_integer_value (v));
	else if (json_is_real (v))
		prog_addf (a, "%s=%g", f, json_real_value (v));
}

static void
flag_each (struct prog_argv *a, const char *f, const json_t *list)
{
	size_t k;
	json_t *it;

	json_array_foreach (list, k, it) flag_scalar (a, f, it);
}

static void
flag_map (struct prog_argv *a, const char *f, const json_t *map, int skip_null)
{
	const char *k;
	json_t *v;

	json_object_foreach ((json_t *)map, k, v)
	{
		if (json_is_null (v) && skip_null)
			continue;
		prog_add (a, f);
		prog_addf (a, "%s=%s", k, json_string_value (v) ?: "");
	}
}

static void
bool_flag (struct prog_argv *a, const json_t *svc, const char *key, const char *f)
{
	if (json_is_true (json_object_get (svc, key)))
		prog_add (a, f);
}

static void
add_labels (const struct model *m, const json_t *svc, const struct sargs_ctr *c, struct prog_argv *a)
{
	json_t *deps = json_object_get (svc, "depends_on"), *d, *f;
	char dep[2048] = "", files[4096] = "";
	const char *k;
	size_t idx;

	json_object_foreach (deps, k, d)
	    snprintf (dep + strlen (dep), sizeof dep - strlen (dep), "%s%s:%s:%s", *dep ? "," : "", k,
	              json_string_value (json_object_get (d, "condition")) ?: "service_started",
	              json_is_true (json_object_get (d, "restart")) ? "true" : "false");
	json_array_foreach (m->files, idx, f) snprintf (files + strlen (files), sizeof files - strlen (files), "%s%s",
	                                                *files ? "," : "", json_string_value (f));
	flag_map (a, "--label", json_object_get (svc, "labels"), 0);
	flag_map (a, "--annotation", json_object_get (svc, "annotations"), 0);
	prog_add (a, "--label");
	prog_addf (a, "com.docker.compose.project=%s", m->name);
	prog_add (a, "--label");
	prog_addf (a, "com.docker.compose.service=%s", c->service);
	prog_add (a, "--label");
	prog_addf (a, "com.docker.compose.container-number=%d", c->number);
	prog_add (a, "--label");
	prog_addf (a, "com.docker.compose.config-hash=%s", c->hash);
	prog_add (a, "--label");
	prog_addf (a, "com.docker.compose.oneoff=%s", c->oneoff ? "True" : "False");
	prog_add (a, "--label");
	prog_addf (a, "com.docker.compose.depends_on=%s", dep);
	prog_add (a, "--label");
	prog_addf (a, "com.docker.compose.project.working_dir=%s", m->dir);
	prog_add (a, "--label");
	prog_addf (a, "com.docker.compose.project.config_files=%s", files);
	prog_add (a, "--label");
	prog_add (a, "com.docker.compose.version=2.0.0-box");
}

/* a bind's host directory is made when missing, as Compose does (create_host_path) */
static int
add_volume (const struct model *m, const json_t *v, struct prog_argv *a, struct bx_err *e)
{
	const char *type = json_string_value (json_object_get (v, "type")) ?: "volume";
	const char *src = json_string_value (json_object_get (v, "source"));
	const char *dst = json_string_value (json_object_get (v, "target")) ?: "";
	int ro = json_is_true (json_object_get (v, "read_only"));

	if (!strcmp (type, "tmpfs")) {
		json_t *size = json_object_get (json_object_get (v, "tmpfs"), "size");
		prog_add (a, "--tmpfs");
		if (json_is_integer (size))
			prog_addf (a, "%s:size=%lld", dst, (long long)json_integer_value (size));
		else if (json_is_string (size))
			prog_addf (a, "%s:size=%s", dst, json_string_value (size));
		else
			prog_add (a, dst);
		return 0;
	}
	if (!strcmp (type, "bind")) {
		struct stat st;
		if (src && stat (src, &st) < 0 && mkdir (src, 0755) < 0 && errno != EEXIST)
			return err_set (e, BX_FAIL, errno, "create host path %s", src);
	} else if (!strcmp (type, "volume") && src) {
		src = json_string_value (
		    json_object_get (json_object_get (json_object_get (m->p, "volumes"), src), "name"));
	} else if (strcmp (type, "volume"))
		return err_set (e, BX_FAIL, 0, "volume type %s: not implemented", type);
	prog_add (a, "-v");
	prog_addf (a, "%s%s%s%s", src ? src : "", src ? ":" : "", dst, ro ? ":ro" : "");
	return 0;
}

static void
add_ports (const json_t *svc, struct prog_argv *a)
{
	json_t *p;
	size_t k;

	json_array_foreach (json_object_get (svc, "ports"), k, p)
	{
		const char *ip = json_string_value (json_object_get (p, "host_ip"));
		const char *pub = json_string_value (json_object_get (p, "published"));
		long long t = json_integer_value (json_object_get (p, "target"));
		const char *proto = json_string_value (json_object_get (p, "protocol")) ?: "tcp";
		/* an IPv6 host address bracketed, as -p reads it */
		int v6 = ip && strchr (ip, ':');
		prog_add (a, "-p");
		if (pub || ip)
			prog_addf (a, "%s%s%s%s%s:%lld/%s", v6 ? "[" : "", ip ? ip : "", v6 ? "]" : "", ip ? ":" : "",
			           pub ? pub : "", t, proto);
		else
			prog_addf (a, "%lld/%s", t, proto);
	}
}

static void
add_network (const struct model *m, const json_t *svc, const char *service, struct prog_argv *a)
{
	const char *mode = json_string_value (json_object_get (svc, "network_mode"));
	json_t *nets = sargs_networks (svc), *cfg, *it;
	const char *first = json_string_value (json_array_get (nets, 0));
	size_t k;

	if (mode) {
		prog_add (a, "--network");
		if (!strncmp (mode, "service:", 8))
			prog_addf (a, "container:%s-%s-1", m->name, mode + 8);
		else
			prog_add (a, mode);
		json_decref (nets);
		return;
	}
	if (!first) {
		json_decref (nets);
		return;
	}
	flag (
	    a, "--network",
	    json_string_value (json_object_get (json_object_get (json_object_get (m->p, "networks"), first), "name")));
	cfg = json_object_get (json_object_get (svc, "networks"), first);
	flag (a, "--network-alias", service);
	json_array_foreach (json_object_get (cfg, "aliases"), k, it) flag_scalar (a, "--network-alias", it);
	if (json_object_get (cfg, "ipv4_address"))
		flag_scalar (a, "--ip", json_object_get (cfg, "ipv4_address"));
	json_decref (nets);
}

static void
add_healthcheck (const json_t *svc, struct prog_argv *a)
{
	json_t *h = json_object_get (svc, "healthcheck"), *t = json_object_get (h, "test");
	static const char *const durations[][2] = {{"interval", "--health-interval"},
	                                           {"timeout", "--health-timeout"},
	                                           {"start_period", "--health-start-period"},
	                                           {"start_interval", "--health-start-interval"}};
	const char *kind = json_string_value (json_array_get (t, 0));
	char cmd[4096] = "";
	size_t k;

	if (!h)
		return;
	if (json_is_true (json_object_get (h, "disable")) || (kind && !strcmp (kind, "NONE"))) {
		prog_add (a, "--no-healthcheck");
		return;
	}
	/* docker run has only the shell form: CMD's words are joined */
	for (k = 1; k < json_array_size (t); k++)
		snprintf (cmd + strlen (cmd), sizeof cmd - strlen (cmd), "%s%s", k > 1 ? " " : "",
		          json_string_value (json_array_get (t, k)) ?: "");
	if (json_array_size (t) > 1)
		flag (a, "--health-cmd", cmd);
	for (size_t d = 0; d < sizeof durations / sizeof *durations; d++)
		if (json_object_get (h, durations[d][0]))
			flag_scalar (a, durations[d][1], json_object_get (h, durations[d][0]));
	if (json_object_get (h, "retries"))
		flag_scalar (a, "--health-retries", json_object_get (h, "retries"));
}

static void
add_ulimits (const json_t *svc, struct prog_argv *a)
{
	const char *k;
	json_t *v;

	json_object_foreach (json_object_get (svc, "ulimits"), k, v)
	{
		prog_add (a, "--ulimit");
		if (json_is_object (v))
			prog_addf (a, "%s=%lld:%lld", k, (long long)json_integer_value (json_object_get (v, "soft")),
			           (long long)json_integer_value (json_object_get (v, "hard")));
		else
			prog_addf (a, "%s=%lld", k, (long long)json_integer_value (v));
	}
}

/* the keys that are one flag with the same value */
static const struct {
	const char *key, *flag;
} plain[] = {
    {"user", "-u"},
    {"working_dir", "-w"},
    {"domainname", "--domainname"},
    {"restart", "--restart"},
    {"stop_signal", "--stop-signal"},
    {"mem_limit", "-m"},
    {"cpus", "--cpus"},
    {"pids_limit", "--pids-limit"},
    {"shm_size", "--shm-size"},
    {"pid", "--pid"},
    {"ipc", "--ipc"},
    {"mac_address", "--mac-address"},
    {"cpu_shares", "-c"},
    {"cpuset", "--cpuset-cpus"},
    {"cpu_quota", "--cpu-quota"},
    {"cpu_period", "--cpu-period"},
    {"mem_reservation", "--memory-reservation"},
    {"oom_score_adj", "--oom-score-adj"},
    {"cgroup", "--cgroupns"},
    {"uts", "--uts"},
    {"userns_mode", "--userns"},
    {"cgroup_parent", "--cgroup-parent"},
    {"mem_swappiness", "--memory-swappiness"},
    {"memswap_limit", "--memory-swap"},
    {"cpu_rt_period", "--cpu-rt-period"},
    {"cpu_rt_runtime", "--cpu-rt-runtime"},
};

static const struct {
	const char *key, *flag;
} lists[] = {
    {"cap_add", "--cap-add"},
    {"cap_drop", "--cap-drop"},
    {"dns", "--dns"},
    {"dns_search", "--dns-search"},
    {"dns_opt", "--dns-option"},
    {"extra_hosts", "--add-host"},
    {"expose", "--expose"},
    {"tmpfs", "--tmpfs"},
    {"security_opt", "--security-opt"},
    {"group_add", "--group-add"},
    {"device_cgroup_rules", "--device-cgroup-rule"},
    {"label_file", "--label-file"},
};

static void
add_simple (const json_t *svc, struct prog_argv *a)
{
	json_t *v;

	for (size_t k = 0; k < sizeof plain / sizeof *plain; k++)
		if ((v = json_object_get (svc, plain[k].key)))
			flag_scalar (a, plain[k].flag, v);
	for (size_t k = 0; k < sizeof lists / sizeof *lists; k++)
		flag_each (a, lists[k].flag, json_object_get (svc, lists[k].key));
	bool_flag (a, svc, "init", "--init");
	bool_flag (a, svc, "tty", "-t");
	bool_flag (a, svc, "stdin_open", "-i");
	bool_flag (a, svc, "read_only", "--read-only");
	bool_flag (a, svc, "privileged", "--privileged");
	bool_flag (a, svc, "oom_kill_disable", "--oom-kill-disable");
	flag_map (a, "-e", json_object_get (svc, "environment"), 1);
	flag_map (a, "--sysctl", json_object_get (svc, "sysctls"), 0);
	if ((v = json_object_get (svc, "hostname")))
		flag_scalar (a, "-h", v);
	if ((v = json_object_get (svc, "stop_grace_period")))
		prog_addf (a, "--stop-timeout=%ld", sargs_seconds (json_string_value (v)));
	if ((v = json_object_get (svc, "logging"))) {
		if (json_object_get (v, "driver"))
			flag_scalar (a, "--log-driver", json_object_get (v, "driver"));
		flag_map (a, "--log-opt", json_object_get (v, "options"), 1);
	}
	add_ulimits (svc, a);
	add_healthcheck (svc, a);
}

/* devices: "HOST[:CTR[:PERMS]]", or {source, target, permissions} */
static void
add_devices (const json_t *svc, struct prog_argv *a)
{
	json_t *d;
	size_t k;

	json_array_foreach (json_object_get (svc, "devices"), k, d)
	{
		const char *src = json_string_value (json_object_get (d, "source"));
		const char *dst = json_string_value (json_object_get (d, "target"));
		const char *perm = json_string_value (json_object_get (d, "permissions"));
		if (!json_is_object (d)) {
			flag_scalar (a, "--device", d);
			continue;
		}
		prog_add (a, "--device");
		prog_addf (a, "%s:%s%s%s", src ? src : "",
		           dst   ? dst
		           : src ? src
		                 : "",
		           perm ? ":" : "", perm ? perm : "");
	}
}

/* blkio_config: weight, and a flag per list of {path, weight|rate} */
static void
add_blkio (const json_t *svc, struct prog_argv *a)
{
	static const char *const rates[][3] = {{"weight_device", "--blkio-weight-device", "weight"},
	                                       {"device_read_bps", "--device-read-bps", "rate"},
	                                       {"device_write_bps", "--device-write-bps", "rate"},
	                                       {"device_read_iops", "--device-read-iops", "rate"},
	                                       {"device_write_iops", "--device-write-iops", "rate"}};
	json_t *b = json_object_get (svc, "blkio_config"), *it, *v;
	size_t k;

	if (!b)
		return;
	if ((v = json_object_get (b, "weight")))
		flag_scalar (a, "--blkio-weight", v);
	for (size_t l = 0; l < sizeof rates / sizeof *rates; l++)
		json_array_foreach (json_object_get (b, rates[l][0]), k, it)
		{
			json_t *s = norm_scalar (json_object_get (it, rates[l][2]));
			prog_add (a, rates[l][1]);
			prog_addf (a, "%s:%s", json_string_value (json_object_get (it, "path")) ?: "",
			           json_string_value (s) ?: "");
			json_decref (s);
		}
}

/* volumes_from: "SERVICE[:ro|rw]" (its first container), or "container:NAME[:ro|rw]" */
static void
add_volumes_from (const struct model *m, const json_t *svc, struct prog_argv *a)
{
	json_t *it;
	size_t k;

	json_array_foreach (json_object_get (svc, "volumes_from"), k, it)
	{
		const char *v = json_string_value (it) ?: "", *mode = NULL, *cn;
		int ctr = !strncmp (v, "container:", 10);
		v += ctr ? 10 : 0;
		mode = strchr (v, ':');
		int n = mode ? (int)(mode - v) : (int)strlen (v);
		_cleanup_free_ char *name = strndup (v, (size_t)n);
		cn = json_string_value (json_object_get (
		    json_object_get (json_object_get (m->p, "services"), name ?: ""), "container_name"));
		prog_add (a, "--volumes-from");
		if (ctr || cn)
			prog_addf (a, "%s%s", ctr ? name : cn, mode ? mode : "");
		else
			prog_addf (a, "%s-%s-1%s", m->name, name, mode ? mode : "");
	}
}

/* a secret (config) is its file bound read-only at /run/secrets/NAME
 * (/NAME), or its target; an absolute target is taken as it is */
static void
add_file_refs (const struct model *m, const json_t *svc, const char *key, const char *dir, struct prog_argv *a)
{
	json_t *it;
	size_t k;

	json_array_foreach (json_object_get (svc, key), k, it)
	{
		const char *src = json_string_value (json_object_get (it, "source")) ?: "";
		const char *tgt = json_string_value (json_object_get (it, "target")) ?: src;
		const char *file =
		    json_string_value (json_object_get (json_object_get (json_object_get (m->p, key), src), "file"));
		prog_add (a, "-v");
		prog_addf (a, "%s:%s%s:ro", file ? file : "", tgt[0] == '/' ? "" : dir, tgt);
	}
}

int
sargs_create (const struct model *m, const json_t *svc, const struct sargs_ctr *c, struct prog_argv *a,
              struct bx_err *e)
{
	json_t *ep = json_object_get (svc, "entrypoint"), *it;
	_cleanup_free_ char *image = sargs_image (m, c->service, svc);
	size_t k;

	prog_add (a, "ctr-create");
	flag (a, "--name", c->name);
	add_labels (m, svc, c, a);
	add_simple (svc, a);
	add_network (m, svc, c->service, a);
	add_ports (svc, a);
	json_array_foreach (json_object_get (svc, "volumes"), k, it) if (add_volume (m, it, a, e) < 0) return -1;
	add_file_refs (m, svc, "secrets", "/run/secrets/", a);
	add_file_refs (m, svc, "configs", "/", a);
	add_devices (svc, a);
	add_blkio (svc, a);
	add_volumes_from (m, svc, a);
	if (links_hosts (m, svc, a, e) < 0)
		return -1;
	/* a list entrypoint: its first word is --entrypoint, the others lead the command */
	if (json_is_array (ep))
		flag (a, "--entrypoint", json_string_value (json_array_get (ep, 0)) ?: "");
	prog_add (a, "--");
	prog_add (a, image);
	for (k = 1; k < json_array_size (ep); k++)
		prog_add (a, json_string_value (json_array_get (ep, k)) ?: "");
	json_array_foreach (json_object_get (svc, "command"), k, it) prog_add (a, json_string_value (it) ?: "");
	return 0;
}
