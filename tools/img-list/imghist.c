/* imghist - the rows of `docker history` (moby's daemon/images/image_history.go
 * and docker/cli's formatter/history.go) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/human.h"
#include "base/layout.h"
#include "imghist.h"
#include "layers/diffsize.h"

#define CREATED_BY_WIDTH 45

static const char *
str_of (json_t *o, const char *k)
{
	const char *s = json_string_value (json_object_get (o, k));
	return s ? s : "";
}

/* the layers' sizes, in the order of the entries that made them */
static int
fill_sizes (const struct imgset_entry *en, int rootfd, int blobsfd, struct imghist *h, struct bx_err *e)
{
	json_t *hist = json_object_get (en->config, "history"), *item;
	json_t *ids = json_object_get (json_object_get (en->config, "rootfs"), "diff_ids");
	json_t *layers = json_object_get (en->manifest, "layers");
	size_t i, layer = 0;

	json_array_foreach (hist, i, item)
	{
		struct imghist_row *r = &h->v[h->n - 1 - i];
		const char *diff_id = json_string_value (json_array_get (ids, layer));
		const char *blob = json_string_value (json_object_get (json_array_get (layers, layer), "digest"));
		if (human_time_parse (str_of (item, "created"), &r->created) < 0)
			r->created = 0;
		r->created_by = str_of (item, "created_by");
		r->comment = str_of (item, "comment");
		if (json_is_true (json_object_get (item, "empty_layer")))
			continue;
		if (!diff_id || !blob)
			return err_set (e, BX_FAIL, 0, "too many non-empty layers in History section");
		if (diffsize_layer (rootfd, blobsfd, diff_id, blob, &r->size, e) < 0)
			return -1;
		layer++;
	}
	return 0;
}

static const struct imgset_entry *
by_id (const struct imgset *set, const char *id)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].id[0] && strcmp (set->v[i].id, id) == 0)
			return &set->v[i];
	return NULL;
}

/* the image's id on its newest row, each local parent's below */
static void
fill_ids (const struct imgset *set, const struct imgset_entry *en, struct imghist *h)
{
	for (size_t i = 0; i < h->n; i++)
		strcpy (h->v[i].id, "<missing>");
	for (size_t i = 0; en && i < h->n; i++) {
		const char *parent =
		    json_string_value (json_object_get (json_object_get (en->desc, "annotations"), ANN_PARENT));
		strcpy (h->v[i].id, en->id);
		en = parent ? by_id (set, parent) : NULL;
	}
}

int
imghist_build (const struct imgset *set, size_t k, int rootfd, struct imghist *out, struct bx_err *e)
{
	const struct imgset_entry *en = &set->v[k];

	out->n = json_array_size (json_object_get (en->config, "history"));
	out->v = calloc (out->n + 1, sizeof *out->v);
	if (!out->v)
		return err_set (e, BX_SYSTEM, ENOMEM, "history");
	if (fill_sizes (en, rootfd, set->s->blobs, out, e) < 0)
		return -1;
	fill_ids (set, en, out);
	return 0;
}

void
imghist_free (struct imghist *h)
{
	free (h->v);
	h->v = NULL;
	h->n = 0;
}

/* docker/cli's Ellipsis: WIDTH runes at most, the last one "…" */
static char *
ellipsis (const char *s, size_t width)
{
	size_t runes = 0, at = 0, cut = 0;
	char *out;

	for (; s[at]; at++)
		if (((unsigned char)s[at] & 0xc0) != 0x80 && ++runes == width)
			cut = at;
	if (runes <= width)
		return strdup (s);
	out = malloc (cut + sizeof "…");
	if (out) {
		memcpy (out, s, cut);
		strcpy (out + cut, "…");
	}
	return out;
}

/* Go's time.Unix(T, 0).Format(time.RFC3339), in local time */
static void
rfc3339 (int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char zone[16] = "Z";

	localtime_r (&tt, &tm);
	if (tm.tm_gmtoff)
		snprintf (zone, sizeof zone, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+', labs (tm.tm_gmtoff) / 3600,
		          labs (tm.tm_gmtoff) % 3600 / 60);
	snprintf (buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	          tm.tm_min, tm.tm_sec, zone);
}

json_t *
imghist_record (const struct imghist_row *r, int notrunc, int human, time_t now)
{
	char id[DIGEST_STR_LEN + 1], at[64], since[80], size[32];
	char *by = strdup (r->created_by), *shown;
	const char *colon = strchr (r->id, ':');
	json_t *o;

	if (!by)
		return NULL;
	for (char *p = by; *p; p++)
		if (*p == '\t')
			*p = ' ';
	shown = notrunc ? by : ellipsis (by, CREATED_BY_WIDTH);
	snprintf (id, sizeof id, "%.*s", notrunc ? DIGEST_STR_LEN : 12, notrunc || !colon ? r->id : colon + 1);
	rfc3339 (r->created, at, sizeof at);
	if (human) {
		human_duration ((int64_t)now - r->created, since, sizeof since - 4);
		strcat (since, " ago");
		human_size ((double)r->size, 3, size, sizeof size);
	} else {
		snprintf (since, sizeof since, "%s", at);
		snprintf (size, sizeof size, "%lld", (long long)r->size);
	}
	o = shown ? json_pack ("{ss ss ss ss ss ss}", "Comment", r->comment, "CreatedAt", at, "CreatedBy", shown,
	                       "CreatedSince", since, "ID", id, "Size", size)
	          : NULL;
	if (shown != by)
		free (shown);
	free (by);
	return o;
}

json_t *
imghist_headers (void)
{
	return json_pack ("{ss ss ss ss ss ss}", "Comment", "COMMENT", "CreatedAt", "CREATED AT", "CreatedBy",
	                  "CREATED BY", "CreatedSince", "CREATED", "ID", "IMAGE", "Size", "SIZE");
}
