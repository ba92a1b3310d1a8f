#include "imgrows.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "base/human.h"

/* Docker's FamiliarMatch: the pattern against "repo:tag" or "repo". */
static int
ref_matches (const struct imgrows_opts *o, const char *repo, const char *full)
{
	if (o->nrefs == 0)
		return 1;
	for (int i = 0; i < o->nrefs; i++)
		if (fnmatch (o->refs[i], full, FNM_PATHNAME) == 0 || fnmatch (o->refs[i], repo, FNM_PATHNAME) == 0)
			return 1;
	return 0;
}

static int
labels_match (const struct imgrows_opts *o, const struct imgset_entry *en)
{
	json_t *labels = json_object_get (json_object_get (en->config, "config"), "Labels");

	for (int i = 0; i < o->nlabels; i++) {
		const char *eq = strchr (o->labels[i], '=');
		char key[256];
		json_t *v;
		snprintf (key, sizeof key, "%.*s", eq ? (int)(eq - o->labels[i]) : 255, o->labels[i]);
		v = json_object_get (labels, key);
		if (!v || (eq && strcmp (json_string_value (v) ?: "", eq + 1) != 0))
			return 0;
	}
	return 1;
}

/* Out of memory sets R->oom; imgrows_build reports it once. */
static void
row_add (struct imgrows *r, const struct imgset_entry *en, const char *repo, const char *tag, const char *digest)
{
	struct imgrow *w;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct imgrow *v = realloc (r->v, cap * sizeof *v);
		if (!v) {
			r->oom = 1;
			return;
		}
		r->v = v;
		r->cap = cap;
	}
	w = &r->v[r->n++];
	w->en = en;
	snprintf (w->repo, sizeof w->repo, "%s", repo);
	snprintf (w->tag, sizeof w->tag, "%s", tag);
	snprintf (w->digest, sizeof w->digest, "%s", digest);
}

/* One image (config digest) and its names, as the filters leave them. */
struct listimg {
	const struct imgset_entry *en;
	struct imgrows tags;    /* repo, tag */
	struct imgrows digests; /* repo, digest */
};

static int
cmp_name (const void *a, const void *b)
{
	const struct imgrow *x = a, *y = b;
	int c = strcmp (x->repo, y->repo);
	return c ? c : strcmp (x->tag[0] ? x->tag : x->digest, y->tag[0] ? y->tag : y->digest);
}

static void
name_add (struct imgrows *r, const char *repo, const char *tag, const char *digest)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp (r->v[i].repo, repo) && !strcmp (r->v[i].tag, tag) && !strcmp (r->v[i].digest, digest))
			return;
	row_add (r, NULL, repo, tag, digest);
}

static void
image_names (const struct imgrows_opts *o, struct listimg *im, const struct imgset_entry *en)
{
	char repo[512], full[800];
	const char *dg = en->r.digest[0] ? en->r.digest : en->rdigest;

	if (!en->has_ref)
		return;
	ref_familiar_repo (&en->r, repo, sizeof repo);
	snprintf (full, sizeof full, "%s:%s", repo, en->r.tag);
	if (en->r.tag[0] && ref_matches (o, repo, full))
		name_add (&im->tags, repo, en->r.tag, "");
	snprintf (full, sizeof full, "%s@%s", repo, dg);
	if (dg[0] && ref_matches (o, repo, full))
		name_add (&im->digests, repo, "", dg);
}

static int
image_shown (const struct imgrows_opts *o, const struct listimg *im)
{
	int named = im->tags.n || im->digests.n;

	if (o->nrefs && !named)
		return 0;
	if ((o->dangling == 1 && im->tags.n) || (o->dangling == 0 && !named))
		return 0;
	if ((o->before_ref && im->en->created >= o->before) || (o->since_ref && im->en->created <= o->since))
		return 0;
	return labels_match (o, im->en);
}

static int
cmp_image (const void *a, const void *b)
{
	const struct listimg *x = a, *y = b;

	if (x->en->created != y->en->created)
		return x->en->created < y->en->created ? 1 : -1;
	if (x->tags.n && y->tags.n)
		return cmp_name (x->tags.v, y->tags.v);
	return x->tags.n ? -1 : y->tags.n ? 1 : strcmp (x->en->id, y->en->id);
}

