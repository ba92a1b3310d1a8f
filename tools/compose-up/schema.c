/* schema - the compose specification's JSON schema, as tables of keys and
 * shapes (the few shapes Compose uses), checked by one walk */
#include <stdio.h>
#include <string.h>

#include "schema.h"

enum stype {
	S_ANY,
	S_STR,     /* a string */
	S_NUMSTR,  /* a number or a string */
	S_BOOL,    /* a boolean, or "true"/"false" after interpolation */
	S_STRLIST, /* a list of strings or numbers */
	S_STR_OR_LIST,
	S_LISTDICT,   /* a list of strings, or a mapping of strings, numbers, booleans or nulls */
	S_DICT,       /* any mapping */
	S_OBJ,        /* a mapping of the keys of sub */
	S_STR_OR_OBJ, /* a string, or a mapping of the keys of sub */
	S_ITEMS,      /* a list of strings, numbers, or mappings of the keys of sub */
	S_STR_OR_ITEMS,
	S_NAMED,   /* a list of names, or a mapping of names to null or the keys of sub */
	S_MAP_OBJ, /* a mapping of names to null or the keys of sub */
	S_ULIMITS, /* a mapping of names to a number or {soft, hard} */
};

struct skey {
	const char *name;
	enum stype t;
	const struct skey *sub;
};

static const struct skey k_build[] = {{"context", S_STR, NULL},
                                      {"dockerfile", S_STR, NULL},
                                      {"args", S_LISTDICT, NULL},
                                      {"target", S_STR, NULL},
                                      {"labels", S_LISTDICT, NULL},
                                      {"network", S_STR, NULL},
                                      {"cache_from", S_STRLIST, NULL},
                                      {"no_cache", S_BOOL, NULL},
                                      {"pull", S_BOOL, NULL},
                                      {"shm_size", S_NUMSTR, NULL},
                                      {"extra_hosts", S_LISTDICT, NULL},
                                      {"dockerfile_inline", S_STR, NULL},
                                      {"platforms", S_STRLIST, NULL},
                                      {"tags", S_STRLIST, NULL},
                                      {"secrets", S_ANY, NULL},
                                      {"ssh", S_ANY, NULL},
                                      {"cache_to", S_STRLIST, NULL},
                                      {"additional_contexts", S_LISTDICT, NULL},
                                      {"isolation", S_STR, NULL},
                                      {"privileged", S_BOOL, NULL},
                                      {"ulimits", S_ULIMITS, NULL},
                                      {NULL, 0, NULL}};

static const struct skey k_healthcheck[] = {{"test", S_STR_OR_LIST, NULL}, {"interval", S_STR, NULL},
                                            {"timeout", S_STR, NULL},      {"retries", S_NUMSTR, NULL},
                                            {"start_period", S_STR, NULL}, {"start_interval", S_STR, NULL},
                                            {"disable", S_BOOL, NULL},     {NULL, 0, NULL}};

static const struct skey k_depends[] = {
    {"condition", S_STR, NULL}, {"restart", S_BOOL, NULL}, {"required", S_BOOL, NULL}, {NULL, 0, NULL}};

static const struct skey k_svc_net[] = {{"aliases", S_STRLIST, NULL},    {"ipv4_address", S_STR, NULL},
                                        {"ipv6_address", S_STR, NULL},   {"link_local_ips", S_STRLIST, NULL},
                                        {"mac_address", S_STR, NULL},    {"priority", S_NUMSTR, NULL},
                                        {"driver_opts", S_DICT, NULL},   {"gw_priority", S_NUMSTR, NULL},
                                        {"interface_name", S_STR, NULL}, {NULL, 0, NULL}};

static const struct skey k_port[] = {
    {"target", S_NUMSTR, NULL}, {"published", S_NUMSTR, NULL}, {"protocol", S_STR, NULL},     {"mode", S_STR, NULL},
    {"host_ip", S_STR, NULL},   {"name", S_STR, NULL},         {"app_protocol", S_STR, NULL}, {NULL, 0, NULL}};

