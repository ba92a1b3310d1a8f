#include "pullview.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/registry.h"

#define BAR_WIDTH 50

void
pullview_init (struct pullview *v, int docker, int quiet)
{
	memset (v, 0, sizeof *v);
	v->docker = docker;
	v->quiet = quiet;
	if (docker && !quiet) {
		v->out = stdout;
		v->animate = isatty (STDOUT_FILENO);
	} else if (!docker && !quiet && isatty (STDERR_FILENO)) {
		v->out = stderr;
		v->animate = 1;
	}
}

int
pullview_alloc (struct pullview *v, size_t layers)
{
	v->l = calloc (layers + 1, sizeof *v->l);
	v->cap = layers + 1;
	return v->l ? 0 : -1;
}

void
pullview_free (struct pullview *v)
{
	free (v->l);
	v->l = NULL;
	v->n = v->cap = 0;
}

void
pullview_begin (struct pullview *v, const char *arg, const struct ref *r)
{
	const char *last = strrchr (arg, '/');
	char repo[600];

	ref_familiar_repo (r, repo, sizeof repo);
	snprintf (v->name, sizeof v->name, "%s%s%s", repo, r->digest[0] ? "@" : ":", r->digest[0] ? r->digest : r->tag);
	ref_full (r, v->full, sizeof v->full);
	if (!v->out)
		return;
	if (v->docker != PV_RUN && !strchr (last ? last : arg, ':') && !strchr (arg, '@'))
		fprintf (v->out, "Using default tag: %s\n", r->tag);
	fflush (v->out);
}

void
pullview_pulling (struct pullview *v, const struct ref *r)
{
	if (!v->out)
		return;
	fprintf (v->out, "%s: Pulling from %s\n", r->digest[0] ? r->digest : r->tag, r->path);
	fflush (v->out);
}

struct pv_layer *
pullview_find (struct pullview *v, const char *digest)
{
	for (size_t i = 0; digest && i < v->n; i++)
		if (strcmp (v->l[i].digest, digest) == 0)
			return &v->l[i];
	return NULL;
}

void
pullview_layer (struct pullview *v, const char *digest, int exists)
{
	struct pv_layer *l;

	if (!digest || pullview_find (v, digest) || v->n >= v->cap)
		return;
	l = &v->l[v->n++];
	snprintf (l->digest, sizeof l->digest, "%s", digest);
	snprintf (l->id, sizeof l->id, "%.12s", digest_hex (digest));
	l->state = exists ? PV_EXISTS : PV_QUEUED;
}

void
pullview_set (struct pullview *v, struct pv_layer *l, enum pv_state s)
{
	(void)v;
	if (l)
		l->state = s;
}

void
pullview_blob (struct pullview *v, struct pv_layer *l, int reg_state, int64_t done, int64_t size)
{
	(void)v;
	if (!l)
		return;
	l->done = done;
	l->size = size;
	if (reg_state == REGISTRY_BLOB_FETCHING)
		l->state = PV_FETCHING;
	else if (reg_state == REGISTRY_BLOB_DONE)
		l->state = PV_DOWNLOADED;
}

/* Docker's units: powers of 1000, four significant digits. */
static void
human (int64_t n, char *buf, size_t len)
{
	static const char *unit[] = {"B", "kB", "MB", "GB", "TB"};
	double x = (double)n;
	int u = 0;

	while (x >= 1000 && u < 4)
		x /= 1000, u++;
	snprintf (buf, len, "%.4g%s", x, unit[u]);
}

static const char *
state_text (enum pv_state s)
{
	switch (s) {
	case PV_EXISTS: return "Already exists";
	case PV_QUEUED: return "Pulling fs layer";
	case PV_FETCHING: return "Downloading";
	case PV_DOWNLOADED: return "Download complete";
	case PV_COMPLETE: return "Pull complete";
	default: return "";
	}
}

static void
draw_line (struct pullview *v, const struct pv_layer *l)
{
	char done[32], size[32], bar[BAR_WIDTH + 1];
	int fill;

	if (l->state != PV_FETCHING || l->size <= 0) {
		fprintf (v->out, "\033[2K%s: %s\n", l->id, state_text (l->state));
		return;
	}
	fill = (int)(l->done * BAR_WIDTH / l->size);
	memset (bar, ' ', BAR_WIDTH);
	memset (bar, '=', fill);
	if (fill < BAR_WIDTH)
		bar[fill] = '>';
	bar[BAR_WIDTH] = '\0';
	human (l->done, done, sizeof done);
	human (l->size, size, sizeof size);
	fprintf (v->out, "\033[2K%s: Downloading [%s] %8s/%s\n", l->id, bar, done, size);
}

void
pullview_draw (struct pullview *v)
{
	if (!v->out)
		return;
	if (v->animate) {
		if (v->drawn)
			fprintf (v->out, "\033[%dA", v->drawn);
		for (size_t i = 0; i < v->n; i++)
			draw_line (v, &v->l[i]);
		v->drawn = (int)v->n;
	} else {
		for (size_t i = 0; i < v->n; i++) {
			struct pv_layer *l = &v->l[i];
			/* a plain stream gets each change once, no byte counts */
			if (l->state == l->shown || l->state == PV_FETCHING)
				continue;
			if (l->state == PV_COMPLETE && l->shown < PV_DOWNLOADED)
				fprintf (v->out, "%s: %s\n", l->id, state_text (PV_DOWNLOADED));
			fprintf (v->out, "%s: %s\n", l->id, state_text (l->state));
			l->shown = l->state;
		}
	}
	fflush (v->out);
}

void
pullview_end (struct pullview *v, const char *digest, int up_to_date)
{
	pullview_draw (v);
	if (v->out) {
		fprintf (v->out, "Digest: %s\n", digest);
		fprintf (v->out, "Status: %s for %s\n", up_to_date ? "Image is up to date" : "Downloaded newer image",
		         v->name);
	}
	if (v->docker == PV_PULL)
		printf ("%s\n", v->full);
	if (v->out)
		fflush (v->out);
}

void
pullview_abort (struct pullview *v)
{
	if (v->out)
		fflush (v->out);
}
