/* imgw - a build's images into the store */
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/hash.h"
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

int
imgw_put (struct build *b, char id[DIGEST_STR_LEN + 1], json_t **desc, struct bx_err *e)
{
	_cleanup_free_ char *cfg = config_text (b), *man = NULL;
	char mdigest[DIGEST_STR_LEN + 1];
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
	if (store_untagged_add (&b->st, *desc, e) < 0) {
		json_decref (*desc);
		return -1;
	}
	return 0;
}

void
imgw_temp (struct build *b, json_t *desc)
{
	json_array_append (b->temps, json_object_get (desc, "digest"));
}

struct forget {
	json_t *digests;
	const char *keep;
};

static int
is_temp (const struct forget *f, json_t *entry)
{
	const char *d = json_string_value (json_object_get (entry, "digest"));
	json_t *v;
	size_t i;

	if (!d || (f->keep && strcmp (d, f->keep) == 0) || json_object_get (entry, "annotations"))
		return 0;
	json_array_foreach (f->digests, i, v) if (strcmp (json_string_value (v), d) == 0) return 1;
	return 0;
}

static int
drop_temps (json_t *index, void *arg, struct bx_err *e)
{
	json_t *ms = json_object_get (index, "manifests");

	(void)e;
	for (size_t i = json_array_size (ms); i-- > 0;)
		if (is_temp (arg, json_array_get (ms, i)))
			json_array_remove (ms, i);
	return 0;
}

int
imgw_forget (struct build *b, const char *keep, struct bx_err *e)
{
	struct forget f = {b->temps, keep};

	if (json_array_size (b->temps) == 0)
		return 0;
	return store_index_update (&b->st, drop_temps, &f, e);
}