static const struct skey k_vol_bind[] = {
    {"propagation", S_STR, NULL}, {"create_host_path", S_BOOL, NULL}, {"selinux", S_STR, NULL}, {NULL, 0, NULL}};
static const struct skey k_vol_volume[] = {{"nocopy", S_BOOL, NULL}, {"subpath", S_STR, NULL}, {NULL, 0, NULL}};
static const struct skey k_vol_tmpfs[] = {{"size", S_NUMSTR, NULL}, {"mode", S_NUMSTR, NULL}, {NULL, 0, NULL}};

static const struct skey k_volume[] = {{"type", S_STR, NULL},           {"source", S_STR, NULL},
                                       {"target", S_STR, NULL},         {"read_only", S_BOOL, NULL},
                                       {"consistency", S_STR, NULL},    {"bind", S_OBJ, k_vol_bind},
                                       {"volume", S_OBJ, k_vol_volume}, {"tmpfs", S_OBJ, k_vol_tmpfs},
                                       {"image", S_DICT, NULL},         {NULL, 0, NULL}};

static const struct skey k_file_ref[] = {{"source", S_STR, NULL}, {"target", S_STR, NULL},  {"uid", S_STR, NULL},
                                         {"gid", S_STR, NULL},    {"mode", S_NUMSTR, NULL}, {NULL, 0, NULL}};

static const struct skey k_logging[] = {{"driver", S_STR, NULL}, {"options", S_DICT, NULL}, {NULL, 0, NULL}};

static const struct skey k_deploy[] = {{"mode", S_STR, NULL},
                                       {"replicas", S_NUMSTR, NULL},
                                       {"labels", S_LISTDICT, NULL},
                                       {"resources", S_DICT, NULL},
                                       {"restart_policy", S_DICT, NULL},
                                       {"placement", S_DICT, NULL},
                                       {"update_config", S_DICT, NULL},
                                       {"rollback_config", S_DICT, NULL},
                                       {"endpoint_mode", S_STR, NULL},
                                       {NULL, 0, NULL}};

static const struct skey k_env_file[] = {
    {"path", S_STR, NULL}, {"required", S_BOOL, NULL}, {"format", S_STR, NULL}, {NULL, 0, NULL}};

