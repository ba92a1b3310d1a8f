#include "layers/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/hash.h"
#include "base/tree.h"

#define WH_PREFIX ".wh."
#define WH_META ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"
#define READ_BLOCK (256 * 1024)

/* a directory whose mode and mtime are set once the whole layer is in:
 * a read-only directory must stay writable while entries go into it, and
 * every entry written into it would bump its mtime */
struct dirmeta {
	char *path;
	mode_t mode;
	struct timespec mtime;
};

struct ux {
	const struct unpack_opts *o;
	struct unpack_stats *st;
	int root;
	struct archive *raw; /* decompresses the blob */
	struct archive *tar; /* parses what raw yields */
	struct hash_ctx dg;
	/* the parent directory of the previous entry, kept open: tars list
	 * a directory's entries together, so most lookups are saved */
	char ppath[PATH_MAX];
	int pfd;
	int pstale; /* something was removed: the cached fd may be gone */
	struct dirmeta *dirs;
	size_t ndirs, capdirs;
};

/* ---- paths ---------------------------------------------------------- */

/* Clean IN lexically into OUT: no leading '/', no "." or empty parts,
 * ".." applied. -1 when ".." climbs above the root, -2 when too long.
 * "" is the root itself. Absolute names are kept inside, as Docker does. */
static int
path_clean (const char *in, char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	while (*in) {
		const char *c = in;
		size_t n;
		while (*in && *in != '/')
			in++;
		n = (size_t)(in - c);
		while (*in == '/')
			in++;
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			char *s;
			if (len == 0)
				return -1;
			s = strrchr (out, '/');
			len = s ? (size_t)(s - out) : 0;
			out[len] = '\0';
			continue;
		}
		if (len + n + 2 > outsz)
			return -2;
		if (len)
			out[len++] = '/';
		memcpy (out + len, c, n);
		len += n;
		out[len] = '\0';
	}
	return 0;
}

/* a name libarchive may hand out as the locale's string or as UTF-8 only */
static const char *
entry_name (struct archive_entry *ent)
{
	return archive_entry_pathname (ent) ?: archive_entry_pathname_utf8 (ent);
}

static const char *
entry_link (struct archive_entry *ent, int hard)
{
	if (hard)
		return archive_entry_hardlink (ent) ?: archive_entry_hardlink_utf8 (ent);
	return archive_entry_symlink (ent) ?: archive_entry_symlink_utf8 (ent);
}

static int
entry_err (struct bx_err *e, struct archive_entry *ent, int sys, const char *what)
{
	const char *n = entry_name (ent);

	return err_set (e, BX_FAIL, sys, "entry %.200s%s: %s", n ? n : "?", n && strlen (n) > 200 ? "..." : "", what);
}

/* Create the missing directories of DIR, one component at a time, each
 * looked up inside the root. Returns an fd on DIR. */
static int
mkdir_in_root (struct ux *u, const char *dir)
{
	char buf[PATH_MAX];
	int pfd = u->root, fd = -1;
	size_t len = strlen (dir);

	memcpy (buf, dir, len + 1);
	for (size_t i = 0; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		fd = tree_open_in_root (u->root, buf, O_RDONLY | O_DIRECTORY, 0);
		if (fd < 0 && errno == ENOENT) {
			const char *base = strrchr (buf, '/');
			base = base ? base + 1 : buf;
			if (mkdirat (pfd, base, 0755) < 0 && errno != EEXIST)
				break;
			fd = tree_open_in_root (u->root, buf, O_RDONLY | O_DIRECTORY, 0);
		}
		if (pfd != u->root)
			close (pfd);
		pfd = u->root;
		if (fd < 0)
			return -1;
		pfd = fd;
		buf[i] = i < len ? '/' : '\0';
	}
	if (fd < 0) {
		int err = errno;
		if (pfd != u->root)
			close (pfd);
		errno = err;
	}
	return fd;
}

/* An fd on the directory DIR inside the root, created if missing; owned by
 * U (valid until the next call). -1 with errno. */
