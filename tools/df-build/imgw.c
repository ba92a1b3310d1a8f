/* imgw - a build's images into the store */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/hash.h"
#include "base/layout.h"
#include "base/timestamp.h"
#include "image/oci.h"
#include "imgw.h"

static char *
config_text (struct build *b)
{
	return json_dumps (b->cfg, JSON_COMPACT);
}

void
imgw_id (struct build *b, char id[DIGEST_STR_LEN + 1])
{
	_cleanup_free_ char *t = config_text (b);

	hash_buf (t, strlen (t), id);
}

static json_t *
manifest_of (struct build *b, const char *cfgdigest, size_t cfglen)
{
	return json_pack ("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
	                  "config", "mediaType", MT_OCI_CONFIG, "digest", cfgdigest, "size", (json_int_t)cfglen,
	                  "layers", b->layers);
}

/* an intermediate image's index entry names the live builds that hold
 * it, space-separated pids: two builds of the same steps share it, and it
 * goes only when the last of them lets go (or is gone) */
#define IMGW_HOLDERS "io.box.build.holders"

struct hold {
	json_t *desc;
	const char *pid;
	int held; /* out: the entry is ours to let go */
};

static int
holders_has (const char *list, const char *pid)
{
	size_t n = strlen (pid);

	for (const char *p = list; (p = strstr (p, pid)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static json_t *
entry_of (json_t *index, const char *digest)
{
	json_t *d;
	size_t i;

	json_array_foreach (json_object_get (index, "manifests"), i, d)
	{
		if (strcmp (json_string_value (json_object_get (d, "digest")) ?: "", digest) == 0)
			return d;
	}
	return NULL;
}

/* index.json: DESC listed, held by PID; an image there already that no
 * build holds (tagged, or a build's result) is left alone */
static int
hold_fn (json_t *index, void *arg, struct bx_err *e)
{
	struct hold *h = arg;
	json_t *d = entry_of (index, json_string_value (json_object_get (h->desc, "digest"))), *ann;
	const char *list;

	if (!d) {
		if (!(d = json_deep_copy (h->desc)))
			return err_set (e, BX_SYSTEM, ENOMEM, "index");
		json_object_set_new (d, "annotations", json_pack ("{ss}", IMGW_HOLDERS, h->pid));
		h->held = 1;
		return json_array_append_new (json_object_get (index, "manifests"), d);
	}
	ann = json_object_get (d, "annotations");
	/* 1: index.json unchanged, not written again */
	if (!(list = json_string_value (json_object_get (ann, IMGW_HOLDERS))))
		return 1;
	h->held = 1;
	if (holders_has (list, h->pid))
		return 1;
	json_object_set_new (ann, IMGW_HOLDERS, json_sprintf ("%s %s", list, h->pid));
	return 0;
}

int
imgw_put (struct build *b, char id[DIGEST_STR_LEN + 1], json_t **desc, struct bx_err *e)
{
	_cleanup_free_ char *cfg = config_text (b), *man = NULL;
	char mdigest[DIGEST_STR_LEN + 1], pid[16];
	struct hold h = {0};
	json_t *m;

	hash_buf (cfg, strlen (cfg), id);
	if (store_blob_put (&b->st, id, cfg, strlen (cfg), e) < 0)
		return -1;
	m = manifest_of (b, id, strlen (cfg));
	man = json_dumps (m, JSON_COMPACT);
	json_decref (m);
	hash_buf (man, strlen (man), mdigest);
	if (store_blob_put (&b->st, mdigest, man, strlen (man), e) < 0)
		return -1;
	*desc = json_pack ("{s:s, s:s, s:I}", "mediaType", MT_OCI_MANIFEST, "digest", mdigest, "size",
	                   (json_int_t)strlen (man));
	snprintf (pid, sizeof pid, "%d", (int)getpid ());
	h = (struct hold){*desc, pid, 0};
	if (store_index_update (&b->st, hold_fn, &h, e) < 0) {
		json_decref (*desc);
		return -1;
	}
	if (h.held)
		json_array_append_new (b->temps, json_string (mdigest));
	return 0;
}

struct forget {
	const char *pid;
	const char *keep;
};

/* LIST without PID and the pids of builds that are gone (a killed
 * build's hold ends with the next build's); NULL when none is left */
static json_t *
holders_drop (const char *list, const char *pid)
{
	_cleanup_free_ char *copy = strdup (list);
	char out[1024] = "", *save = NULL;
	size_t n = 0;

	for (char *t = copy ? strtok_r (copy, " ", &save) : NULL; t; t = strtok_r (NULL, " ", &save)) {
		if (strcmp (t, pid) == 0 || (kill ((pid_t)atoi (t), 0) < 0 && errno == ESRCH))
			continue;
		n += snprintf (out + n, n < sizeof out ? sizeof out - n : 0, "%s%s", n ? " " : "", t);
	}
	return n && n < sizeof out ? json_string (out) : NULL;
}

/* every entry builds hold: ours let go; gone when none holds it, but
 * KEEP, the build's result, which becomes a plain image */
static int
forget_fn (json_t *index, void *arg, struct bx_err *e)
{
	const struct forget *f = arg;
	json_t *ms = json_object_get (index, "manifests");

	(void)e;
	for (size_t i = json_array_size (ms); i-- > 0;) {
		json_t *d = json_array_get (ms, i), *ann = json_object_get (d, "annotations"), *left;
		const char *list = json_string_value (json_object_get (ann, IMGW_HOLDERS));
		if (!list)
			continue;
		if (f->keep && strcmp (json_string_value (json_object_get (d, "digest")) ?: "", f->keep) == 0) {
			json_object_del (ann, IMGW_HOLDERS);
			if (json_object_size (ann) == 0)
				json_object_del (d, "annotations");
			continue;
		}
		if ((left = holders_drop (list, f->pid)))
			json_object_set_new (ann, IMGW_HOLDERS, left);
		else
			json_array_remove (ms, i);
	}
	return 0;
}

int
imgw_forget (struct build *b, const char *keep, struct bx_err *e)
{
	char pid[16];
	struct forget f = {pid, keep};

	if (json_array_size (b->temps) == 0)
		return 0;
	snprintf (pid, sizeof pid, "%d", (int)getpid ());
	if (store_index_update (&b->st, forget_fn, &f, e) < 0)
		return -1;
	json_array_clear (b->temps);
	return 0;
}

struct finish {
	struct forget f;
	json_t *desc;
	const char *const *refs;
	size_t n;
	int forget; /* the build holds entries */
};

/* the entry REF names is DESC's image already */
static int
tagged (json_t *index, const char *ref, json_t *desc)
{
	const char *digest = json_string_value (json_object_get (desc, "digest"));
	json_t *d;
	size_t i;

	json_array_foreach (json_object_get (index, "manifests"), i, d)
	{
		const char *name =
		    json_string_value (json_object_get (json_object_get (d, "annotations"), ANN_REF_NAME));
		if (name && strcmp (name, ref) == 0)
			return digest && strcmp (json_string_value (json_object_get (d, "digest")) ?: "", digest) == 0;
	}
	return 0;
}

static int
finish_fn (json_t *index, void *arg, struct bx_err *e)
{
	struct finish *fi = arg;
	int changed = fi->forget;

	for (size_t i = 0; i < fi->n; i++) {
		if (tagged (index, fi->refs[i], fi->desc))
			continue;
		changed = 1;
		if (store_index_tag (index, fi->refs[i], fi->desc, e) < 0)
			return err_wrap (e, "tag %s", fi->refs[i]);
	}
	if (fi->forget && forget_fn (index, &fi->f, e) < 0)
		return -1;
	return changed ? 0 : 1;
}

int
imgw_finish (struct build *b, json_t *desc, const char *const *refs, size_t n, struct bx_err *e)
{
	char pid[16];
	struct finish fi = {
	    {pid, json_string_value (json_object_get (desc, "digest"))}, desc, refs, n, json_array_size (b->temps) > 0};

	snprintf (pid, sizeof pid, "%d", (int)getpid ());
	if (store_index_update (&b->st, finish_fn, &fi, e) < 0)
		return -1;
	json_array_clear (b->temps);
	return 0;
}
