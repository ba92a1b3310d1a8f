/* meta - the instructions that change only the image config, as moby's
 * builder/dockerfile/dispatchers.go does them */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "base/cleanup.h"
#include "meta.h"

json_t *
meta_config (struct build *b)
{
	json_t *c = json_object_get (b->cfg, "config");

	if (!json_is_object (c)) {
		c = json_object ();
		json_object_set_new (b->cfg, "config", c);
	}
	return c;
}

json_t *
meta_shell (struct build *b)
{
	static json_t *dflt;
	json_t *sh = json_object_get (meta_config (b), "Shell");

	if (json_array_size (sh))
		return sh;
	if (!dflt)
		dflt = json_pack ("[ss]", "/bin/sh", "-c");
	return dflt;
}

json_t *
meta_shell_form (struct build *b, const char *cmd)
{
	json_t *a = json_deep_copy (meta_shell (b));

	json_array_append_new (a, json_string (cmd));
	return a;
}

char *
meta_join (json_t *arr)
{
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream (&out, &len);
	json_t *v;

	json_array_foreach (arr, i, v) fprintf (f, "%s%s", i ? " " : "", json_string_value (v));
	fclose (f);
	return out;
}

/* history "/bin/sh -c #(nop)  TEXT": Docker records a metadata step as the
 * comment its never-run container would have had */
static void
nop_history (struct build *b, const char *text)
{
	_cleanup_free_ char *sh = meta_join (meta_shell (b)), *by = NULL;

	if (asprintf (&by, "%s #(nop)  %s", sh, text) >= 0)
		build_history (b, by, 1);
}

/* the exec form's words, or the shell form run by SHELL */
static json_t *
command_of (struct build *b, const struct df_instr *in)
{
	json_t *a;

	if (!in->json)
		return meta_shell_form (b, in->nargs ? in->args[0].s : "");
	a = json_array ();
	for (size_t i = 0; i < in->nargs; i++)
		json_array_append_new (a, json_stringn (in->args[i].s, in->args[i].len));
	return a;
}

/* Go's %q of a []string: ["a" "b"] */
static char *
quoted_list (json_t *arr)
{
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream (&out, &len);
	json_t *v;

	fputc ('[', f);
	json_array_foreach (arr, i, v)
	{
		fputs (i ? " " : "", f);
		ast_quote (f, json_string_value (v), json_string_length (v));
	}
	fputc (']', f);
	fclose (f);
	return out;
}

/* Go's %v of a []string: [a b] */
static char *
plain_list (json_t *arr)
{
	_cleanup_free_ char *j = meta_join (arr);
	char *out = NULL;

	return asprintf (&out, "[%s]", j) < 0 ? NULL : out;
}

static int
env_set (json_t *c, const char *k, const char *v)
{
	json_t *env = json_object_get (c, "Env"), *item;
	size_t kl = strlen (k), i;
	char *kv = NULL;

	if (!json_is_array (env)) {
		env = json_array ();
		json_object_set_new (c, "Env", env);
	}
	if (asprintf (&kv, "%s=%s", k, v) < 0)
		return -1;
	json_array_foreach (env, i, item)
	{
		const char *s = json_string_value (item);
		if (s && strncmp (s, k, kl) == 0 && (s[kl] == '=' || !s[kl]))
			return json_array_set_new (env, i, json_string (kv)), free (kv), 0;
	}
	json_array_append_new (env, json_string (kv));
	free (kv);
	return 0;
}

/* ENV and LABEL: key, value, separator triples, each expanded */
static int
pairs (struct build *b, const char *what, json_t *dst_labels, struct bx_err *e)
{
	const struct df_instr *in = b->in;
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream (&text, &tlen);
	int rc = 0;

	fputs (what, f);
	for (size_t i = 0; i + 1 < in->nargs && rc == 0; i += 3) {
		_cleanup_free_ char *k = NULL, *v = NULL;
		if (build_expand (b, in->args[i].s, &k, e) < 0 || build_expand (b, in->args[i + 1].s, &v, e) < 0)
			rc = -1;
		else if (!*k)
			rc = build_errf (b, e, BX_USAGE, "%s names must not be empty", what);
		else if (dst_labels)
			json_object_set_new (dst_labels, k, json_string (v));
		else
			env_set (meta_config (b), k, v);
		if (rc == 0)
			fprintf (f, " %s=%s", k, v);
	}
	fclose (f);
	if (rc == 0)
		nop_history (b, text);
	free (text);
	return rc;
}

