#include "base/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
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

int
tree_empty (int fd)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	int dfd = dup (fd), err = 0;

	if (dfd < 0 || !(d = fdopendir (dfd))) {
		err = errno;
		if (dfd >= 0)
			close (dfd);
		errno = err;
		return -1;
	}
	while ((de = readdir (d))) {
		if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
			continue;
		if (tree_remove_at (fd, de->d_name) < 0 && !err)
			err = errno;
	}
	errno = err;
	return err ? -1 : 0;
}

int
tree_remove_at (int dirfd, const char *name)
{
	_cleanup_close_ int fd = -1;

	if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (tree_empty (fd) < 0)
		return -1;
	if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -1;
	return 0;
}
