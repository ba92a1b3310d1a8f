/* cachefiles - a context's file digests, keyed by path, inode, size and
 * mtime (the key git's index and Docker's tarsum cache use) */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/hash.h"
#include "base/layout.h"
#include "cachefiles.h"

struct cachefiles {
	int rootfd;
	char name[DIGEST_HEX_LEN + 1]; /* build/files/<name> */
	json_t *files;                 /* path -> "ino size sec.nsec hex" */
	int dirty;
	int keep;
	time_t now;
};

static void
key_of (const struct stat *st, char *out, size_t len)
{
	snprintf (out, len, "%llu %lld %lld.%09ld", (unsigned long long)st->st_ino, (long long)st->st_size,
	          (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

static void
parse (struct cachefiles *cf, char *text)
{
	char *save = NULL;

	/* "ino size mtime hex path": the path last, it may hold blanks */
	for (char *l = strtok_r (text, "\n", &save); l; l = strtok_r (NULL, "\n", &save)) {
		char *p = l;
		for (int field = 0; field < 4 && p; field++)
			p = strchr (p, ' ') ? strchr (p, ' ') + 1 : NULL;
		if (p && *p)
			json_object_set_new (cf->files, p, json_stringn (l, (size_t)(p - l - 1)));
	}
}

struct cachefiles *
cachefiles_load (int rootfd, int ctxfd, int keep)
{
	struct cachefiles *cf = calloc (1, sizeof *cf);
	char fdpath[64], ctx[4096], digest[DIGEST_STR_LEN + 1], path[sizeof L_BUILD_FILES + DIGEST_HEX_LEN + 2];
	_cleanup_free_ char *text = NULL;
	struct bx_err ign = {0};
	ssize_t n;

	if (!cf || !(cf->files = json_object ()))
		return free (cf), NULL;
	cf->rootfd = rootfd;
	cf->keep = keep;
	cf->now = time (NULL);
	if (!keep)
		return cf;
	snprintf (fdpath, sizeof fdpath, "/proc/self/fd/%d", ctxfd);
	n = readlink (fdpath, ctx, sizeof ctx - 1);
	ctx[n > 0 ? n : 0] = '\0';
	hash_buf (ctx, strlen (ctx), digest);
	memcpy (cf->name, digest_hex (digest), sizeof cf->name);
	snprintf (path, sizeof path, "%s/%s", L_BUILD_FILES, cf->name);
	if (afile_slurp_at (rootfd, path, &text, NULL, &ign) == 0)
		parse (cf, text);
	return cf;
}

static int
hash_fd (int fd, char hex[DIGEST_HEX_LEN + 1], struct bx_err *e)
{
	struct hash_ctx c;
	char buf[65536], out[DIGEST_STR_LEN + 1];
	ssize_t n;

	if (hash_init (&c, e) < 0)
		return -1;
	while ((n = read (fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hash_free (&c);
			return err_set (e, BX_SYSTEM, errno, "read");
		}
		hash_update (&c, buf, (size_t)n);
	}
	hash_final (&c, out);
	memcpy (hex, digest_hex (out), DIGEST_HEX_LEN + 1);
	return 0;
}

int
cachefiles_known (struct cachefiles *cf, const char *path, const struct stat *st, char hex[DIGEST_HEX_LEN + 1])
{
	const char *known = json_string_value (json_object_get (cf->files, path));
	char key[128];
	size_t n;

	key_of (st, key, sizeof key);
	n = strlen (key);
	if (!known || strlen (known) != n + 1 + DIGEST_HEX_LEN || strncmp (known, key, n) || known[n] != ' ')
		return 0;
	memcpy (hex, known + n + 1, DIGEST_HEX_LEN + 1);
	return 1;
}

int
cachefiles_learn (struct cachefiles *cf, int fd, const char *path, const struct stat *st, char hex[DIGEST_HEX_LEN + 1],
                  struct bx_err *e)
{
	char key[128];

	if (hash_fd (fd, hex, e) < 0)
		return err_wrap (e, "%s", path);
	/* a file changed within the second it was read could change again
	 * with the same mtime (racy git): it is read again next time */
	if (st->st_mtim.tv_sec >= cf->now - 1)
		return 0;
	key_of (st, key, sizeof key);
	json_object_set_new (cf->files, path, json_sprintf ("%s %s", key, hex));
	cf->dirty = 1;
	return 0;
}

int
cachefiles_save (struct cachefiles *cf, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dir = -1;
	size_t len = 0;
	FILE *f;
	const char *k;
	json_t *v;

	if (!cf || !cf->dirty || !cf->keep)
		return 0;
	if (!(f = open_memstream (&text, &len)))
		return err_set (e, BX_SYSTEM, errno, "build cache");
	json_object_foreach (cf->files, k, v) if (!strchr (k, '\n')) fprintf (f, "%s %s\n", json_string_value (v), k);
	fclose (f);
	if (afile_mkdir_p_at (cf->rootfd, L_BUILD_FILES "/", 0700, e) < 0)
		return err_wrap (e, "build cache");
	if ((dir = openat (cf->rootfd, L_BUILD_FILES, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "build cache: %s", L_BUILD_FILES);
	/* concurrent builds of one context: the last table written wins, and
	 * a digest it lacks is only read again */
	if (afile_replace_at (dir, cf->name, text, len, 0600, e) < 0)
		return err_wrap (e, "build cache");
	cf->dirty = 0;
	return 0;
}

void
cachefiles_free (struct cachefiles *cf)
{
	if (!cf)
		return;
	json_decref (cf->files);
	free (cf);
}
