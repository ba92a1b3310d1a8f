#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "flatten.h"
#include "layers.h"
#include "layout.h"
#include "overlay.h"
#include "tree.h"

int
bundle_paths (const char *dir, struct bundle *b, struct bx_err *e)
{
	if (!realpath (dir, b->dir))
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "bundle %s", dir);
	snprintf (b->rootfs, sizeof b->rootfs, "%s/%s", b->dir, L_ROOTFS);
	snprintf (b->upper, sizeof b->upper, "%s/%s", b->dir, L_UPPER);
	snprintf (b->work, sizeof b->work, "%s/%s", b->dir, L_WORK);
	b->warning[0] = '\0';
	return 0;
}

/* The directory's first entry, to tell a finished copy from an empty
 * mount point: 1 when it has one. */
static int
has_entries (const char *path)
{
	_cleanup_dir_ DIR *d = opendir (path);
	struct dirent *de;

	while (d && (de = readdir (d)))
		if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
			return 1;
	return 0;
}

/* Layer names for overlayfs, topmost first. A diff_id that comes twice
 * keeps its upper place only: the upper copy re-applies all it holds. */
static size_t
lower_list (const struct layer *v, size_t n, const char **out)
{
	size_t m = 0;

	for (size_t i = n; i-- > 0;) {
		const char *hex = digest_hex (v[i].diffid);
		size_t j;
		for (j = 0; j < m && strcmp (out[j], hex) != 0; j++)
			;
		if (j == m)
			out[m++] = hex;
	}
	return m;
}

