/* cache - the step cache: keys, lookups and records */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/hash.h"
#include "base/tree.h"
#include "cache.h"
#include "cachefiles.h"
#include "ignore.h"
#include "image/bcache.h"
#include "imgw.h"
#include "meta.h"
#include "plan.h"
#include "progress.h"
#include "step.h"

/* one field of a key: a tag and a counted string, so that no two
 * different lists of fields hash alike */
static void
feed (struct hash_ctx *h, const char *tag, const char *s, size_t len)
{
	char head[64];

	snprintf (head, sizeof head, "%s %zu:", tag, len);
	hash_update (h, head, strlen (head));
	hash_update (h, s, len);
	hash_update (h, "\n", 1);
}

static void
feeds (struct hash_ctx *h, const char *tag, const char *s)
{
	feed (h, tag, s ? s : "", s ? strlen (s) : 0);
}

static void feed_args (struct build *b, struct hash_ctx *h);

static int
key_start (struct build *b, struct cache_step *c, struct hash_ctx *h, struct bx_err *e)
{
	const struct df_instr *in = c->label ? NULL : b->in;
	char opts[64];

	if (hash_init (h, e) < 0)
		return -1;
	feeds (h, "box-build-cache", "1");
	feeds (h, "parent", c->parent);
	/* what the build's options change in a step's result: its layers'
	 * compression, SOURCE_DATE_EPOCH's dates */
	snprintf (opts, sizeof opts, "%d %lld", b->o->compress, b->o->epoch);
	feeds (h, "options", opts);
	feeds (h, "instruction", in ? in->keyword : "--label");
	for (size_t i = 0; in && i < in->nheredocs; i++) {
		feeds (h, "heredoc", in->heredocs[i].name);
		feed (h, "body", in->heredocs[i].content, in->heredocs[i].len);
		/* a body the build expands depends on the args too */
		if (in->heredocs[i].expand && strcmp (in->keyword, "run"))
			feed_args (b, h);
	}
	return 0;
}

static void
key_end (struct hash_ctx *h, struct cache_step *c)
{
	char d[DIGEST_STR_LEN + 1];

	hash_final (h, d);
	memcpy (c->key, digest_hex (d), sizeof c->key);
}

/* the build args in effect, as RUN gets them (step_arg_env): Docker's
 * classic builder keys a RUN by them, used or not, and a step that expands
 * an arg is keyed by what it expanded to */
static void
feed_args (struct build *b, struct hash_ctx *h)
{
	json_t *args = step_arg_env (b), *kv;
	size_t i;

	json_array_foreach (args, i, kv)
	{
		const char *s = json_string_value (kv), *eq = strchr (s, '=');
		feed (h, "arg", s, eq - s);
		feeds (h, "value", eq + 1);
	}
	json_decref (args);
}

/* RUN --mount=type=bind (the default type) reads the context or a stage
 * the key does not hash: such a RUN is run every time */
static int
binds_files (const char *flag)
{
	const char *t = strstr (flag, "type=");

	if (strncmp (flag, "--mount", 7))
		return 0;
	while (t && t != flag + 8 && t[-1] != ',')
		t = strstr (t + 1, "type=");
	return !t || !strncmp (t + 5, "bind", 4);
}

static int
key_run (struct build *b, struct cache_step *c, struct bx_err *e)
{
	struct hash_ctx h;

	for (size_t i = 0; i < b->in->nflags; i++)
		if (binds_files (b->in->flags[i]))
			return err_set (e, BX_USAGE, 0, "RUN --mount=type=bind: not cached");
	if (key_start (b, c, &h, e) < 0)
		return -1;
	for (size_t i = 0; i < b->in->nflags; i++)
		feeds (&h, "flag", b->in->flags[i]);
	feeds (&h, "form", b->in->json ? "exec" : "shell");
	for (size_t i = 0; i < b->in->nargs; i++)
		feed (&h, "word", b->in->args[i].s, b->in->args[i].len);
	feed_args (b, &h);
	key_end (&h, c);
	return 0;
}

