#include "base/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"

int
afile_write_all (int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write (fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int
afile_put (const char *path, const void *buf, size_t len)
{
	int fd = open (path, O_WRONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	if ((n = write (fd, buf, len)) < 0)
		err = errno;
	else if ((size_t)n != len)
		err = EIO;
	close (fd);
	errno = err;
	return err ? -1 : 0;
}

static int
write_renamed_at (int dirfd, const char *name, const void *buf, size_t len, mode_t mode, int sync, struct bx_err *e)
{
	char tmp[4096];
	int fd, err = 0;

	if (snprintf (tmp, sizeof tmp, "%s.tmp-%d", name, (int)getpid ()) >= (int)sizeof tmp)
		return err_set (e, BX_USAGE, ENAMETOOLONG, "write %s", name);
	fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST) {
		unlinkat (dirfd, tmp, 0);
		fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, mode);
	}
	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "write %s", name);
	if (afile_write_all (fd, buf, len) < 0 || (sync && fsync (fd) < 0))
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

int
afile_write_at (int dirfd, const char *name, const void *buf, size_t len, mode_t mode, struct bx_err *e)
{
	return write_renamed_at (dirfd, name, buf, len, mode, 1, e);
}

int
afile_replace_at (int dirfd, const char *name, const void *buf, size_t len, mode_t mode, struct bx_err *e)
{
	return write_renamed_at (dirfd, name, buf, len, mode, 0, e);
}

/* Overwrite DIRFD/NAME from offset 0 without needing a new block. */
static int
rewrite_in_place_at (int dirfd, const char *name, const void *buf, size_t len, int sync)
{
	_cleanup_close_ int fd = openat (dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	char pad[512];
	struct stat st;
	off_t off;

	if (fd < 0 || fstat (fd, &st) < 0)
		return -1;
	if (!S_ISREG (st.st_mode) || (off_t)len > (off_t)st.st_blocks * 512) {
		errno = ENOSPC;
		return -1;
	}
	errno = ENOSPC; /* what a short write means here */
	if (pwrite (fd, buf, len, 0) != (ssize_t)len)
		return -1;
	memset (pad, '\n', sizeof pad);
	for (off = (off_t)len; off < st.st_size;) {
		size_t n = (size_t)(st.st_size - off) < sizeof pad ? (size_t)(st.st_size - off) : sizeof pad;
		ssize_t w = pwrite (fd, pad, n, off);
		if (w <= 0)
			return -1;
		off += w;
	}
	if ((off_t)len < st.st_size && ftruncate (fd, (off_t)len) < 0)
		return -1;
	return sync && fsync (fd) < 0 ? -1 : 0;
}

int
afile_replace_reserved_at (int dirfd, const char *name, const void *buf, size_t len, mode_t mode, int sync,
                           struct bx_err *e)
{
	if (write_renamed_at (dirfd, name, buf, len, mode, sync, e) == 0)
		return 0;
	if (e->sys != ENOSPC && e->sys != EDQUOT)
		return -1;
	if (rewrite_in_place_at (dirfd, name, buf, len, sync) < 0)
		return -1;
	*e = (struct bx_err){0};
	return 0;
}

int
afile_slurp_fd (int fd, char **out, size_t *len, struct bx_err *e)
{
	size_t cap = 8192, n = 0;
	_cleanup_free_ char *buf = malloc (cap);

	if (!buf)
		return err_set (e, BX_SYSTEM, ENOMEM, "read");
	for (;;) {
		ssize_t r;
		if (n + 1 >= cap) {
			char *nb = realloc (buf, cap *= 2);
			if (!nb)
				return err_set (e, BX_SYSTEM, ENOMEM, "read");
			buf = nb;
		}
		r = read (fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set (e, BX_SYSTEM, errno, "read");
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = steal_pointer (&buf);
	return 0;
}

int
afile_slurp_at (int dirfd, const char *name, char **out, size_t *len, struct bx_err *e)
{
	_cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "open %s", name);
	if (afile_slurp_fd (fd, out, len, e) < 0)
		return err_wrap (e, "%s", name);
	return 0;
}

int
afile_mkdir_p_at (int dirfd, const char *path, mode_t mode, struct bx_err *e)
{
	char buf[4096];
	size_t len = strlen (path);

	if (len >= sizeof buf)
		return err_set (e, BX_USAGE, ENAMETOOLONG, "mkdir %s", path);
	memcpy (buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdirat (dirfd, buf, mode) < 0 && errno != EEXIST)
			return err_set (e, BX_SYSTEM, errno, "mkdir %s", buf);
		*p = '/';
	}
	if (mkdirat (dirfd, buf, mode) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", buf);
	return 0;
}

int
afile_fsync_dir_at (int dirfd, const char *path, struct bx_err *e)
{
	_cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync (fd) < 0)
		return err_set (e, BX_SYSTEM, errno, "fsync %s", path);
	return 0;
}

int
afile_is_tmp_name (const char *name)
{
	return strstr (name, ".tmp-") != NULL;
}
