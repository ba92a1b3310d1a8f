#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/digest.h"
#include "base/layout.h"
#include "base/lock.h"
#include "image/bcache.h"
#include "image/manifest.h"
#include "image/platform.h"
#include "image/ref.h"

static int
store_init_layout (int dir, struct bx_err *e)
{
	struct stat st;

	if (afile_mkdir_p_at (dir, L_BLOBS, 0755, e) < 0)
		return -1;
	if (fstatat (dir, L_OCI_LAYOUT, &st, 0) < 0 &&
	    afile_write_at (dir, L_OCI_LAYOUT, OCI_LAYOUT_CONTENT, strlen (OCI_LAYOUT_CONTENT), 0644, e) < 0)
		return -1;
	if (fstatat (dir, L_INDEX, &st, 0) == 0)
		return 0;
	{
		static const char empty[] = "{\"schemaVersion\":2,\"mediaType\":"
		                            "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";
		_cleanup_close_ int lk = lock_take_at (dir, L_INDEX_LOCK, LOCK_WAIT, e);
		if (lk < 0)
			return -1;
		if (fstatat (dir, L_INDEX, &st, 0) == 0)
			return 0;
		return afile_write_at (dir, L_INDEX, empty, strlen (empty), 0644, e);
	}
}

int
store_open (struct store *s, int rootfd, struct bx_err *e)
{
	s->root = rootfd;
	s->dir = s->blobs = -1;
	if (afile_mkdir_p_at (rootfd, L_IMAGES, 0755, e) < 0)
		return err_wrap (e, "image store");
	s->dir = openat (rootfd, L_IMAGES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir < 0)
		return err_set (e, BX_SYSTEM, errno, "image store");
	if (store_init_layout (s->dir, e) < 0) {
		store_close (s);
		return err_wrap (e, "image store");
	}
	s->blobs = openat (s->dir, L_BLOBS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->blobs < 0) {
		store_close (s);
		return err_set (e, BX_SYSTEM, errno, "image store: %s", L_BLOBS);
	}
	return 0;
}

void
store_close (struct store *s)
{
	if (s->blobs >= 0)
		close (s->blobs);
	if (s->dir >= 0)
		close (s->dir);
	s->blobs = s->dir = -1;
}

int
store_has_blob (const struct store *s, const char *digest)
{
	struct stat st;

	return digest_is_valid (digest) && fstatat (s->blobs, digest_hex (digest), &st, 0) == 0;
}

int
store_blob_open (const struct store *s, const char *digest, struct bx_err *e)
{
	int fd;

	if (!digest_is_valid (digest))
		return err_set (e, BX_USAGE, 0, "blob %s: unsupported digest", digest);
	fd = openat (s->blobs, digest_hex (digest), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "blob %s", digest);
	return fd;
}

int
store_blob_read (const struct store *s, const char *digest, char **buf, size_t *len, struct bx_err *e)
{
	_cleanup_close_ int fd = store_blob_open (s, digest, e);
	_cleanup_free_ char *b = NULL;
	size_t n;

	if (fd < 0 || afile_slurp_fd (fd, &b, &n, e) < 0)
		return -1;
	*buf = steal_pointer (&b);
	if (len)
		*len = n;
	return 0;
}

int
store_blob_put (const struct store *s, const char *digest, const void *buf, size_t len, struct bx_err *e)
{
	if (!digest_is_valid (digest))
		return err_set (e, BX_USAGE, 0, "blob %s: unsupported digest", digest);
	if (store_has_blob (s, digest))
		return 0;
	return afile_write_at (s->blobs, digest_hex (digest), buf, len, 0644, e);
}

int
store_blob_commit_at (const struct store *s, int dirfd, const char *path, const char *digest, struct bx_err *e)
{
	if (!digest_is_valid (digest))
		return err_set (e, BX_USAGE, 0, "blob %s: unsupported digest", digest);
	if (renameat (dirfd, path, s->blobs, digest_hex (digest)) < 0)
		return err_set (e, BX_SYSTEM, errno, "store blob %s", digest);
	return 0;
}

