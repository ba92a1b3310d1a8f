/* layergc - the sweep of layers/ and of their per-range copies
 * (idcopies/, lib/layers/idcopy): a directory is counted, then removed */
#include "layers/layergc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/layout.h"
#include "base/tree.h"

/* 1 when D's entry DE is a layer's tree (<hex>/) that LIVE lacks */
static int
is_dead_layer (DIR *d, const struct dirent *de, json_t *live, struct stat *sb)
{
	char digest[DIGEST_STR_LEN + 1];

	if (!digest_is_hex (de->d_name) || fstatat (dirfd (d), de->d_name, sb, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR (sb->st_mode))
		return 0;
	snprintf (digest, sizeof digest, "sha256:%s", de->d_name);
	return !json_object_get (live, digest);
}

/* idcopies/KEY/: the copies of dead layers and their locks, then KEY/
 * itself once empty */
static int
sweep_copies_of (int at, const char *key, json_t *live, struct layergc_stats *st, struct bx_err *e)
{
	int fd = openat (at, key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;
	struct stat sb;
	char lock[DIGEST_HEX_LEN + sizeof L_LAYER_LOCK];

	if (!d) {
		if (fd >= 0)
			close (fd);
		return 0;
	}
	while ((de = readdir (d))) {
		if (!is_dead_layer (d, de, live, &sb))
			continue;
		st->bytes += tree_bytes_at (dirfd (d), de->d_name, sb.st_dev);
		if (tree_remove_at (dirfd (d), de->d_name) < 0)
			return err_set (e, BX_SYSTEM, errno, "%s/%s/%s: remove", L_IDCOPIES, key, de->d_name);
		snprintf (lock, sizeof lock, "%s" L_LAYER_LOCK, de->d_name);
		unlinkat (dirfd (d), lock, 0);
	}
	unlinkat (at, key, AT_REMOVEDIR); /* kept while it holds a copy */
	return 0;
}

static int
sweep_copies (int rootfd, json_t *live, struct layergc_stats *st, struct bx_err *e)
{
	int fd = openat (rootfd, L_IDCOPIES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close (fd);
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "%s", L_IDCOPIES);
	}
	while ((de = readdir (d)))
		if (de->d_name[0] != '.' && sweep_copies_of (dirfd (d), de->d_name, live, st, e) < 0)
			return -1;
	return 0;
}

int
layergc_sweep (int rootfd, json_t *live, struct layergc_stats *st, struct bx_err *e)
{
	int fd = openat (rootfd, L_LAYERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;
	struct stat sb;

	memset (st, 0, sizeof *st);
	if (sweep_copies (rootfd, live, st, e) < 0)
		return -1;
	if (!d) {
		if (fd >= 0)
			close (fd);
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "%s", L_LAYERS);
	}
	while ((de = readdir (d))) {
		uint64_t size;
		if (!is_dead_layer (d, de, live, &sb))
			continue;
		size = tree_bytes_at (dirfd (d), de->d_name, sb.st_dev);
		if (tree_remove_at (dirfd (d), de->d_name) < 0)
			return err_set (e, BX_SYSTEM, errno, "%s/%s: remove", L_LAYERS, de->d_name);
		st->layers++;
		st->bytes += size;
	}
	return 0;
}
