/* build - a build, stage by stage, step by step, printed as Docker's
 * classic builder prints it */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/timestamp.h"
#include "cache.h"
#include "dockerfile/shword.h"
#include "image/platform.h"
#include "image/ref.h"
#include "imgw.h"
#include "meta.h"
#include "plan.h"
#include "progress.h"
#include "step.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int
build_errf (const struct build *b, struct bx_err *e, int code, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start (ap, fmt);
	vsnprintf (msg, sizeof msg, fmt, ap);
	va_end (ap);
	return err_set (e, code, 0, "%s:%d: %s", b->dfname, b->in ? b->in->start_line : 0, msg);
}

int
build_wrap (const struct build *b, struct bx_err *e)
{
	if (strncmp (e->msg, b->dfname, strlen (b->dfname)) == 0)
		return -1; /* named already */
	return err_wrap (e, "%s:%d", b->dfname, b->in ? b->in->start_line : 0);
}

char **
build_env (struct build *b, size_t *n)
{
	json_t *env = json_object_get (meta_config (b), "Env"), *v;
	char **out = calloc (json_object_size (b->args) + json_array_size (env) + 1, sizeof *out);
	const char *k;
	size_t i;

	*n = 0;
	json_object_foreach (b->args, k, v) if (json_is_string (v) &&
	                                        asprintf (&out[*n], "%s=%s", k, json_string_value (v)) >= 0) (*n)++;
	json_array_foreach (env, i, v) out[(*n)++] = strdup (json_string_value (v));
	return out;
}

int
build_expand (struct build *b, const char *word, char **out, struct bx_err *e)
{
	size_t n;
	char **env = build_env (b, &n);
	struct shword sh = {.escape = b->df->escape, .env = (const char *const *)env, .nenv = n};
	int rc = shword_expand (&sh, word, out, e);

	shword_free (env);
	return rc < 0 ? build_wrap (b, e) : 0;
}

void
build_history (struct build *b, const char *created_by, int empty_layer)
{
	json_t *h = json_object_get (b->cfg, "history");
	char now[TIMESTAMP_LEN];

	if (!json_is_array (h)) {
		h = json_array ();
		json_object_set_new (b->cfg, "history", h);
	}
	if (b->o->epoch >= 0) {
		/* SOURCE_DATE_EPOCH: the same inputs, the same image id */
		time_t t = (time_t)b->o->epoch;
		struct tm tm;
		strftime (now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r (&t, &tm));
	} else
		timestamp_now (now);
	json_object_set_new (b->cfg, "created", json_string (now));
	json_array_append_new (h, json_pack ("{s:s, s:s}", "created", now, "created_by", created_by));
	if (empty_layer)
		json_object_set_new (json_array_get (h, json_array_size (h) - 1), "empty_layer", json_true ());
}

/* --- a stage's start ------------------------------------------------------ */

static void
scratch (struct build *b)
{
	struct platform p;

	platform_default (&p);
	b->cfg = json_pack ("{s:s, s:{s:[s]}, s:s, s:{s:s, s:[]}}", "architecture", p.arch, "config", "Env",
	                    DEFAULT_PATH, "os", p.os, "rootfs", "type", "layers", "diff_ids");
	b->layers = json_array ();
}

/* the image NAME: pulled first with --pull, else when the store lacks
 * it, as Docker pulls a base */
static int
load_base (struct build *b, const char *name, struct image *img, struct bx_err *e)
{
	if (!b->o->pull && store_image_load (&b->st, name, img, e) == 0)
		return 0;
	if (!b->o->pull && e->code != BX_NOTFOUND)
		return -1;
	store_image_free (img);
	*img = (struct image){0};
	if (ctrrun_pull (b, name, e) < 0)
		return err_wrap (e, "FROM %s", name);
	return store_image_load (&b->st, name, img, e);
}

