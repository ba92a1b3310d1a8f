#include "layers/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/idmap.h"
#include "base/layout.h"
#include "layers/idmount.h"

/* The kernel's own words on a failed fsconfig ("e overlayfs: ..."). */
static int
fs_err (int fs, int sys, const char *what, struct bx_err *e)
{
	char log[512];
	ssize_t n = read (fs, log, sizeof log - 1);

	if (n > 2) {
		log[n] = '\0';
		log[strcspn (log, "\n")] = '\0';
		return err_set (e, BX_SYSTEM, sys, "mount overlay: %s: %s", what, log + 2);
	}
	return err_set (e, BX_SYSTEM, sys, "mount overlay: %s", what);
}

static int
set_str (int fs, const char *key, const char *val, struct bx_err *e)
{
	if (fsconfig (fs, FSCONFIG_SET_STRING, key, val, 0) < 0)
		return fs_err (fs, errno, key, e);
	return 0;
}

/* 1 when the new mount API or lowerdir+ is missing: try mount (2) */
static int
mount_new (const char *layers, const char *const *lower, size_t n, const char *upper, const char *work,
           const char *target, int flags, struct bx_err *e)
{
	_cleanup_close_ int fs = fsopen ("overlay", FSOPEN_CLOEXEC), mfd = -1;
	char path[4096];

	if (fs < 0)
		return errno == ENOSYS ? 1 : err_set (e, BX_SYSTEM, errno, "mount overlay: fsopen");
	for (size_t i = 0; i < n; i++) {
		snprintf (path, sizeof path, "%s/%s", layers, lower[i]);
		if (fsconfig (fs, FSCONFIG_SET_STRING, "lowerdir+", path, 0) < 0)
			return i == 0 && errno == EINVAL ? 1 : fs_err (fs, errno, path, e);
	}
	if (set_str (fs, "upperdir", upper, e) < 0 || set_str (fs, "workdir", work, e) < 0)
		return -1;
	/* the inode index ties a lower layer to one upper; layers are shared */
	if (set_str (fs, "index", "off", e) < 0)
		return -1;
	if ((flags & OVERLAY_USERXATTR) && fsconfig (fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return fs_err (fs, errno, "userxattr", e);
	/* a kernel without it syncs as ever */
	if ((flags & OVERLAY_VOLATILE) && fsconfig (fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0 && errno != EINVAL)
		return fs_err (fs, errno, "volatile", e);
	if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_err (fs, errno, "create", e);
	if ((mfd = fsmount (fs, FSMOUNT_CLOEXEC, 0)) < 0)
		return fs_err (fs, errno, "fsmount", e);
	if (move_mount (mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return err_set (e, BX_SYSTEM, errno, "mount overlay on %s", target);
	return 0;
}

static int
mount_old (const char *layers, const char *const *lower, size_t n, const char *upper, const char *work,
           const char *target, int flags, struct bx_err *e)
{
	char opts[4096];
	size_t len = 0;
	_cleanup_close_ int cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc, err;

	len = (size_t)snprintf (opts, sizeof opts, "lowerdir=");
	for (size_t i = 0; i < n && len < sizeof opts; i++)
		len += (size_t)snprintf (opts + len, sizeof opts - len, "%s%s", i ? ":" : "", lower[i]);
	if (len < sizeof opts)
		len += (size_t)snprintf (opts + len, sizeof opts - len, ",upperdir=%s,workdir=%s,index=off%s", upper,
		                         work, (flags & OVERLAY_USERXATTR) ? ",userxattr" : "");
	if (len >= sizeof opts)
		return err_set (e, BX_FAIL, 0, "mount overlay: %zu layers do not fit in the mount options", n);
	if (strpbrk (upper, ",:") || strpbrk (work, ",:"))
		return err_set (e, BX_USAGE, 0, "mount overlay: %s: ',' or ':' in a path", upper);
	/* relative lowerdirs keep the options short (containerd does this) */
	if (cwd < 0 || chdir (layers) < 0)
		return err_set (e, BX_SYSTEM, errno, "mount overlay: chdir %s", layers);
	rc = mount ("overlay", target, "overlay", 0, opts);
	err = errno;
	if (fchdir (cwd) < 0 && rc == 0)
		err = errno;
	if (rc < 0)
		return err_set (e, BX_SYSTEM, err, "mount overlay on %s", target);
	return 0;
}

int
overlay_mount (const char *layers, const char *const *lower, size_t n, const char *upper, const char *work,
               const char *target, int flags, struct bx_err *e)
{
	int r = mount_new (layers, lower, n, upper, work, target, flags, e);

	if (r <= 0)
		return r;
	return mount_old (layers, lower, n, upper, work, target, flags, e);
}

/* The idmapped clones live until the superblock is made: overlayfs takes
 * its private copies of them then, and a clone whose last fd is closed is
 * unmounted. FDS holds N + 1 of them, -1 when not made. */
static void
idmapped_close (int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close (fds[i]);
}

static int
idmapped_layers (int fs, const char *layers, const char *const *lower, size_t n, int userns, int *fds, struct bx_err *e)
{
	char path[4096];

	for (size_t i = 0; i < n; i++) {
		snprintf (path, sizeof path, "%s/%s", layers, lower[i]);
		if ((fds[i] = idmount_clone (path, userns, e)) < 0)
			return -1;
		if (fsconfig (fs, FSCONFIG_SET_FD, "lowerdir+", NULL, fds[i]) < 0) {
			if (i == 0 && errno == EINVAL) /* before Linux 6.13 */
				return err_set (e, BX_FAIL, 0, "mount overlay: this kernel takes no layers by fd");
			return fs_err (fs, errno, path, e);
		}
	}
	return 0;
}

static int
idmapped_upper (int fs, const char *bundle, int userns, int *tree, struct bx_err *e)
{
	_cleanup_close_ int upper = -1, work = -1;

	if ((*tree = idmount_clone (bundle, userns, e)) < 0)
		return -1;
	if ((upper = openat (*tree, L_UPPER, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (work = openat (*tree, L_WORK, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s: upper, work", bundle);
	if (fsconfig (fs, FSCONFIG_SET_FD, "upperdir", NULL, upper) < 0)
		return fs_err (fs, errno, "upperdir", e);
	if (fsconfig (fs, FSCONFIG_SET_FD, "workdir", NULL, work) < 0)
		return fs_err (fs, errno, "workdir", e);
	return 0;
}

static int
idmapped_create (int fs, unsigned root_uid, unsigned root_gid, struct bx_err *e)
{
	int rc = 0, err;

	if (idmap_fsids (root_uid, root_gid) < 0)
		rc = err_set (e, BX_SYSTEM, errno, "mount overlay: fsuid %u", root_uid);
	else if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		err = errno;
		rc = fs_err (fs, err, "create", e);
	}
	idmap_fsids (0, 0);
	return rc;
}

static int
idmapped_super (int fs, const char *layers, const char *const *lower, size_t n, const char *bundle, int userns,
                unsigned root_uid, unsigned root_gid, struct bx_err *e)
{
	_cleanup_free_ int *fds = malloc ((n + 1) * sizeof *fds);
	int rc;

	if (!fds)
		return err_set (e, BX_SYSTEM, ENOMEM, "mount overlay");
	for (size_t i = 0; i <= n; i++)
		fds[i] = -1;
	rc = idmapped_layers (fs, layers, lower, n, userns, fds, e);
	if (rc == 0)
		rc = idmapped_upper (fs, bundle, userns, &fds[n], e);
	if (rc == 0 && (rc = set_str (fs, "index", "off", e)) == 0)
		rc = idmapped_create (fs, root_uid, root_gid, e);
	idmapped_close (fds, n + 1);
	return rc;
}

int
overlay_mount_idmapped (const char *layers, const char *const *lower, size_t n, const char *bundle, const char *target,
                        int userns, unsigned root_uid, unsigned root_gid, struct bx_err *e)
{
	_cleanup_close_ int fs = fsopen ("overlay", FSOPEN_CLOEXEC), mfd = -1;

	if (fs < 0)
		return err_set (e, BX_SYSTEM, errno, "mount overlay: fsopen");
	if (idmapped_super (fs, layers, lower, n, bundle, userns, root_uid, root_gid, e) < 0)
		return -1;
	if ((mfd = fsmount (fs, FSMOUNT_CLOEXEC, 0)) < 0)
		return fs_err (fs, errno, "fsmount", e);
	if (move_mount (mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return err_set (e, BX_SYSTEM, errno, "mount overlay on %s", target);
	return 0;
}

int
overlay_unmount (const char *target, struct bx_err *e)
{
	int m = overlay_is_mountpoint (target);

	if (m < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "%s", target);
	if (m == 0)
		return 0;
	/* detached, as Docker does: a process still inside keeps its view */
	if (umount2 (target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		return err_set (e, BX_SYSTEM, errno, "unmount %s", target);
	return 0;
}

int
overlay_is_mountpoint (const char *path)
{
	struct statx sx;
	struct stat a, b;
	char parent[4096];

	if (statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) < 0)
		return -1;
	if (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		return (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	snprintf (parent, sizeof parent, "%s/..", path);
	if (lstat (path, &a) < 0 || stat (parent, &b) < 0)
		return -1;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}
