/* cchange - the changes of `docker commit -c` (moby's
 * builder/dockerfile/builder.go BuildFromConfig, dispatchers.go, and
 * daemon/commit.go merge) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/cleanup.h"
#include "dockerfile/cchange.h"
#include "dockerfile/dockerfile.h"
#include "dockerfile/shword.h"

static const char *const VALID[] = {"cmd",     "entrypoint", "env",    "expose",  "healthcheck", "label",
                                    "onbuild", "user",       "volume", "workdir", NULL};

struct apply {
	json_t *c;  /* the config being changed */
	int cmdset; /* CMD given: a later ENTRYPOINT keeps it */
	int escape;
};

static json_t *
obj_at (json_t *c, const char *key)
{
	json_t *o = json_object_get (c, key);

	if (!json_is_object (o)) {
		o = json_object ();
		json_object_set_new (c, key, o);
	}
	return o;
}

static int
expand (struct apply *a, const char *word, char **out, struct bx_err *e)
{
	json_t *env = json_object_get (a->c, "Env"), *v;
	size_t n = json_array_size (env), i;
	_cleanup_free_ const char **vars = calloc (n + 1, sizeof *vars);
	struct shword sh = {.escape = a->escape, .env = vars, .nenv = n};

	if (!vars)
		return err_set (e, BX_SYSTEM, ENOMEM, "commit");
	json_array_foreach (env, i, v) vars[i] = json_string_value (v) ? json_string_value (v) : "";
	return shword_expand (&sh, word, out, e);
}

/* the exec form's words, or the shell form run by the config's Shell */
static json_t *
command_of (struct apply *a, const struct df_instr *in)
{
	json_t *shell = json_object_get (a->c, "Shell"), *cmd;

	if (in->json) {
		cmd = json_array ();
		for (size_t i = 0; i < in->nargs; i++)
			json_array_append_new (cmd, json_stringn (in->args[i].s, in->args[i].len));
		return cmd;
	}
	cmd = json_array_size (shell) ? json_deep_copy (shell) : json_pack ("[ss]", "/bin/sh", "-c");
	json_array_append_new (cmd, json_string (in->nargs ? in->args[0].s : ""));
	return cmd;
}

static int
set_command (struct apply *a, const struct df_instr *in, const char *key)
{
	json_object_set_new (a->c, key, command_of (a, in));
	if (!strcmp (key, "Cmd"))
		a->cmdset = 1;
	else if (!a->cmdset) /* ENTRYPOINT resets the CMD it did not come with */
		json_object_set_new (a->c, "Cmd", json_null ());
	return 0;
}

void
cchange_env_set (json_t *c, const char *k, const char *v)
{
	json_t *env = json_object_get (c, "Env"), *item;
	size_t kl = strlen (k), i;
	char *kv = NULL;

	if (!json_is_array (env)) {
		env = json_array ();
		json_object_set_new (c, "Env", env);
	}
	if (asprintf (&kv, "%s=%s", k, v) < 0)
		return;
	json_array_foreach (env, i, item)
	{
		const char *s = json_string_value (item);
		if (s && strncmp (s, k, kl) == 0 && (s[kl] == '=' || !s[kl])) {
			json_array_set_new (env, i, json_string (kv));
			free (kv);
			return;
		}
	}
	json_array_append_new (env, json_string (kv));
	free (kv);
}

/* ENV and LABEL: key, value, separator triples */
static int
pairs (struct apply *a, const struct df_instr *in, const char *what, struct bx_err *e)
{
	json_t *labels = strcmp (what, "LABEL") == 0 ? obj_at (a->c, "Labels") : NULL;

	if (in->nargs == 0)
		return err_set (e, BX_USAGE, 0, "%s requires at least one argument", what);
	for (size_t i = 0; i + 1 < in->nargs; i += 3) {
		_cleanup_free_ char *k = NULL, *v = NULL;
		if (expand (a, in->args[i].s, &k, e) < 0 || expand (a, in->args[i + 1].s, &v, e) < 0)
			return -1;
		if (!*k)
			return err_set (e, BX_USAGE, 0, "%s names can not be blank", what);
		if (labels)
			json_object_set_new (labels, k, json_string (v));
		else
			cchange_env_set (a->c, k, v);
	}
	return 0;
}