static const struct skey k_service[] = {{"annotations", S_LISTDICT, NULL},
                                        {"attach", S_BOOL, NULL},
                                        {"blkio_config", S_DICT, NULL},
                                        {"build", S_STR_OR_OBJ, k_build},
                                        {"cap_add", S_STRLIST, NULL},
                                        {"cap_drop", S_STRLIST, NULL},
                                        {"cgroup", S_STR, NULL},
                                        {"cgroup_parent", S_STR, NULL},
                                        {"command", S_STR_OR_LIST, NULL},
                                        {"configs", S_ITEMS, k_file_ref},
                                        {"container_name", S_STR, NULL},
                                        {"cpu_count", S_NUMSTR, NULL},
                                        {"cpu_percent", S_NUMSTR, NULL},
                                        {"cpu_period", S_NUMSTR, NULL},
                                        {"cpu_quota", S_NUMSTR, NULL},
                                        {"cpu_rt_period", S_NUMSTR, NULL},
                                        {"cpu_rt_runtime", S_NUMSTR, NULL},
                                        {"cpu_shares", S_NUMSTR, NULL},
                                        {"cpus", S_NUMSTR, NULL},
                                        {"cpuset", S_STR, NULL},
                                        {"credential_spec", S_DICT, NULL},
                                        {"depends_on", S_NAMED, k_depends},
                                        {"deploy", S_OBJ, k_deploy},
                                        {"develop", S_DICT, NULL},
                                        {"device_cgroup_rules", S_STRLIST, NULL},
                                        {"devices", S_ITEMS, NULL},
                                        {"dns", S_STR_OR_LIST, NULL},
                                        {"dns_opt", S_STRLIST, NULL},
                                        {"dns_search", S_STR_OR_LIST, NULL},
                                        {"domainname", S_STR, NULL},
                                        {"entrypoint", S_STR_OR_LIST, NULL},
                                        {"env_file", S_STR_OR_ITEMS, k_env_file},
                                        {"environment", S_LISTDICT, NULL},
                                        {"expose", S_STRLIST, NULL},
                                        {"extends", S_STR_OR_OBJ, NULL},
                                        {"external_links", S_STRLIST, NULL},
                                        {"extra_hosts", S_LISTDICT, NULL},
                                        {"gpus", S_ANY, NULL},
                                        {"group_add", S_STRLIST, NULL},
                                        {"healthcheck", S_OBJ, k_healthcheck},
                                        {"hostname", S_STR, NULL},
                                        {"image", S_STR, NULL},
                                        {"init", S_BOOL, NULL},
                                        {"ipc", S_STR, NULL},
                                        {"isolation", S_STR, NULL},
                                        {"label_file", S_STR_OR_LIST, NULL},
                                        {"labels", S_LISTDICT, NULL},
                                        {"links", S_STRLIST, NULL},
                                        {"logging", S_OBJ, k_logging},
                                        {"mac_address", S_STR, NULL},
                                        {"mem_limit", S_NUMSTR, NULL},
                                        {"mem_reservation", S_NUMSTR, NULL},
                                        {"mem_swappiness", S_NUMSTR, NULL},
                                        {"memswap_limit", S_NUMSTR, NULL},
                                        {"network_mode", S_STR, NULL},
                                        {"networks", S_NAMED, k_svc_net},
                                        {"oom_kill_disable", S_BOOL, NULL},
                                        {"oom_score_adj", S_NUMSTR, NULL},
                                        {"pid", S_STR, NULL},
                                        {"pids_limit", S_NUMSTR, NULL},
                                        {"platform", S_STR, NULL},
                                        {"ports", S_ITEMS, k_port},
                                        {"post_start", S_ANY, NULL},
                                        {"pre_stop", S_ANY, NULL},
                                        {"privileged", S_BOOL, NULL},
                                        {"profiles", S_STRLIST, NULL},
                                        {"pull_policy", S_STR, NULL},
                                        {"read_only", S_BOOL, NULL},
                                        {"restart", S_STR, NULL},
                                        {"runtime", S_STR, NULL},
                                        {"scale", S_NUMSTR, NULL},
                                        {"secrets", S_ITEMS, k_file_ref},
                                        {"security_opt", S_STRLIST, NULL},
                                        {"shm_size", S_NUMSTR, NULL},
                                        {"stdin_open", S_BOOL, NULL},
                                        {"stop_grace_period", S_STR, NULL},
                                        {"stop_signal", S_STR, NULL},
                                        {"storage_opt", S_DICT, NULL},
                                        {"sysctls", S_LISTDICT, NULL},
                                        {"tmpfs", S_STR_OR_LIST, NULL},
                                        {"tty", S_BOOL, NULL},
                                        {"ulimits", S_ULIMITS, NULL},
                                        {"user", S_STR, NULL},
                                        {"userns_mode", S_STR, NULL},
                                        {"uts", S_STR, NULL},
                                        {"volumes", S_ITEMS, k_volume},
                                        {"volumes_from", S_STRLIST, NULL},
                                        {"working_dir", S_STR, NULL},
                                        {NULL, 0, NULL}};

static const struct skey k_ipam[] = {
    {"driver", S_STR, NULL}, {"config", S_ANY, NULL}, {"options", S_DICT, NULL}, {NULL, 0, NULL}};

static const struct skey k_network[] = {{"name", S_STR, NULL},         {"driver", S_STR, NULL},
                                        {"driver_opts", S_DICT, NULL}, {"ipam", S_OBJ, k_ipam},
                                        {"external", S_BOOL, NULL},    {"internal", S_BOOL, NULL},
                                        {"enable_ipv6", S_BOOL, NULL}, {"attachable", S_BOOL, NULL},
                                        {"labels", S_LISTDICT, NULL},  {NULL, 0, NULL}};