static int
base_image (struct build *b, const char *name, char id[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	struct image img = {0};
	struct build_stage *s = plan_stage_ref (b, name, b->cur - b->stages);

	if (strcasecmp (name, "scratch") == 0)
		return scratch (b), 0;
	if (s) {
		b->cfg = json_deep_copy (s->cfg);
		b->layers = json_deep_copy (s->layers);
		memcpy (id, s->id, sizeof s->id);
		return 0;
	}
	if (load_base (b, name, &img, e) < 0) {
		store_image_free (&img);
		return build_wrap (b, e);
	}
	b->cfg = json_deep_copy (img.config);
	b->layers = json_deep_copy (json_object_get (img.manifest, "layers"));
	memcpy (id, img.config_digest, sizeof img.config_digest);
	store_image_free (&img);
	if (!json_is_array (b->layers))
		return build_errf (b, e, BX_FAIL, "FROM %s: the image's manifest has no layers list", name);
	return 0;
}

static void
ensure_path (struct build *b)
{
	json_t *env = json_object_get (meta_config (b), "Env"), *v;
	size_t i;

	json_array_foreach (env, i, v) if (strncmp (json_string_value (v), "PATH=", 5) == 0) return;
	if (!json_is_array (env)) {
		env = json_array ();
		json_object_set_new (meta_config (b), "Env", env);
	}
	json_array_append_new (env, json_string (DEFAULT_PATH));
}

static void
say_step (struct build *b, const struct df_instr *in)
{
	b->step++;
	progress_step (b);
	if (!b->o->quiet)
		printf ("Step %zu/%zu : %s\n", b->step, b->nsteps, in->original);
}

static void
say_id (struct build *b, const char *id)
{
	if (!b->o->quiet)
		printf (" ---> %.12s\n", digest_hex (id));
}

static int one_step (struct build *b, struct bx_err *e, int say);

/* one ONBUILD trigger of the base, TEXT, run as the FROM's own step */
static int
trigger (struct build *b, const char *text, struct bx_err *e)
{
	const struct df_instr *from = b->in;
	struct dockerfile *df = NULL;
	int rc;

	if (dockerfile_parse (b->dfname, text, strlen (text), &df, e) < 0 || df->n != 1) {
		dockerfile_free (df);
		return df ? build_errf (b, e, BX_USAGE, "ONBUILD trigger %s: one instruction expected", text)
		          : build_wrap (b, e);
	}
	df->instrs[0].start_line = from->start_line;
	if ((rc = meta_trigger_check (b, &df->instrs[0], e)) == 0) {
		b->in = &df->instrs[0];
		rc = one_step (b, e, 0);
	}
	b->in = from;
	dockerfile_free (df);
	return rc;
}

/* the base's ONBUILD triggers run right after FROM, as Docker runs them;
 * the new image keeps none of them */
static int
triggers (struct build *b, struct bx_err *e)
{
	json_t *ob = json_incref (json_object_get (meta_config (b), "OnBuild")), *v;
	size_t i, n = json_array_size (ob);
	int rc = 0;

	json_object_del (meta_config (b), "OnBuild");
	if (n && !b->o->quiet)
		printf ("# Executing %zu build trigger%s\n", n, n > 1 ? "s" : "");
	json_array_foreach (ob, i, v) if (rc == 0) rc = trigger (b, json_string_value (v), e);
	json_decref (ob);
	return rc;
}

static int
start_stage (struct build *b, struct build_stage *s, struct bx_err *e)
{
	char id[DIGEST_STR_LEN + 1] = "";
	int ran;

	b->cur = s;
	b->in = &b->df->instrs[s->from];
	say_step (b, b->in);
	if (base_image (b, s->base, id, e) < 0)
		return -1;
	ensure_path (b);
	b->args = json_object ();
	b->cmdset = 0;
	ran = json_array_size (json_object_get (meta_config (b), "OnBuild")) > 0;
	if (triggers (b, e) < 0)
		return -1;
	if (ran)
		imgw_id (b, id);
	if (*id)
		say_id (b, id);
	return 0;
}

/* a step: from the cache, or run (a config-only one is run first and
 * looked up by what it made, cache.h) and recorded */
static int
one_step (struct build *b, struct bx_err *e, int say)
{
	char id[DIGEST_STR_LEN + 1];
	struct cache_step c;
	int r = cache_before (b, &c);

	if (r == 0 && (r = meta_run (b, e)) == 1)
		r = cache_after_meta (b, &c, e);
	else if (r == 0 && (r = step_run (b, e)) == 1)
		r = cache_record (b, &c, e) < 0 ? -1 : 1;
	if (r == 0) {
		char kw[64];
		snprintf (kw, sizeof kw, "%s", b->in->keyword);
		for (char *p = kw; *p; p++)
			*p = *p >= 'a' && *p <= 'z' ? *p - 32 : *p;
		return build_errf (b, e, BX_USAGE, "unknown instruction: %s", kw);
	}
	if (r < 0 || ctrrun_interrupted (e) < 0)
		return -1;
	imgw_id (b, id);
	if (say)
		say_id (b, id);
	return 0;
}

static int
build_stage (struct build *b, struct build_stage *s, int last, json_t **final, struct bx_err *e)
{
	char id[DIGEST_STR_LEN + 1];
	json_t *desc = NULL;

	if (start_stage (b, s, e) < 0)
		return -1;
	for (size_t i = s->from + 1; i < s->end; i++) {
		b->in = &b->df->instrs[i];
		say_step (b, b->in);
		if (one_step (b, e, 1) < 0)
			return -1;
	}
	if (last && meta_cmdline_labels (b) < 0)
		return err_set (e, BX_SYSTEM, 0, "out of memory");
	/* a stage's image is in the store: COPY --from and later stages make
	 * containers of it */
	if (imgw_put (b, id, &desc, e) < 0)
		return -1;
	memcpy (s->id, id, sizeof id);
	s->cfg = b->cfg;
	s->layers = b->layers;
	json_decref (b->args);
	b->cfg = b->layers = b->args = NULL;
	if (last)
		*final = desc;
	else
		json_decref (desc);
	return 0;
}

/* --- the whole build ------------------------------------------------------ */

static int
check_tags (struct build *b, struct bx_err *e)
{
	struct ref r;

	for (size_t i = 0; i < b->o->ntags; i++)
		if (ref_parse (b->o->tags[i], &r, e) < 0 || r.digest[0])
			return r.digest[0] ? err_set (e, BX_USAGE, 0, "invalid reference format: %s", b->o->tags[i])
			                   : err_wrap (e, "-t %s", b->o->tags[i]);
	return 0;
}

/* the tags, and the intermediate images let go, in one write */
static int
set_tags (struct build *b, json_t *desc, struct bx_err *e)
{
	_cleanup_free_ char (*full)[600] = calloc (b->o->ntags + 1, sizeof *full);
	_cleanup_free_ const char **refs = calloc (b->o->ntags + 1, sizeof *refs);
	struct ref r;

	if (!full || !refs)
		return err_set (e, BX_SYSTEM, ENOMEM, "tags");
	for (size_t i = 0; i < b->o->ntags; i++) {
		ref_parse (b->o->tags[i], &r, e);
		ref_full (&r, full[i], sizeof full[i]);
		refs[i] = full[i];
	}
	if (imgw_finish (b, desc, refs, b->o->ntags, e) < 0)
		return -1;
	for (size_t i = 0; i < b->o->ntags && !b->o->quiet; i++) {
		char repo[600];
		ref_parse (b->o->tags[i], &r, e);
		ref_familiar_repo (&r, repo, sizeof repo);
		printf ("Successfully tagged %s:%s\n", repo, r.tag[0] ? r.tag : "latest");
	}
	return 0;
}

static void
warn_unused (struct build *b)
{
	const char *k;
	json_t *v;

	json_object_foreach (b->o->buildargs, k, v) if (!json_object_get (b->usedargs, k))
	    err_warn ("[Warning] One or more build-args [%s] were not consumed", k);
}

static int
finish (struct build *b, json_t *desc, const char *id, struct bx_err *e)
{
	if (set_tags (b, desc, e) < 0)
		return -1;
	if (b->o->iidfile && afile_write_at (AT_FDCWD, b->o->iidfile, id, strlen (id), 0644, e) < 0)
		return err_wrap (e, "--iidfile");
	if (b->o->quiet)
		printf ("%s\n", id);
	return 0;
}

int
build_run (struct build *b, struct bx_err *e)
{
	json_t *final = NULL;
	_cleanup_close_ int pin = -1;
	struct bx_err fe = {0};
	int rc = 0;

	b->usedargs = json_object ();
	/* buildkit's own build-arg, no ARG needed */
	json_object_set_new (b->usedargs, "SOURCE_DATE_EPOCH", json_true ());
	b->temps = json_array ();
	progress_start (b);
	if (check_tags (b, e) < 0 || plan_make (b, e) < 0 || (pin = store_pin (&b->st, e)) < 0)
		rc = -1;
	for (size_t i = 0; i < b->nstages && rc == 0; i++)
		if (b->stages[i].needed)
			rc = build_stage (b, &b->stages[i], i + 1 == b->nstages, &final, e);
	if (rc == 0)
		rc = cache_finish (b, e);
	if (rc == 0) {
		const char *id = b->stages[b->nstages - 1].id;
		warn_unused (b);
		if (!b->o->quiet)
			printf ("Successfully built %.12s\n", digest_hex (id));
		rc = finish (b, final, id, e);
	}
	progress_end (b, rc, e, b->stages ? b->stages[b->nstages - 1].id : "");
	/* the intermediate images go; a failed build's last one too */
	if (imgw_forget (b, rc == 0 && final ? json_string_value (json_object_get (final, "digest")) : NULL, &fe) < 0 &&
	    rc == 0)
		rc = err_set (e, fe.code, fe.sys, "%s", fe.msg);
	json_decref (final);
	json_decref (b->cfg);
	json_decref (b->layers);
	json_decref (b->args);
	json_decref (b->usedargs);
	json_decref (b->temps);
	cache_free (b);
	plan_free (b);
	return rc;
}