static int
do_env (struct build *b, struct bx_err *e)
{
	if (b->in->nargs == 0)
		return build_errf (b, e, BX_USAGE, "ENV requires at least one argument");
	return pairs (b, "ENV", NULL, e);
}

static int
do_label (struct build *b, struct bx_err *e)
{
	json_t *c = meta_config (b), *l = json_object_get (c, "Labels");

	if (b->in->nargs == 0)
		return build_errf (b, e, BX_USAGE, "LABEL requires at least one argument");
	if (!json_is_object (l)) {
		l = json_object ();
		json_object_set_new (c, "Labels", l);
	}
	return pairs (b, "LABEL", l, e);
}

/* ARG K[=V]: --build-arg K wins, then the default, then a meta ARG's value */
static int
do_arg (struct build *b, struct bx_err *e)
{
	for (size_t i = 0; i < b->in->nargs; i++) {
		_cleanup_free_ char *w = NULL, *text = NULL;
		char *eq;
		json_t *v;

		if (build_expand (b, b->in->args[i].s, &w, e) < 0)
			return -1;
		if (asprintf (&text, "ARG %s", w) < 0)
			return err_set (e, BX_SYSTEM, 0, "out of memory");
		if ((eq = strchr (w, '=')))
			*eq++ = '\0';
		if ((v = json_object_get (b->o->buildargs, w)))
			json_object_set_new (b->usedargs, w, json_true ());
		else if (!eq && json_is_string (json_object_get (b->metaargs, w)))
			v = json_object_get (b->metaargs, w);
		json_object_set_new (b->args, w, v ? json_incref (v) : eq ? json_string (eq) : json_null ());
		nop_history (b, text);
	}
	return 0;
}

/* EXPOSE 80 80/udp: ExposedPorts {"80/tcp": {}} */
static int
do_expose (struct build *b, struct bx_err *e)
{
	json_t *c = meta_config (b), *ports = json_object_get (c, "ExposedPorts");
	_cleanup_free_ char *text = strdup ("EXPOSE");

	if (!json_is_object (ports)) {
		ports = json_object ();
		json_object_set_new (c, "ExposedPorts", ports);
	}
	for (size_t i = 0; i < b->in->nargs; i++) {
		_cleanup_free_ char *p = NULL, *key = NULL;
		char *t = text;
		if (build_expand (b, b->in->args[i].s, &p, e) < 0)
			return -1;
		for (char *q = p; *q; q++)
			*q = tolower ((unsigned char)*q);
		if (!*p || strspn (p, "0123456789") == 0 || strchr (p, '-'))
			return build_errf (b, e, BX_USAGE, "EXPOSE %s: %s", p,
			                   strchr (p, '-') ? "port ranges: not implemented" : "invalid port");
		if (asprintf (&key, strchr (p, '/') ? "%s" : "%s/tcp", p) < 0 || asprintf (&text, "%s %s", t, p) < 0)
			return err_set (e, BX_SYSTEM, 0, "out of memory");
		free (t);
		json_object_set_new (ports, key, json_object ());
	}
	nop_history (b, text);
	return 0;
}

static int
set_string (struct build *b, const char *key, const char *kw, struct bx_err *e)
{
	_cleanup_free_ char *v = NULL, *text = NULL;

	if (b->in->nargs == 0 || build_expand (b, b->in->args[0].s, &v, e) < 0)
		return b->in->nargs ? -1 : build_errf (b, e, BX_USAGE, "%s requires exactly one argument", kw);
	if (!*v)
		return build_errf (b, e, BX_USAGE, "%s requires exactly one argument", kw);
	json_object_set_new (meta_config (b), key, json_string (v));
	if (asprintf (&text, "%s %s", kw, v) >= 0)
		nop_history (b, text);
	return 0;
}

static int
set_command (struct build *b, const char *key, const char *kw)
{
	json_t *cmd = command_of (b, b->in);
	_cleanup_free_ char *q = quoted_list (cmd), *text = NULL;

	json_object_set_new (meta_config (b), key, cmd);
	if (strcmp (key, "Cmd") == 0)
		b->cmdset = 1;
	else if (!b->cmdset) /* an ENTRYPOINT resets the base image's CMD */
		json_object_set_new (meta_config (b), "Cmd", json_null ());
	if (asprintf (&text, "%s %s", kw, q) >= 0)
		nop_history (b, text);
	return 0;
}

