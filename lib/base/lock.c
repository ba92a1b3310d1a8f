#include "base/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

int
lock_take_at (int dirfd, const char *name, int flags, struct bx_err *e)
{
	int op = (flags & LOCK_SHARED) ? LOCK_SH : LOCK_EX;
	int fd = openat (dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "open lock %s", name);
	if (flags & LOCK_TRY)
		op |= LOCK_NB;
	while (flock (fd, op) < 0) {
		int err = errno;
		if (err == EINTR)
			continue;
		close (fd);
		if (err == EWOULDBLOCK)
			return err_set (e, BX_CONFLICT, 0, "%s is locked by another process", name);
		return err_set (e, BX_SYSTEM, err, "lock %s", name);
	}
	return fd;
}

int
lock_is_held_at (int dirfd, const char *name)
{
	int held, fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	held = flock (fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close (fd);
	return held;
}
