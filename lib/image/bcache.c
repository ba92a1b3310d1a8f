/* bcache - the build cache's entries: "key=value" lines (parent, id,
 * layers, config), the last two compact JSON on one line each */
#include "image/bcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/digest.h"
#include "base/layout.h"
#include "base/tree.h"

/* TEXT (an entry, changed) into EN; -1 when it is not a whole entry */
static int
parse (char *text, struct bcache_entry *en)
{
	char *parent = NULL, *id = NULL, *layers = NULL, *config = NULL, *save = NULL;

	for (char *l = strtok_r (text, "\n", &save); l; l = strtok_r (NULL, "\n", &save)) {
		if (!strncmp (l, "parent=", 7))
			parent = l + 7;
		else if (!strncmp (l, "id=", 3))
			id = l + 3;
		else if (!strncmp (l, "layers=", 7))
			layers = l + 7;
		else if (!strncmp (l, "config=", 7))
			config = l + 7;
	}
	if (!parent || !id || !layers || !config || !digest_is_valid (parent) || !digest_is_valid (id))
		return -1;
	memcpy (en->parent, parent, sizeof en->parent);
	memcpy (en->id, id, sizeof en->id);
	en->layers = json_loads (layers, 0, NULL);
	en->config = strdup (config);
	return json_is_array (en->layers) && en->config ? 0 : -1;
}

static int
open_dir (int rootfd, struct bx_err *e)
{
	int fd = openat (rootfd, L_BUILD_CACHE, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "build cache: %s", L_BUILD_CACHE);
	return fd < 0 ? -2 : fd;
}

int
bcache_get (int rootfd, const char *key, struct bcache_entry *en, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	char path[sizeof L_BUILD_CACHE + DIGEST_HEX_LEN + 2];

	memset (en, 0, sizeof *en);
	snprintf (path, sizeof path, "%s/%s", L_BUILD_CACHE, key);
	if (afile_slurp_at (rootfd, path, &text, NULL, e) < 0)
		return e->code == BX_NOTFOUND ? -1 : err_wrap (e, "build cache");
	if (parse (text, en) < 0) {
		bcache_entry_free (en);
		return err_set (e, BX_NOTFOUND, 0, "build cache: %s: a damaged entry", path);
	}
	return 0;
}

int
bcache_put (int rootfd, const char *key, const struct bcache_entry *en, struct bx_err *e)
{
	_cleanup_free_ char *layers = json_dumps (en->layers, JSON_COMPACT), *text = NULL;
	_cleanup_close_ int dir = -1;
	int n;

	if (!layers || (n = asprintf (&text, "parent=%s\nid=%s\nlayers=%s\nconfig=%s\n", en->parent, en->id, layers,
	                              en->config)) < 0)
		return err_set (e, BX_SYSTEM, ENOMEM, "build cache");
	if ((dir = open_dir (rootfd, e)) == -2) {
		if (afile_mkdir_p_at (rootfd, L_BUILD_CACHE "/", 0700, e) < 0)
			return err_wrap (e, "build cache");
		dir = open_dir (rootfd, e);
	}
	if (dir < 0)
		return -1;
	/* no fsync: a lost or torn entry is a miss (bcache.h) */
	if (afile_replace_at (dir, key, text, (size_t)n, 0600, e) < 0)
		return err_wrap (e, "build cache");
	return 0;
}

void
bcache_drop (int rootfd, const char *key)
{
	char path[sizeof L_BUILD_CACHE + DIGEST_HEX_LEN + 2];

	snprintf (path, sizeof path, "%s/%s", L_BUILD_CACHE, key);
	unlinkat (rootfd, path, 0);
}

void
bcache_entry_free (struct bcache_entry *en)
{
	free (en->config);
	json_decref (en->layers);
	en->config = NULL;
	en->layers = NULL;
}

/* FN on each whole entry of the cache (damaged ones: EN NULL) */
static int
each (int rootfd, int (*fn) (int dir, const char *key, struct bcache_entry *en, void *arg), void *arg, struct bx_err *e)
{
	int fd = open_dir (rootfd, e);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;
	int rc = 0;

	if (fd == -2)
		return 0;
	if (!d) {
		if (fd >= 0)
			close (fd);
		return fd < 0 ? -1 : err_set (e, BX_SYSTEM, errno, "build cache");
	}
	while (rc == 0 && (de = readdir (d))) {
		struct bcache_entry en = {0};
		struct bx_err ign = {0};
		if (!digest_is_hex (de->d_name))
			continue;
		rc = fn (dirfd (d), de->d_name, bcache_get (rootfd, de->d_name, &en, &ign) < 0 ? NULL : &en, arg);
		bcache_entry_free (&en);
	}
	return rc;
}

