#include "ingest.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"

int
ingest_dir_open (int rootfd, struct bx_err *e)
{
	int fd;

	if (afile_mkdir_p_at (rootfd, L_INGEST, 0700, e) < 0)
		return err_wrap (e, "ingest");
	fd = openat (rootfd, L_INGEST, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "open %s", L_INGEST);
	return fd;
}

/* Is FD still the file at DIRFD/NAME (not renamed or removed meanwhile)? */
static int
still_there (int dirfd, const char *name, int fd)
{
	struct stat a, b;

	return fstat (fd, &a) == 0 && fstatat (dirfd, name, &b, 0) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
ingest_open (int dirfd, const struct store *s, const char *digest, int *stored, struct bx_err *e)
{
	const char *hex = digest_hex (digest);

	*stored = 0;
	if (!digest_is_valid (digest))
		return err_set (e, BX_USAGE, 0, "blob %s: unsupported digest", digest);
	for (;;) {
		_cleanup_close_ int fd = openat (dirfd, hex, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return err_set (e, BX_SYSTEM, errno, "ingest %s", digest);
		while (flock (fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return err_set (e, BX_SYSTEM, errno, "lock ingest %s", digest);
		if (!still_there (dirfd, hex, fd))
			continue; /* its writer stored it (or gave up) while we waited */
		if (store_has_blob (s, digest)) {
			unlinkat (dirfd, hex, 0);
			*stored = 1;
			return -1;
		}
		return steal_fd (&fd);
	}
}

int
ingest_commit (int dirfd, const struct store *s, const char *digest, struct bx_err *e)
{
	return store_blob_commit_at (s, dirfd, digest_hex (digest), digest, e);
}

void
ingest_discard (int dirfd, const char *digest, int fd)
{
	if (still_there (dirfd, digest_hex (digest), fd))
		unlinkat (dirfd, digest_hex (digest), 0);
}

static int
kept (const char *name, const char *const *keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (strcmp (name, digest_hex (keep[i])) == 0)
			return 1;
	return 0;
}

/* Remove DIRFD/NAME if no process holds its lock (lock-held = alive); the
 * bytes it held, or 0. A writer that opened it and waits for the lock
 * finds it gone once it has the lock (ingest_open) and makes it anew. */
static uint64_t
reclaim (int dirfd, const char *name)
{
	_cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || flock (fd, LOCK_EX | LOCK_NB) < 0)
		return 0;
	if (!still_there (dirfd, name, fd) || unlinkat (dirfd, name, 0) < 0)
		return 0;
	return (uint64_t)st.st_blocks * 512;
}

int
ingest_sweep (int dirfd, const char *const *keep, size_t nkeep, uint64_t *freed, struct bx_err *e)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	int fd = dup (dirfd);

	if (freed)
		*freed = 0;
	if (fd < 0 || !(d = fdopendir (fd))) {
		if (fd >= 0)
			close (fd);
		return err_set (e, BX_SYSTEM, errno, "read %s", L_INGEST);
	}
	rewinddir (d);
	while ((de = readdir (d))) {
		uint64_t n;
		if (de->d_name[0] == '.' || kept (de->d_name, keep, nkeep))
			continue;
		n = reclaim (dirfd, de->d_name);
		if (freed)
			*freed += n;
	}
	return 0;
}
