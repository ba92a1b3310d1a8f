#include "ingest.h"

#include <errno.h>
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
ingest_discard (int dirfd, const char *digest)
{
	unlinkat (dirfd, digest_hex (digest), 0);
}