static int
parent_open (struct ux *u, const char *dir)
{
	int fd;

	if (!*dir)
		return u->root;
	if (u->pfd >= 0 && !u->pstale && strcmp (u->ppath, dir) == 0)
		return u->pfd;
	if (u->pfd >= 0)
		close (u->pfd);
	u->pfd = -1;
	u->pstale = 0;
	fd = tree_open_in_root (u->root, dir, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0 && errno == ENOENT)
		fd = mkdir_in_root (u, dir);
	if (fd < 0)
		return -1;
	snprintf (u->ppath, sizeof u->ppath, "%s", dir);
	u->pfd = fd;
	return fd;
}

/* Something is in the way of a new entry BASE: keep it when both are
 * directories (1), else remove it (0). *WAS_WH tells whether it was a
 * whiteout of this layer. -1 with errno. */
static int
clear_slot (struct ux *u, int pfd, const char *base, int want_dir, int *was_wh)
{
	struct stat st;

	*was_wh = 0;
	if (fstatat (pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	*was_wh = TREE_IS_WHITEOUT (&st);
	if (S_ISDIR (st.st_mode) && want_dir)
		return 1;
	u->pstale = 1;
	return tree_remove_at (pfd, base);
}

/* ---- metadata ------------------------------------------------------- */

/* overlayfs reads these on lower layers; a layer must not smuggle them in */
static int
is_overlay_xattr (const char *name)
{
	return strncmp (name, "trusted.overlay.", 16) == 0 || strncmp (name, "user.overlay.", 13) == 0;
}

/* Set the entry's xattrs on FD; a path fd (O_PATH) goes through its
 * /proc/self/fd link, which reaches device nodes and FIFOs too. */
static int
xattrs_apply (struct ux *u, struct archive_entry *ent, int fd, int is_path_fd, struct bx_err *e)
{
	const char *name;
	const void *val;
	size_t len;
	char proc[64];

	snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
	archive_entry_xattr_reset (ent);
	while (archive_entry_xattr_next (ent, &name, &val, &len) == ARCHIVE_OK) {
		int r;
		if (is_overlay_xattr (name))
			continue;
		r = is_path_fd ? setxattr (proc, name, val, len, 0) : fsetxattr (fd, name, val, len, 0);
		if (r == 0)
			continue;
		/* without privilege, trusted.* and security.* cannot be set:
		 * the same loss rootless Docker accepts */
		if (u->o->rootless && (errno == EPERM || errno == ENOTSUP))
			continue;
		if (errno == ENOTSUP && strcmp (name, "security.selinux") == 0)
			continue;
		{
			char what[300];
			snprintf (what, sizeof what, "xattr %.200s", name);
			return entry_err (e, ent, errno, what);
		}
	}
	return 0;
}

static int
owner_ok (struct ux *u)
{
	return u->o->rootless && (errno == EPERM || errno == EINVAL);
}

static void
entry_times (struct archive_entry *ent, struct timespec ts[2])
{
	ts[0].tv_sec = archive_entry_atime_is_set (ent) ? archive_entry_atime (ent) : archive_entry_mtime (ent);
	ts[0].tv_nsec =
	    archive_entry_atime_is_set (ent) ? archive_entry_atime_nsec (ent) : archive_entry_mtime_nsec (ent);
	ts[1].tv_sec = archive_entry_mtime (ent);
	ts[1].tv_nsec = archive_entry_mtime_nsec (ent);
}

/* Owner, mode, xattrs, times, in that order: chown clears setuid bits
 * and security.capability, so those come after it. */
static int
meta_fd (struct ux *u, struct archive_entry *ent, int fd, int times, struct bx_err *e)
{
	struct timespec ts[2];

	if (fchown (fd, archive_entry_uid (ent), archive_entry_gid (ent)) < 0 && !owner_ok (u))
		return entry_err (e, ent, errno, "chown");
	if (times && fchmod (fd, archive_entry_mode (ent) & 07777) < 0)
		return entry_err (e, ent, errno, "chmod");
	if (xattrs_apply (u, ent, fd, 0, e) < 0)
		return -1;
	entry_times (ent, ts);
	if (times && futimens (fd, ts) < 0)
		return entry_err (e, ent, errno, "set times");
	return 0;
}

/* The same for a node that cannot be opened for writing. */
static int
meta_at (struct ux *u, struct archive_entry *ent, int pfd, const char *base, int xattrs, struct bx_err *e)
{
	struct timespec ts[2];
	mode_t type = archive_entry_filetype (ent);

	if (fchownat (pfd, base, archive_entry_uid (ent), archive_entry_gid (ent), AT_SYMLINK_NOFOLLOW) < 0 &&
	    !owner_ok (u))
		return entry_err (e, ent, errno, "chown");
	if (type != AE_IFLNK && fchmodat (pfd, base, archive_entry_mode (ent) & 07777, 0) < 0)
		return entry_err (e, ent, errno, "chmod");
	if (xattrs && archive_entry_xattr_count (ent) > 0) {
		_cleanup_close_ int fd = openat (pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return entry_err (e, ent, errno, "open");
		if (xattrs_apply (u, ent, fd, 1, e) < 0)
			return -1;
	}
	entry_times (ent, ts);
	if (utimensat (pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_err (e, ent, errno, "set times");
	return 0;
}

/* ---- entries -------------------------------------------------------- */

static int
tar_err (struct ux *u, struct bx_err *e, struct archive_entry *ent)
{
	const char *msg = archive_error_string (u->tar);
	int sys = archive_errno (u->tar) > 0 ? archive_errno (u->tar) : 0;

	if (sys && msg && strstr (msg, strerror (sys)))
		sys = 0;
	if (ent)
		return entry_err (e, ent, sys, msg ? msg : "read error");
	return err_set (e, BX_FAIL, sys, "%s", msg ? msg : "read error");
}

static int
file_data (struct ux *u, struct archive_entry *ent, int fd, struct bx_err *e)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	off_t pos = 0;
	int r;

	while ((r = archive_read_data_block (u->tar, &buf, &len, &off)) == ARCHIVE_OK) {
		if (off != pos && lseek (fd, off, SEEK_SET) < 0)
			return entry_err (e, ent, errno, "seek");
		if (afile_write_all (fd, buf, len) < 0)
			return entry_err (e, ent, errno, "write");
		pos = off + (off_t)len;
	}
	if (r != ARCHIVE_EOF)
		return tar_err (u, e, ent);
	/* a sparse file may end in a hole */
	if (pos < archive_entry_size (ent) && ftruncate (fd, archive_entry_size (ent)) < 0)
		return entry_err (e, ent, errno, "truncate");
	return 0;
}

static int
file_make (struct ux *u, struct archive_entry *ent, int pfd, const char *base, struct bx_err *e)
{
	const int fl = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	_cleanup_close_ int fd = openat (pfd, base, fl, 0600);
	int wh;

	if (fd < 0 && errno == EEXIST && clear_slot (u, pfd, base, 0, &wh) == 0)
		fd = openat (pfd, base, fl, 0600);
	if (fd < 0)
		return entry_err (e, ent, errno, "create");
	if (file_data (u, ent, fd, e) < 0 || meta_fd (u, ent, fd, 1, e) < 0)
		return -1;
	if (close (steal_fd (&fd)) < 0)
		return entry_err (e, ent, errno, "close");
	return 0;
}

static int
dirmeta_push (struct ux *u, const char *path, struct archive_entry *ent)
{
	if (u->ndirs == u->capdirs) {
		size_t cap = u->capdirs ? u->capdirs * 2 : 64;
		struct dirmeta *d = realloc (u->dirs, cap * sizeof *d);
		if (!d)
			return -1;
		u->dirs = d;
		u->capdirs = cap;
	}
	if (!(u->dirs[u->ndirs].path = strdup (path)))
		return -1;
	u->dirs[u->ndirs].mode = archive_entry_mode (ent) & 07777;
	u->dirs[u->ndirs].mtime.tv_sec = archive_entry_mtime (ent);
	u->dirs[u->ndirs].mtime.tv_nsec = archive_entry_mtime_nsec (ent);
	u->ndirs++;
	return 0;
}

static int
set_opaque (struct ux *u, int fd)
{
	return fsetxattr (fd, u->o->opaque_xattr, "y", 1, 0);
}

static int
dir_make (struct ux *u, struct archive_entry *ent, int pfd, const char *path, const char *base, struct bx_err *e)
{
	_cleanup_close_ int fd = -1;
	int wh = 0, r;

	if (mkdirat (pfd, base, 0700) < 0) {
		if (errno != EEXIST || (r = clear_slot (u, pfd, base, 1, &wh)) < 0)
			return entry_err (e, ent, errno, "mkdir");
		if (r == 0 && mkdirat (pfd, base, 0700) < 0)
			return entry_err (e, ent, errno, "mkdir");
	}
	fd = openat (pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return entry_err (e, ent, errno, "open");
	/* a directory over this layer's own whiteout of it: the lower
	 * layers' directory stays hidden, this one's content shows */
	if (wh && set_opaque (u, fd) < 0)
		return entry_err (e, ent, errno, u->o->opaque_xattr);
	if (meta_fd (u, ent, fd, 0, e) < 0)
		return -1;
	if (dirmeta_push (u, path, ent) < 0)
		return entry_err (e, ent, ENOMEM, "remember");
	return 0;
}

static int
symlink_make (struct ux *u, struct archive_entry *ent, int pfd, const char *base, struct bx_err *e)
{
	const char *target = entry_link (ent, 0);
	int wh;

	if (!target)
		return entry_err (e, ent, 0, "symlink without a target");
	/* the target is only text: every lookup through it stays in the root */
	if (symlinkat (target, pfd, base) < 0) {
		if (errno != EEXIST || clear_slot (u, pfd, base, 0, &wh) < 0 || symlinkat (target, pfd, base) < 0)
			return entry_err (e, ent, errno, "symlink");
	}
	/* user.* xattrs are not allowed on symlinks; none are applied */
	return meta_at (u, ent, pfd, base, 0, e);
}

static int
link_at_fd (int tfd, int pfd, const char *base)
{
	char proc[64];

	if (linkat (tfd, "", pfd, base, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != EPERM && errno != ENOENT)
		return -1;
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link does not */
	snprintf (proc, sizeof proc, "/proc/self/fd/%d", tfd);
	return linkat (AT_FDCWD, proc, pfd, base, AT_SYMLINK_FOLLOW);
}

static int
hardlink_make (struct ux *u, struct archive_entry *ent, int pfd, const char *base, struct bx_err *e)
{
	const char *target = entry_link (ent, 1);
	char clean[PATH_MAX];
	_cleanup_close_ int tfd = -1;
	int wh, r;

	r = path_clean (target, clean, sizeof clean);
	if (r == -1)
		return entry_err (e, ent, 0, "hardlink target escapes the layer root");
	if (r < 0 || !*clean)
		return entry_err (e, ent, r < 0 ? ENAMETOOLONG : EINVAL, "hardlink target");
	tfd = tree_open_in_root (u->root, clean, O_PATH | O_NOFOLLOW, 0);
	if (tfd < 0) {
		char what[PATH_MAX + 64];
		snprintf (what, sizeof what, "hardlink target %.200s%s", clean,
		          errno == ENOENT ? " is not in this layer" : "");
		return entry_err (e, ent, errno == ENOENT ? 0 : errno, what);
	}
	if (link_at_fd (tfd, pfd, base) < 0) {
		if (errno != EEXIST || clear_slot (u, pfd, base, 0, &wh) < 0 || link_at_fd (tfd, pfd, base) < 0)
			return entry_err (e, ent, errno, "hardlink");
	}
	return 0;
}

static int
node_make (struct ux *u, struct archive_entry *ent, int pfd, const char *base, struct bx_err *e)
{
	mode_t type = archive_entry_filetype (ent);
	dev_t dev = makedev (archive_entry_rdevmajor (ent), archive_entry_rdevminor (ent));
	int wh;

	if (type != AE_IFIFO && u->o->rootless) {
		u->st->skipped++;
		return 0;
	}
	if (mknodat (pfd, base, type | 0600, type == AE_IFIFO ? 0 : dev) < 0) {
		if (errno != EEXIST || clear_slot (u, pfd, base, 0, &wh) < 0 ||
		    mknodat (pfd, base, type | 0600, type == AE_IFIFO ? 0 : dev) < 0)
			return entry_err (e, ent, errno, "mknod");
	}
	return meta_at (u, ent, pfd, base, 1, e);
}

/* ".wh.NAME" and ".wh..wh..opq" in the directory PFD */
static int
whiteout_make (struct ux *u, struct archive_entry *ent, int pfd, const char *base, struct bx_err *e)
{
	const char *victim = base + strlen (WH_PREFIX);
	struct stat st;

	if (strcmp (base, WH_OPAQUE) == 0) {
		if (set_opaque (u, pfd) < 0)
			return entry_err (e, ent, errno, u->o->opaque_xattr);
		return 0;
	}
	if (strncmp (base, WH_META, strlen (WH_META)) == 0)
		return 0; /* aufs bookkeeping (.wh..wh.plnk, ...): no meaning in OCI */
	if (!*victim || strcmp (victim, ".") == 0 || strcmp (victim, "..") == 0)
		return entry_err (e, ent, 0, "invalid whiteout");
	if (mknodat (pfd, victim, S_IFCHR | 0600, makedev (0, 0)) == 0)
		return 0;
	if (errno != EEXIST || fstatat (pfd, victim, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_err (e, ent, errno, "whiteout");
	/* NAME came earlier in this same layer, and a whiteout hides lower
	 * layers only: a file already hides them; a directory must hide the
	 * lower one's content */
	if (S_ISDIR (st.st_mode)) {
		_cleanup_close_ int fd = openat (pfd, victim, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || set_opaque (u, fd) < 0)
			return entry_err (e, ent, errno, u->o->opaque_xattr);
	}
	return 0;
}

static int
entry_apply (struct ux *u, struct archive_entry *ent, struct bx_err *e)
{
	const char *name = entry_name (ent), *base;
	char path[PATH_MAX], dir[PATH_MAX];
	int pfd, r;

	if (!name)
		return err_set (e, BX_FAIL, 0, "entry without a name");
	r = path_clean (name, path, sizeof path);
	if (r == -1)
		return entry_err (e, ent, 0, "path escapes the layer root");
	if (r < 0)
		return entry_err (e, ent, ENAMETOOLONG, "path");
	if (!*path)
		return 0; /* the root itself: its attributes are the bundle's */
	base = strrchr (path, '/');
	base = base ? base + 1 : path;
	snprintf (dir, sizeof dir, "%.*s", (int)(base > path ? base - path - 1 : 0), path);
	if ((pfd = parent_open (u, dir)) < 0)
		return entry_err (e, ent, errno, "parent directory");
	u->st->entries++;
	if (strncmp (base, WH_PREFIX, strlen (WH_PREFIX)) == 0)
		return whiteout_make (u, ent, pfd, base, e);
	if (entry_link (ent, 1))
		return hardlink_make (u, ent, pfd, base, e);
	switch (archive_entry_filetype (ent)) {
	case AE_IFREG: return file_make (u, ent, pfd, base, e);
	case AE_IFDIR: return dir_make (u, ent, pfd, path, base, e);
	case AE_IFLNK: return symlink_make (u, ent, pfd, base, e);
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO: return node_make (u, ent, pfd, base, e);
	default: return entry_err (e, ent, 0, "unsupported entry type");
	}
}

/* Directory modes and mtimes, now that nothing more goes into them. */
static int
dirs_finish (struct ux *u, struct bx_err *e)
{
	for (size_t i = 0; i < u->ndirs; i++) {
		struct dirmeta *d = &u->dirs[i];
		struct timespec ts[2] = {d->mtime, d->mtime};
		_cleanup_close_ int fd = tree_open_in_root (u->root, d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
			continue; /* replaced by a later entry */
		if (fd < 0 || fchmod (fd, d->mode) < 0 || futimens (fd, ts) < 0)
			return err_set (e, BX_FAIL, errno, "directory %.200s", d->path);
	}
	return 0;
}

/* ---- the stream ----------------------------------------------------- */

/* The tar reader's input: the next decompressed block, hashed on its way. */
static la_ssize_t
raw_read (struct archive *tar, void *arg, const void **buf)
{
	struct ux *u = arg;
	size_t len = 0;
	la_int64_t off;
	int r;

	do
		r = archive_read_data_block (u->raw, buf, &len, &off);
	while (r == ARCHIVE_OK && len == 0);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK) {
		const char *msg = archive_error_string (u->raw);
		archive_set_error (tar, archive_errno (u->raw), "decompress: %s", msg ? msg : "failed");
		return -1;
	}
	hash_update (&u->dg, *buf, len);
	u->st->bytes += len;
	return (la_ssize_t)len;
}

static int
streams_open (struct ux *u, int blobfd, struct bx_err *e)
{
	struct archive_entry *ent;

	u->raw = archive_read_new ();
	u->tar = archive_read_new ();
	if (!u->raw || !u->tar)
		return err_set (e, BX_SYSTEM, ENOMEM, "libarchive");
	/* the filters Docker accepts; never an external program */
	archive_read_support_filter_gzip (u->raw);
	archive_read_support_filter_zstd (u->raw);
	archive_read_support_filter_xz (u->raw);
	archive_read_support_filter_bzip2 (u->raw);
	archive_read_support_format_raw (u->raw);
	archive_read_support_format_empty (u->raw);
	if (archive_read_open_fd (u->raw, blobfd, READ_BLOCK) != ARCHIVE_OK)
		return err_set (e, BX_FAIL, 0, "open: %s", archive_error_string (u->raw) ?: "failed");
	if (archive_read_next_header (u->raw, &ent) < ARCHIVE_WARN)
		return err_set (e, BX_FAIL, 0, "decompress: %s", archive_error_string (u->raw) ?: "failed");
	archive_read_support_format_tar (u->tar);
	archive_read_support_format_empty (u->tar);
	if (archive_read_open (u->tar, u, NULL, raw_read, NULL) != ARCHIVE_OK)
		return tar_err (u, e, NULL);
	return 0;
}

static int
entries_apply (struct ux *u, struct bx_err *e)
{
	struct archive_entry *ent;
	int r;

	while ((r = archive_read_next_header (u->tar, &ent)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN)
			return tar_err (u, e, NULL);
		if (entry_apply (u, ent, e) < 0)
			return -1;
	}
	return 0;
}

/* The diff_id covers the whole tar stream, padding after the end-of-archive
 * blocks included, which the tar reader need not consume. */
static int
stream_drain (struct ux *u, struct bx_err *e)
{
	const void *buf;
	la_ssize_t n;

	while ((n = raw_read (u->tar, u, &buf)) > 0)
		;
	if (n < 0)
		return tar_err (u, e, NULL);
	return 0;
}

static void
ux_free (struct ux *u)
{
	if (u->tar)
		archive_read_free (u->tar);
	if (u->raw)
		archive_read_free (u->raw);
	if (u->pfd >= 0)
		close (u->pfd);
	for (size_t i = 0; i < u->ndirs; i++)
		free (u->dirs[i].path);
	free (u->dirs);
	hash_free (&u->dg);
}

int
unpack_layer (int blobfd, int dirfd, const struct unpack_opts *o, char diffid[DIGEST_STR_LEN + 1],
              struct unpack_stats *st, struct bx_err *e)
{
	struct ux u = {.o = o, .st = st, .root = dirfd, .pfd = -1};
	int rc = -1;

	memset (st, 0, sizeof *st);
	if (hash_init (&u.dg, e) < 0)
		return -1;
	if (streams_open (&u, blobfd, e) == 0 && entries_apply (&u, e) == 0 && stream_drain (&u, e) == 0 &&
	    dirs_finish (&u, e) == 0) {
		hash_final (&u.dg, diffid);
		rc = 0;
	}
	ux_free (&u);
	return rc;
}
