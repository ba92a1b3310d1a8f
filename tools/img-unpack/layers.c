#include "layers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/tree.h"
#include "layers/rootfs.h"
#include "layers/unpack.h"

/* media types whose content is a (compressed) tar; the content itself
 * says which compression, as Docker sniffs it too */
static const char *const layer_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    NULL,
};

static int
is_layer_type (const char *mt)
{
	for (size_t i = 0; layer_types[i]; i++)
		if (strcmp (mt, layer_types[i]) == 0)
			return 1;
	return 0;
}

const char *
layers_opaque_xattr (void)
{
	return rootfs_opaque_xattr ();
}

static int
layer_fill (struct layer *l, json_t *desc, json_t *diffid, size_t i, struct bx_err *e)
{
	const char *dg = json_string_value (json_object_get (desc, "digest"));
	const char *mt = json_string_value (json_object_get (desc, "mediaType"));
	const char *di = json_string_value (diffid);

	if (!dg || !digest_is_valid (dg))
		return err_set (e, BX_FAIL, 0, "layer %zu: no sha256 digest", i + 1);
	if (!mt || !is_layer_type (mt))
		return err_set (e, BX_FAIL, 0, "layer %s: unsupported media type %s", dg, mt ? mt : "(none)");
	if (!di || !digest_is_valid (di))
		return err_set (e, BX_FAIL, 0, "layer %s: config has no sha256 diff_id for it", dg);
	memset (l, 0, sizeof *l);
	snprintf (l->digest, sizeof l->digest, "%s", dg);
	snprintf (l->diffid, sizeof l->diffid, "%s", di);
	return 0;
}

int
layers_of_image (const struct image *img, struct layer **v, size_t *n, struct bx_err *e)
{
	json_t *ls = json_object_get (img->manifest, "layers");
	json_t *ds = json_object_get (json_object_get (img->config, "rootfs"), "diff_ids");
	_cleanup_free_ struct layer *out = NULL;
	size_t i;

	if (!json_is_array (ls) || !json_is_array (ds))
		return err_set (e, BX_FAIL, 0, "manifest or config lists no layers");
	if (json_array_size (ls) != json_array_size (ds))
		return err_set (e, BX_FAIL, 0, "manifest has %zu layers, config %zu diff_ids", json_array_size (ls),
		                json_array_size (ds));
	out = calloc (json_array_size (ls) + 1, sizeof *out);
	if (!out)
		return err_set (e, BX_SYSTEM, ENOMEM, "layers");
	for (i = 0; i < json_array_size (ls); i++)
		if (layer_fill (&out[i], json_array_get (ls, i), json_array_get (ds, i), i, e) < 0)
			return -1;
	*n = i;
	*v = steal_pointer (&out);
	return 0;
}

int
layers_dir_open (int rootfd, struct bx_err *e)
{
	int fd;

	if (mkdirat (rootfd, L_LAYERS, 0700) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", L_LAYERS);
	fd = openat (rootfd, L_LAYERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "open %s", L_LAYERS);
	return fd;
}

static int
layer_present (int dir, const char *hex)
{
	struct stat st;

	return fstatat (dir, hex, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode);
}

/* Remove HEX.tmp-* left by a process that died: we hold HEX.lock, so no
 * live one is building it. */
static void
stale_remove (int dir, const char *hex)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	char prefix[DIGEST_HEX_LEN + 8];
	/* a fresh open: a dup would share the directory offset with DIR and
	 * with the other extraction threads' scans, which then skip entries */
	int fd = openat (dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir (fd))) {
		if (fd >= 0)
			close (fd);
		return;
	}
	snprintf (prefix, sizeof prefix, "%s.tmp-", hex);
	while ((de = readdir (d)))
		if (strncmp (de->d_name, prefix, strlen (prefix)) == 0)
			tree_remove_at (dir, de->d_name);
}

/* Extract L into DIR/TMP and check its diff_id; TMP is removed on error. */
static int
layer_build (const struct store *s, int dir, const char *tmp, struct layer *l, struct bx_err *e)
{
	struct unpack_opts o = {.rootless = geteuid () != 0, .opaque_xattr = layers_opaque_xattr ()};
	struct unpack_stats st;
	char got[DIGEST_STR_LEN + 1];
	_cleanup_close_ int blob = -1, fd = -1;

	if (mkdirat (dir, tmp, 0700) < 0)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s/%s", L_LAYERS, tmp);
	fd = openat (dir, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err_set (e, BX_SYSTEM, errno, "open %s/%s", L_LAYERS, tmp);
		goto undo;
	}
	blob = store_blob_open (s, l->digest, e);
	if (blob < 0) {
		e->code = BX_FAIL; /* the image is known; its blob is not */
		goto undo;
	}
	if (unpack_layer (blob, fd, &o, got, &st, e) < 0)
		goto undo;
	if (strcmp (got, l->diffid) != 0) {
		err_set (e, BX_FAIL, 0, "diff_id mismatch: the image config says %s, the content is %s", l->diffid,
		         got);
		goto undo;
	}
	/* one sync for the whole tree, not one per file: the rename below
	 * must not become durable before the content it names */
	if (fchmod (fd, 0755) < 0 || syncfs (fd) < 0) {
		err_set (e, BX_SYSTEM, errno, "sync %s/%s", L_LAYERS, tmp);
		goto undo;
	}
	l->bytes = st.bytes;
	return 0;
undo:
	tree_remove_at (dir, tmp);
	return -1;
}

