#include "layers/flatten.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/idmap.h"
#include "base/tree.h"

/* a file of the current layer with more than one name, and where its
 * first name went in the destination */
struct link {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct fl {
	int dst_root;
	const char *opaque_xattr;
	const char *layer;
	char path[PATH_MAX]; /* of the entry being copied, relative to the roots */
	size_t plen;
	struct link *links; /* open addressing on ino */
	size_t nlinks, caplinks;
	int rootless;
	/* flatten_shifted: one layer as it is, its owners shifted by these */
	const struct idmap *uid, *gid;
};

static int
fl_err (struct fl *f, int sys, const char *what, struct bx_err *e)
{
	return err_set (e, BX_FAIL, sys, "layer %s: %.300s: %s", f->layer, f->path, what);
}

/* ST's owner in the destination: the same, or shifted by the maps. An id
 * they leave out is the overflow id 65534, outside any range: the
 * container sees it unmapped, as through an idmapped mount. */
static void
fl_owner (const struct fl *f, const struct stat *st, uid_t *uid, gid_t *gid)
{
	long long u = f->uid ? idmap_to_host (f->uid, st->st_uid) : st->st_uid;
	long long g = f->gid ? idmap_to_host (f->gid, st->st_gid) : st->st_gid;

	*uid = u < 0 ? 65534 : (uid_t)u;
	*gid = g < 0 ? 65534 : (gid_t)g;
}

static int
path_push (struct fl *f, const char *name)
{
	size_t n = strlen (name);

	if (f->plen + n + 2 > sizeof f->path)
		return -1;
	if (f->plen)
		f->path[f->plen++] = '/';
	memcpy (f->path + f->plen, name, n + 1);
	f->plen += n;
	return 0;
}

static void
path_pop (struct fl *f, size_t len)
{
	f->plen = len;
	f->path[len] = '\0';
}

/* ---- hardlinks -------------------------------------------------------- */

static void
links_reset (struct fl *f)
{
	for (size_t i = 0; i < f->caplinks; i++)
		free (f->links[i].path);
	free (f->links);
	f->links = NULL;
	f->nlinks = f->caplinks = 0;
}

static struct link *
link_slot (struct link *v, size_t cap, dev_t dev, ino_t ino)
{
	size_t i = (size_t)(ino * 0x9E3779B97F4A7C15ull) & (cap - 1);

	while (v[i].path && !(v[i].ino == ino && v[i].dev == dev))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static int
links_grow (struct fl *f)
{
	size_t cap = f->caplinks ? f->caplinks * 2 : 256;
	struct link *v = calloc (cap, sizeof *v);

	if (!v)
		return -1;
	for (size_t i = 0; i < f->caplinks; i++)
		if (f->links[i].path)
			*link_slot (v, cap, f->links[i].dev, f->links[i].ino) = f->links[i];
	free (f->links);
	f->links = v;
	f->caplinks = cap;
	return 0;
}

/* The destination path of the file's first name, or NULL after noting it. */
static const char *
link_seen (struct fl *f, const struct stat *st)
{
	struct link *l;

	if (f->nlinks * 2 >= f->caplinks && links_grow (f) < 0)
		return NULL;
	l = link_slot (f->links, f->caplinks, st->st_dev, st->st_ino);
	if (l->path)
		return l->path;
	if ((l->path = strdup (f->path))) {
		l->dev = st->st_dev;
		l->ino = st->st_ino;
		f->nlinks++;
	}
	return NULL;
}

/* ---- metadata --------------------------------------------------------- */

static int
is_overlay_xattr (const char *name)
{
	return strncmp (name, "trusted.overlay.", 16) == 0 || strncmp (name, "user.overlay.", 13) == 0;
}

/* POSIX ACLs name users and groups: in a shifted copy they are shifted as
 * the owners are, as an idmapped mount shows them. The xattr: a version
 * word, then entries of a 16-bit tag, 16-bit permissions, 32-bit id,
 * little-endian. */
static void
acl_shift (const struct fl *f, const char *name, char *val, ssize_t n)
{
	enum { ACL_USER = 0x02, ACL_GROUP = 0x08 };

	if (!f->uid || (strcmp (name, "system.posix_acl_access") && strcmp (name, "system.posix_acl_default")))
		return;
	for (ssize_t off = 4; off + 8 <= n; off += 8) {
		uint16_t tag;
		uint32_t id;
		long long host;

		memcpy (&tag, val + off, sizeof tag);
		if (le16toh (tag) != ACL_USER && le16toh (tag) != ACL_GROUP)
			continue;
		memcpy (&id, val + off + 4, sizeof id);
		host = idmap_to_host (le16toh (tag) == ACL_USER ? f->uid : f->gid, le32toh (id));
		id = htole32 (host < 0 ? 65534 : (uint32_t)host);
		memcpy (val + off + 4, &id, sizeof id);
	}
}

/* Copy xattrs from SFD to DFD; path fds (O_PATH) through /proc/self/fd. */
static int
xattrs_copy (struct fl *f, int sfd, int dfd, int pathfds, struct bx_err *e)
{
	char sp[64], dp[64];
	_cleanup_free_ char *names = NULL, *val = NULL;
	ssize_t n, vn;

	snprintf (sp, sizeof sp, "/proc/self/fd/%d", sfd);
	snprintf (dp, sizeof dp, "/proc/self/fd/%d", dfd);
	n = pathfds ? listxattr (sp, NULL, 0) : flistxattr (sfd, NULL, 0);
	if (n <= 0)
		return 0;
	if (!(names = malloc ((size_t)n)) || !(val = malloc (XATTR_SIZE_MAX)))
		return fl_err (f, ENOMEM, "xattrs", e);
	n = pathfds ? listxattr (sp, names, (size_t)n) : flistxattr (sfd, names, (size_t)n);
	for (char *p = names; n > 0 && p < names + n; p += strlen (p) + 1) {
		/* a copy of one layer keeps its opaque marks */
		if (is_overlay_xattr (p) && !f->uid)
			continue;
		vn = pathfds ? getxattr (sp, p, val, XATTR_SIZE_MAX) : fgetxattr (sfd, p, val, XATTR_SIZE_MAX);
		if (vn < 0)
			return fl_err (f, errno, p, e);
		acl_shift (f, p, val, vn);
		if ((pathfds ? setxattr (dp, p, val, (size_t)vn, 0) : fsetxattr (dfd, p, val, (size_t)vn, 0)) < 0 &&
		    !(f->rootless && (errno == EPERM || errno == ENOTSUP)))
			return fl_err (f, errno, p, e);
	}
	return 0;
}

static int
meta_fd (struct fl *f, int sfd, int dfd, const struct stat *st, struct bx_err *e)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	uid_t uid;
	gid_t gid;

	fl_owner (f, st, &uid, &gid);
	if (fchown (dfd, uid, gid) < 0 && !(f->rootless && (errno == EPERM || errno == EINVAL)))
		return fl_err (f, errno, "chown", e);
	if (fchmod (dfd, st->st_mode & 07777) < 0)
		return fl_err (f, errno, "chmod", e);
	if (xattrs_copy (f, sfd, dfd, 0, e) < 0)
		return -1;
	if (futimens (dfd, ts) < 0)
		return fl_err (f, errno, "set times", e);
	return 0;
}

/* for symlinks, devices and FIFOs, which cannot be opened for writing */
static int
meta_at (struct fl *f, int src, int dst, const char *name, const struct stat *st, struct bx_err *e)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	uid_t uid;
	gid_t gid;