int
store_index_load (const struct store *s, json_t **index, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	json_error_t je;
	json_t *m;

	if (afile_slurp_at (s->dir, L_INDEX, &buf, NULL, e) < 0)
		return err_wrap (e, "image store");
	*index = json_loads (buf, 0, &je);
	if (!*index)
		return err_set (e, BX_FAIL, 0, "image store: index.json: line %d: %s", je.line, je.text);
	m = json_object_get (*index, "manifests");
	if (!json_is_array (m)) {
		json_decref (*index);
		*index = NULL;
		return err_set (e, BX_FAIL, 0, "image store: index.json: no manifests array");
	}
	return 0;
}

/* index.json.tmp-PID left by a writer killed before its rename: with the
 * index lock held nobody else writes one, so every one found is stale */
static void
index_tmp_reap (int dirfd)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *ent;
	int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir (fd))) {
		if (fd >= 0)
			close (fd);
		return;
	}
	while ((ent = readdir (d)))
		if (!strncmp (ent->d_name, L_INDEX ".tmp-", sizeof L_INDEX ".tmp-" - 1))
			unlinkat (dirfd, ent->d_name, 0);
}

int
store_index_update (const struct store *s, int (*fn) (json_t *, void *, struct bx_err *), void *arg, struct bx_err *e)
{
	_cleanup_close_ int lk = lock_take_at (s->dir, L_INDEX_LOCK, LOCK_WAIT, e);
	_cleanup_free_ char *out = NULL;
	json_t *index = NULL;
	int rc;

	if (lk < 0 || store_index_load (s, &index, e) < 0)
		return -1;
	index_tmp_reap (s->dir);
	rc = fn (index, arg, e);
	if (rc == 0) {
		out = json_dumps (index, JSON_COMPACT);
		rc = out ? afile_write_at (s->dir, L_INDEX, out, strlen (out), 0644, e)
		         : err_set (e, BX_SYSTEM, ENOMEM, "image store: index.json");
	}
	json_decref (index);
	return rc;
}

static const char *
desc_ref_name (json_t *desc)
{
	return json_string_value (json_object_get (json_object_get (desc, "annotations"), ANN_REF_NAME));
}

/* Index of the entry tagged REF in MANIFESTS, or -1. */
static int
find_tag (json_t *manifests, const char *ref)
{
	size_t i;
	json_t *d;

	json_array_foreach (manifests, i, d)
	{
		const char *name = desc_ref_name (d);
		if (name && strcmp (name, ref) == 0)
			return (int)i;
	}
	return -1;
}

/* An image that gets a tag is no longer "<none>": drop its untagged entries. */
static void
drop_untagged (json_t *manifests, const char *digest)
{
	size_t i = json_array_size (manifests);

	while (digest && i-- > 0) {
		json_t *d = json_array_get (manifests, i);
		const char *dg = json_string_value (json_object_get (d, "digest"));
		if (!desc_ref_name (d) && dg && strcmp (dg, digest) == 0)
			json_array_remove (manifests, i);
	}
}

struct tag_op {
	const char *ref;
	json_t *desc;
};

/* OLD lost its tag to another image: kept "<none>" when no other entry
 * names it, as Docker leaves an image whose tag moved on dangling */
static void
keep_dangling (json_t *manifests, json_t *old)
{
	const char *dg = json_string_value (json_object_get (old, "digest"));
	json_t *d, *copy;
	size_t i;

	json_array_foreach (manifests, i, d)
	{
		if (dg && !strcmp (json_string_value (json_object_get (d, "digest")) ?: "", dg))
			return;
	}
	if (!dg || !(copy = json_deep_copy (old)))
		return;
	json_object_del (json_object_get (copy, "annotations"), ANN_REF_NAME);
	json_array_append_new (manifests, copy);
}