static int
key_workdir (struct build *b, struct cache_step *c, struct bx_err *e)
{
	_cleanup_free_ char *p = NULL;
	struct hash_ctx h;

	if (b->in->nargs != 1 || build_expand (b, b->in->args[0].s, &p, e) < 0 || key_start (b, c, &h, e) < 0)
		return -1;
	feeds (&h, "dir", p);
	key_end (&h, c);
	return 0;
}

/* --- what COPY and ADD copy ------------------------------------------------ */

static int hash_tree (struct build *b, struct hash_ctx *h, int dirfd, const char *name, const char *path,
                      struct bx_err *e);

static int
by_name (const void *x, const void *y)
{
	return strcmp (*(char *const *)x, *(char *const *)y);
}

/* the names in DIRFD, sorted; NULL-terminated */
static char **
names_of (int dirfd, size_t *n)
{
	int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;
	char **v = NULL;

	*n = 0;
	if (!d) {
		if (fd >= 0)
			close (fd);
		return NULL;
	}
	while ((de = readdir (d))) {
		char **nv;
		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
			continue;
		if (!(nv = realloc (v, (*n + 2) * sizeof *v)))
			break;
		v = nv;
		v[(*n)++] = strdup (de->d_name);
		v[*n] = NULL;
	}
	if (v)
		qsort (v, *n, sizeof *v, by_name);
	return v;
}

static void
names_free (char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free (v[i]);
	free (v);
}

static int
hash_dir (struct build *b, struct hash_ctx *h, int fd, const char *path, struct bx_err *e)
{
	size_t n;
	char **v = names_of (fd, &n);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		_cleanup_free_ char *sub = NULL;
		if (asprintf (&sub, "%s/%s", path, v[i]) < 0)
			rc = err_set (e, BX_SYSTEM, ENOMEM, "build cache");
		else
			rc = hash_tree (b, h, fd, v[i], sub, e);
	}
	names_free (v, n);
	return rc;
}

