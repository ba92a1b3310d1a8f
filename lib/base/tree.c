#include "base/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"

int
tree_open_in_root (int root, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
	    .flags = (unsigned)flags | O_CLOEXEC,
	    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd, tries = 0;

	/* RESOLVE_IN_ROOT fails with EAGAIN when a rename raced the walk;
	 * the kernel asks us to retry (openat2 (2)) */
	do
		fd = (int)syscall (SYS_openat2, root, *path ? path : ".", &how, sizeof how);
	while (fd < 0 && errno == EAGAIN && ++tries < 1000);
	return fd;
}

/* FD's device in *DEV; 1 when FD is the root of a mount (a bind mount of
 * the same file system has the same device: only statx tells it apart) */
static int
mount_of (int fd, dev_t *dev)
{
	struct statx sx;

	if (statx (fd, "", AT_EMPTY_PATH, STATX_TYPE, &sx) < 0)
		return -1;
	*dev = makedev (sx.stx_dev_major, sx.stx_dev_minor);
	return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int remove_dir (int dirfd, const char *name, const dev_t *dev);

/* the entries of the directory FD (which this takes), none left on DEV */
static int
empty_dir (int fd, dev_t dev)
{
	_cleanup_dir_ DIR *d = fdopendir (fd);
	struct dirent *de;
	int err = 0;

	if (!d) {
		err = errno;
		close (fd);
		errno = err;
		return -1;
	}
	while ((errno = 0, de = readdir (d))) {
		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
			continue;
		/* the type readdir gives spares a directory the unlink that fails */
		if (de->d_type != DT_DIR && (unlinkat (dirfd (d), de->d_name, 0) == 0 || errno == ENOENT))
			continue;
		if (de->d_type != DT_DIR && errno != EISDIR && errno != EPERM) {
			err = err ? err : errno;
			continue;
		}
		if (remove_dir (dirfd (d), de->d_name, &dev) < 0 && !err)
			err = errno;
	}
	if (errno && !err)
		err = errno;
	errno = err;
	return err ? -1 : 0;
}

/* DIRFD/NAME, a directory on *DEV (NULL: on its own device, not a mount's root) */
static int
remove_dir (int dirfd, const char *name, const dev_t *dev)
{
	int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), root, err;
	dev_t own;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if ((root = mount_of (fd, &own)) != 0 || (dev && own != *dev)) {
		err = root < 0 ? errno : EBUSY;
		close (fd);
		errno = err;
		return -1;
	}
	if (empty_dir (fd, own) < 0)
		return -1;
	if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int
tree_empty (int fd)
{
	int dfd = dup (fd);
	dev_t dev;

	if (dfd < 0)
		return -1;
	if (mount_of (dfd, &dev) < 0) {
		int err = errno;
		close (dfd);
		errno = err;
		return -1;
	}
	return empty_dir (dfd, dev);
}

int
tree_remove_at (int dirfd, const char *name)
{
	if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	return remove_dir (dirfd, name, NULL);
}

void
tree_sweep_dead (int dirfd, const char *prefix)
{
	int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	size_t n = strlen (prefix);
	struct dirent *de;

	if (!d && fd >= 0)
		close (fd);
	while (d && (de = readdir (d))) {
		char *end;
		long pid = strtol (de->d_name + n, &end, 10);
		if (strncmp (de->d_name, prefix, n) || !de->d_name[n] || (*end && *end != '.') || pid <= 0)
			continue;
		if (kill ((pid_t)pid, 0) < 0 && errno == ESRCH)
			tree_remove_at (dirfd, de->d_name);
	}
}

uint64_t
tree_bytes_at (int at, const char *name, dev_t dev)
{
	int fd = openat (at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;
	struct stat st;
	uint64_t sum = 0;

	if (!d) {
		if (fd >= 0)
			close (fd);
		return 0;
	}
	while ((de = readdir (d))) {
		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, "..") ||
		    fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR (st.st_mode) && st.st_dev == dev)
			sum += tree_bytes_at (dirfd (d), de->d_name, dev);
		else if (S_ISREG (st.st_mode))
			sum += (uint64_t)st.st_size;
	}
	return sum;
}