static int
do_volume (struct build *b, struct bx_err *e)
{
	json_t *c = meta_config (b), *vols = json_object_get (c, "Volumes"), *list = json_array ();
	_cleanup_free_ char *pl = NULL, *text = NULL;

	if (!json_is_object (vols)) {
		vols = json_object ();
		json_object_set_new (c, "Volumes", vols);
	}
	for (size_t i = 0; i < b->in->nargs; i++) {
		_cleanup_free_ char *v = NULL;
		if (build_expand (b, b->in->args[i].s, &v, e) < 0 || !*v) {
			json_decref (list);
			return v ? build_errf (b, e, BX_USAGE, "VOLUME specified can not be an empty string") : -1;
		}
		json_object_set_new (vols, v, json_object ());
		json_array_append_new (list, json_string (v));
	}
	pl = plain_list (list);
	json_decref (list);
	if (asprintf (&text, "VOLUME %s", pl) >= 0)
		nop_history (b, text);
	return 0;
}

static int
do_shell (struct build *b, struct bx_err *e)
{
	json_t *sh;
	_cleanup_free_ char *pl = NULL, *text = NULL;

	if (!b->in->json)
		return build_errf (b, e, BX_USAGE, "SHELL requires the arguments to be in JSON form");
	if (b->in->nargs == 0)
		return build_errf (b, e, BX_USAGE, "SHELL requires at least one argument");
	sh = command_of (b, b->in);
	pl = plain_list (sh);
	json_object_set_new (meta_config (b), "Shell", sh);
	if (asprintf (&text, "SHELL %s", pl) >= 0)
		nop_history (b, text);
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
		size_t k, best = 0, found = 0;
		if (end == s)
			return -1;
		for (k = 0; k < sizeof units / sizeof *units; k++)
			if (strncmp (end, units[k].u, strlen (units[k].u)) == 0 && strlen (units[k].u) > best)
				best = strlen (units[k].u), found = k + 1;
		if (!found)
			return -1;
		total += (long long)(v * units[found - 1].ns);
		s = end + best;
	}
	return total;
}