/* DIRFD/NAME opened; NAME "": DIRFD is the entry's own O_PATH fd */
static int
open_entry (int dirfd, const char *name, int flags)
{
	char self[64];

	if (*name)
		return openat (dirfd, name, flags | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	snprintf (self, sizeof self, "/proc/self/fd/%d", dirfd);
	return open (self, flags | O_NOCTTY | O_CLOEXEC);
}

static int
hash_content (struct build *b, struct hash_ctx *h, int dirfd, const char *name, const char *path, const struct stat *st,
              struct bx_err *e)
{
	char hex[DIGEST_HEX_LEN + 1];

	if (!cachefiles_known (b->files, path, st, hex)) {
		_cleanup_close_ int fd = open_entry (dirfd, name, O_RDONLY | O_NONBLOCK);
		if (fd < 0)
			return err_set (e, BX_FAIL, errno, "%s", path);
		if (cachefiles_learn (b->files, fd, path, st, hex, e) < 0)
			return -1;
	}
	feeds (h, "content", hex);
	return 0;
}

/* PATH ("/"-rooted in the context) is what COPY sees: the .dockerignore
 * left it in (copy.c's rule), so that an ignored file's change is none */
static int
is_sent (struct build *b, const char *path, int dir)
{
	_cleanup_free_ char *rel = NULL;

	if (!b->ign)
		return 1;
	rel = strdup (path + strspn (path, "/"));
	if (!rel)
		return 1;
	ignore_clean (rel);
	return !strcmp (rel, ".") || ignore_sent (b->ign, rel, dir);
}

/* an entry by what a copy keeps of it: Docker's tarsum header (name, mode,
 * ids, size, type, link) and content, the mtime left out as Docker does;
 * NAME "": DIRFD is the entry's own O_PATH fd */
static int
hash_tree (struct build *b, struct hash_ctx *h, int dirfd, const char *name, const char *path, struct bx_err *e)
{
	struct stat st;
	char meta[160], target[4096];
	ssize_t n;

	if (fstatat (dirfd, name, &st, *name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH) < 0)
		return err_set (e, BX_FAIL, errno, "%s", path);
	if (!is_sent (b, path, S_ISDIR (st.st_mode)))
		return 0;
	snprintf (meta, sizeof meta, "%o %u %u %lld %llu", (unsigned)st.st_mode, (unsigned)st.st_uid,
	          (unsigned)st.st_gid, S_ISREG (st.st_mode) ? (long long)st.st_size : 0LL,
	          (unsigned long long)st.st_rdev);
	feeds (h, "path", path);
	feeds (h, "meta", meta);
	if (S_ISREG (st.st_mode))
		return hash_content (b, h, dirfd, name, path, &st, e);
	if (S_ISLNK (st.st_mode)) {
		if ((n = readlinkat (dirfd, name, target, sizeof target - 1)) < 0)
			return err_set (e, BX_FAIL, errno, "%s", path);
		feed (h, "link", target, (size_t)n);
	} else if (S_ISDIR (st.st_mode)) {
		_cleanup_close_ int fd = open_entry (dirfd, name, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return err_set (e, BX_FAIL, errno, "%s", path);
		return hash_dir (b, h, fd, path, e);
	}
	return 0;
}

/* the source PATH ("/"-rooted in the context), looked up as copy.c looks
 * it up: inside the context, a symlink on the way followed there */
static int
hash_source (struct build *b, struct hash_ctx *h, const char *path, struct bx_err *e)
{
	_cleanup_close_ int fd = tree_open_in_root (b->ctxfd, path, O_PATH | O_CLOEXEC, 0);

	feeds (h, "source", path);
	if (fd < 0)
		return err_set (e, BX_FAIL, errno, "%s", path);
	return hash_tree (b, h, fd, "", path, e);
}

static int
is_glob (const char *s)
{
	return strpbrk (s, "*?[") != NULL;
}

/* the paths under DIR that PAT matches, component by component (Go's
 * filepath.Match, as copy.c: '*' stops at '/'), sorted, each hashed */
static int
hash_glob (struct build *b, struct hash_ctx *h, const char *dir, const char *pat, int *found, struct bx_err *e)
{
	size_t len = strcspn (pat, "/"), n;
	_cleanup_free_ char *comp = strndup (pat, len);
	_cleanup_close_ int fd = tree_open_in_root (b->ctxfd, *dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	char **v = fd >= 0 ? names_of (fd, &n) : NULL;
	int rc = 0;

	for (size_t i = 0; v && i < n && rc == 0; i++) {
		_cleanup_free_ char *sub = NULL;
		if (fnmatch (comp, v[i], 0))
			continue;
		if (asprintf (&sub, "%s/%s", dir, v[i]) < 0)
			rc = err_set (e, BX_SYSTEM, ENOMEM, "build cache");
		else if (pat[len] == '/' && pat[len + 1])
			rc = hash_glob (b, h, sub, pat + len + 1, found, e);
		else {
			(*found)++;
			rc = hash_source (b, h, sub, e);
		}
	}
	if (v)
		names_free (v, n);
	return rc;
}

/* the image --from=NAME names: a stage's, or one of the store */
static int
feed_from (struct build *b, struct hash_ctx *h, const char *name, struct bx_err *e)
{
	struct build_stage *s = plan_stage_ref (b, name, (size_t)(b->cur - b->stages));
	struct image img = {0};
	int rc = 0;

	if (s)
		feeds (h, "from", s->id);
	else if ((rc = store_image_load (&b->st, name, &img, e)) == 0)
		feeds (h, "from", img.config_digest);
	store_image_free (&img);
	return rc;
}

static int
is_url (const char *w)
{
	return !strncmp (w, "http://", 7) || !strncmp (w, "https://", 8) || !strncmp (w, "git@", 4);
}

/* the sources of the context, or the image --from names */
static int
feed_sources (struct build *b, struct hash_ctx *h, char **w, size_t n, const char *from, struct bx_err *e)
{
	if (from)
		return feed_from (b, h, from, e);
	if (b->ctxfd < 0)
		return err_set (e, BX_USAGE, 0, "no build context");
	if (!b->files && !(b->files = cachefiles_load (b->rootfd, b->ctxfd, strcmp (b->o->context, "-") != 0)))
		return err_set (e, BX_SYSTEM, ENOMEM, "build cache");
	for (size_t i = 0; i + 1 < n; i++) {
		int found = 0;
		/* a here-document is in the key already (key_start) */
		if (b->in->nheredocs && !strncmp (w[i] + strspn (w[i], "0123456789"), "<<", 2))
			continue;
		/* what a URL holds is known once fetched: such a step is not cached */
		if (is_url (w[i]))
			return err_set (e, BX_USAGE, 0, "%s: a URL", w[i]);
		if (!is_glob (w[i])) {
			_cleanup_free_ char *p = NULL;
			if (asprintf (&p, "/%s", w[i]) < 0 || hash_source (b, h, p, e) < 0)
				return -1;
		} else if (hash_glob (b, h, "", w[i] + strspn (w[i], "/"), &found, e) < 0 || !found)
			return found ? -1 : err_set (e, BX_NOTFOUND, 0, "%s: no source files", w[i]);
	}
	return 0;
}

static int
key_copy (struct build *b, struct cache_step *c, struct bx_err *e)
{
	_cleanup_free_ char *from = NULL;
	char **w = calloc (b->in->nargs + 1, sizeof *w);
	struct hash_ctx h;
	int rc = w && b->in->nargs >= 2 ? key_start (b, c, &h, e) : -1;

	for (size_t i = 0; rc == 0 && i < b->in->nflags; i++) {
		_cleanup_free_ char *f = NULL;
		if ((rc = build_expand (b, b->in->flags[i], &f, e)) == 0)
			feeds (&h, "flag", f);
		if (rc == 0 && !strncmp (f, "--from=", 7))
			from = strdup (f + 7);
	}
	for (size_t i = 0; rc == 0 && i < b->in->nargs; i++)
		if ((rc = build_expand (b, b->in->args[i].s, &w[i], e)) == 0)
			feeds (&h, "word", w[i]);
	if (rc == 0 && (rc = feed_sources (b, &h, w, b->in->nargs, from, e)) == 0)
		key_end (&h, c);
	else if (w && b->in->nargs >= 2)
		hash_free (&h);
	for (size_t i = 0; w && i < b->in->nargs; i++)
		free (w[i]);
	free (w);
	return rc;
}

/* --- lookups and records --------------------------------------------------- */

static int
layers_present (struct build *b, json_t *layers)
{
	json_t *d;
	size_t i;

	json_array_foreach (
	    layers, i, d) if (!store_has_blob (&b->st, json_string_value (json_object_get (d, "digest")))) return 0;
	return 1;
}

/* the entry C->key into B: 1 a hit, 0 none (a broken one dropped) */
static int
lookup (struct build *b, struct cache_step *c)
{
	struct bcache_entry en;
	struct bx_err ign = {0};
	char id[DIGEST_STR_LEN + 1];
	json_t *cfg;

	if (b->o->no_cache || bcache_get (b->rootfd, c->key, &en, &ign) < 0)
		return 0;
	/* --cache-from: only a step of those images' chains is trusted */
	if (b->trusted && !json_object_get (b->trusted, en.id)) {
		bcache_entry_free (&en);
		return 0;
	}
	hash_buf (en.config, strlen (en.config), id);
	cfg = strcmp (id, en.id) == 0 && layers_present (b, en.layers) ? json_loads (en.config, 0, NULL) : NULL;
	/* torn, or its layers collected: a miss, and no entry to trip on */
	if (!json_is_object (cfg) || strcmp (en.parent, c->parent)) {
		json_decref (cfg);
		bcache_entry_free (&en);
		bcache_drop (b->rootfd, c->key);
		return 0;
	}
	json_decref (b->cfg);
	json_decref (b->layers);
	b->cfg = cfg;
	b->layers = steal_pointer (&en.layers);
	bcache_entry_free (&en);
	if (!b->o->quiet)
		printf (" ---> Using cache\n");
	progress_cached ();
	return 1;
}

static int
note_parent (const struct bcache_entry *en, void *arg)
{
	json_object_set_new (arg, en->id, json_string (en->parent));
	return 0;
}

/* the ids on the chains of the --cache-from images, as Docker 20.10's
 * classic builder trusts them: a name not in the store is skipped */
static void
trust (struct build *b)
{
	json_t *parents = json_object (), *v;
	struct bx_err ign = {0};
	size_t i;

	b->trusted = json_object ();
	bcache_each (b->rootfd, note_parent, parents, &ign);
	json_array_foreach (b->o->cachefrom, i, v)
	{
		struct image img = {0};
		const char *at;
		int depth = 0;
		if (store_image_load (&b->st, json_string_value (v), &img, &ign) == 0)
			for (at = img.config_digest; at && depth < 10000 && !json_object_get (b->trusted, at);
			     depth++) {
				json_object_set_new (b->trusted, at, json_true ());
				at = json_string_value (json_object_get (parents, at));
			}
		store_image_free (&img);
	}
	json_decref (parents);
}

void
cache_start (struct build *b, struct cache_step *c, int label)
{
	imgw_id (b, c->parent);
	c->key[0] = '\0';
	c->label = label;
}

int
cache_before (struct build *b, struct cache_step *c)
{
	const char *k = b->in->keyword;
	struct bx_err ign = {0};
	int rc;

	cache_start (b, c, 0);
	if (json_array_size (b->o->cachefrom) && !b->trusted)
		trust (b);
	if (!strcmp (k, "run"))
		rc = key_run (b, c, &ign);
	else if (!strcmp (k, "workdir"))
		rc = key_workdir (b, c, &ign);
	else if (!strcmp (k, "copy") || !strcmp (k, "add"))
		rc = key_copy (b, c, &ign);
	else
		return 0;
	/* a step whose key cannot be made (a missing source, a bad word) runs
	 * uncached, and tells the error its own way */
	if (rc < 0) {
		c->key[0] = '\0';
		return 0;
	}
	return lookup (b, c);
}

/* B's config without its dates: what a config-only step made */
static char *
undated (struct build *b)
{
	json_t *cfg = json_deep_copy (b->cfg), *h;
	char *out;
	size_t i;

	json_object_del (cfg, "created");
	json_array_foreach (json_object_get (cfg, "history"), i, h) json_object_del (h, "created");
	out = json_dumps (cfg, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref (cfg);
	return out;
}

int
cache_after_meta (struct build *b, struct cache_step *c, struct bx_err *e)
{
	_cleanup_free_ char *made = undated (b);
	struct hash_ctx h;

	if (!made)
		return err_set (e, BX_SYSTEM, ENOMEM, "build cache");
	if (key_start (b, c, &h, e) < 0)
		return -1;
	feeds (&h, "made", made);
	key_end (&h, c);
	if (lookup (b, c))
		return 1;
	return cache_record (b, c, e) < 0 ? -1 : 1;
}

int
cache_record (struct build *b, const struct cache_step *c, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	struct bcache_entry en = {.layers = b->layers};

	if (!c->key[0])
		return 0;
	if (!(text = json_dumps (b->cfg, JSON_COMPACT)))
		return err_set (e, BX_SYSTEM, ENOMEM, "build cache");
	memcpy (en.parent, c->parent, sizeof en.parent);
	hash_buf (text, strlen (text), en.id);
	en.config = text;
	return bcache_put (b->rootfd, c->key, &en, e);
}

int
cache_finish (struct build *b, struct bx_err *e)
{
	return cachefiles_save (b->files, e);
}

void
cache_free (struct build *b)
{
	cachefiles_free (b->files);
	json_decref (b->trusted);
	b->files = NULL;
	b->trusted = NULL;
}
