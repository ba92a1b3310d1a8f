#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "layers.h"
#include "layers/overlay.h"

/* config.json's linux.uidMappings or gidMappings (KEY) into M */
static int
bundle_idmap (json_t *lx, const char *key, struct idmap *m, struct bx_err *e)
{
	json_t *it;
	size_t i;

	m->n = 0;
	json_array_foreach (json_object_get (lx, key), i, it)
	{
		json_int_t in = json_integer_value (json_object_get (it, "containerID"));
		json_int_t out = json_integer_value (json_object_get (it, "hostID"));
		json_int_t n = json_integer_value (json_object_get (it, "size"));
		if (in < 0 || out < 0 || n < 0 || idmap_add (m, (uint64_t)in, (uint64_t)out, (uint64_t)n, e) < 0)
			return err_wrap (e, L_CONFIG ": linux.%s[%zu]", key, i);
	}
	return 0;
}

/* A container with a user namespace of its own is mounted idmapped again,
 * as ctr-create mounted it: 1 when it has one (UID, GID filled) */
static int
bundle_ids (const char *dir, struct idmap *uid, struct idmap *gid, struct bx_err *e)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *doc, *lx;
	_cleanup_close_ int fd = -1;

	snprintf (path, sizeof path, "%s/" L_CONFIG, dir);
	fd = open (path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, L_CONFIG);
	if (!(doc = json_loadfd (fd, 0, &je)))
		return err_set (e, BX_FAIL, 0, L_CONFIG ": %s", je.text);
	lx = json_object_get (doc, "linux");
	rc = json_array_size (json_object_get (lx, "uidMappings")) > 0;
	if (rc && (bundle_idmap (lx, "uidMappings", uid, e) < 0 || bundle_idmap (lx, "gidMappings", gid, e) < 0))
		rc = -1;
	json_decref (doc);
	return rc;
}

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
	if ((r = bundle_ids (dir, &uid, &gid, e)) < 0)
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
