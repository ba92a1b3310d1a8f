/* meta - the instructions that change only the image config, as moby's
 * builder/dockerfile/dispatchers.go does them */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "cache.h"
#include "base/cleanup.h"
#include "dockerfile/cchange.h"
#include "dockerfile/shword.h"
#include "imgw.h"
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

/* ENV and LABEL: key, value, separator triples, each expanded in the
 * environment from before the instruction (Docker expands them all, then
 * sets them: "ENV A=1 B=$A" gives B the old A) */
static int
pairs (struct build *b, const char *what, json_t *dst_labels, struct bx_err *e)
{
	const struct df_instr *in = b->in;
	char **w = calloc (in->nargs + 1, sizeof *w), *text = NULL;
	size_t tlen = 0, i;
	FILE *f;
	int rc = 0;

	if (!w)
		return err_set (e, BX_SYSTEM, 0, "out of memory");
	for (i = 0; i + 1 < in->nargs && rc == 0; i += 3)
		if (build_expand (b, in->args[i].s, &w[i], e) < 0 ||
		    build_expand (b, in->args[i + 1].s, &w[i + 1], e) < 0)
			rc = -1;
		else if (!*w[i])
			rc = build_errf (b, e, BX_USAGE, "%s names must not be empty", what);
	f = open_memstream (&text, &tlen);
	fputs (what, f);
	for (i = 0; i + 1 < in->nargs && rc == 0; i += 3) {
		if (dst_labels)
			json_object_set_new (dst_labels, w[i], json_string (w[i + 1]));
		else
			cchange_env_set (meta_config (b), w[i], w[i + 1]);
		fprintf (f, " %s=%s", w[i], w[i + 1]);
	}
	fclose (f);
	if (rc == 0)
		nop_history (b, text);
	for (i = 0; i < in->nargs; i++)
		free (w[i]);
	free (w);
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

static int
strcmp_ptr (const void *a, const void *b)
{
	return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* one EXPOSE port: "80" -> ExposedPorts "80/tcp", "53/UDP" -> "53/udp" */
static int
expose_one (struct build *b, json_t *ports, const char *p, struct bx_err *e)
{
	_cleanup_free_ char *key = NULL;

	if (!*p || strspn (p, "0123456789") == 0 || strchr (p, '-'))
		return build_errf (b, e, BX_USAGE, "EXPOSE %s: %s", p,
		                   strchr (p, '-') ? "port ranges: not implemented" : "invalid port");
	if (asprintf (&key, strchr (p, '/') ? "%s" : "%s/tcp", p) < 0)
		return err_set (e, BX_SYSTEM, 0, "out of memory");
	for (char *q = key; *q; q++)
		*q = tolower ((unsigned char)*q);
	json_object_set_new (ports, key, json_object ());
	return 0;
}

/* EXPOSE 80 80/udp: ExposedPorts {"80/tcp": {}}. Docker sorts the words
 * as written, then expands each into words ("EXPOSE $PORTS"); its history
 * names them in that order, their case kept. */
static int
do_expose (struct build *b, struct bx_err *e)
{
	json_t *c = meta_config (b), *ports = json_object_get (c, "ExposedPorts");
	const char **raw = calloc (b->in->nargs + 1, sizeof *raw);
	char *text = NULL;
	size_t tlen = 0, n;
	FILE *f;
	int rc = 0;

	if (!raw)
		return err_set (e, BX_SYSTEM, 0, "out of memory");
	if (!json_is_object (ports)) {
		ports = json_object ();
		json_object_set_new (c, "ExposedPorts", ports);
	}
	for (size_t i = 0; i < b->in->nargs; i++)
		raw[i] = b->in->args[i].s;
	qsort (raw, b->in->nargs, sizeof *raw, strcmp_ptr);
	f = open_memstream (&text, &tlen);
	fputs ("EXPOSE", f);
	for (size_t i = 0; i < b->in->nargs && rc == 0; i++) {
		char **env = build_env (b, &n), **words = NULL;
		struct shword sh = {.escape = b->df->escape, .env = (const char *const *)env, .nenv = n};
		if (shword_split (&sh, raw[i], &words, &n, e) < 0)
			rc = build_wrap (b, e);
		for (size_t k = 0; rc == 0 && k < n; k++)
			if ((rc = expose_one (b, ports, words[k], e)) == 0)
				fprintf (f, " %s", words[k]);
		shword_free (words);
		shword_free (env);
	}
	fclose (f);
	if (rc == 0)
		nop_history (b, text);
	free (text);
	free (raw);
	return rc;
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

/* V/UNIT with its fraction, trailing zeros dropped: Go's fmtFrac */
static void
frac (FILE *f, long long v, long long unit, const char *suffix)
{
	char digits[32];
	int n;

	fprintf (f, "%lld", v / unit);
	if (v % unit) {
		n = snprintf (digits, sizeof digits, "%0*lld", unit == 1000 ? 3 : unit == 1000000 ? 6 : 9, v % unit);
		while (n > 0 && digits[n - 1] == '0')
			digits[--n] = '\0';
		fprintf (f, ".%s", digits);
	}
	fputs (suffix, f);
}

/* Go's time.Duration String(): "0s", "500ms", "1.5s", "1m30s", "1h0m0s" */
static void
go_duration_print (FILE *f, long long d)
{
	const long long sec = 1000000000LL;

	if (d == 0)
		fputs ("0s", f);
	else if (d < 1000)
		fprintf (f, "%lldns", d);
	else if (d < 1000000)
		frac (f, d, 1000, "\xc2\xb5s");
	else if (d < sec)
		frac (f, d, 1000000, "ms");
	else {
		if (d >= 3600 * sec)
			fprintf (f, "%lldh", d / (3600 * sec));
		if (d >= 60 * sec)
			fprintf (f, "%lldm", d / (60 * sec) % 60);
		frac (f, d % (60 * sec), sec, "s");
	}
}

/* Go's %q of an int: a rune literal ('\x03', 'A'; past 0x7f a \u escape,
 * where Go prints a printable rune as it is) */
static void
go_rune_print (FILE *f, long long r)
{
	if (r == '\'' || r == '\\')
		fprintf (f, "'\\%c'", (int)r);
	else if (r >= 7 && r <= 13)
		fprintf (f, "'\\%c'", "abtnvfr"[r - 7]);
	else if (r >= 0x20 && r < 0x7f)
		fprintf (f, "'%c'", (int)r);
	else if (r >= 0 && r < 0x80)
		fprintf (f, "'\\x%02llx'", r);
	else
		fprintf (f, "'\\u%04llx'", r);
}

/* the history text: Go's %q of Docker's *HealthConfig,
 * &{["CMD-SHELL" "x"] "30s" "0s" "0s" '\x03'} (StartInterval, which
 * Docker 20.10 does not know, only when set) */
static char *
health_text (json_t *hc)
{
	static const char *const durations[] = {"Interval", "Timeout", "StartPeriod", "StartInterval"};
	_cleanup_free_ char *q = quoted_list (json_object_get (hc, "Test"));
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream (&out, &len);

	fprintf (f, "HEALTHCHECK &{%s", q);
	for (size_t i = 0; i < 4; i++) {
		json_t *v = json_object_get (hc, durations[i]);
		if (i == 3 && !v)
			continue;
		fputs (" \"", f);
		go_duration_print (f, json_integer_value (v));
		fputc ('"', f);
	}
	fputc (' ', f);
	go_rune_print (f, json_integer_value (json_object_get (hc, "Retries")));
	fputc ('}', f);
	fclose (f);
	return out;
}

/* Docker's commit merges the new Healthcheck with the parent image's: what
 * the instruction leaves unset (0) comes from the one before it */
static void
health_inherit (json_t *hc, json_t *prev)
{
	static const char *const keys[] = {"Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"};

	if (!json_is_object (prev))
		return;
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (!json_object_get (hc, keys[i]) && json_object_get (prev, keys[i]))
			json_object_set (hc, keys[i], json_object_get (prev, keys[i]));
}

static int
do_healthcheck (struct build *b, struct bx_err *e)
{
	const struct df_instr *in = b->in;
	json_t *hc = json_object ();
	_cleanup_free_ char *text = NULL;

	if (in->nargs && strcasecmp (in->args[0].s, "NONE") == 0) {
		if (in->nargs > 1 || in->nflags)
			return json_decref (hc), build_errf (b, e, BX_USAGE, "HEALTHCHECK NONE takes no arguments");
		json_object_set_new (hc, "Test", json_pack ("[s]", "NONE"));
	} else if (in->nargs >= 2 && strcasecmp (in->args[0].s, "CMD") == 0) {
		if (cchange_health_cmd (in, hc, e) < 0) {
			char msg[sizeof e->msg];
			snprintf (msg, sizeof msg, "%s", e->msg);
			return json_decref (hc), build_errf (b, e, BX_USAGE, "HEALTHCHECK: %s", msg);
		}
	} else
		return json_decref (hc), build_errf (b, e, BX_USAGE, "HEALTHCHECK requires CMD or NONE");
	text = health_text (hc);
	health_inherit (hc, json_object_get (meta_config (b), "Healthcheck"));
	json_object_set_new (meta_config (b), "Healthcheck", hc);
	if (text)
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
meta_cmdline_labels (struct build *b)
{
	const char **keys = calloc (json_object_size (b->o->labels) + 1, sizeof *keys), *k;
	json_t *c = meta_config (b), *l = json_object_get (c, "Labels"), *v;
	size_t n = 0;

	if (!keys)
		return -1;
	json_object_foreach (b->o->labels, k, v) keys[n++] = k;
	qsort (keys, n, sizeof *keys, strcmp_ptr);
	if (n && !json_is_object (l))
		json_object_set_new (c, "Labels", l = json_object ());
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *text = NULL;
		char id[DIGEST_STR_LEN + 1];
		const char *val = json_string_value (json_object_get (b->o->labels, keys[i]));
		struct cache_step cs;
		struct bx_err ign = {0};
		if (asprintf (&text, "LABEL %s=%s", keys[i], val) < 0)
			return free (keys), -1;
		b->step++;
		if (!b->o->quiet)
			printf ("Step %zu/%zu : %s\n", b->step, b->nsteps, text);
		cache_start (b, &cs, 1);
		json_object_set_new (l, keys[i], json_string (val));
		nop_history (b, text);
		/* cached as a LABEL of the Dockerfile is: a rebuild keeps the id
		 * (a record that fails only costs the next build this step) */
		cache_after_meta (b, &cs, &ign);
		l = json_object_get (meta_config (b), "Labels");
		imgw_id (b, id);
		if (!b->o->quiet)
			printf (" ---> %.12s\n", digest_hex (id));
	}
	free (keys);
	return 0;
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
