#include "netfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"

int
netfile_write_at (int dirfd, const char *name, const char *text, struct bx_err *e)
{
	char tmp[256];
	int fd, err = 0;

	snprintf (tmp, sizeof tmp, "%s.tmp-%d", name, (int)getpid ());
	fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "write %s", name);
	if (write_all (fd, text, strlen (text)) < 0)
		err = errno;
	if (close (fd) < 0 && !err)
		err = errno;
	if (!err && renameat (dirfd, tmp, dirfd, name) < 0)
		err = errno;
	if (err) {
		unlinkat (dirfd, tmp, 0);
		return err_set (e, BX_SYSTEM, err, "write %s", name);
	}
	return 0;
}
