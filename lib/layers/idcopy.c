/* idcopy - a remapped container's copies of the layers (idcopy.h) */
#include "layers/idcopy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/digest.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/tree.h"
#include "layers/flatten.h"

int
idcopy_mode (enum idcopy_mode *m, struct bx_err *e)
{
	const char *v = getenv (IDCOPY_ENV);

	if (!v || !*v || !strcmp (v, "auto"))
		*m = IDCOPY_AUTO;
	else if (!strcmp (v, "idmap"))
		*m = IDCOPY_IDMAP;
	else if (!strcmp (v, "copy"))
		*m = IDCOPY_COPY;
	else
		return err_set (e, BX_USAGE, 0, IDCOPY_ENV "=%s: not auto, idmap or copy", v);
	return 0;
}

static size_t
idcopy_spell (const struct idmap *m, char c, char *buf, size_t len)
{
	size_t n = (size_t)snprintf (buf, len, "%c", c);

	for (size_t i = 0; i < m->n && n < len; i++)
		n += (size_t)snprintf (buf + n, len - n, "%s%u-%u-%u", i ? "." : "", m->ext[i].inside,
		                       m->ext[i].outside, m->ext[i].count);
	return n;
}

void
idcopy_key (const struct idmap *uid, const struct idmap *gid, char key[IDCOPY_KEY_LEN])
{
	char buf[IDMAP_MAX * 2 * 40];
	size_t n = idcopy_spell (uid, 'u', buf, sizeof buf);
	uint64_t h = 0xcbf29ce484222325ULL;

	if (n < sizeof buf)
		n += idcopy_spell (gid, '_', buf + n, sizeof buf - n);
	if (n < IDCOPY_KEY_LEN) {
		memcpy (key, buf, n + 1);
		return;
	}
	/* FNV-1a: a name, not a defence (the maps are root's own choice) */
	for (size_t i = 0; i < n && i < sizeof buf; i++)
		h = (h ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
	snprintf (key, IDCOPY_KEY_LEN, "h%016llx", (unsigned long long)h);
}

/* Build DIR/HEX.tmp-PID from LAYERS/HEX, synced, and rename it to HEX. */
static int
idcopy_make (int layers, int dir, const char *hex, const struct idmap *uid, const struct idmap *gid, struct bx_err *e)
{
	_cleanup_close_ int src = openat (layers, hex, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), dst = -1;
	char tmp[DIGEST_HEX_LEN + 32];

	if (src < 0)
		return err_set (e, BX_SYSTEM, errno, L_LAYERS "/%s", hex);
	snprintf (tmp, sizeof tmp, "%s.tmp-%d", hex, (int)getpid ());
	tree_remove_at (dir, tmp);
	if (mkdirat (dir, tmp, 0700) < 0 || (dst = openat (dir, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", tmp);
	if (flatten_shifted (src, dst, uid, gid, hex, e) < 0 || syncfs (dst) < 0 || renameat (dir, tmp, dir, hex) < 0) {
		if (e->code == BX_OK)
			err_set (e, BX_SYSTEM, errno, "copy of layer %s", hex);
		tree_remove_at (dir, tmp);
		return -1;
	}
	return 0;
}

int
idcopy_layer (int rootfd, const char *key, const char *hex, const struct idmap *uid, const struct idmap *gid,
              struct bx_err *e)
{
	char path[sizeof L_IDCOPIES + IDCOPY_KEY_LEN + DIGEST_HEX_LEN + 8], lockname[DIGEST_HEX_LEN + 8];
	_cleanup_close_ int dir = -1, layers = -1, lk = -1;
	struct stat st;

	snprintf (path, sizeof path, L_IDCOPIES "/%s/%s", key, hex);
	if (fstatat (rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode))
		return 0;
	snprintf (path, sizeof path, L_IDCOPIES "/%s", key);
	if (afile_mkdir_p_at (rootfd, path, 0711, e) < 0)
		return -1;
	if ((dir = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (layers = openat (rootfd, L_LAYERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", dir < 0 ? path : L_LAYERS);
	snprintf (lockname, sizeof lockname, "%s" L_LAYER_LOCK, hex);
	if ((lk = lock_take_at (dir, lockname, LOCK_WAIT, e)) < 0)
		return -1;
	/* made meanwhile by the holder of the lock */
	if (fstatat (dir, hex, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (idcopy_make (layers, dir, hex, uid, gid, e) < 0)
		return err_wrap (e, "%s", path);
	return 0;
}

int
idcopy_bundle_mark (const char *dir, const char *key, struct bx_err *e)
{
	_cleanup_close_ int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[IDCOPY_KEY_LEN + 2];
	int n = snprintf (buf, sizeof buf, "%s\n", key);

	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", dir);
	return afile_replace_at (fd, L_IDCOPIED, buf, (size_t)n, 0644, e);
}

int
idcopy_bundle_is (const char *dir)
{
	char path[PATH_MAX + sizeof L_IDCOPIED + 1];

	snprintf (path, sizeof path, "%s/" L_IDCOPIED, dir);
	return access (path, F_OK) == 0;
}

int
idcopy_bundle_key (int dirfd, char key[IDCOPY_KEY_LEN], struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;

	key[0] = '\0';
	if (faccessat (dirfd, L_IDCOPIED, F_OK, 0) < 0)
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, L_IDCOPIED);
	if (afile_slurp_at (dirfd, L_IDCOPIED, &buf, NULL, e) < 0)
		return -1;
	buf[strcspn (buf, "\n")] = '\0';
	snprintf (key, IDCOPY_KEY_LEN, "%s", buf);
	return 1;
}