static int
tag_set_fn (json_t *index, void *arg, struct bx_err *e)
{
	struct tag_op *op = arg;
	json_t *manifests = json_object_get (index, "manifests");
	json_t *d = json_deep_copy (op->desc), *ann;
	int i = find_tag (manifests, op->ref);

	if (!d)
		return err_set (e, BX_SYSTEM, ENOMEM, "tag %s", op->ref);
	ann = json_object_get (d, "annotations");
	if (!json_is_object (ann))
		json_object_set_new (d, "annotations", ann = json_object ());
	json_object_set_new (ann, ANN_REF_NAME, json_string (op->ref));
	if (i >= 0) {
		json_t *old = json_incref (json_array_get (manifests, i));
		json_array_set_new (manifests, i, d);
		keep_dangling (manifests, old);
		json_decref (old);
	} else
		json_array_append_new (manifests, d);
	drop_untagged (manifests, json_string_value (json_object_get (d, "digest")));
	return 0;
}

static int
untagged_add_fn (json_t *index, void *arg, struct bx_err *e)
{
	json_t *manifests = json_object_get (index, "manifests"), *d, *copy;
	const char *want = json_string_value (json_object_get (arg, "digest"));
	size_t i;

	json_array_foreach (manifests, i, d)
	{
		if (want && strcmp (json_string_value (json_object_get (d, "digest")) ?: "", want) == 0)
			return 0;
	}
	copy = json_deep_copy (arg);
	if (!copy)
		return err_set (e, BX_SYSTEM, ENOMEM, "add image %s", want ? want : "");
	json_object_del (json_object_get (copy, "annotations"), ANN_REF_NAME);
	json_array_append_new (manifests, copy);
	return 0;
}

int
store_untagged_add (const struct store *s, json_t *desc, struct bx_err *e)
{
	return store_index_update (s, untagged_add_fn, desc, e);
}

int
store_tag_set (const struct store *s, const char *fullref, json_t *desc, struct bx_err *e)
{
	struct tag_op op = {fullref, desc};

	if (store_index_update (s, tag_set_fn, &op, e) < 0)
		return err_wrap (e, "tag %s", fullref);
	return 0;
}

static int
tag_remove_fn (json_t *index, void *arg, struct bx_err *e)
{
	struct tag_op *op = arg;
	json_t *manifests = json_object_get (index, "manifests");
	int i = find_tag (manifests, op->ref);

	if (i < 0)
		return err_set (e, BX_NOTFOUND, 0, "No such image: %s", op->ref);
	json_array_remove (manifests, i);
	return 0;
}

int
store_tag_remove (const struct store *s, const char *fullref, struct bx_err *e)
{
	struct tag_op op = {fullref, NULL};

	return store_index_update (s, tag_remove_fn, &op, e);
}

void
store_image_free (struct image *img)
{
	json_decref (img->desc);
	json_decref (img->manifest);
	json_decref (img->config);
	img->desc = img->manifest = img->config = NULL;
}

static int
load_json_blob (const struct store *s, const char *digest, json_t **out, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	json_error_t je;

	if (store_blob_read (s, digest, &buf, &len, e) < 0)
		return -1;
	*out = json_loadb (buf, len, 0, &je);
	if (!*out)
		return err_set (e, BX_FAIL, 0, "blob %s: not JSON: %s", digest, je.text);
	return 0;
}

/* The image manifest an index stands for: this machine's platform, else
 * the first manifest (an image pulled with another --platform), as Docker
 * lists such an image. IDX is the index's digest, for messages. */