/* The set's images, one per id, filtered and sorted newest first. */
static size_t
group (const struct imgrows_opts *o, const struct imgset *set, struct listimg *ims)
{
	size_t n = 0, k;

	for (size_t i = 0; i < set->n; i++) {
		const struct imgset_entry *en = &set->v[i];
		if (!en->id[0])
			continue; /* unreadable: the caller says so */
		for (k = 0; k < n && strcmp (ims[k].en->id, en->id) != 0; k++)
			;
		if (k == n)
			ims[n++] = (struct listimg){.en = en};
		image_names (o, &ims[k], en);
	}
	/* qsort wants a real array even for no elements */
	for (k = 0; k < n; k++) {
		if (ims[k].tags.n)
			qsort (ims[k].tags.v, ims[k].tags.n, sizeof (struct imgrow), cmp_name);
		if (ims[k].digests.n)
			qsort (ims[k].digests.v, ims[k].digests.n, sizeof (struct imgrow), cmp_name);
	}
	if (n)
		qsort (ims, n, sizeof *ims, cmp_image);
	return n;
}

/* docker/cli imageFormatTaggedAndDigest, with names sorted. */
static void
image_rows (const struct imgrows_opts *o, const struct listimg *im, struct imgrows *out)
{
	const struct imgrows *t = &im->tags, *d = &im->digests;

	if (!t->n && !d->n) {
		row_add (out, im->en, "<none>", "<none>", "<none>");
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		int any = 0;
		for (size_t j = 0; o->need_digest && j < d->n; j++)
			if (strcmp (d->v[j].repo, t->v[i].repo) == 0)
				row_add (out, im->en, t->v[i].repo, t->v[i].tag, d->v[j].digest), any = 1;
		if (!any)
			row_add (out, im->en, t->v[i].repo, t->v[i].tag, "<none>");
	}
	for (size_t j = 0; j < d->n; j++) {
		int tagged = 0;
		for (size_t i = 0; i < t->n; i++)
			tagged |= strcmp (d->v[j].repo, t->v[i].repo) == 0;
		if (tagged || (!o->digests && j > 0 && strcmp (d->v[j - 1].repo, d->v[j].repo) == 0))
			continue;
		row_add (out, im->en, d->v[j].repo, "<none>", o->digests ? d->v[j].digest : "");
	}
}

void
imgrows_id (const struct imgrow *r, int notrunc, char *buf, size_t len)
{
	snprintf (buf, len, "%.*s", notrunc ? DIGEST_STR_LEN : 12, notrunc ? r->en->id : r->en->id + 7);
}

json_t *
imgrows_record (const struct imgrow *r, int notrunc, time_t now)
{
	char id[DIGEST_STR_LEN + 1], since[64] = "N/A", at[64] = "N/A", size[32], vsize[32];

	imgrows_id (r, notrunc, id, sizeof id);
	if (r->en->created >= 0) {
		human_duration ((int64_t)now - r->en->created, since, sizeof since - 4);
		strcat (since, " ago");
		human_time_go (r->en->created, at, sizeof at);
	}
	human_size ((double)r->en->size, 3, size, sizeof size);
	human_size ((double)r->en->size, 4, vsize, sizeof vsize);
	return json_pack ("{ss ss ss ss ss ss ss ss ss ss ss}", "Containers", "N/A", "CreatedAt", at, "CreatedSince",
	                  since, "Digest", r->digest, "ID", id, "Repository", r->repo, "SharedSize", "N/A", "Size",
	                  size, "Tag", r->tag, "UniqueSize", "N/A", "VirtualSize", vsize);
}

json_t *
imgrows_headers (void)
{
	return json_pack ("{ss ss ss ss ss ss ss ss ss ss ss}", "Containers", "CONTAINERS", "CreatedAt", "CREATED AT",
	                  "CreatedSince", "CREATED", "Digest", "DIGEST", "ID", "IMAGE ID", "Repository", "REPOSITORY",
	                  "SharedSize", "SHARED SIZE", "Size", "SIZE", "Tag", "TAG", "UniqueSize", "UNIQUE SIZE",
	                  "VirtualSize", "SIZE");
}

int
imgrows_build (const struct imgset *set, const struct imgrows_opts *o, struct imgrows *out, struct bx_err *e)
{
	struct listimg *ims = calloc (set->n + 1, sizeof *ims);
	size_t n;
	int oom = !ims;

	memset (out, 0, sizeof *out);
	n = ims ? group (o, set, ims) : 0;
	for (size_t i = 0; i < n; i++) {
		if (image_shown (o, &ims[i]))
			image_rows (o, &ims[i], out);
		oom |= ims[i].tags.oom | ims[i].digests.oom;
		free (ims[i].tags.v);
		free (ims[i].digests.v);
	}
	free (ims);
	if (oom || out->oom) {
		imgrows_free (out);
		return err_set (e, BX_SYSTEM, ENOMEM, "image list");
	}
	return 0;
}

void
imgrows_free (struct imgrows *r)
{
	free (r->v);
	memset (r, 0, sizeof *r);
}
