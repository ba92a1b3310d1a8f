/* plan - the stages of a Dockerfile and which of them the target needs */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "dockerfile/shword.h"
#include "image/platform.h"
#include "plan.h"

struct build_stage *
plan_stage_ref (struct build *b, const char *name, size_t before)
{
	char *end;
	long idx;

	for (size_t i = 0; i < before && i < b->nstages; i++)
		if (b->stages[i].name && strcasecmp (b->stages[i].name, name) == 0)
			return &b->stages[i];
	idx = strtol (name, &end, 10);
	if (*name && !*end && idx >= 0 && (size_t)idx < before && (size_t)idx < b->nstages)
		return &b->stages[idx];
	return NULL;
}

/* the meta ARGs as "K=V" words, for expanding FROM */
static char **
meta_env (struct build *b, size_t *n)
{
	char **v = calloc (json_object_size (b->metaargs) + 1, sizeof *v);
	const char *k;
	json_t *val;

	*n = 0;
	json_object_foreach (b->metaargs, k, val)
	{
		if (json_is_string (val) && asprintf (&v[*n], "%s=%s", k, json_string_value (val)) >= 0)
			(*n)++;
	}
	return v;
}

static int
meta_expand (struct build *b, const char *word, char **out, struct bx_err *e)
{
	size_t n;
	char **env = meta_env (b, &n);
	struct shword sh = {.escape = b->df->escape, .env = (const char *const *)env, .nenv = n};
	int rc = shword_expand (&sh, word, out, e);

	for (size_t i = 0; i < n; i++)
		free (env[i]);
	free (env);
	return rc;
}

/* BuildKit's automatic platform ARGs, in FROM and for an ARG that names
 * them without a value: this machine's platform, the only one built */
static void
platform_args (struct build *b)
{
	struct platform p;
	char full[128];

	platform_default (&p);
	platform_format (&p, full, sizeof full);
	const char *kv[][2] = {{"BUILDPLATFORM", full},     {"BUILDOS", p.os},           {"BUILDARCH", p.arch},
	                       {"BUILDVARIANT", p.variant}, {"TARGETPLATFORM", full},    {"TARGETOS", p.os},
	                       {"TARGETARCH", p.arch},      {"TARGETVARIANT", p.variant}};
	for (size_t i = 0; i < sizeof kv / sizeof *kv; i++)
		json_object_set_new (b->metaargs, kv[i][0], json_string (kv[i][1]));
}

/* ARG K[=V] before the first FROM: --build-arg K wins over the default */
static int
meta_arg (struct build *b, const struct df_instr *in, struct bx_err *e)
{
	for (size_t i = 0; i < in->nargs; i++) {
		_cleanup_free_ char *w = NULL;
		char *eq;
		json_t *given;

		if (meta_expand (b, in->args[i].s, &w, e) < 0)
			return -1;
		if ((eq = strchr (w, '=')))
			*eq++ = '\0';
		if ((given = json_object_get (b->o->buildargs, w))) {
			json_object_set (b->metaargs, w, given);
			json_object_set_new (b->usedargs, w, json_true ());
		} else
			json_object_set_new (b->metaargs, w, eq ? json_string (eq) : json_null ());
	}
	return 0;
}

static int
check_platform (struct build *b, const struct df_instr *in, struct bx_err *e)
{
	struct platform here, want;
	_cleanup_free_ char *v = NULL;

	for (size_t i = 0; i < in->nflags; i++) {
		if (strncmp (in->flags[i], "--platform=", 11) != 0)
			return build_errf (b, e, BX_USAGE, "FROM: unknown flag: %s", in->flags[i]);
		platform_default (&here);
		if (meta_expand (b, in->flags[i] + 11, &v, e) < 0 || platform_parse (v, &want, e) < 0)
			return build_wrap (b, e);
		if (!platform_matches (&here, &want)) {
			char p[128];
			platform_format (&here, p, sizeof p);
			return build_errf (b, e, BX_USAGE,
			                   "FROM --platform=%s: only this machine's platform (%s) can be built", v, p);
		}
	}
	return 0;
}

static int
add_stage (struct build *b, size_t at, struct bx_err *e)
{
	const struct df_instr *in = &b->df->instrs[at];
	struct build_stage *s;

	b->in = in;
	if (check_platform (b, in, e) < 0)
		return -1;
	if (in->nargs != 1 && !(in->nargs == 3 && strcasecmp (in->args[1].s, "as") == 0))
		return build_errf (b, e, BX_USAGE, "FROM requires either one or three arguments");
	if (!(s = realloc (b->stages, (b->nstages + 1) * sizeof *b->stages)))
		return err_set (e, BX_SYSTEM, ENOMEM, "stages");
	b->stages = s;
	s = &b->stages[b->nstages++];
	*s = (struct build_stage){.from = at, .end = b->df->n};
	if (b->nstages > 1)
		b->stages[b->nstages - 2].end = at;
	if (in->nargs == 3) {
		s->name = strdup (in->args[2].s);
		for (char *p = s->name; *p; p++)
			*p = tolower ((unsigned char)*p);
	}
	if (meta_expand (b, in->args[0].s, &s->base, e) < 0)
		return build_wrap (b, e);
	if (!*s->base)
		return build_errf (b, e, BX_USAGE, "base name (%s) should not be blank", in->args[0].s);
	return 0;
}