/* a port ("80"), with a protocol ("53/udp"), or a range ("8000-8002") */
static int
expose_one (json_t *ports, const char *spec, struct bx_err *e)
{
	_cleanup_free_ char *p = strdup (spec);
	char *proto = p ? strchr (p, '/') : NULL, *dash, *end;
	unsigned long lo, hi;

	if (!p)
		return err_set (e, BX_SYSTEM, ENOMEM, "EXPOSE");
	if (proto)
		*proto++ = '\0';
	for (char *q = proto; q && *q; q++)
		*q = (char)tolower ((unsigned char)*q);
	if (proto && strcmp (proto, "tcp") && strcmp (proto, "udp") && strcmp (proto, "sctp"))
		return err_set (e, BX_USAGE, 0, "invalid proto: %s", proto);
	dash = strchr (p, '-');
	lo = strtoul (p, &end, 10);
	hi = dash ? strtoul (dash + 1, NULL, 10) : lo;
	if (!*p || end == p || (dash ? end != dash : *end) || lo > 65535 || hi > 65535 || hi < lo ||
	    (dash && strspn (dash + 1, "0123456789") != strlen (dash + 1)))
		return err_set (e, BX_USAGE, 0, "invalid containerPort: %s", p);
	for (unsigned long port = lo; port <= hi; port++) {
		char key[32];
		snprintf (key, sizeof key, "%lu/%s", port, proto ? proto : "tcp");
		json_object_set_new (ports, key, json_object ());
	}
	return 0;
}

static int
do_expose (struct apply *a, const struct df_instr *in, struct bx_err *e)
{
	json_t *ports = obj_at (a->c, "ExposedPorts");

	if (in->nargs == 0)
		return err_set (e, BX_USAGE, 0, "EXPOSE requires at least one argument");
	for (size_t i = 0; i < in->nargs; i++) {
		_cleanup_free_ char *p = NULL;
		if (expand (a, in->args[i].s, &p, e) < 0 || expose_one (ports, p, e) < 0)
			return -1;
	}
	return 0;
}

static int
do_volume (struct apply *a, const struct df_instr *in, struct bx_err *e)
{
	json_t *vols = obj_at (a->c, "Volumes");

	if (in->nargs == 0)
		return err_set (e, BX_USAGE, 0, "VOLUME requires at least one argument");
	for (size_t i = 0; i < in->nargs; i++) {
		_cleanup_free_ char *v = NULL;
		if (expand (a, in->args[i].s, &v, e) < 0)
			return -1;
		if (!*v)
			return err_set (e, BX_USAGE, 0, "VOLUME specified can not be an empty string");
		json_object_set_new (vols, v, json_object ());
	}
	return 0;
}

/* Go's path.Clean of an absolute path */
static void
path_clean (char *p)
{
	char *out = p, *seg = p;
	size_t len = strlen (p);
	_cleanup_free_ char *in = strndup (p, len);

	if (!in)
		return;
	*out++ = '/';
	for (char *save = NULL, *s = strtok_r (in, "/", &save); s; s = strtok_r (NULL, "/", &save)) {
		if (!strcmp (s, "."))
			continue;
		if (!strcmp (s, "..")) {
			while (out > p + 1 && out[-1] != '/')
				out--;
			if (out > p + 1)
				out--;
			continue;
		}
		if (out > p + 1)
			*out++ = '/';
		seg = out;
		out = stpcpy (seg, s);
	}
	*out = '\0';
}

static int
set_string (struct apply *a, const struct df_instr *in, const char *key, const char *kw, struct bx_err *e)
{
	_cleanup_free_ char *v = NULL, *joined = NULL;
	const char *cur = json_string_value (json_object_get (a->c, "WorkingDir"));

	if (in->nargs != 1)
		return err_set (e, BX_USAGE, 0, "%s requires exactly one argument", kw);
	if (expand (a, in->args[0].s, &v, e) < 0)
		return -1;
	if (!strcmp (key, "WorkingDir")) {
		if (asprintf (&joined, "%s/%s", *v == '/' ? "" : cur ? cur : "", v) < 0)
			return err_set (e, BX_SYSTEM, ENOMEM, "WORKDIR");
		path_clean (joined);
	}
	json_object_set_new (a->c, key, json_string (joined ? joined : v));
	return 0;
}

