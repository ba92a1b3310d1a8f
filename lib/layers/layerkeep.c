/* layerkeep - the upper made into the extracted layer: moved in first
 * (one rename), trimmed there, then renamed to its name */
#include "layers/layerkeep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/tree.h"
#include "layers/unpack.h"

/* the mount points a run got, as lib/layers/layer.c leaves them out */
static int
layerkeep_is_mount_point (const char *path, const struct stat *st)
{
	static const char *const dirs[] = {"proc", "sys", "dev"};
	static const char *const files[] = {"etc/hosts", "etc/hostname", "etc/resolv.conf"};

	for (size_t i = 0; i < 3; i++) {
		if (S_ISDIR (st->st_mode) && strcmp (path, dirs[i]) == 0)
			return 1;
		if (S_ISREG (st->st_mode) && st->st_size == 0 && strcmp (path, files[i]) == 0)
			return 1;
	}
	return 0;
}

/* the xattrs a layer's tar carries (as layer.c's), and the opaque mark
 * overlayfs reads in the store */
static int
layerkeep_is_kept_xattr (const char *name)
{
	return strcmp (name, "security.capability") == 0 || strcmp (name, OVL_OPAQUE_TRUSTED) == 0 ||
	       (strncmp (name, "user.", 5) == 0 && strncmp (name, "user.overlay.", 13) != 0);
}

/* Drop PATH's other xattrs; *ORIGIN, *OPAQUE: what overlayfs had marked. */
static int
layerkeep_xattrs (const char *path, int *origin, int *opaque)
{
	char names[4096], val[4];
	ssize_t n = llistxattr (path, names, sizeof names);

	*origin = *opaque = 0;
	if (n < 0)
		return errno == ENOTSUP ? 0 : -1;
	for (char *x = names; x < names + n; x += strlen (x) + 1) {
		if (strcmp (x, "trusted.overlay.origin") == 0)
			*origin = 1;
		if (strcmp (x, OVL_OPAQUE_TRUSTED) == 0)
			*opaque = lgetxattr (path, x, val, sizeof val) == 1 && val[0] == 'y';
		if (!layerkeep_is_kept_xattr (x) && lremovexattr (path, x) < 0)
			return -1;
	}
	return 0;
}

static int layerkeep_trim (int dirfd, const char *prefix, int ran, size_t *left);

/* Trim the directory NAME of DIRFD; *GONE when it was only overlayfs's
 * (copied up, or a run's etc/, with nothing written in it). */
static int
layerkeep_trim_sub (int dirfd, const char *name, const char *path, const struct stat *st, int ran, int *gone)
{
	_cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *sub = NULL;
	char self[64];
	int origin, opaque;
	size_t left = 0;
	struct timespec ts[2] = {st->st_atim, st->st_mtim};

	*gone = 0;
	snprintf (self, sizeof self, "/proc/self/fd/%d", fd);
	if (fd < 0 || layerkeep_xattrs (self, &origin, &opaque) < 0 || asprintf (&sub, "%s/", path) < 0 ||
	    layerkeep_trim (fd, sub, ran, &left) < 0)
		return -1;
	if (ran && left == 0 && !opaque && (origin || strcmp (path, "etc") == 0)) {
		*gone = 1;
		return unlinkat (dirfd, name, AT_REMOVEDIR);
	}
	/* what the trim removed must not show in the directory's mtime */
	return futimens (fd, ts);
}

static int
layerkeep_trim (int dirfd, const char *prefix, int ran, size_t *left)
{
	int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close (fd);
		return -1;
	}
	while ((de = readdir (d))) {
		_cleanup_free_ char *path = NULL;
		char self[PATH_MAX];
		struct stat st;
		int gone = 0, origin, opaque;

		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
			continue;
		if (asprintf (&path, "%s%s", prefix, de->d_name) < 0 ||
		    fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		snprintf (self, sizeof self, "/proc/self/fd/%d/%s", dirfd, de->d_name);
		if (ran && layerkeep_is_mount_point (path, &st))
			gone = 1, tree_remove_at (dirfd, de->d_name);
		else if (S_ISDIR (st.st_mode)) {
			if (layerkeep_trim_sub (dirfd, de->d_name, path, &st, ran, &gone) < 0)
				return -1;
		} else if (!TREE_IS_WHITEOUT (&st) && layerkeep_xattrs (self, &origin, &opaque) < 0)
			return -1;
		*left += !gone;
	}
	return 0;
}

/* Move DIR/upper to layers/TMP and make it the layer's tree. */
static int
layerkeep_move (int rootfd, int layers, const char *dir, const char *tmp, int ran, struct bx_err *e)
{
	char upper[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t left = 0;

	snprintf (upper, sizeof upper, "%s/upper", dir);
	if (renameat (rootfd, upper, layers, tmp) < 0)
		return errno == EXDEV ? 0 : err_set (e, BX_SYSTEM, errno, "rename %s to %s/%s", upper, L_LAYERS, tmp);
	fd = openat (layers, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || layerkeep_trim (fd, "", ran, &left) < 0 || fchmod (fd, 0755) < 0 || syncfs (fd) < 0) {
		err_set (e, BX_SYSTEM, errno, "%s/%s", L_LAYERS, tmp);
		tree_remove_at (layers, tmp);
		return -1;
	}
	return 1;
}

int
layerkeep_upper (int rootfd, const char *dir, int ran, const char diff_id[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	const char *hex = digest_hex (diff_id);
	char lockname[DIGEST_HEX_LEN + 8], tmp[DIGEST_HEX_LEN + 32];
	_cleanup_close_ int layers = -1, lk = -1;
	struct stat st;
	int rc;

	/* rootless overlayfs marks in user.* xattrs: not handled here */
	if (geteuid () != 0)
		return 0;
	if (mkdirat (rootfd, L_LAYERS, 0700) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", L_LAYERS);
	if ((layers = openat (rootfd, L_LAYERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "open %s", L_LAYERS);
	snprintf (lockname, sizeof lockname, "%s" L_LAYER_LOCK, hex);
	if ((lk = lock_take_at (layers, lockname, LOCK_WAIT, e)) < 0)
		return -1;
	if (fstatat (layers, hex, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	snprintf (tmp, sizeof tmp, "%s.tmp-%d", hex, (int)getpid ());
	if ((rc = layerkeep_move (rootfd, layers, dir, tmp, ran, e)) <= 0)
		return rc;
	if (renameat (layers, tmp, layers, hex) < 0) {
		rc = err_set (e, BX_SYSTEM, errno, "rename %s/%s", L_LAYERS, tmp);
		tree_remove_at (layers, tmp);
		return rc;
	}
	return fsync (layers) < 0 ? err_set (e, BX_SYSTEM, errno, "fsync %s", L_LAYERS) : 1;
}
