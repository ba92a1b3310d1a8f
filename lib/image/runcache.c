/* runcache - the directories of RUN --mount=type=cache, kept between
 * builds in cache/run/ */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/hash.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/tree.h"
#include "image/runcache.h"

void
runcache_name (const char *id, char hex[DIGEST_STR_LEN + 1])
{
	char d[DIGEST_STR_LEN + 1];

	hash_buf (id, strlen (id), d);
	snprintf (hex, DIGEST_STR_LEN + 1, "%s", digest_hex (d));
}

static unsigned long long
bytes_under (int dirfd, const char *name)
{
	int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir (fd);
	unsigned long long n = 0;
	struct dirent *de;
	struct stat st;

	if (!d) {
		if (fd >= 0)
			close (fd);
		return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? (unsigned long long)st.st_blocks * 512
		                                                            : 0;
	}
	while ((de = readdir (d)))
		if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
			n += bytes_under (fd, de->d_name);
	closedir (d);
	return n;
}

int
runcache_prune (int rootfd, int (*keep) (const char *name, int64_t mtime, uint64_t bytes, void *arg), void *arg,
                unsigned long long *bytes, struct bx_err *e)
{
	int fd = openat (rootfd, L_RUN_CACHE, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	struct dirent *de;
	char lock[DIGEST_STR_LEN + 16];

	*bytes = 0;
	if (!d) {
		if (fd >= 0)
			close (fd);
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, L_RUN_CACHE);
	}
	while ((de = readdir (d))) {
		unsigned long long n;
		struct stat sb;
		int held;
		if (de->d_name[0] == '.' || strchr (de->d_name, '.'))
			continue;
		/* one in use by a RUN with sharing=locked|private stays */
		snprintf (lock, sizeof lock, "%s.lock", de->d_name);
		_cleanup_close_ int l = lock_take_at (dirfd (d), lock, LOCK_TRY, &(struct bx_err){0});
		held = l < 0;
		if (held || fstatat (dirfd (d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		n = bytes_under (dirfd (d), de->d_name);
		if (keep && keep (de->d_name, (int64_t)sb.st_mtime, n, arg))
			continue;
		*bytes += n;
		if (tree_remove_at (dirfd (d), de->d_name) < 0)
			return err_set (e, BX_SYSTEM, errno, L_RUN_CACHE "/%s", de->d_name);
		unlinkat (dirfd (d), lock, 0);
	}
	return 0;
}