static int
resolve_index (const struct store *s, json_t *index, const char *idx, struct image *img, struct bx_err *e)
{
	struct platform here;
	struct bx_err ign;
	json_t *d = NULL, *m = NULL;
	const char *dg;

	platform_default (&here);
	if (manifest_select (index, &here, &d, &ign) < 0)
		d = json_array_get (json_object_get (index, "manifests"), 0);
	dg = json_string_value (json_object_get (d, "digest"));
	if (!dg || !digest_is_valid (dg))
		return err_set (e, BX_FAIL, 0, "index %s: no manifest", idx);
	if (load_json_blob (s, dg, &m, e) < 0)
		return err_wrap (e, "index %s", idx);
	if (json_object_get (m, "manifests")) {
		json_decref (m);
		return err_set (e, BX_FAIL, 0, "index %s: an index inside an index is not supported", idx);
	}
	/* DG lives in the index: copy it before the index goes */
	snprintf (img->manifest_digest, sizeof img->manifest_digest, "%s", dg);
	json_decref (img->manifest);
	img->manifest = m;
	return 0;
}

int
store_entry_load (const struct store *s, json_t *desc, struct image *img, struct bx_err *e)
{
	const char *md = json_string_value (json_object_get (desc, "digest"));
	const char *cd;

	memset (img, 0, sizeof *img);
	img->desc = json_incref (desc);
	snprintf (img->ref, sizeof img->ref, "%s", desc_ref_name (desc) ?: "");
	if (!md || !digest_is_valid (md))
		return err_set (e, BX_FAIL, 0, "index.json: an entry without a sha256 digest");
	snprintf (img->manifest_digest, sizeof img->manifest_digest, "%s", md);
	if (load_json_blob (s, md, &img->manifest, e) < 0)
		return -1;
	if (json_object_get (img->manifest, "manifests") && resolve_index (s, img->manifest, md, img, e) < 0)
		return -1;
	cd = json_string_value (json_object_get (json_object_get (img->manifest, "config"), "digest"));
	if (!cd || !digest_is_valid (cd))
		return err_set (e, BX_FAIL, 0, "manifest %s: no config digest", img->manifest_digest);
	snprintf (img->config_digest, sizeof img->config_digest, "%s", cd);
	if (load_json_blob (s, cd, &img->config, e) < 0)
		return err_wrap (e, "image %s", img->manifest_digest);
	return 0;
}

int
store_index_tag (json_t *index, const char *fullref, json_t *desc, struct bx_err *e)
{
	struct tag_op op = {fullref, desc};

	return tag_set_fn (index, &op, e);
}

int
store_pin (const struct store *s, struct bx_err *e)
{
	int fd = lock_take_at (s->dir, L_GC_LOCK, LOCK_SHARED, e);

	return fd < 0 ? err_wrap (e, "image store") : fd;
}

void
store_test_stop_before_tag (void)
{
	const char *v = getenv ("BOX_TEST_STOP_BEFORE_TAG");

	if (v && *v)
		raise (SIGSTOP);
}

/* Add DIGEST to LIVE and, when it is a manifest or an index, what it
 * refers to. Only documents named by index.json or by an index are read;
 * configs and layers are marked unread. */
static void
gc_mark (const struct store *s, json_t *live, const char *digest, int depth)
{
	_cleanup_free_ char *buf = NULL;
	struct bx_err ign;
	json_t *doc, *d;
	size_t len, i;

	if (!digest || !digest_is_valid (digest) || json_object_get (live, digest))
		return;
	json_object_set_new (live, digest, json_true ());
	/* a missing or damaged document keeps nothing else alive; depth stops
	 * an index that (by a hash collision we will not see) names itself */
	if (depth > 16 || store_blob_read (s, digest, &buf, &len, &ign) < 0 || !(doc = json_loadb (buf, len, 0, NULL)))
		return;
	d = json_object_get (json_object_get (doc, "config"), "digest");
	if (json_is_string (d))
		json_object_set_new (live, json_string_value (d), json_true ());
	json_array_foreach (json_object_get (doc, "layers"), i, d) if (json_is_string (json_object_get (d, "digest")))
	    json_object_set_new (live, json_string_value (json_object_get (d, "digest")), json_true ());
	json_array_foreach (json_object_get (doc, "manifests"), i, d)
	    gc_mark (s, live, json_string_value (json_object_get (d, "digest")), depth + 1);
	json_decref (doc);
}

