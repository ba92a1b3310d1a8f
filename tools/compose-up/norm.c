/* norm - the short syntaxes of the compose specification, made long */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "norm.h"

json_t *
norm_words (const char *s)
{
	json_t *a = json_array ();
	size_t n = strlen (s);
	_cleanup_free_ char *w = malloc (n + 1);

	if (!a || !w)
		return a;
	while (*s) {
		size_t k = 0;
		char q = 0;
		while (isspace ((unsigned char)*s))
			s++;
		if (!*s)
			break;
		for (; *s && (q || !isspace ((unsigned char)*s)); s++) {
			if (q == '\'' && *s == '\'')
				q = 0;
			else if (q == '\'')
				w[k++] = *s;
			else if (*s == '\\' && s[1] && (!q || strchr ("\"\\$`", s[1])))
				w[k++] = *++s;
			else if (q == '"' && *s == '"')
				q = 0;
			else if (!q && (*s == '\'' || *s == '"'))
				q = *s;
			else
				w[k++] = *s;
		}
		json_array_append_new (a, json_stringn (w, k));
	}
	return a;
}

/* a scalar as the string Compose prints for it (1 -> "1", true -> "true") */
json_t *
norm_scalar (const json_t *v)
{
	char buf[64];

	if (json_is_string (v))
		return json_incref ((json_t *)v);
	if (json_is_integer (v))
		snprintf (buf, sizeof buf, "%lld", (long long)json_integer_value (v));
	else if (json_is_real (v))
		snprintf (buf, sizeof buf, "%g", json_real_value (v));
	else if (json_is_boolean (v))
		snprintf (buf, sizeof buf, "%s", json_is_true (v) ? "true" : "false");
	else
		return json_null ();
	return json_string (buf);
}

/* [A=1, B] or {A: 1, B: null} -> {A: "1", B: null} */
static json_t *
to_map (const json_t *v, char sep)
{
	json_t *m = json_object (), *it;
	const char *k;
	size_t idx;

	if (json_is_object (v)) {
		json_object_foreach ((json_t *)v, k, it) json_object_set_new (m, k, norm_scalar (it));
		return m;
	}
	json_array_foreach (v, idx, it)
	{
		_cleanup_free_ char *s = NULL;
		json_t *str = norm_scalar (it);
		const char *eq;
		s = strdup (json_string_value (str) ? json_string_value (str) : "");
		json_decref (str);
		if (!s)
			continue;
		if ((eq = strchr (s, sep))) {
			s[eq - s] = '\0';
			json_object_set_new (m, s, json_string (eq + 1));
		} else
			json_object_set_new (m, s, json_null ());
	}
	return m;
}

static int
set_map (json_t *svc, const char *key, char sep)
{
	json_t *v = json_object_get (svc, key);

	if (v)
		json_object_set_new (svc, key, to_map (v, sep));
	return 0;
}

static void
set_list (json_t *svc, const char *key, int split)
{
	json_t *v = json_object_get (svc, key);

	if (json_is_string (v))
		json_object_set_new (svc, key, split ? norm_words (json_string_value (v)) : json_pack ("[O]", v));
}