static const struct skey k_topvolume[] = {{"name", S_STR, NULL},         {"driver", S_STR, NULL},
                                          {"driver_opts", S_DICT, NULL}, {"external", S_BOOL, NULL},
                                          {"labels", S_LISTDICT, NULL},  {NULL, 0, NULL}};

static const struct skey k_topfile[] = {
    {"name", S_STR, NULL},    {"file", S_STR, NULL},         {"environment", S_STR, NULL},
    {"content", S_STR, NULL}, {"external", S_BOOL, NULL},    {"labels", S_LISTDICT, NULL},
    {"driver", S_STR, NULL},  {"driver_opts", S_DICT, NULL}, {"template_driver", S_STR, NULL},
    {NULL, 0, NULL}};

static const struct skey k_top[] = {{"version", S_STR, NULL},
                                    {"name", S_STR, NULL},
                                    {"include", S_ANY, NULL},
                                    {"services", S_MAP_OBJ, k_service},
                                    {"networks", S_MAP_OBJ, k_network},
                                    {"volumes", S_MAP_OBJ, k_topvolume},
                                    {"secrets", S_MAP_OBJ, k_topfile},
                                    {"configs", S_MAP_OBJ, k_topfile},
                                    {NULL, 0, NULL}};

struct walk {
	const char *file;
	const struct yload_lines *l;
	struct bx_err *e;
};

static int
fail (struct walk *w, const json_t *at, const char *fmt, const char *path, const char *what)
{
	char msg[900];

	snprintf (msg, sizeof msg, fmt, path, what);
	return err_set (w->e, BX_USAGE, 0, "%s:%d: %s", w->file, yload_line (w->l, at), msg);
}

static int check (struct walk *w, const json_t *v, enum stype t, const struct skey *sub, const char *path);

static int
is_scalar (const json_t *v)
{
	return json_is_string (v) || json_is_number (v) || json_is_boolean (v) || json_is_null (v);
}

static int
check_obj (struct walk *w, const json_t *o, const struct skey *keys, const char *path)
{
	const char *k;
	json_t *v;

	if (!json_is_object (o))
		return fail (w, o, "%s must be a mapping%s", path, "");
	json_object_foreach ((json_t *)o, k, v)
	{
		const struct skey *s = keys;
		char sub[512];
		if (!strncmp (k, "x-", 2))
			continue;
		while (s && s->name && strcmp (s->name, k))
			s++;
		if (!s || !s->name)
			return fail (w, v, "%s: additional property %s is not allowed", path, k);
		snprintf (sub, sizeof sub, "%s.%s", path, k);
		if (check (w, v, s->t, s->sub, sub) < 0)
			return -1;
	}
	return 0;
}

static int
check_each (struct walk *w, const json_t *v, enum stype t, const struct skey *sub, const char *path)
{
	size_t k;
	json_t *it;
	const char *name;
	char p[512];

	if (json_is_array (v)) {
		json_array_foreach (v, k, it)
		{
			snprintf (p, sizeof p, "%s.%zu", path, k);
			if (check (w, it, t, sub, p) < 0)
				return -1;
		}
		return 0;
	}
	json_object_foreach ((json_t *)v, name, it)
	{
		snprintf (p, sizeof p, "%s.%s", path, name);
		if (!json_is_null (it) && check (w, it, t, sub, p) < 0)
			return -1;
	}
	return 0;
}

static int
check_ulimits (struct walk *w, const json_t *v, const char *path)
{
	static const struct skey k_ulimit[] = {{"soft", S_NUMSTR, NULL}, {"hard", S_NUMSTR, NULL}, {NULL, 0, NULL}};
	const char *name;
	json_t *it;
	char p[512];

	if (!json_is_object (v))
		return fail (w, v, "%s must be a mapping%s", path, "");
	json_object_foreach ((json_t *)v, name, it)
	{
		snprintf (p, sizeof p, "%s.%s", path, name);
		if (!json_is_number (it) && !json_is_string (it) && check_obj (w, it, k_ulimit, p) < 0)
			return -1;
	}
	return 0;
}