/* a Go duration ("30s", "1m30s", "500ms") in nanoseconds; -1 if bad */
static long long
go_duration (const char *s)
{
	static const struct {
		const char *u;
		long long ns;
	} units[] = {{"ns", 1},           {"us", 1000},         {"ms", 1000000},
	             {"s", 1000000000LL}, {"m", 60000000000LL}, {"h", 3600000000000LL}};
	long long total = 0;

	if (strcmp (s, "0") == 0)
		return 0;
	while (*s) {
		char *end;
		double v = strtod (s, &end);
		size_t best = 0, found = 0;
		if (end == s || v < 0)
			return -1;
		for (size_t k = 0; k < sizeof units / sizeof *units; k++)
			if (strncmp (end, units[k].u, strlen (units[k].u)) == 0 && strlen (units[k].u) > best)
				best = strlen (units[k].u), found = k + 1;
		if (!found)
			return -1;
		total += (long long)(v * (double)units[found - 1].ns);
		s = end + best;
	}
	return total;
}

static int
health_flags (const struct df_instr *in, json_t *hc, struct bx_err *e)
{
	static const char *const names[][2] = {{"--interval=", "Interval"},
	                                       {"--timeout=", "Timeout"},
	                                       {"--start-period=", "StartPeriod"},
	                                       {"--start-interval=", "StartInterval"}};

	for (size_t i = 0; i < in->nflags; i++) {
		const char *f = in->flags[i];
		size_t k;
		for (k = 0; k < 4; k++)
			if (strncmp (f, names[k][0], strlen (names[k][0])) == 0) {
				long long d = go_duration (f + strlen (names[k][0]));
				if (d < 0)
					return err_set (e, BX_USAGE, 0, "time: invalid duration \"%s\"",
					                f + strlen (names[k][0]));
				if (d > 0)
					json_object_set_new (hc, names[k][1], json_integer (d));
				break;
			}
		if (k < 4)
			continue;
		if (strncmp (f, "--retries=", 10) == 0 && atoi (f + 10) >= 0) {
			if (atoi (f + 10))
				json_object_set_new (hc, "Retries", json_integer (atoi (f + 10)));
		} else
			return err_set (e, BX_USAGE, 0, "unknown flag: %.*s", (int)strcspn (f, "="), f);
	}
	return 0;
}

int
cchange_health_cmd (const struct df_instr *in, json_t *hc, struct bx_err *e)
{
	json_t *test;

	if (health_flags (in, hc, e) < 0)
		return -1;
	test = json_array ();
	json_array_append_new (test, json_string (in->json ? "CMD" : "CMD-SHELL"));
	for (size_t i = 1; i < in->nargs; i++)
		json_array_append_new (test, json_stringn (in->args[i].s, in->args[i].len));
	json_object_set_new (hc, "Test", test);
	return 0;
}

static int
do_healthcheck (struct apply *a, const struct df_instr *in, struct bx_err *e)
{
	json_t *hc = json_object ();

	if (in->nargs && strcasecmp (in->args[0].s, "NONE") == 0) {
		if (in->nargs > 1 || in->nflags)
			return json_decref (hc), err_set (e, BX_USAGE, 0, "HEALTHCHECK NONE takes no arguments");
		json_object_set_new (hc, "Test", json_pack ("[s]", "NONE"));
	} else if (in->nargs >= 2 && strcasecmp (in->args[0].s, "CMD") == 0) {
		if (cchange_health_cmd (in, hc, e) < 0)
			return json_decref (hc), -1;
	} else
		return json_decref (hc), err_set (e, BX_USAGE, 0, "Unknown type \"%s\" in HEALTHCHECK (try CMD)",
		                                  in->nargs ? in->args[0].s : "");
	json_object_set_new (a->c, "Healthcheck", hc);
	return 0;
}

static int
do_onbuild (struct apply *a, const struct df_instr *in, struct bx_err *e)
{
	json_t *ob = json_object_get (a->c, "OnBuild");
	const char *expr;

	if (!in->sub)
		return err_set (e, BX_USAGE, 0, "ONBUILD requires at least one argument");
	if (!strcmp (in->sub->keyword, "from") || !strcmp (in->sub->keyword, "maintainer"))
		return err_set (e, BX_USAGE, 0, "%s isn't allowed as an ONBUILD trigger", in->sub->keyword);
	expr = in->original + strlen ("ONBUILD");
	expr += strspn (expr, " \t");
	if (!json_is_array (ob)) {
		ob = json_array ();
		json_object_set_new (a->c, "OnBuild", ob);
	}
	json_array_append_new (ob, json_string (expr));
	return 0;
}