	fl_owner (f, st, &uid, &gid);
	if (fchownat (dst, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    !(f->rootless && (errno == EPERM || errno == EINVAL)))
		return fl_err (f, errno, "chown", e);
	if (!S_ISLNK (st->st_mode)) {
		_cleanup_close_ int sfd = openat (src, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int dfd = openat (dst, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fchmodat (dst, name, st->st_mode & 07777, 0) < 0)
			return fl_err (f, errno, "chmod", e);
		if (sfd < 0 || dfd < 0)
			return fl_err (f, errno, "open", e);
		if (xattrs_copy (f, sfd, dfd, 1, e) < 0)
			return -1;
	}
	if (utimensat (dst, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fl_err (f, errno, "set times", e);
	return 0;
}

/* ---- entries ---------------------------------------------------------- */

static int
data_copy (int sfd, int dfd, off_t size)
{
	char buf[65536];
	ssize_t n;

	/* a reflink where the filesystem shares extents, else in-kernel copy */
	if (size == 0 || ioctl (dfd, FICLONE, sfd) == 0)
		return 0;
	while ((n = copy_file_range (sfd, NULL, dfd, NULL, 1 << 30, 0)) > 0)
		;
	if (n == 0)
		return 0;
	if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
	while ((n = read (sfd, buf, sizeof buf)) > 0)
		if (afile_write_all (dfd, buf, (size_t)n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

static int
file_copy (struct fl *f, int src, int dst, const char *name, const struct stat *st, struct bx_err *e)
{
	_cleanup_close_ int sfd = -1, dfd = -1;
	const char *first = st->st_nlink > 1 ? link_seen (f, st) : NULL;

	if (first) {
		_cleanup_close_ int t = tree_open_in_root (f->dst_root, first, O_PATH | O_NOFOLLOW, 0);
		if (t < 0 || linkat (t, "", dst, name, AT_EMPTY_PATH) < 0)
			return fl_err (f, errno, "hardlink", e);
		return 0;
	}
	sfd = openat (src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return fl_err (f, errno, "open", e);
	dfd = openat (dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dfd < 0)
		return fl_err (f, errno, "create", e);
	if (data_copy (sfd, dfd, st->st_size) < 0)
		return fl_err (f, errno, "copy", e);
	if (meta_fd (f, sfd, dfd, st, e) < 0)
		return -1;
	if (close (steal_fd (&dfd)) < 0)
		return fl_err (f, errno, "close", e);
	return 0;
}

static int
node_copy (struct fl *f, int src, int dst, const char *name, const struct stat *st, struct bx_err *e)
{
	if (S_ISREG (st->st_mode))
		return file_copy (f, src, dst, name, st, e);
	if (S_ISLNK (st->st_mode)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat (src, name, target, sizeof target - 1);
		if (n < 0)
			return fl_err (f, errno, "readlink", e);
		target[n] = '\0';
		if (symlinkat (target, dst, name) < 0)
			return fl_err (f, errno, "symlink", e);
	} else if (mknodat (dst, name, st->st_mode, st->st_rdev) < 0)
		return fl_err (f, errno, "mknod", e);
	return meta_at (f, src, dst, name, st, e);
}

static int tree_copy (struct fl *f, int src, int dst, struct bx_err *e);

static int
is_opaque (struct fl *f, int fd)
{
	char v[2];

	return f->opaque_xattr && fgetxattr (fd, f->opaque_xattr, v, sizeof v) == 1 && v[0] == 'y';
}

/* A directory of the layer: merged into what is below unless opaque. */
static int
dir_copy (struct fl *f, int src, int dst, const char *name, const struct stat *st, struct bx_err *e)
{
	_cleanup_close_ int sfd = openat (src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), dfd = -1;
	struct stat dt;

	if (sfd < 0)
		return fl_err (f, errno, "open", e);
	if (fstatat (dst, name, &dt, AT_SYMLINK_NOFOLLOW) == 0 && (!S_ISDIR (dt.st_mode) || is_opaque (f, sfd)) &&
	    tree_remove_at (dst, name) < 0)
		return fl_err (f, errno, "remove", e);
	if (mkdirat (dst, name, 0700) < 0 && errno != EEXIST)
		return fl_err (f, errno, "mkdir", e);
	dfd = openat (dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return fl_err (f, errno, "open", e);
	if (tree_copy (f, sfd, dfd, e) < 0)
		return -1;
	return meta_fd (f, sfd, dfd, st, e);
}

static int
entry_copy (struct fl *f, int src, int dst, const char *name, struct bx_err *e)
{
	struct stat st;

	if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fl_err (f, errno, "stat", e);
	if (S_ISDIR (st.st_mode))
		return dir_copy (f, src, dst, name, &st, e);
	/* a whiteout deletes; anything else replaces what was there */
	if (tree_remove_at (dst, name) < 0)
		return fl_err (f, errno, "remove", e);
	if (TREE_IS_WHITEOUT (&st) && !f->uid)
		return 0;
	return node_copy (f, src, dst, name, &st, e);
}

static int
tree_copy (struct fl *f, int src, int dst, struct bx_err *e)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	int fd = dup (src);

	if (fd < 0 || !(d = fdopendir (fd))) {
		if (fd >= 0)
			close (fd);
		return fl_err (f, errno, "read directory", e);
	}
	while ((de = readdir (d))) {
		size_t len = f->plen;
		int r;
		if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
			continue;
		if (path_push (f, de->d_name) < 0)
			return fl_err (f, ENAMETOOLONG, de->d_name, e);
		r = entry_copy (f, src, dst, de->d_name, e);
		path_pop (f, len);
		if (r < 0)
			return -1;
	}
	return 0;
}

int
flatten_layers (int layersfd, const char *const *layers, size_t n, int dstfd, const char *opaque_xattr,
                struct bx_err *e)
{
	struct fl f = {.dst_root = dstfd, .opaque_xattr = opaque_xattr, .rootless = geteuid () != 0};
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		_cleanup_close_ int src = openat (layersfd, layers[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		f.layer = layers[i];
		path_pop (&f, 0);
		if (src < 0)
			rc = err_set (e, BX_FAIL, errno, "layer %s", layers[i]);
		else if (is_opaque (&f, src) && tree_empty (dstfd) < 0)
			rc = fl_err (&f, errno, "remove", e);
		else
			rc = tree_copy (&f, src, dstfd, e);
		links_reset (&f);
	}
	return rc;
}

int
flatten_shifted (int srcfd, int dstfd, const struct idmap *uid, const struct idmap *gid, const char *name,
                 struct bx_err *e)
{
	struct fl f = {.dst_root = dstfd, .layer = name, .rootless = geteuid () != 0, .uid = uid, .gid = gid};
	struct stat st;
	int rc;

	/* the root's metadata last: its times stay the layer's */
	rc = tree_copy (&f, srcfd, dstfd, e);
	path_pop (&f, 0);
	if (rc == 0 && fstat (srcfd, &st) < 0)
		rc = fl_err (&f, errno, "stat", e);
	if (rc == 0)
		rc = meta_fd (&f, srcfd, dstfd, &st, e);
	links_reset (&f);
	return rc;
}