struct each {
	int (*fn) (const struct bcache_entry *en, void *arg);
	void *arg;
};

static int
each_whole (int dir, const char *key, struct bcache_entry *en, void *arg)
{
	struct each *w = arg;

	(void)dir;
	(void)key;
	return en ? w->fn (en, w->arg) : 0;
}

int
bcache_each (int rootfd, int (*fn) (const struct bcache_entry *en, void *arg), void *arg, struct bx_err *e)
{
	struct each w = {fn, arg};

	return each (rootfd, each_whole, &w, e);
}

static int
mark_one (const struct bcache_entry *en, void *arg)
{
	json_t *d;
	size_t i;

	json_array_foreach (en->layers, i, d) if (json_is_string (json_object_get (d, "digest")))
	    json_object_set_new (arg, json_string_value (json_object_get (d, "digest")), json_true ());
	return 0;
}

int
bcache_mark (int rootfd, json_t *live, struct bx_err *e)
{
	return bcache_each (rootfd, mark_one, live, e);
}

/* --- prune ---------------------------------------------------------------- */

struct prune {
	json_t *parents; /* id -> parent, of every whole entry */
	json_t *keep;    /* ids on the chain of an image */
	int all;
	const struct bcache_prune_cb *cb;
	struct bcache_stats *st;
	struct bx_err *e;
};

static int
note_parent (int dir, const char *key, struct bcache_entry *en, void *arg)
{
	struct prune *p = arg;

	(void)dir;
	(void)key;
	if (en)
		json_object_set_new (p->parents, en->id, json_string (en->parent));
	return 0;
}

static int
remove_one (int dir, const char *key, struct bcache_entry *en, void *arg)
{
	struct prune *p = arg;
	struct stat sb;

	if (en && !p->all && json_object_get (p->keep, en->id))
		return 0;
	if (fstatat (dir, key, &sb, 0) < 0)
		return errno == ENOENT ? 0 : err_set (p->e, BX_SYSTEM, errno, "build cache: %s", key);
	if (p->cb && p->cb->keep &&
	    p->cb->keep ("regular", key, (int64_t)sb.st_mtime, (uint64_t)sb.st_size, p->cb->arg))
		return 0;
	if (unlinkat (dir, key, 0) < 0)
		return errno == ENOENT ? 0 : err_set (p->e, BX_SYSTEM, errno, "build cache: remove %s", key);
	p->st->entries++;
	p->st->bytes += (uint64_t)sb.st_size;
	if (p->cb && p->cb->removed)
		p->cb->removed (key, p->cb->arg);
	return 0;
}

/* KEEP: IDS and, from each, the chain of parents the entries record */
static void
chains (struct prune *p, json_t *ids)
{
	const char *id;
	json_t *v;

	json_object_foreach (ids, id, v)
	{
		const char *at = id;
		for (int depth = 0; at && depth < 10000 && !json_object_get (p->keep, at); depth++) {
			json_object_set_new (p->keep, at, json_true ());
			at = json_string_value (json_object_get (p->parents, at));
		}
	}
}

/* build/files/: every context's file hashes, each rebuilt on a miss */
static int
remove_files (int rootfd, const struct bcache_prune_cb *cb, struct bcache_stats *st, struct bx_err *e)
{
	int fd = openat (rootfd, L_BUILD_FILES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;
	struct stat sb;

	if (!d) {
		if (fd >= 0)
			close (fd);
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "build cache: %s", L_BUILD_FILES);
	}
	while ((de = readdir (d)))
		if (de->d_name[0] != '.' && fstatat (dirfd (d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !(cb && cb->keep &&
		      cb->keep ("source.local", de->d_name, (int64_t)sb.st_mtime, (uint64_t)sb.st_size, cb->arg)) &&
		    unlinkat (dirfd (d), de->d_name, 0) == 0)
			st->bytes += (uint64_t)sb.st_size;
	return 0;
}

int
bcache_prune (int rootfd, int all, json_t *ids, const struct bcache_prune_cb *cb, struct bcache_stats *st,
              struct bx_err *e)
{
	struct prune p = {json_object (), json_object (), all, cb, st, e};
	int rc;

	memset (st, 0, sizeof *st);
	rc = all ? 0 : each (rootfd, note_parent, &p, e);
	if (rc == 0 && !all)
		chains (&p, ids);
	if (rc == 0)
		rc = each (rootfd, remove_one, &p, e);
	if (rc == 0 && all)
		rc = remove_files (rootfd, cb, st, e);
	json_decref (p.parents);
	json_decref (p.keep);
	return rc;
}
