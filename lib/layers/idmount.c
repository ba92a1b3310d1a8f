/* idmount - idmapped mounts (idmount.h) */
#include "layers/idmount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/root.h"

int
idmount_clone (const char *path, int userns, struct bx_err *e)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (__u64)userns};
	int fd = open_tree (AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "open_tree %s", path);
	if (mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
		int err = errno;
		close (fd);
		if (err == EINVAL) /* the file system (or the kernel) has no idmapped mounts */
			return err_set (e, BX_FAIL, 0, "idmapped mount of %s: not supported here", path);
		/* rootless: the user's namespace may not idmap a file system
		 * of the host's (CAP_SYS_ADMIN over its owner): as unsupported */
		if (err == EPERM && root_is_rootless ())
			return err_set (e, BX_FAIL, 0, "idmapped mount of %s: not permitted in the user's namespace",
			                path);
		return err_set (e, BX_SYSTEM, err, "idmapped mount of %s", path);
	}
	return fd;
}