/* True for "NAME.tmp-PID" whose process is gone. */
static int
is_dead_tmp (const char *name)
{
	const char *p = strstr (name, ".tmp-");
	char *end;
	long pid;

	if (!p)
		return 0;
	pid = strtol (p + 5, &end, 10);
	return pid > 0 && *end == '\0' && pid != getpid () && kill ((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Remove from DIRFD (images/ or its blobs) dead temporary files and, when
 * LIVE is set, blobs not in it. */
static int
gc_sweep (int dirfd, json_t *live, void (*on_blob) (const char *, void *), void *arg, struct gc_stats *st,
          struct bx_err *e)
{
	/* a fresh open: a dup would share (and move) the store's dir offset */
	int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	struct dirent *de;
	struct stat sb;
	char digest[DIGEST_STR_LEN + 1];

	if (!d) {
		if (fd >= 0)
			close (fd);
		return err_set (e, BX_SYSTEM, errno, "image store: read directory");
	}
	while ((errno = 0, de = readdir (d))) {
		if (afile_is_tmp_name (de->d_name)) {
			if (is_dead_tmp (de->d_name) && unlinkat (dirfd, de->d_name, 0) == 0)
				st->tmpfiles++;
			continue;
		}
		if (!live || !digest_is_hex (de->d_name))
			continue;
		snprintf (digest, sizeof digest, "sha256:%s", de->d_name);
		if (json_object_get (live, digest) || fstatat (dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (unlinkat (dirfd, de->d_name, 0) < 0)
			return err_set (e, BX_SYSTEM, errno, "image store: remove blob %s", digest);
		st->blobs++;
		st->bytes += (uint64_t)sb.st_size;
		if (on_blob)
			on_blob (digest, arg);
	}
	return errno ? err_set (e, BX_SYSTEM, errno, "image store: read directory") : 0;
}

/* The set of live blobs: everything index.json reaches, and the layers
 * of the build cache. */
static int
gc_live (const struct store *s, json_t **live, struct bx_err *e)
{
	json_t *index, *d;
	size_t i;

	if (store_index_load (s, &index, e) < 0)
		return -1;
	if (!(*live = json_object ())) {
		json_decref (index);
		return err_set (e, BX_SYSTEM, ENOMEM, "image store: gc");
	}
	json_array_foreach (json_object_get (index, "manifests"), i, d)
	{
		gc_mark (s, *live, json_string_value (json_object_get (d, "digest")), 0);
		gc_mark (s, *live,
		         json_string_value (json_object_get (json_object_get (d, "annotations"), ANN_REPO_DIGEST)), 0);
	}
	json_decref (index);
	/* the build cache's layers stay while an entry names them */
	if (bcache_mark (s->root, *live, e) < 0) {
		json_decref (*live);
		return -1;
	}
	return 0;
}

int
store_gc (const struct store *s, int flags, void (*on_blob) (const char *digest, void *arg), void *arg,
          struct gc_stats *st, struct bx_err *e)
{
	_cleanup_close_ int gc = lock_take_at (s->dir, L_GC_LOCK, flags & LOCK_TRY, e);
	_cleanup_close_ int lk = -1;
	json_t *live = NULL;
	int rc;

	memset (st, 0, sizeof *st);
	if (gc < 0)
		return e->code == BX_CONFLICT ? err_set (e, BX_CONFLICT, 0, "image store: gc: blobs are being added")
		                              : err_wrap (e, "image store: gc");
	/* index.json cannot change while we decide what it reaches */
	if ((lk = lock_take_at (s->dir, L_INDEX_LOCK, LOCK_WAIT, e)) < 0 || gc_live (s, &live, e) < 0)
		return err_wrap (e, "image store: gc");
	rc = gc_sweep (s->blobs, live, on_blob, arg, st, e);
	json_decref (live);
	if (rc == 0)
		rc = gc_sweep (s->dir, NULL, NULL, NULL, st, e);
	return rc;
}
