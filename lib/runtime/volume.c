#include "runtime/volume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/layout.h"
#include "base/tree.h"
#include "layers/flatten.h"
#include "layers/rootfs.h"
#include "runtime/ctr.h"

int
volume_check_name (const char *name, struct bx_err *e)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (i > 0 && (c == '_' || c == '.' || c == '-'))))
			break;
	}
	if (name[i] || i < 2 || i > 255)
		return err_set (e, BX_USAGE, 0,
		                "create %s: \"%s\" includes invalid characters for a local volume name, only "
		                "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
		                "directory, use absolute path",
		                name, name);
	return 0;
}

/* Copy the image's directory ROOTFS/DEST (if it is one) into DATA, its
 * owner and mode too. */
static int
prefill (int rootfs, const char *dest, int data, struct bx_err *e)
{
	_cleanup_close_ int src = tree_open_in_root (rootfs, dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	static const char *const self[] = {"."};
	struct stat st;

	if (src < 0)
		return 0; /* nothing there (or not a directory): an empty volume */
	if (fstat (src, &st) < 0)
		return err_set (e, BX_SYSTEM, errno, "stat %s", dest);
	if (fchown (data, st.st_uid, st.st_gid) < 0 || fchmod (data, st.st_mode & 07777) < 0)
		return err_set (e, BX_SYSTEM, errno, "volume data");
	if (flatten_layers (src, self, 1, data, rootfs_opaque_xattr (), e) < 0)
		return err_wrap (e, "copy %s", dest);
	return 0;
}

/* Build volumes/NAME.tmp-PID/_data, filled; TMP gets its name. */
static int
volume_build (int vols, const char *name, int rootfs, const char *dest, char *tmp, size_t len, struct bx_err *e)
{
	_cleanup_close_ int dir = -1, data = -1;

	snprintf (tmp, len, "%s.tmp-%d", name, (int)getpid ());
	tree_remove_at (vols, tmp);
	if (mkdirat (vols, tmp, 0701) < 0 || (dir = openat (vols, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    mkdirat (dir, "_data", 0755) < 0 || (data = openat (dir, "_data", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "volume %s", name);
	if (prefill (rootfs, dest, data, e) < 0)
		return err_wrap (e, "volume %s", name);
	return 0;
}

static int
data_path (int rootfd, const char *name, char *path, size_t len, struct bx_err *e)
{
	char link[64], root[4096];
	ssize_t n;

	snprintf (link, sizeof link, "/proc/self/fd/%d", rootfd);
	if ((n = readlink (link, root, sizeof root - 1)) < 0)
		return err_set (e, BX_SYSTEM, errno, "state directory");
	root[n] = '\0';
	if ((size_t)snprintf (path, len, "%s/" L_VOLUMES "/%s/_data", root, name) >= len)
		return err_set (e, BX_USAGE, ENAMETOOLONG, "volume %s", name);
	return 0;
}

int
volume_ensure (int rootfd, const char *name, int rootfs, const char *dest, char *path, size_t len, int *created,
               struct bx_err *e)
{
	_cleanup_close_ int vols = -1;
	char tmp[512];
	struct stat st;

	if (created)
		*created = 0;
	if (volume_check_name (name, e) < 0 || data_path (rootfd, name, path, len, e) < 0)
		return -1;
	if (mkdirat (rootfd, L_VOLUMES, 0701) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "mkdir " L_VOLUMES);
	if ((vols = openat (rootfd, L_VOLUMES, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, L_VOLUMES);
	if (fstatat (vols, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (volume_build (vols, name, rootfs, dest, tmp, sizeof tmp, e) < 0) {
		tree_remove_at (vols, tmp);
		return -1;
	}
	if (renameat (vols, tmp, vols, name) < 0) {
		int sys = errno;
		tree_remove_at (vols, tmp);
		/* made by someone else meanwhile: theirs is as good */
		if (sys == EEXIST || sys == ENOTEMPTY)
			return 0;
		return err_set (e, BX_SYSTEM, sys, "volume %s", name);
	}
	if (created)
		*created = 1;
	return 0;
}

int
volume_of_source (const char *root, const char *source, char *buf, size_t len)
{
	size_t rl = strlen (root), vl = strlen ("/" L_VOLUMES "/");
	const char *p = source + rl + vl, *slash;

	if (strncmp (source, root, rl) || strncmp (source + rl, "/" L_VOLUMES "/", vl))
		return 0;
	if (!(slash = strchr (p, '/')) || strcmp (slash, "/_data"))
		return 0;
	snprintf (buf, len, "%.*s", (int)(slash - p), p);
	return 1;
}

int
volume_is_anonymous (const char *name)
{
	return strlen (name) == CTR_ID_LEN && strspn (name, "0123456789abcdef") == CTR_ID_LEN;
}