static int
dispatch (struct apply *a, const struct df_instr *in, struct bx_err *e)
{
	const char *k = in->keyword;

	if (in->nflags && strcmp (k, "healthcheck") != 0)
		return err_set (e, BX_USAGE, 0, "unknown flag: %.*s", (int)strcspn (in->flags[0], "="), in->flags[0]);
	if (!strcmp (k, "cmd"))
		return set_command (a, in, "Cmd");
	if (!strcmp (k, "entrypoint"))
		return set_command (a, in, "Entrypoint");
	if (!strcmp (k, "env"))
		return pairs (a, in, "ENV", e);
	if (!strcmp (k, "label"))
		return pairs (a, in, "LABEL", e);
	if (!strcmp (k, "expose"))
		return do_expose (a, in, e);
	if (!strcmp (k, "volume"))
		return do_volume (a, in, e);
	if (!strcmp (k, "user"))
		return set_string (a, in, "User", "USER", e);
	if (!strcmp (k, "workdir"))
		return set_string (a, in, "WorkingDir", "WORKDIR", e);
	if (!strcmp (k, "healthcheck"))
		return do_healthcheck (a, in, e);
	return do_onbuild (a, in, e);
}

static void
union_into (json_t *dst, json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach (src, k, v) if (!json_object_get (dst, k)) json_object_set (dst, k, v);
}

/* daemon/commit.go merge: what the changes left unset comes from the
 * container's own config */
static void
merge (json_t *u, json_t *img)
{
	json_t *labels = json_object_get (u, "Labels");

	if (!json_is_object (labels)) {
		labels = json_object ();
		json_object_set_new (u, "Labels", labels);
	}
	union_into (labels, json_object_get (img, "Labels"));
	if (json_object_size (json_object_get (u, "ExposedPorts")) == 0)
		json_object_set (u, "ExposedPorts", json_object_get (img, "ExposedPorts"));
	else
		union_into (json_object_get (u, "ExposedPorts"), json_object_get (img, "ExposedPorts"));
	if (json_object_size (json_object_get (u, "Volumes")) == 0)
		json_object_set (u, "Volumes", json_object_get (img, "Volumes"));
	else
		union_into (json_object_get (u, "Volumes"), json_object_get (img, "Volumes"));
	if (json_array_size (json_object_get (u, "Entrypoint")) == 0) {
		if (json_array_size (json_object_get (u, "Cmd")) == 0)
			json_object_set (u, "Cmd", json_object_get (img, "Cmd"));
		if (json_is_null (json_object_get (u, "Entrypoint")) || !json_object_get (u, "Entrypoint"))
			json_object_set (u, "Entrypoint", json_object_get (img, "Entrypoint"));
	}
}

/* the parser's "change:LINE: " goes: Docker names no file here */
static int
unprefix (struct bx_err *e)
{
	char *p = strncmp (e->msg, "change:", 7) == 0 ? strstr (e->msg, ": ") : NULL;

	if (p)
		memmove (e->msg, p + 2, strlen (p + 2) + 1);
	return -1;
}

json_t *
cchange_apply (json_t *config, char *const *changes, size_t n, struct bx_err *e)
{
	struct apply a = {.c = json_deep_copy (config)};
	struct dockerfile *df = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream (&text, &len);
	int rc = 0;

	if (!a.c || !f) {
		json_decref (a.c);
		if (f)
			fclose (f);
		return err_set (e, BX_SYSTEM, ENOMEM, "commit"), NULL;
	}
	for (size_t i = 0; i < n; i++)
		fprintf (f, "%s%s", i ? "\n" : "", changes[i]);
	fclose (f);
	if (n && dockerfile_parse ("change", text, len, &df, e) < 0)
		rc = unprefix (e);
	for (size_t i = 0; rc == 0 && df && i < df->n; i++) {
		int ok = 0;
		for (size_t k = 0; VALID[k]; k++)
			ok |= !strcmp (df->instrs[i].keyword, VALID[k]);
		if (!ok)
			rc = err_set (e, BX_USAGE, 0, "%s is not a valid change command", df->instrs[i].keyword);
	}
	a.escape = df ? df->escape : '\\';
	for (size_t i = 0; rc == 0 && df && i < df->n; i++)
		rc = dispatch (&a, &df->instrs[i], e);
	dockerfile_free (df);
	if (rc < 0) {
		json_decref (a.c);
		return NULL;
	}
	merge (a.c, config);
	return a.c;
}