static int
rootfs_copy (int rootfd, const char **lower, size_t m, const struct bundle *b, struct bx_err *e)
{
	_cleanup_close_ int layers = layers_dir_open (rootfd, e), dst = -1;
	_cleanup_free_ const char **up = calloc (m + 1, sizeof *up);
	char tmp[PATH_MAX + 32];

	if (layers < 0)
		return -1;
	if (!up)
		return err_set (e, BX_SYSTEM, ENOMEM, "copy");
	for (size_t i = 0; i < m; i++)
		up[i] = lower[m - 1 - i];
	/* built aside and renamed over the empty rootfs/: a rootfs/ with
	 * content is a whole copy */
	snprintf (tmp, sizeof tmp, "%s.tmp-%d", b->rootfs, (int)getpid ());
	tree_remove_at (AT_FDCWD, tmp);
	if (mkdir (tmp, 0755) < 0 || (dst = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", tmp);
	if (chmod (tmp, 0755) < 0 || flatten_layers (layers, up, m, dst, layers_opaque_xattr (), e) < 0 ||
	    syncfs (dst) < 0 || rename (tmp, b->rootfs) < 0) {
		if (e->code == BX_OK)
			err_set (e, BX_SYSTEM, errno, "copy into %s", b->rootfs);
		tree_remove_at (AT_FDCWD, tmp);
		return -1;
	}
	return 0;
}

static int
rootfs_overlay (const char *layers, const char **lower, size_t m, const struct bundle *b, struct bx_err *e)
{
	if ((mkdir (b->upper, 0755) < 0 && errno != EEXIST) || (mkdir (b->work, 0700) < 0 && errno != EEXIST))
		return err_set (e, BX_SYSTEM, errno, "mkdir in %s", b->dir);
	return overlay_mount (layers, lower, m, b->upper, b->work, b->rootfs, geteuid () != 0, e);
}

/* The absolute path of $BOX_ROOT/layers, from the state directory's fd. */
static int
layers_path (int rootfd, char *buf, size_t len, struct bx_err *e)
{
	char link[64];
	ssize_t n;

	snprintf (link, sizeof link, "/proc/self/fd/%d", rootfd);
	n = readlink (link, buf, len - sizeof "/" L_LAYERS);
	if (n < 0)
		return err_set (e, BX_SYSTEM, errno, "state directory");
	buf[n] = '\0';
	strcat (buf, "/" L_LAYERS);
	return 0;
}

static int
rootfs_make (int rootfd, enum bundle_driver drv, const struct layer *v, size_t n, struct bundle *b, struct bx_err *e)
{
	_cleanup_free_ const char **lower = calloc (n + 1, sizeof *lower);
	char layers[PATH_MAX + 16];
	size_t m;

	if (!lower)
		return err_set (e, BX_SYSTEM, ENOMEM, "layers");
	m = lower_list (v, n, lower);
	if (layers_path (rootfd, layers, sizeof layers, e) < 0)
		return -1;
	/* overlayfs wants at least one lower layer; an empty image is a copy */
	if (drv == BUNDLE_COPY || m == 0)
		return rootfs_copy (rootfd, lower, m, b, e);
	if (rootfs_overlay (layers, lower, m, b, e) == 0)
		return 0;
	if (drv == BUNDLE_OVERLAY)
		return -1;
	snprintf (b->warning, sizeof b->warning, "%s", e->msg);
	*e = (struct bx_err){0};
	return rootfs_copy (rootfd, lower, m, b, e);
}

int
bundle_mount_image (int rootfd, const struct store *s, const struct image *img, const char *dir, enum bundle_driver drv,
                    struct bundle *b, struct bx_err *e)
{
	_cleanup_free_ struct layer *v = NULL;
	size_t n = 0;
	long cpus = sysconf (_SC_NPROCESSORS_ONLN);
	int m;

	if (layers_of_image (img, &v, &n, e) < 0)
		return -1;
	if (layers_ensure (rootfd, s, v, n, (unsigned)(cpus > 0 ? cpus : 1) * 2, e) < 0)
		return -1;
	if (mkdir_p_at (AT_FDCWD, dir, 0711, e) < 0 || bundle_paths (dir, b, e) < 0)
		return -1;
	if (mkdir (b->rootfs, 0755) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", b->rootfs);
	/* mounted already, or a finished copy: the container keeps its files */
	if ((m = is_mountpoint (b->rootfs)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", b->rootfs);
	return m || has_entries (b->rootfs) ? 0 : rootfs_make (rootfd, drv, v, n, b, e);
}

int
bundle_mount (int rootfd, const char *image, const char *dir, enum bundle_driver drv, struct bundle *b,
              struct bx_err *e)
{
	struct store s = {.dir = -1, .blobs = -1};
	struct image img = {0};
	int rc = -1;

	if (store_open (&s, rootfd, e) < 0)
		goto out;
	if (store_image_load (&s, image, &img, e) < 0)
		goto out;
	rc = bundle_mount_image (rootfd, &s, &img, dir, drv, b, e);
out:
	if (rc < 0 && e->msg[0] && strncmp (e->msg, "no such image", 13) != 0)
		err_wrap (e, "%s", image);
	image_free (&img);
	store_close (&s);
	return rc;
}

int
bundle_ensure (int rootfd, const char *dir, struct bundle *b, struct bx_err *e)
{
	_cleanup_free_ char *id = NULL;
	_cleanup_close_ int fd = -1;
	int m;

	if (bundle_paths (dir, b, e) < 0)
		return -1;
	if ((m = is_mountpoint (b->rootfs)) < 0 && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "%s", b->rootfs);
	if (m > 0 || (m == 0 && has_entries (b->rootfs)))
		return 0;
	fd = open (b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", b->dir);
	if (slurp_at (fd, L_CIMAGE, &id, NULL, e) < 0)
		return err_wrap (e, "%s", b->dir);
	id[strcspn (id, "\n")] = '\0';
	return bundle_mount (rootfd, id, b->dir, BUNDLE_AUTO, b, e);
}

int
bundle_unmount (const char *dir, struct bx_err *e)
{
	struct bundle b;

	if (bundle_paths (dir, &b, e) < 0)
		return -1;
	return overlay_unmount (b.rootfs, e);
}