static int
check (struct walk *w, const json_t *v, enum stype t, const struct skey *sub, const char *path)
{
	switch (t) {
	case S_ANY: return 0;
	case S_STR: return json_is_string (v) ? 0 : fail (w, v, "%s must be a string%s", path, "");
	case S_NUMSTR:
		return json_is_string (v) || json_is_number (v)
		           ? 0
		           : fail (w, v, "%s must be a string or number%s", path, "");
	case S_BOOL:
		if (json_is_boolean (v) || (json_is_string (v) && (!strcmp (json_string_value (v), "true") ||
		                                                   !strcmp (json_string_value (v), "false"))))
			return 0;
		return fail (w, v, "%s must be a boolean%s", path, "");
	case S_STR_OR_LIST:
		if (json_is_string (v))
			return 0;
		/* fall through */
	case S_STRLIST:
		if (!json_is_array (v))
			return fail (w, v, "%s must be %s", path, t == S_STRLIST ? "an array" : "a string or an array");
		return check_each (w, v, S_NUMSTR, NULL, path);
	case S_LISTDICT:
		if (json_is_array (v))
			return check_each (w, v, S_NUMSTR, NULL, path);
		if (!json_is_object (v))
			return fail (w, v, "%s must be a mapping or an array%s", path, "");
		{
			const char *k;
			json_t *it;
			json_object_foreach ((json_t *)v, k, it) if (!is_scalar (it)) return fail (
			    w, it, "%s must be a string, number, boolean or null%s", path, "");
		}
		return 0;
	case S_DICT: return json_is_object (v) ? 0 : fail (w, v, "%s must be a mapping%s", path, "");
	case S_OBJ: return check_obj (w, v, sub, path);
	case S_STR_OR_OBJ: return json_is_string (v) || !sub ? 0 : check_obj (w, v, sub, path);
	case S_STR_OR_ITEMS:
		if (json_is_string (v))
			return 0;
		/* fall through */
	case S_ITEMS:
		if (!json_is_array (v))
			return fail (w, v, "%s must be an array%s", path, "");
		{
			size_t k;
			json_t *it;
			char p[512];
			json_array_foreach (v, k, it)
			{
				snprintf (p, sizeof p, "%s.%zu", path, k);
				if (!json_is_string (it) && !json_is_number (it) && sub &&
				    check_obj (w, it, sub, p) < 0)
					return -1;
			}
		}
		return 0;
	case S_NAMED:
		if (json_is_array (v))
			return check_each (w, v, S_STR, NULL, path);
		/* fall through */
	case S_MAP_OBJ:
		if (!json_is_object (v))
			return fail (w, v, "%s must be a mapping%s", path, t == S_NAMED ? " or an array" : "");
		return check_each (w, v, S_OBJ, sub, path);
	case S_ULIMITS: return check_ulimits (w, v, path);
	}
	return 0;
}

int
schema_check (const json_t *root, const char *file, const struct yload_lines *l, struct bx_err *e)
{
	struct walk w = {file, l, e};
	const char *k;
	json_t *v;

	if (!json_is_object (root))
		return err_set (e, BX_USAGE, 0, "%s: top-level object must be a mapping", file);
	json_object_foreach ((json_t *)root, k, v)
	{
		const struct skey *s = k_top;
		if (!strncmp (k, "x-", 2))
			continue;
		while (s->name && strcmp (s->name, k))
			s++;
		if (!s->name)
			return fail (&w, v, "%s: additional property %s is not allowed", "(root)", k);
		if (json_is_null (v) && s->t == S_MAP_OBJ)
			continue;
		if (check (&w, v, s->t, s->sub, k) < 0)
			return -1;
	}
	return 0;
}
