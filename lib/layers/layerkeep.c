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
#include "layers/rootfs.h"
#include "layers/unpack.h"

int
layerkeep_skipped (void *arg, const char *path)
{
	struct layerkeep *k = arg;
	char **v = realloc (k->paths, (k->n + 1) * sizeof *v);

	if (!v)
		return -1;
	k->paths = v;
	if (!(v[k->n] = strdup (path)))
		return -1;
	k->n++;
	return 0;
}

void
layerkeep_free (struct layerkeep *k)
{
	for (size_t i = 0; i < k->n; i++)
		free (k->paths[i]);
	free (k->paths);
	k->paths = NULL;
	k->n = 0;
}

/* the xattrs a layer's tar carries (as layer.c's), and the opaque mark
 * overlayfs reads in the store */
static int
layerkeep_is_kept_xattr (const char *name)
{
	return strcmp (name, "security.capability") == 0 || strcmp (name, OVL_OPAQUE_TRUSTED) == 0 ||
	       (strncmp (name, "user.", 5) == 0 && strncmp (name, "user.overlay.", 13) != 0);
}

/* Drop PATH's xattrs the tar does not carry (overlayfs's bookkeeping) */
static int
layerkeep_xattrs (const char *path)
{
	char names[4096];
	ssize_t n = llistxattr (path, names, sizeof names);

	if (n < 0)
		return errno == ENOTSUP ? 0 : -1;
	for (char *x = names; x < names + n; x += strlen (x) + 1)
		if (!layerkeep_is_kept_xattr (x) && lremovexattr (path, x) < 0)
			return -1;
	return 0;
}

/* every entry under DIRFD, whiteouts aside (they have none to drop) */
static int
layerkeep_strip (int dirfd)
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
		char self[PATH_MAX];
		struct stat st;

		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
			continue;
		if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		snprintf (self, sizeof self, "/proc/self/fd/%d/%s", dirfd, de->d_name);
		if (!TREE_IS_WHITEOUT (&st) && layerkeep_xattrs (self) < 0)
			return -1;
		if (S_ISDIR (st.st_mode)) {
			_cleanup_close_ int sub =
			    openat (dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 || layerkeep_strip (sub) < 0)
				return -1;
		}
	}
	return 0;
}

/* Remove PATH (as the writer walked it: no symlinks on the way) from
 * DIRFD, its parent's mtime kept: the tar has the parent as it was. */
static int
layerkeep_drop (int dirfd, const char *path)
{
	_cleanup_free_ char *parent = strdup (path);
	char *slash = parent ? strrchr (parent, '/') : NULL;
	_cleanup_close_ int pfd = -1;
	struct stat st;

	if (!parent)
		return -1;
	if (slash)
		*slash = '\0';
	pfd = openat (dirfd, slash ? parent : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0 || fstat (pfd, &st) < 0)
		return -1;
	tree_remove_at (pfd, slash ? slash + 1 : path);
	return futimens (pfd, (struct timespec[2]){st.st_atim, st.st_mtim});
}

/* Move DIR/upper to layers/TMP and make it the layer's tree. */
static int
layerkeep_move (int rootfd, int layers, const char *dir, const char *tmp, const struct layerkeep *k, struct bx_err *e)
{
	char upper[PATH_MAX];
	_cleanup_close_ int fd = -1;
	int rc = 0;

	snprintf (upper, sizeof upper, "%s/upper", dir);
	if (renameat (rootfd, upper, layers, tmp) < 0)
		return errno == EXDEV ? 0 : err_set (e, BX_SYSTEM, errno, "rename %s to %s/%s", upper, L_LAYERS, tmp);
	fd = openat (layers, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	snprintf (upper, sizeof upper, "/proc/self/fd/%d/.", fd);
	for (size_t i = 0; fd >= 0 && rc == 0 && i < k->n; i++)
		rc = layerkeep_drop (fd, k->paths[i]);
	if (fd < 0 || rc < 0 || layerkeep_xattrs (upper) < 0 || layerkeep_strip (fd) < 0 || fchmod (fd, 0755) < 0 ||
	    syncfs (fd) < 0) {
		err_set (e, BX_SYSTEM, errno, "%s/%s", L_LAYERS, tmp);
		tree_remove_at (layers, tmp);
		return -1;
	}
	return 1;
}

int
layerkeep_upper (int rootfd, const char *dir, const struct layerkeep *k, const char diff_id[DIGEST_STR_LEN + 1],
                 struct bx_err *e)
{
	const char *hex = digest_hex (diff_id);
	char lockname[DIGEST_HEX_LEN + 8], tmp[DIGEST_HEX_LEN + 32];
	_cleanup_close_ int layers = -1, lk = -1;
	struct stat st;
	int rc;

	/* rootless overlayfs marks in user.* xattrs: not handled here */
	if (rootfs_userxattr ())
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
	if ((rc = layerkeep_move (rootfd, layers, dir, tmp, k, e)) <= 0)
		return rc;
	/* the rename is not synced (a device flush a step): one a crash loses
	 * leaves the layer to be extracted from its blob when next needed, as
	 * a pulled image's is; the tree's sync made the blob durable too */
	if (renameat (layers, tmp, layers, hex) < 0) {
		rc = err_set (e, BX_SYSTEM, errno, "rename %s/%s", L_LAYERS, tmp);
		tree_remove_at (layers, tmp);
		return rc;
	}
	return 1;
}