/* a path of the host: ~ is $HOME, a relative one is under DIR */
static json_t *
host_path (const char *p, const char *dir)
{
	char buf[PATH_MAX * 2];
	const char *home = getenv ("HOME");

	if (p[0] == '~' && (p[1] == '/' || !p[1]))
		snprintf (buf, sizeof buf, "%s%s", home ? home : "", p + 1);
	else if (p[0] != '/')
		snprintf (buf, sizeof buf, "%s/%s", dir, (!strcmp (p, ".") ? "" : !strncmp (p, "./", 2) ? p + 2 : p));
	else
		snprintf (buf, sizeof buf, "%s", p);
	size_t n = strlen (buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return json_string (buf);
}

static int
port_range (const char *s, long *lo, long *hi)
{
	char *end;

	*lo = *hi = strtol (s, &end, 10);
	if (end == s)
		return -1;
	if (*end == '-') {
		const char *h = end + 1;
		*hi = strtol (h, &end, 10);
		if (end == h)
			return -1;
	}
	return *end || *lo < 0 || *hi < *lo || *hi > 65535 ? -1 : 0;
}

/* [[IP:]PUBLISHED[-RANGE]:]TARGET[-RANGE][/PROTO], IP an IPv6 one in
 * brackets (kept without, as Compose's host_ip) */
static int
port_short (json_t *out, const char *spec, struct bx_err *e)
{
	_cleanup_free_ char *s = strdup (spec);
	char *proto = s ? strchr (s, '/') : NULL, *target, *pub = NULL, *ip = NULL;
	long tlo, thi, plo = 0, phi = 0;

	if (!s)
		return err_set (e, BX_SYSTEM, ENOMEM, "ports");
	if (proto)
		*proto++ = '\0';
	target = strrchr (s, ':');
	if (target) {
		*target++ = '\0';
		pub = strrchr (s, ':');
		if (pub) {
			*pub++ = '\0';
			ip = s;
		} else
			pub = s;
	} else
		target = s;
	if (ip && ip[0] == '[' && ip[strlen (ip) - 1] == ']') {
		ip[strlen (ip) - 1] = '\0';
		ip++;
	}
	if (port_range (target, &tlo, &thi) < 0 || (pub && *pub && port_range (pub, &plo, &phi) < 0) ||
	    (pub && *pub && phi - plo != thi - tlo && tlo != thi))
		return err_set (e, BX_USAGE, 0, "invalid port: %s", spec);
	for (long p = tlo; p <= thi; p++) {
		json_t *o = json_pack ("{s:s, s:I, s:s}", "mode", "ingress", "target", (json_int_t)p, "protocol",
		                       proto && *proto ? proto : "tcp");
		char buf[16];
		/* a range of published ports for one target: one of them, picked */
		if (pub && *pub && tlo == thi && plo != phi)
			json_object_set_new (o, "published", json_string (pub));
		else if (pub && *pub) {
			snprintf (buf, sizeof buf, "%ld", plo == phi ? plo : plo + (p - tlo));
			json_object_set_new (o, "published", json_string (buf));
		}
		if (ip && *ip)
			json_object_set_new (o, "host_ip", json_string (ip));
		json_array_append_new (out, o);
	}
	return 0;
}

static int
norm_ports (json_t *svc, struct bx_err *e)
{
	json_t *v = json_object_get (svc, "ports"), *out, *it;
	size_t k;

	if (!v)
		return 0;
	out = json_array ();
	json_array_foreach (v, k, it)
	{
		if (json_is_object (it)) {
			json_t *o = json_deep_copy (it), *t = json_object_get (o, "target"),
			       *p = json_object_get (o, "published");
			if (json_is_string (t))
				json_object_set_new (o, "target",
				                     json_integer (strtol (json_string_value (t), NULL, 10)));
			if (json_is_integer (p))
				json_object_set_new (o, "published", norm_scalar (p));
			if (!json_object_get (o, "protocol"))
				json_object_set_new (o, "protocol", json_string ("tcp"));
			if (!json_object_get (o, "mode"))
				json_object_set_new (o, "mode", json_string ("ingress"));
			json_array_append_new (out, o);
			continue;
		}
		json_t *str = norm_scalar (it);
		int rc = port_short (out, json_string_value (str), e);
		json_decref (str);
		if (rc < 0) {
			json_decref (out);
			return -1;
		}
	}
	json_object_set_new (svc, "ports", out);
	return 0;
}

static int
is_host_path (const char *s)
{
	return s[0] == '.' || s[0] == '/' || s[0] == '~';
}

static json_t *
volume_short (const char *spec, const char *dir)
{
	_cleanup_free_ char *s = strdup (spec);
	char *c1 = s ? strchr (s, ':') : NULL, *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
	json_t *o = json_object ();

	if (!s || !o)
		return o;
	if (!c1) {
		json_object_set_new (o, "type", json_string ("volume"));
		json_object_set_new (o, "target", json_string (s));
		return o;
	}
	*c1 = '\0';
	if (c2)
		*c2++ = '\0';
	json_object_set_new (o, "type", json_string (is_host_path (s) ? "bind" : "volume"));
	json_object_set_new (o, "source", is_host_path (s) ? host_path (s, dir) : json_string (s));
	json_object_set_new (o, "target", json_string (c1 + 1));
	char *sv = NULL;
	for (char *m = c2 ? strtok_r (c2, ",", &sv) : NULL; m; m = strtok_r (NULL, ",", &sv))
		if (!strcmp (m, "ro"))
			json_object_set_new (o, "read_only", json_true ());
		else if (!strcmp (m, "nocopy"))
			json_object_set_new (o, "volume", json_pack ("{s:b}", "nocopy", 1));
	if (is_host_path (s))
		json_object_set_new (o, "bind", json_pack ("{s:b}", "create_host_path", 1));
	else if (!json_object_get (o, "volume"))
		json_object_set_new (o, "volume", json_object ());
	return o;
}

static void
norm_volumes (json_t *svc, const char *dir)
{
	json_t *v = json_object_get (svc, "volumes"), *out, *it;
	size_t k;

	if (!v)
		return;
	out = json_array ();
	json_array_foreach (v, k, it)
	{
		json_t *o;
		if (json_is_string (it)) {
			json_array_append_new (out, volume_short (json_string_value (it), dir));
			continue;
		}
		o = json_deep_copy (it);
		const char *src = json_string_value (json_object_get (o, "source"));
		if (src && !strcmp (json_string_value (json_object_get (o, "type")) ?: "", "bind"))
			json_object_set_new (o, "source", host_path (src, dir));
		json_array_append_new (out, o);
	}
	json_object_set_new (svc, "volumes", out);
}

/* [a, b] or {a: {condition: ...}} -> {a: {condition, required}} */
static void
norm_depends (json_t *svc)
{
	json_t *v = json_object_get (svc, "depends_on"), *out, *it;
	const char *name;
	size_t k;

	if (!v)
		return;
	out = json_object ();
	if (json_is_array (v))
		json_array_foreach (v, k, it) json_object_set_new (out, json_string_value (it), json_object ());
	else
		json_object_foreach (v, name, it)
		    json_object_set_new (out, name, json_is_object (it) ? json_deep_copy (it) : json_object ());
	json_object_foreach (out, name, it)
	{
		if (!json_object_get (it, "condition"))
			json_object_set_new (it, "condition", json_string ("service_started"));
		if (!json_object_get (it, "required"))
			json_object_set_new (it, "required", json_true ());
	}
	json_object_set_new (svc, "depends_on", out);
}

static void
norm_networks (json_t *svc)
{
	json_t *v = json_object_get (svc, "networks"), *out, *it;
	size_t k;

	if (!json_is_array (v))
		return;
	out = json_object ();
	json_array_foreach (v, k, it) json_object_set_new (out, json_string_value (it), json_null ());
	json_object_set_new (svc, "networks", out);
}

static void
norm_build (json_t *svc, const char *dir)
{
	json_t *b = json_object_get (svc, "build"), *o;
	const char *ctx;

	if (!b)
		return;
	o = json_is_string (b) ? json_pack ("{s:O}", "context", b) : json_deep_copy (b);
	ctx = json_string_value (json_object_get (o, "context"));
	json_object_set_new (o, "context", host_path (ctx ? ctx : ".", dir));
	if (!json_object_get (o, "dockerfile"))
		json_object_set_new (o, "dockerfile", json_string ("Dockerfile"));
	if (json_object_get (o, "args"))
		json_object_set_new (o, "args", to_map (json_object_get (o, "args"), '='));
	if (json_object_get (o, "labels"))
		json_object_set_new (o, "labels", to_map (json_object_get (o, "labels"), '='));
	json_object_set_new (svc, "build", o);
}

static void
norm_healthcheck (json_t *svc)
{
	json_t *h = json_object_get (svc, "healthcheck"), *t = json_object_get (h, "test");

	if (json_is_string (t))
		json_object_set_new (h, "test", json_pack ("[s,O]", "CMD-SHELL", t));
}

static void
norm_extra_hosts (json_t *svc)
{
	json_t *v = json_object_get (svc, "extra_hosts"), *out, *it;
	const char *k;
	char buf[512];

	if (!json_is_object (v))
		return;
	out = json_array ();
	json_object_foreach (v, k, it)
	{
		json_t *s = norm_scalar (it);
		snprintf (buf, sizeof buf, "%s:%s", k, json_string_value (s) ?: "");
		json_decref (s);
		json_array_append_new (out, json_string (buf));
	}
	json_object_set_new (svc, "extra_hosts", out);
}

/* "true" (after interpolation) as a boolean; "3" as a number */
static void
norm_casts (json_t *svc)
{
	static const char *const bools[] = {
	    "init", "tty", "stdin_open", "read_only", "privileged", "oom_kill_disable", "attach", NULL};
	static const char *const ints[] = {"pids_limit", "scale", "cpu_shares", "oom_score_adj", NULL};
	json_t *v;

	for (int k = 0; bools[k]; k++)
		if (json_is_string (v = json_object_get (svc, bools[k])))
			json_object_set_new (svc, bools[k], json_boolean (!strcmp (json_string_value (v), "true")));
	for (int k = 0; ints[k]; k++)
		if (json_is_string (v = json_object_get (svc, ints[k])))
			json_object_set_new (svc, ints[k], json_integer (strtoll (json_string_value (v), NULL, 10)));
	v = json_object_get (json_object_get (svc, "deploy"), "replicas");
	if (json_is_string (v))
		json_object_set_new (json_object_get (svc, "deploy"), "replicas",
		                     json_integer (strtoll (json_string_value (v), NULL, 10)));
}

static void
norm_env_file (json_t *svc, const char *dir)
{
	json_t *v = json_object_get (svc, "env_file"), *out, *it;
	size_t k;

	if (!v)
		return;
	out = json_array ();
	if (json_is_string (v))
		v = json_pack ("[O]", v);
	else
		json_incref (v);
	json_array_foreach (v, k, it)
	{
		json_t *o = json_is_object (it) ? json_deep_copy (it) : json_pack ("{s:O}", "path", it);
		json_object_set_new (o, "path", host_path (json_string_value (json_object_get (o, "path")) ?: "", dir));
		if (!json_object_get (o, "required"))
			json_object_set_new (o, "required", json_true ());
		json_array_append_new (out, o);
	}
	json_decref (v);
	json_object_set_new (svc, "env_file", out);
}

static void
norm_label_file (json_t *svc, const char *dir)
{
	json_t *v, *it;
	size_t k;

	set_list (svc, "label_file", 0);
	v = json_object_get (svc, "label_file");
	json_array_foreach (v, k, it) json_array_set_new (v, k, host_path (json_string_value (it) ?: "", dir));
}

/* secrets: [name] -> [{source: name}] (configs alike) */
static void
norm_file_refs (json_t *svc, const char *key)
{
	json_t *v = json_object_get (svc, key), *it;
	size_t k;

	json_array_foreach (v, k, it)
	{
		if (json_is_string (it))
			json_array_set_new (v, k, json_pack ("{s:O}", "source", it));
	}
}

/* a top-level secret's or config's file, absolute */
void
norm_top_files (json_t *top, const char *dir)
{
	const char *k;
	json_t *v;

	json_object_foreach (top, k, v)
	{
		const char *f = json_string_value (json_object_get (v, "file"));
		if (f)
			json_object_set_new (v, "file", host_path (f, dir));
	}
}

int
norm_service (json_t *svc, const char *name, const char *dir, struct bx_err *e)
{
	static const char *const maps[] = {"environment", "labels", "annotations", "sysctls", NULL};
	json_t *ex = json_object_get (svc, "expose"), *it;
	size_t k;

	for (int m = 0; maps[m]; m++)
		set_map (svc, maps[m], '=');
	set_list (svc, "command", 1);
	set_list (svc, "entrypoint", 1);
	set_list (svc, "dns", 0);
	set_list (svc, "dns_search", 0);
	set_list (svc, "tmpfs", 0);
	if (ex)
		json_array_foreach (ex, k, it) json_array_set_new (ex, k, norm_scalar (it));
	norm_casts (svc);
	norm_build (svc, dir);
	norm_healthcheck (svc);
	norm_extra_hosts (svc);
	norm_env_file (svc, dir);
	norm_label_file (svc, dir);
	norm_file_refs (svc, "secrets");
	norm_file_refs (svc, "configs");
	norm_volumes (svc, dir);
	norm_depends (svc);
	norm_networks (svc);
	if (norm_ports (svc, e) < 0)
		return err_wrap (e, "services.%s.ports", name);
	return 0;
}
