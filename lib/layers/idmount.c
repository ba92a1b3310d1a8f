/* idmount - idmapped mounts (idmount.h) */
#include "layers/idmount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"

static int
idmount_write_map (pid_t pid, const char *which, const struct idmap *m, struct bx_err *e)
{
	char path[64], buf[IDMAP_MAX * 36];
	_cleanup_close_ int fd = -1;
	int len = idmap_format (m, buf, sizeof buf);

	snprintf (path, sizeof path, "/proc/%d/%s", (int)pid, which);
	if (len <= 0)
		return err_set (e, BX_USAGE, 0, "%s: no mapping", which);
	if ((fd = open (path, O_WRONLY | O_CLOEXEC)) < 0 || write (fd, buf, (size_t)len) != len)
		return err_set (e, BX_SYSTEM, errno, "write %s", path);
	return 0;
}

/* The child: unshare, say so, wait for the parent's end of GO to close */
static void __attribute__ ((noreturn)) idmount_child (int ready, int go)
{
	char c = 0;

	prctl (PR_SET_PDEATHSIG, SIGKILL);
	if (unshare (CLONE_NEWUSER) < 0)
		_exit (1);
	if (write (ready, &c, 1) != 1)
		_exit (1);
	while (read (go, &c, 1) < 0 && errno == EINTR)
		;
	_exit (0);
}

static int
idmount_maps_open (pid_t pid, int ready, const struct idmap *uid, const struct idmap *gid, struct bx_err *e)
{
	char c, path[64];
	int fd;

	if (read (ready, &c, 1) != 1)
		return err_set (e, BX_SYSTEM, 0, "user namespace: the helper failed to unshare");
	if (idmount_write_map (pid, "uid_map", uid, e) < 0 || idmount_write_map (pid, "gid_map", gid, e) < 0)
		return err_wrap (e, "user namespace");
	snprintf (path, sizeof path, "/proc/%d/ns/user", (int)pid);
	if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "open %s", path);
	return fd;
}

int
idmount_userns (const struct idmap *uid, const struct idmap *gid, struct bx_err *e)
{
	int ready[2], go[2], fd;
	pid_t pid;

	if (pipe2 (ready, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "pipe");
	if (pipe2 (go, O_CLOEXEC) < 0) {
		close (ready[0]), close (ready[1]);
		return err_set (e, BX_SYSTEM, errno, "pipe");
	}
	if ((pid = fork ()) == 0) {
		close (ready[0]), close (go[1]);
		idmount_child (ready[1], go[0]);
	}
	close (ready[1]), close (go[0]);
	fd = pid < 0 ? err_set (e, BX_SYSTEM, errno, "fork") : idmount_maps_open (pid, ready[0], uid, gid, e);
	close (ready[0]), close (go[1]);
	while (pid > 0 && waitpid (pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}

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
			return err_set (e, BX_FAIL, 0,
			                "idmapped mount of %s: not supported here; a remapped container's copy of the "
			                "layers: not implemented",
			                path);
		return err_set (e, BX_SYSTEM, err, "idmapped mount of %s", path);
	}
	return fd;
}