static int
layer_ensure (const struct store *s, int dir, struct layer *l, struct bx_err *e)
{
	const char *hex = digest_hex (l->diffid);
	char lockname[DIGEST_HEX_LEN + 8], tmp[DIGEST_HEX_LEN + 32];
	_cleanup_close_ int lk = -1;

	if (layer_present (dir, hex))
		return 0;
	snprintf (lockname, sizeof lockname, "%s" L_LAYER_LOCK, hex);
	if ((lk = lock_take_at (dir, lockname, LOCK_WAIT, e)) < 0)
		return -1;
	if (layer_present (dir, hex))
		return 0; /* another process built it while we waited */
	stale_remove (dir, hex);
	snprintf (tmp, sizeof tmp, "%s.tmp-%d", hex, (int)getpid ());
	if (layer_build (s, dir, tmp, l, e) < 0)
		return -1;
	if (renameat (dir, tmp, dir, hex) < 0) {
		int err = errno;
		tree_remove_at (dir, tmp);
		return err_set (e, BX_SYSTEM, err, "rename %s/%s", L_LAYERS, tmp);
	}
	l->extracted = 1;
	return fsync (dir) < 0 ? err_set (e, BX_SYSTEM, errno, "fsync %s", L_LAYERS) : 0;
}

/* ---- workers: layers are independent until stacked ------------------ */

struct pool {
	const struct store *s;
	int dir;
	struct layer *v;
	size_t n;
	size_t next; /* under mu */
	pthread_mutex_t mu;
	struct bx_err *errs; /* one per layer */
	int *failed;
};

static void *
worker (void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;
		pthread_mutex_lock (&p->mu);
		i = p->next++;
		pthread_mutex_unlock (&p->mu);
		if (i >= p->n)
			return NULL;
		if (layer_ensure (p->s, p->dir, &p->v[i], &p->errs[i]) < 0) {
			err_wrap (&p->errs[i], "layer %s", p->v[i].digest);
			p->failed[i] = 1;
		}
	}
}

/* Indexes of the layers not yet present, each diff_id once. */
static size_t
missing_layers (int dir, struct layer *v, size_t n, size_t *idx)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j;
		if (layer_present (dir, digest_hex (v[i].diffid)))
			continue;
		for (j = 0; j < m && strcmp (v[idx[j]].diffid, v[i].diffid) != 0; j++)
			;
		if (j == m)
			idx[m++] = i;
	}
	return m;
}

static int
pool_run (struct pool *p, unsigned jobs, struct bx_err *e)
{
	pthread_t th[64];
	unsigned started = 0;

	if (jobs > p->n)
		jobs = (unsigned)p->n;
	if (jobs > 64)
		jobs = 64;
	/* the caller's thread is a worker too: one layer needs no thread */
	for (unsigned t = 1; t < jobs; t++) {
		if (pthread_create (&th[started], NULL, worker, p) != 0)
			break;
		started++;
	}
	worker (p);
	for (unsigned t = 0; t < started; t++)
		pthread_join (th[t], NULL);
	for (size_t i = 0; i < p->n; i++)
		if (p->failed[i]) {
			*e = p->errs[i];
			return -1;
		}
	return 0;
}

int
layers_ensure (int rootfd, const struct store *s, struct layer *v, size_t n, unsigned jobs, struct bx_err *e)
{
	_cleanup_close_ int dir = layers_dir_open (rootfd, e);
	_cleanup_free_ size_t *idx = NULL;
	_cleanup_free_ struct layer *todo = NULL;
	_cleanup_free_ struct bx_err *errs = NULL;
	_cleanup_free_ int *failed = NULL;
	struct pool p = {.s = s, .mu = PTHREAD_MUTEX_INITIALIZER};
	size_t m;
	int rc;

	if (dir < 0)
		return -1;
	if (!(idx = calloc (n + 1, sizeof *idx)))
		return err_set (e, BX_SYSTEM, ENOMEM, "layers");
	if ((m = missing_layers (dir, v, n, idx)) == 0)
		return 0;
	todo = calloc (m, sizeof *todo);
	errs = calloc (m, sizeof *errs);
	failed = calloc (m, sizeof *failed);
	if (!todo || !errs || !failed)
		return err_set (e, BX_SYSTEM, ENOMEM, "layers");
	for (size_t i = 0; i < m; i++)
		todo[i] = v[idx[i]];
	p.dir = dir;
	p.v = todo;
	p.n = m;
	p.errs = errs;
	p.failed = failed;
	rc = pool_run (&p, jobs ? jobs : 1, e);
	for (size_t i = 0; i < m; i++)
		v[idx[i]] = todo[i];
	return rc;
}
