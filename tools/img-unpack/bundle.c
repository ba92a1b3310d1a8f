#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "layers.h"
#include "layers/overlay.h"
#include "runtime/remap.h"

int
bundle_mount_image (int rootfd, const struct store *s, const struct image *img, const char *dir, enum bundle_driver drv,
                    struct bundle *b, struct bx_err *e)
{
	_cleanup_free_ struct layer *v = NULL;
	size_t n = 0;
	long cpus = sysconf (_SC_NPROCESSORS_ONLN);
	struct idmap uid, gid;
	int r;

	if (layers_of_image (img, &v, &n, e) < 0)
		return -1;
	if (layers_ensure (rootfd, s, v, n, (unsigned)(cpus > 0 ? cpus : 1) * 2, e) < 0)
		return -1;
	if ((r = remap_bundle_maps (dir, &uid, &gid, e)) < 0)
		return err_wrap (e, "%s", dir);
	if (r > 0)
		r = rootfs_mount_ids (rootfd, img, dir, &(struct rootfs_ids){&uid, &gid}, b, e);
	else
		r = rootfs_mount (rootfd, img, dir, drv, 0, b, e);
	if (r > 0)
		return err_set (e, BX_FAIL, 0, "the config's diff_ids and the layers extracted differ");
	return r;
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
	if (rc < 0 && e->msg[0] && strncmp (e->msg, "No such image", 13) != 0)
		err_wrap (e, "%s", image);
	store_image_free (&img);
	store_close (&s);
	return rc;
}

int
bundle_ensure (int rootfd, const char *dir, struct bundle *b, struct bx_err *e)
{
	_cleanup_free_ char *id = NULL;
	_cleanup_close_ int fd = -1;
	int m;

	if (rootfs_paths (dir, b, e) < 0)
		return -1;
	if ((m = overlay_is_mountpoint (b->rootfs)) < 0 && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "%s", b->rootfs);
	if (m > 0 || (m == 0 && rootfs_has_entries (b->rootfs)))
		return 0;
	fd = open (b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", b->dir);
	if (afile_slurp_at (fd, L_CIMAGE, &id, NULL, e) < 0)
		return err_wrap (e, "%s", b->dir);
	id[strcspn (id, "\n")] = '\0';
	return bundle_mount (rootfd, id, b->dir, BUNDLE_AUTO, b, e);
}
