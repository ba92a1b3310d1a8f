/* layergc - the sweep of layers/: a directory is counted, then removed */
#include "layers/layergc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/layout.h"
#include "base/tree.h"

/* the size of the files under AT/NAME, mounts and other devices not
 * entered (tree_remove_at will not enter them either) */
static uint64_t
du_at (int at, const char *name, dev_t dev)
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
			sum += du_at (dirfd (d), de->d_name, dev);
		else if (S_ISREG (st.st_mode))
			sum += (uint64_t)st.st_size;
	}
	return sum;
}

int
layergc_sweep (int rootfd, json_t *live, struct layergc_stats *st, struct bx_err *e)
{
	int fd = openat (rootfd, L_LAYERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;
	struct stat sb;
	char digest[DIGEST_STR_LEN + 1];

	memset (st, 0, sizeof *st);
	if (!d) {
		if (fd >= 0)
			close (fd);
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "%s", L_LAYERS);
	}
	while ((de = readdir (d))) {
		uint64_t size;
		if (!digest_is_hex (de->d_name) || fstatat (dirfd (d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR (sb.st_mode))
			continue;
		snprintf (digest, sizeof digest, "sha256:%s", de->d_name);
		if (json_object_get (live, digest))
			continue;
		size = du_at (dirfd (d), de->d_name, sb.st_dev);
		if (tree_remove_at (dirfd (d), de->d_name) < 0)
			return err_set (e, BX_SYSTEM, errno, "%s/%s: remove", L_LAYERS, de->d_name);
		st->layers++;
		st->bytes += size;
	}
	return 0;
}
