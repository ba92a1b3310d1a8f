/* cimage - a container's changes as an image (moby's
 * daemon/images/image_commit.go and image.NewChildImage) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/hash.h"
#include "base/layout.h"
#include "base/timestamp.h"
#include "base/tree.h"
#include "cimage.h"
#include "image/oci.h"
#include "layers/layer.h"

#define CTR_PATH_LEN 160

/* the layer, staged in tmp/commit-PID: 1 made, 0 nothing changed */
static int
make_layer (const struct cimage *c, json_t **desc, char diff_id[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	char tmpname[64];
	_cleanup_close_ int tmp = -1;
	int rc;

	snprintf (tmpname, sizeof tmpname, "%s/commit-%d", L_TMP, (int)getpid ());
	mkdirat (c->rootfd, L_TMP, 0700);
	if (mkdirat (c->rootfd, tmpname, 0700) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "%s", tmpname);
	if ((tmp = openat (c->rootfd, tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", tmpname);
	/* a container's mount points are never its changes, run or not */
	struct layer_opts lo = {
	    .whole = c->whole,
	    .ran = 1,
	    .compress = LAYER_GZIP,
	    .epoch = -1,
	    .rootfd = c->rootfd,
	    .diff_ids =
	        c->parent->config ? json_object_get (json_object_get (c->parent->config, "rootfs"), "diff_ids") : NULL,
	    .uidmap = c->uidmap,
	    .gidmap = c->gidmap};
	rc = layer_from_upper (c->upper, &lo, c->st, tmp, desc, diff_id, e);
	tree_remove_at (c->rootfd, tmpname);
	return rc;
}

/* history's created_by: the container's command, its words joined */
static char *
created_by (json_t *ctr_config)
{
	json_t *cmd = json_object_get (ctr_config, "Cmd"), *v;
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream (&out, &len);

	if (!f)
		return NULL;
	json_array_foreach (cmd, i, v) fprintf (f, "%s%s", i ? " " : "", json_string_value (v));
	fclose (f);
	return out;
}

static json_t *
history_entry (const struct cimage *c, const char *now, int empty)
{
	_cleanup_free_ char *by = created_by (c->ctr_config);
	json_t *h = json_pack ("{ss}", "created", now);

	if (c->author && *c->author)
		json_object_set_new (h, "author", json_string (c->author));
	if (by && *by)
		json_object_set_new (h, "created_by", json_string (by));
	if (c->comment && *c->comment)
		json_object_set_new (h, "comment", json_string (c->comment));
	if (empty)
		json_object_set_new (h, "empty_layer", json_true ());
	return h;
}

static json_t *
copied (json_t *pcfg, const char *key, json_t *dflt)
{
	json_t *v = json_object_get (pcfg, key);

	if (v) {
		json_decref (dflt);
		return json_deep_copy (v);
	}
	return dflt;
}

/* NewChildImage: the parent's rootfs and history, one more of each */
static json_t *
image_config (const struct cimage *c, const char *diff_id, const char *now)
{
	json_t *pcfg = c->parent ? c->parent->config : NULL;
	json_t *rootfs = copied (pcfg, "rootfs", json_pack ("{ss s[]}", "type", "layers", "diff_ids"));
	json_t *hist = copied (pcfg, "history", json_array ());
	json_t *cfg = json_object ();

	if (diff_id)
		json_array_append_new (json_object_get (rootfs, "diff_ids"), json_string (diff_id));
	json_array_append_new (hist, history_entry (c, now, diff_id == NULL));
	json_object_set_new (cfg, "architecture", copied (pcfg, "architecture", json_string ("amd64")));
	if (c->author && *c->author)
		json_object_set_new (cfg, "author", json_string (c->author));
	json_object_set (cfg, "config", c->config);
	json_object_set_new (cfg, "container", json_string (c->ctr_id));
	json_object_set (cfg, "container_config", c->ctr_config);
	json_object_set_new (cfg, "created", json_string (now));
	json_object_set_new (cfg, "history", hist);
	json_object_set_new (cfg, "os", copied (pcfg, "os", json_string ("linux")));
	json_object_set_new (cfg, "rootfs", rootfs);
	if (json_object_get (pcfg, "variant"))
		json_object_set_new (cfg, "variant", copied (pcfg, "variant", NULL));
	return cfg;
}

static int
put_json (const struct cimage *c, json_t *doc, char digest[DIGEST_STR_LEN + 1], size_t *len, struct bx_err *e)
{
	_cleanup_free_ char *text = json_dumps (doc, JSON_COMPACT);

	if (!text)
		return err_set (e, BX_SYSTEM, ENOMEM, "commit");
	*len = strlen (text);
	hash_buf (text, *len, digest);
	return store_blob_put (c->st, digest, text, *len, e);
}

static int
index_add (const struct cimage *c, const char *mdigest, size_t mlen, struct bx_err *e)
{
	char cj[CTR_PATH_LEN];
	json_t *desc =
	    json_pack ("{ss ss sI}", "mediaType", MT_OCI_MANIFEST, "digest", mdigest, "size", (json_int_t)mlen);
	int rc;

	if (c->parent && c->parent->config_digest[0])
		json_object_set_new (desc, "annotations", json_pack ("{ss}", ANN_PARENT, c->parent->config_digest));
	store_test_stop_before_tag ();
	/* a container removed meanwhile may have lost files under the walk */
	snprintf (cj, sizeof cj, "%s/%s/%s", L_CONTAINERS, c->ctr_id, L_CREATE_JSON);
	if (faccessat (c->rootfd, cj, F_OK, 0) < 0) {
		json_decref (desc);
		return err_set (e, BX_CONFLICT, 0, "You cannot commit container %s which is being removed", c->ctr_id);
	}
	rc = c->tag ? store_tag_set (c->st, c->tag, desc, e) : store_untagged_add (c->st, desc, e);
	json_decref (desc);
	return rc;
}

int
cimage_commit (const struct cimage *c, char id[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	_cleanup_close_ int pin = store_pin (c->st, e);
	char diff_id[DIGEST_STR_LEN + 1], mdigest[DIGEST_STR_LEN + 1], now[TIMESTAMP_LEN];
	json_t *desc = NULL, *cfg = NULL, *layers = NULL, *man = NULL;
	size_t clen, mlen;
	int made, rc = -1;

	if (pin < 0 || (made = make_layer (c, &desc, diff_id, e)) < 0)
		return -1;
	timestamp_now (now);
	cfg = image_config (c, made ? diff_id : NULL, now);
	layers = c->parent ? json_deep_copy (json_object_get (c->parent->manifest, "layers")) : NULL;
	if (!json_is_array (layers)) {
		json_decref (layers);
		layers = json_array ();
	}
	if (made)
		json_array_append_new (layers, desc);
	if (cfg && put_json (c, cfg, id, &clen, e) == 0) {
		man = json_pack ("{si ss s{ss ss sI} sO}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST, "config",
		                 "mediaType", MT_OCI_CONFIG, "digest", id, "size", (json_int_t)clen, "layers", layers);
		if (man && put_json (c, man, mdigest, &mlen, e) == 0)
			rc = index_add (c, mdigest, mlen, e);
	}
	json_decref (man);
	json_decref (layers);
	json_decref (cfg);
	return rc;
}
