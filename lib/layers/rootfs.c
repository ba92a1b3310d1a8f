#include "layers/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/digest.h"
#include "base/layout.h"
#include "base/root.h"
#include "base/tree.h"
#include "base/userns.h"
#include "layers/flatten.h"
#include "layers/fuseovl.h"
#include "layers/idcopy.h"
#include "layers/overlay.h"
#include "layers/unpack.h" /* OVL_OPAQUE_*: the names only, no code */

int
rootfs_paths (const char *dir, struct bundle *b, struct bx_err *e)
{
	if (!realpath (dir, b->dir))
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "bundle %s", dir);
	snprintf (b->rootfs, sizeof b->rootfs, "%s/%s", b->dir, L_ROOTFS);
	snprintf (b->upper, sizeof b->upper, "%s/%s", b->dir, L_UPPER);
	snprintf (b->work, sizeof b->work, "%s/%s", b->dir, L_WORK);
	b->warning[0] = '\0';
	return 0;
}

int
rootfs_has_entries (const char *path)
{
	_cleanup_dir_ DIR *d = opendir (path);
	struct dirent *de;

	while (d && (de = readdir (d)))
		if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
			return 1;
	return 0;
}

/* Layer names for overlayfs, topmost first, from the config's diff_ids
 * (bottom first). A diff_id that comes twice keeps its upper place only:
 * the upper copy re-applies all it holds. -1 for a malformed list. */
static ssize_t
lower_list (json_t *diffids, const char **out)
{
	size_t m = 0, n = json_array_size (diffids);

	for (size_t i = n; i-- > 0;) {
		const char *d = json_string_value (json_array_get (diffids, i)), *hex;
		size_t j;
		if (!d || !digest_is_valid (d))
			return -1;
		hex = digest_hex (d);
		for (j = 0; j < m && strcmp (out[j], hex) != 0; j++)
			;
		if (j == m)
			out[m++] = hex;
	}
	return (ssize_t)m;
}