static void
stage_clear (struct build_stage *s)
{
	free (s->name);
	free (s->base);
	json_decref (s->cfg);
	json_decref (s->layers);
}

static int
find_target (struct build *b, struct bx_err *e)
{
	if (!b->o->target) {
		b->stages[b->nstages - 1].needed = 1;
		return 0;
	}
	for (size_t i = 0; i < b->nstages; i++)
		if (b->stages[i].name && strcasecmp (b->stages[i].name, b->o->target) == 0) {
			b->stages[i].needed = 1;
			/* the later stages are never built */
			while (b->nstages > i + 1)
				stage_clear (&b->stages[--b->nstages]);
			return 0;
		}
	return err_set (e, BX_USAGE, 0, "failed to reach build target %s in Dockerfile", b->o->target);
}

/* the stage a flag names: COPY --from=X, RUN --mount=...,from=X,... */
static struct build_stage *
flag_stage (struct build *b, const char *f, size_t before)
{
	const char *p;
	char name[256];

	if (strncmp (f, "--from=", 7) == 0)
		return plan_stage_ref (b, f + 7, before);
	if (strncmp (f, "--mount=", 8) != 0)
		return NULL;
	for (p = f + 7; (p = strstr (p + 1, "from="));)
		if (p[-1] == ',' || p[-1] == '=') {
			snprintf (name, sizeof name, "%.*s", (int)strcspn (p + 5, ","), p + 5);
			return plan_stage_ref (b, name, before);
		}
	return NULL;
}

/* a needed stage needs its base and what its COPY --from and RUN --mount
 * from= name */
static void
mark_needed (struct build *b)
{
	for (size_t i = b->nstages; i-- > 0;) {
		struct build_stage *s = &b->stages[i], *d;
		if (!s->needed)
			continue;
		if ((d = plan_stage_ref (b, s->base, i)))
			d->needed = 1;
		for (size_t k = s->from + 1; k < s->end; k++) {
			const struct df_instr *in = &b->df->instrs[k];
			for (size_t f = 0; f < in->nflags; f++)
				if ((d = flag_stage (b, in->flags[f], i)))
					d->needed = 1;
		}
	}
}

/* Docker refuses an unknown instruction before any step runs */
static int
check_keyword (struct build *b, const struct df_instr *in, struct bx_err *e)
{
	static const char *const known[] = {"from",    "run", "cmd",     "label",      "maintainer",  "expose",
	                                    "env",     "add", "copy",    "entrypoint", "volume",      "user",
	                                    "workdir", "arg", "onbuild", "stopsignal", "healthcheck", "shell"};
	char kw[64];

	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (strcmp (in->keyword, known[i]) == 0)
			return 0;
	snprintf (kw, sizeof kw, "%s", in->keyword);
	for (char *p = kw; *p; p++)
		*p = toupper ((unsigned char)*p);
	return build_errf (b, e, BX_USAGE, "unknown instruction: %s", kw);
}

int
plan_make (struct build *b, struct bx_err *e)
{
	const struct dockerfile *df = b->df;

	b->metaargs = json_object ();
	platform_args (b);
	for (size_t i = 0; i < df->n; i++) {
		const struct df_instr *in = &df->instrs[i];
		b->in = in;
		if (check_keyword (b, in, e) < 0)
			return -1;
		if (strcmp (in->keyword, "from") == 0) {
			if (add_stage (b, i, e) < 0)
				return -1;
		} else if (b->nstages == 0 && strcmp (in->keyword, "arg") == 0) {
			if (meta_arg (b, in, e) < 0)
				return build_wrap (b, e);
			b->nsteps++;
		} else if (b->nstages == 0)
			return build_errf (b, e, BX_USAGE, "no build stage in current context");
	}
	if (b->nstages == 0)
		return err_set (e, BX_USAGE, 0, "%s: file with no instructions", b->dfname);
	if (find_target (b, e) < 0)
		return -1;
	mark_needed (b);
	/* --label: a LABEL step each at the end (meta_cmdline_labels) */
	b->nsteps += json_object_size (b->o->labels);
	for (size_t i = 0; i < b->nstages; i++)
		if (b->stages[i].needed)
			b->nsteps += b->stages[i].end - b->stages[i].from;
	return 0;
}

void
plan_free (struct build *b)
{
	for (size_t i = 0; i < b->nstages; i++)
		stage_clear (&b->stages[i]);
	free (b->stages);
	json_decref (b->metaargs);
}