static int
health_flags (struct build *b, json_t *hc, struct bx_err *e)
{
	static const char *const names[][2] = {{"--interval=", "Interval"},
	                                       {"--timeout=", "Timeout"},
	                                       {"--start-period=", "StartPeriod"},
	                                       {"--start-interval=", "StartInterval"}};

	for (size_t i = 0; i < b->in->nflags; i++) {
		const char *f = b->in->flags[i];
		size_t k;
		for (k = 0; k < 4; k++)
			if (strncmp (f, names[k][0], strlen (names[k][0])) == 0) {
				long long d = go_duration (f + strlen (names[k][0]));
				if (d < 0)
					return build_errf (b, e, BX_USAGE, "HEALTHCHECK %s: invalid duration", f);
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
			return build_errf (b, e, BX_USAGE, "HEALTHCHECK: unknown flag: %s", f);
	}
	return 0;
}

static int
do_healthcheck (struct build *b, struct bx_err *e)
{
	const struct df_instr *in = b->in;
	json_t *hc = json_object (), *test;
	_cleanup_free_ char *q = NULL, *text = NULL;

	if (in->nargs && strcasecmp (in->args[0].s, "NONE") == 0) {
		if (in->nargs > 1 || in->nflags)
			return json_decref (hc), build_errf (b, e, BX_USAGE, "HEALTHCHECK NONE takes no arguments");
		test = json_pack ("[s]", "NONE");
	} else if (in->nargs >= 2 && strcasecmp (in->args[0].s, "CMD") == 0) {
		test = json_array ();
		json_array_append_new (test, json_string (in->json ? "CMD" : "CMD-SHELL"));
		for (size_t i = 1; i < in->nargs; i++)
			json_array_append_new (test, json_stringn (in->args[i].s, in->args[i].len));
		if (health_flags (b, hc, e) < 0)
			return json_decref (hc), json_decref (test), -1;
	} else
		return json_decref (hc), build_errf (b, e, BX_USAGE, "HEALTHCHECK requires CMD or NONE");
	q = quoted_list (test);
	json_object_set_new (hc, "Test", test);
	json_object_set_new (meta_config (b), "Healthcheck", hc);
	if (asprintf (&text, "HEALTHCHECK %s", q) >= 0)
		nop_history (b, text);
	return 0;
}

static int
do_maintainer (struct build *b, struct bx_err *e)
{
	_cleanup_free_ char *v = NULL, *text = NULL;

	if (b->in->nargs == 0 || build_expand (b, b->in->args[0].s, &v, e) < 0)
		return b->in->nargs ? -1 : build_errf (b, e, BX_USAGE, "MAINTAINER requires exactly one argument");
	json_object_set_new (b->cfg, "author", json_string (v));
	if (asprintf (&text, "MAINTAINER %s", v) >= 0)
		nop_history (b, text);
	return 0;
}

int
meta_trigger_check (struct build *b, const struct df_instr *t, struct bx_err *e)
{
	if (!strcmp (t->keyword, "onbuild"))
		return build_errf (b, e, BX_USAGE, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if (!strcmp (t->keyword, "from") || !strcmp (t->keyword, "maintainer"))
		return build_errf (b, e, BX_USAGE, "%s isn't allowed as an ONBUILD trigger",
		                   strcmp (t->keyword, "from") ? "MAINTAINER" : "FROM");
	return 0;
}

static int
do_onbuild (struct build *b, struct bx_err *e)
{
	const struct df_instr *sub = b->in->sub;
	json_t *c = meta_config (b), *ob = json_object_get (c, "OnBuild");
	const char *expr;
	_cleanup_free_ char *text = NULL;

	if (!sub)
		return build_errf (b, e, BX_USAGE, "ONBUILD requires at least one argument");
	if (meta_trigger_check (b, sub, e) < 0)
		return -1;
	/* the trigger as written, after "ONBUILD " */
	expr = b->in->original + strlen ("ONBUILD");
	expr += strspn (expr, " \t");
	if (!json_is_array (ob)) {
		ob = json_array ();
		json_object_set_new (c, "OnBuild", ob);
	}
	json_array_append_new (ob, json_string (expr));
	if (asprintf (&text, "ONBUILD %s", expr) >= 0)
		nop_history (b, text);
	return 0;
}

char *
meta_workdir_join (struct build *b, const char *p)
{
	const char *prev = json_string_value (json_object_get (meta_config (b), "WorkingDir"));
	char *joined = NULL, *out, *w;
	const char *r;

	if (asprintf (&joined, "%s/%s", p[0] == '/' ? "" : prev && *prev ? prev : "", p) < 0)
		return NULL;
	/* Go's filepath.Clean */
	out = calloc (strlen (joined) + 2, 1);
	w = out;
	for (r = joined; *r;) {
		size_t n;
		while (*r == '/')
			r++;
		n = strcspn (r, "/");
		if (n == 0)
			break;
		if (n == 1 && r[0] == '.')
			;
		else if (n == 2 && r[0] == '.' && r[1] == '.') {
			while (w > out && *--w != '/')
				;
			*w = '\0';
		} else {
			*w++ = '/';
			memcpy (w, r, n);
			w += n;
			*w = '\0';
		}
		r += n;
	}
	if (w == out)
		strcpy (out, "/");
	free (joined);
	return out;
}

int
meta_run (struct build *b, struct bx_err *e)
{
	const char *k = b->in->keyword;

	if (b->in->nflags && strcmp (k, "healthcheck") != 0 && strcmp (k, "run") && strcmp (k, "copy") &&
	    strcmp (k, "add") && strcmp (k, "from"))
		return build_errf (b, e, BX_USAGE, "%s: unknown flag: %s", k, b->in->flags[0]);
	if (!strcmp (k, "env"))
		return do_env (b, e) < 0 ? -1 : 1;
	if (!strcmp (k, "label"))
		return do_label (b, e) < 0 ? -1 : 1;
	if (!strcmp (k, "arg"))
		return do_arg (b, e) < 0 ? -1 : 1;
	if (!strcmp (k, "expose"))
		return do_expose (b, e) < 0 ? -1 : 1;
	if (!strcmp (k, "user"))
		return set_string (b, "User", "USER", e) < 0 ? -1 : 1;
	if (!strcmp (k, "stopsignal"))
		return set_string (b, "StopSignal", "STOPSIGNAL", e) < 0 ? -1 : 1;
	if (!strcmp (k, "cmd"))
		return set_command (b, "Cmd", "CMD"), 1;
	if (!strcmp (k, "entrypoint"))
		return set_command (b, "Entrypoint", "ENTRYPOINT"), 1;
	if (!strcmp (k, "volume"))
		return do_volume (b, e) < 0 ? -1 : 1;
	if (!strcmp (k, "shell"))
		return do_shell (b, e) < 0 ? -1 : 1;
	if (!strcmp (k, "healthcheck"))
		return do_healthcheck (b, e) < 0 ? -1 : 1;
	if (!strcmp (k, "maintainer"))
		return do_maintainer (b, e) < 0 ? -1 : 1;
	if (!strcmp (k, "onbuild"))
		return do_onbuild (b, e) < 0 ? -1 : 1;
	return 0;
}