/* 1 when every layer directory is there */
static int
all_present (int rootfd, const char **lower, size_t m)
{
	_cleanup_close_ int dir = openat (rootfd, L_LAYERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	for (size_t i = 0; i < m; i++)
		if (dir < 0 || fstatat (dir, lower[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
			return 0;
	return 1;
}

static int
rootfs_copy (int rootfd, const char **lower, size_t m, const struct bundle *b, struct bx_err *e)
{
	_cleanup_close_ int layers = openat (rootfd, L_LAYERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC), dst = -1;
	_cleanup_free_ const char **up = calloc (m + 1, sizeof *up);
	char tmp[PATH_MAX + 32];

	if (layers < 0)
		return err_set (e, BX_SYSTEM, errno, "open " L_LAYERS);
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
	if (chmod (tmp, 0755) < 0 || flatten_layers (layers, up, m, dst, rootfs_opaque_xattr (), e) < 0 ||
	    syncfs (dst) < 0 || rename (tmp, b->rootfs) < 0) {
		if (e->code == BX_OK)
			err_set (e, BX_SYSTEM, errno, "copy into %s", b->rootfs);
		tree_remove_at (AT_FDCWD, tmp);
		return -1;
	}
	return 0;
}

/* --- the init layer ------------------------------------------------------ */

/* The mount points of every container (runtime-spec's /proc, /sys, /dev and
 * the /etc files Docker binds over), made once per image in
 * cache/init/<image id hex>/ and put on top of its layers, as Docker's -init
 * layer: a container's upper then gets none of them, nor a copy of /etc,
 * seven files fewer to make and remove on every run. Only what the image
 * lacks, under directories it has: an /etc that is a link stays one. */
static const struct {
	const char *path;
	int dir;
} init_entries[] = {
    {"proc", 1}, {"sys", 1}, {"dev", 1}, {"etc", 1}, {"etc/hosts", 0}, {"etc/hostname", 0}, {"etc/resolv.conf", 0},
};

/* the init layer's name for overlay_mount, relative to layers/ */
static void
init_name (const struct image *img, char *buf, size_t len)
{
	snprintf (buf, len, "../" L_INIT_CACHE "/%s", digest_hex (img->config_digest));
}

/* PATH into DIR as VIEW (the image's merged tree) lacks it; a directory the
 * image has is copied (its owner and mode show through) to hold entries */
static int
init_entry (int view, int dir, const char *path, int is_dir)
{
	struct stat st;
	const char *slash = strrchr (path, '/');
	int fd;

	if (slash) {
		char parent[64];
		snprintf (parent, sizeof parent, "%.*s", (int)(slash - path), path);
		if (fstatat (dir, parent, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return 0; /* not a directory in the image: left to the start */
	}
	if (fstatat (view, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!is_dir || !S_ISDIR (st.st_mode))
			return 0;
		if (mkdirat (dir, path, st.st_mode & 07777) < 0 ||
		    fchownat (dir, path, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		return fchmodat (dir, path, st.st_mode & 07777, 0);
	}
	if (errno != ENOENT)
		return -1;
	if (is_dir)
		return mkdirat (dir, path, 0755);
	if ((fd = openat (dir, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return -1;
	return close (fd);
}

/* Made from the first container's fresh overlay (its upper is empty, so
 * it shows the image): aside, then renamed into place; a lost race or any
 * failure only means later containers make their mount points themselves. */
static void
init_layer_make (int rootfd, const struct image *img, const struct bundle *b)
{
	_cleanup_close_ int view = open (b->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC), dir = -1;
	const char *hex = digest_hex (img->config_digest);
	char tmp[128], final[128];
	struct bx_err ign;
	size_t i;

	snprintf (tmp, sizeof tmp, L_INIT_CACHE "/%s.tmp-%d", hex, (int)getpid ());
	snprintf (final, sizeof final, L_INIT_CACHE "/%s", hex);
	if (view < 0 || afile_mkdir_p_at (rootfd, L_INIT_CACHE, 0700, &ign) < 0 || mkdirat (rootfd, tmp, 0755) < 0)
		return;
	if ((dir = openat (rootfd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		for (i = 0; i < sizeof init_entries / sizeof init_entries[0]; i++)
			if (init_entry (view, dir, init_entries[i].path, init_entries[i].dir) < 0)
				break;
	if (dir < 0 || i < sizeof init_entries / sizeof init_entries[0] || renameat (rootfd, tmp, rootfd, final) < 0)
		tree_remove_at (rootfd, tmp);
}

/* 1 when IMG's init layer is there */
static int
init_layer_present (int rootfd, const struct image *img)
{
	char path[128];
	struct stat st;

	snprintf (path, sizeof path, L_INIT_CACHE "/%s", digest_hex (img->config_digest));
	return fstatat (rootfd, path, &st, 0) == 0 && S_ISDIR (st.st_mode);
}

/* Rootless, fuse-overlayfs where the kernel refuses overlayfs in a user
 * namespace (EPERM, EINVAL), as rootless Podman, or as BOX_OVERLAY asks;
 * root pays one getenv for it. */
static int
rootfs_overlay (const char *layers, const char **lower, size_t m, const struct bundle *b, struct bx_err *e)
{
	int fuse = 0, kernel_only = 1;

	if ((mkdir (b->upper, 0755) < 0 && errno != EEXIST) || (mkdir (b->work, 0700) < 0 && errno != EEXIST))
		return err_set (e, BX_SYSTEM, errno, "mkdir in %s", b->dir);
	if (root_is_rootless () && (fuse = fuseovl_wanted (b->dir, b->upper, &kernel_only, e)) < 0)
		return -1;
	if (!fuse) {
		if (overlay_mount (layers, lower, m, b->upper, b->work, b->rootfs,
		                   rootfs_userxattr () ? OVERLAY_USERXATTR : 0, e) == 0)
			return 0;
		if (kernel_only || (e->sys != EPERM && e->sys != EINVAL))
			return -1;
		*e = (struct bx_err){0};
	}
	return fuseovl_mount (b->dir, layers, lower, m, b->upper, b->work, b->rootfs, e);
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
rootfs_idmapped (const char *layers, const char **lower, size_t m, const struct rootfs_ids *ids, const struct bundle *b,
                 struct bx_err *e)
{
	const struct userns_maps maps = {ids->uid, ids->gid};
	_cleanup_close_ int userns = -1;

	if ((mkdir (b->upper, 0755) < 0 && errno != EEXIST) || (mkdir (b->work, 0700) < 0 && errno != EEXIST))
		return err_set (e, BX_SYSTEM, errno, "mkdir in %s", b->dir);
	if ((userns = userns_open (&maps, e)) < 0)
		return -1;
	return overlay_mount_idmapped (layers, lower, m, b->dir, b->rootfs, userns, idmap_root (ids->uid),
	                               idmap_root (ids->gid), e);
}

/* Over the range's copies of the layers (idcopy.h), made where missing;
 * the upper and work are the mapped root's, as dockerd's remapped root's.
 * No init layer: its owners are the image's, the upper takes the mount
 * points. */
static int
rootfs_idcopied (int rootfd, const char *layers, const char **lower, size_t m, const struct rootfs_ids *ids,
                 const struct bundle *b, struct bx_err *e)
{
	_cleanup_free_ char *names = malloc (m * (IDCOPY_KEY_LEN + DIGEST_HEX_LEN + 32));
	_cleanup_free_ const char **v = calloc (m, sizeof *v);
	unsigned uid = idmap_root (ids->uid), gid = idmap_root (ids->gid);
	char key[IDCOPY_KEY_LEN];

	if (!names || !v)
		return err_set (e, BX_SYSTEM, ENOMEM, "layers");
	idcopy_key (ids->uid, ids->gid, key);
	for (size_t i = 0; i < m; i++) {
		char *name = names + i * (IDCOPY_KEY_LEN + DIGEST_HEX_LEN + 32);
		if (idcopy_layer (rootfd, key, lower[i], ids->uid, ids->gid, e) < 0)
			return -1;
		snprintf (name, IDCOPY_KEY_LEN + DIGEST_HEX_LEN + 32, "../" L_IDCOPIES "/%s/%s", key, lower[i]);
		v[i] = name;
	}
	if ((mkdir (b->upper, 0755) < 0 && errno != EEXIST) || (mkdir (b->work, 0700) < 0 && errno != EEXIST) ||
	    chown (b->upper, uid, gid) < 0 || chown (b->work, uid, gid) < 0)
		return err_set (e, BX_SYSTEM, errno, "upper in %s", b->dir);
	if (idcopy_bundle_mark (b->dir, key, e) < 0)
		return -1;
	return overlay_mount (layers, v, m, b->upper, b->work, b->rootfs, rootfs_userxattr () ? OVERLAY_USERXATTR : 0,
	                      e);
}

/* Idmapped layers, or the range's copies: where the kernel or the
 * filesystem has no idmapped mounts (a BX_FAIL of idmount's), or as
 * BOX_IDMAP_LAYERS asks. A bundle keeps the one it started with: its
 * upper holds the ids of that one. */
static int
rootfs_remapped (int rootfd, const char *layers, const char **lower, size_t m, int has_init,
                 const struct rootfs_ids *ids, const struct bundle *b, struct bx_err *e)
{
	enum idcopy_mode mode;
	struct stat st;
	/* a new bundle has no upper yet: one stat on the way of every run */
	int known = stat (b->upper, &st) == 0;

	if (idcopy_mode (&mode, e) < 0)
		return -1;
	if (known && idcopy_bundle_is (b->dir))
		mode = IDCOPY_COPY;
	else if (known && rootfs_has_entries (b->upper))
		mode = IDCOPY_IDMAP;
	if (mode != IDCOPY_COPY) {
		if (rootfs_idmapped (layers, lower, m, ids, b, e) == 0)
			return 0;
		if (mode == IDCOPY_IDMAP || e->code != BX_FAIL)
			return -1;
		*e = (struct bx_err){0};
	}
	return rootfs_idcopied (rootfd, layers, lower + has_init, m - has_init, ids, b, e);
}

/* LOWER has room for the init layer in front */
static int
rootfs_make (int rootfd, const struct image *img, enum bundle_driver drv, int with_init, const char **lower, size_t m,
             const struct rootfs_ids *ids, struct bundle *b, struct bx_err *e)
{
	char layers[PATH_MAX + 16], init[128];
	int has_init = 0;

	if (layers_path (rootfd, layers, sizeof layers, e) < 0)
		return -1;
	if (ids) {
		if (m == 0)
			return err_set (e, BX_FAIL, 0, "an image without layers in a user namespace: not implemented");
		if (with_init && (has_init = init_layer_present (rootfd, img)))
			init_name (img, init, sizeof init), lower[0] = init;
		return rootfs_remapped (rootfd, layers, lower + !has_init, m + has_init, has_init, ids, b, e);
	}
	/* overlayfs wants at least one lower layer; an empty image is a copy */
	if (drv == BUNDLE_COPY || m == 0)
		return rootfs_copy (rootfd, lower + 1, m, b, e);
	if (with_init && (has_init = init_layer_present (rootfd, img)))
		init_name (img, init, sizeof init), lower[0] = init;
	if (rootfs_overlay (layers, lower + !has_init, m + has_init, b, e) == 0) {
		if (with_init && !has_init)
			init_layer_make (rootfd, img, b);
		return 0;
	}
	if (drv == BUNDLE_OVERLAY)
		return -1;
	snprintf (b->warning, sizeof b->warning, "%s", e->msg);
	*e = (struct bx_err){0};
	return rootfs_copy (rootfd, lower + 1, m, b, e);
}

static int
rootfs_mount_with (int rootfd, const struct image *img, const char *dir, enum bundle_driver drv, int with_init,
                   const struct rootfs_ids *ids, struct bundle *b, struct bx_err *e)
{
	json_t *diffids = json_object_get (json_object_get (img->config, "rootfs"), "diff_ids");
	/* lower[0]: the init layer's place */
	_cleanup_free_ const char **lower = calloc (json_array_size (diffids) + 2, sizeof *lower);
	ssize_t m;
	int mounted;

	if (!lower)
		return err_set (e, BX_SYSTEM, ENOMEM, "layers");
	if (!json_is_array (diffids) || (m = lower_list (diffids, lower + 1)) < 0)
		return err_set (e, BX_FAIL, 0, "config: rootfs.diff_ids: not a list of sha256 digests");
	if (!all_present (rootfd, lower + 1, (size_t)m))
		return 1;
	if (afile_mkdir_p_at (AT_FDCWD, dir, 0711, e) < 0 || rootfs_paths (dir, b, e) < 0)
		return -1;
	if (mkdir (b->rootfs, 0755) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", b->rootfs);
	/* mounted already, or a finished copy: the container keeps its files */
	if ((mounted = overlay_is_mountpoint (b->rootfs)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", b->rootfs);
	if (mounted || rootfs_has_entries (b->rootfs))
		return 0;
	return rootfs_make (rootfd, img, drv, with_init, lower, (size_t)m, ids, b, e) < 0 ? -1 : 0;
}

int
rootfs_mount (int rootfd, const struct image *img, const char *dir, enum bundle_driver drv, int with_init,
              struct bundle *b, struct bx_err *e)
{
	return rootfs_mount_with (rootfd, img, dir, drv, with_init, NULL, b, e);
}

int
rootfs_mount_ids (int rootfd, const struct image *img, const char *dir, const struct rootfs_ids *ids, struct bundle *b,
                  struct bx_err *e)
{
	return rootfs_mount_with (rootfd, img, dir, BUNDLE_OVERLAY, 1, ids, b, e);
}

int
rootfs_unmount (const char *dir, struct bx_err *e)
{
	struct bundle b;

	if (rootfs_paths (dir, &b, e) < 0)
		return -1;
	return overlay_unmount (b.rootfs, e);
}

int
rootfs_userxattr (void)
{
	return geteuid () != 0 || root_is_rootless ();
}

const char *
rootfs_opaque_xattr (void)
{
	/* trusted.* needs CAP_SYS_ADMIN; rootless overlayfs reads user.* */
	return rootfs_userxattr () ? OVL_OPAQUE_USER : OVL_OPAQUE_TRUSTED;
}
