/* layer - an overlay upper directory as an image layer blob
 *
 * The tar is written in sorted order, paths relative without "./", with
 * each file's own mode, owner, mtime (clamped to SOURCE_DATE_EPOCH when
 * given) and xattrs (security.capability and user.*, as Docker's tar keeps
 * the capability), a file's second name a hard link to its first, so the
 * same tree gives the same diff_id. The mount points a container that ran
 * got (proc, sys, dev, etc/hosts, etc/hostname, etc/resolv.conf) are left
 * out, as Docker's init layer keeps them out of a step's diff; a directory
 * that was only copied up to hold them (it has an overlay origin, nothing
 * written inside, and the mode, owner and xattrs of the lower directory it
 * came from) is left out with them. Its mtime is not compared, as
 * containerd's and BuildKit's diffs do not compare a directory's: making
 * and removing a mount point inside (RUN --mount) changes it. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/hash.h"
#include "base/layout.h"
#include "base/tree.h"
#include "image/oci.h"
#include "layers/layer.h"
#include "layers/mountpt.h"

/* The blob goes out in whole aligned blocks with O_DIRECT where the
 * filesystem takes it: nothing reads it while the image is built (the
 * upper is kept as the layer's tree), and a blob of new page cache costs
 * more than its write (each fresh page is faulted in, ~3 ms a MB on a VM)
 * and is written back later all the same. */
#define SINK_ALIGN 4096
#define SINK_BLOCK (1 << 20)

struct sink {
	struct hash_ctx diff, comp;
	z_stream z;
	ZSTD_CCtx *zc; /* zstd, else gzip unless plain */
	int plain;     /* a plain tar: the digest is the diff_id */
	int fd;
	int direct; /* fd is O_DIRECT */
	int err;    /* errno of a failed write */
	unsigned char out[65536];
	unsigned char *block; /* SINK_BLOCK bytes, SINK_ALIGN-aligned */
	size_t have;          /* bytes in block */
	uint64_t size;
};

/* the files with more than one name already written: (dev, ino) -> path */
struct links {
	struct link {
		dev_t dev;
		ino_t ino;
		char *path;
	} * v;
	size_t n, cap; /* cap: a power of two, or 0 */
};

struct walk {
	struct archive *a;
	struct sink *s;
	const struct layer_opts *o;
	struct links links;
	char *pending[256]; /* directories entered, not yet written */
	struct stat pst[256];
	size_t npending, nwritten;
	int *lower; /* the lower layers' directories, topmost first */
	size_t nlower;
	int err;
};

/* the buffered-I/O fallback: a filesystem or a length O_DIRECT refuses */
static int
sink_buffered (struct sink *s)
{
	int fl = fcntl (s->fd, F_GETFL);

	s->direct = 0;
	return fl < 0 || fcntl (s->fd, F_SETFL, fl & ~O_DIRECT) < 0 ? -1 : 0;
}

/* write the block's first N bytes (all of it, or the end of the blob) */
static int
sink_drain (struct sink *s, size_t n)
{
	size_t whole = s->direct ? n - n % SINK_ALIGN : n;

	if (whole && afile_write_all (s->fd, s->block, whole) < 0) {
		if (errno != EINVAL || !s->direct || sink_buffered (s) < 0 ||
		    afile_write_all (s->fd, s->block, whole) < 0)
			return s->err = errno, -1;
	}
	if (whole < n && (sink_buffered (s) < 0 || afile_write_all (s->fd, s->block + whole, n - whole) < 0))
		return s->err = errno, -1;
	s->have = 0;
	return 0;
}

/* the blob's next LEN bytes */
static int
sink_put (struct sink *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	s->size += len;
	while (len > 0 && !s->err) {
		size_t n = SINK_BLOCK - s->have < len ? SINK_BLOCK - s->have : len;
		memcpy (s->block + s->have, p, n);
		s->have += n, p += n, len -= n;
		if (s->have == SINK_BLOCK)
			sink_drain (s, SINK_BLOCK);
	}
	return s->err ? -1 : 0;
}

static void
sink_emit (struct sink *s, size_t n)
{
	hash_update (&s->comp, s->out, n);
	sink_put (s, s->out, n);
}

static int
sink_zstd (struct sink *s, const void *buf, size_t len, int end)
{
	ZSTD_inBuffer in = {buf, len, 0};
	size_t r;

	do {
		ZSTD_outBuffer out = {s->out, sizeof s->out, 0};
		r = ZSTD_compressStream2 (s->zc, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError (r))
			return s->err = EIO, -1;
		sink_emit (s, out.pos);
	} while (end ? r != 0 : in.pos < in.size);
	return s->err ? -1 : 0;
}

static int
sink_out (struct sink *s, int flush)
{
	int zr;

	do {
		s->z.next_out = s->out;
		s->z.avail_out = sizeof s->out;
		zr = deflate (&s->z, flush);
		sink_emit (s, sizeof s->out - s->z.avail_out);
	} while (s->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END && zr != Z_STREAM_ERROR));
	return s->err ? -1 : 0;
}

static la_ssize_t
sink_write (struct archive *a, void *arg, const void *buf, size_t len)
{
	struct sink *s = arg;

	(void)a;
	hash_update (&s->diff, buf, len);
	if (s->plain) {
		if (sink_put (s, buf, len) < 0) {
			archive_set_error (a, s->err, "writing the layer");
			return -1;
		}
		return len;
	}
	s->z.next_in = (unsigned char *)buf;
	s->z.avail_in = len;
	if ((s->zc ? sink_zstd (s, buf, len, 0) : sink_out (s, Z_NO_FLUSH)) < 0) {
		archive_set_error (a, s->err, "writing the layer");
		return -1;
	}
	return len;
}

/* ST's owner as the layer holds it (layer_opts' maps); a made-up stat (a
 * whiteout's, no inode) is root's */
static void
owner_of (const struct walk *w, const struct stat *st, long long *uid, long long *gid)
{
	*uid = st->st_uid, *gid = st->st_gid;
	if (!w->o->uidmap || !st->st_ino)
		return;
	if ((*uid = idmap_to_ctr (w->o->uidmap, st->st_uid)) < 0)
		*uid = 65534;
	if ((*gid = idmap_to_ctr (w->o->gidmap, st->st_gid)) < 0)
		*gid = 65534;
}

static struct archive_entry *
entry_of (const struct walk *w, const char *path, const struct stat *st)
{
	struct archive_entry *en = archive_entry_new ();
	long long uid, gid;

	archive_entry_set_pathname (en, path);
	archive_entry_copy_stat (en, st);
	owner_of (w, st, &uid, &gid);
	archive_entry_set_uid (en, uid);
	archive_entry_set_gid (en, gid);
	if (w->o->epoch >= 0 && st->st_mtime >= w->o->epoch)
		archive_entry_set_mtime (en, w->o->epoch, 0);
	archive_entry_set_atime (en, 0, 0);
	archive_entry_unset_atime (en);
	archive_entry_unset_ctime (en);
	archive_entry_unset_birthtime (en);
	archive_entry_set_nlink (en, 1);
	return en;
}

static size_t
links_slot (const struct links *l, dev_t dev, ino_t ino)
{
	size_t i = ((size_t)ino * 0x9e3779b97f4a7c15ULL ^ (size_t)dev) & (l->cap - 1);

	while (l->v[i].path && (l->v[i].dev != dev || l->v[i].ino != ino))
		i = (i + 1) & (l->cap - 1);
	return i;
}

static int
links_grow (struct links *l)
{
	struct links n = {.cap = l->cap ? l->cap * 2 : 64};

	if (!(n.v = calloc (n.cap, sizeof *n.v)))
		return -1;
	for (size_t i = 0; i < l->cap; i++)
		if (l->v[i].path)
			n.v[links_slot (&n, l->v[i].dev, l->v[i].ino)] = l->v[i];
	n.n = l->n;
	free (l->v);
	*l = n;
	return 0;
}

/* the first path of the file ST, or NULL after remembering PATH as it */
static const char *
links_first (struct links *l, const char *path, const struct stat *st)
{
	size_t i;

	if (2 * (l->n + 1) > l->cap && links_grow (l) < 0)
		return NULL;
	i = links_slot (l, st->st_dev, st->st_ino);
	if (l->v[i].path)
		return l->v[i].path;
	l->v[i] = (struct link){st->st_dev, st->st_ino, strdup (path)};
	l->n++;
	return NULL;
}

static void
links_free (struct links *l)
{
	for (size_t i = 0; i < l->cap; i++)
		free (l->v[i].path);
	free (l->v);
}

/* the xattrs a layer keeps: the file capabilities and the user's own,
 * not the ones rootless overlayfs and fuse-overlayfs keep their
 * whiteouts, origins and modes in */
static int
is_kept_xattr (const char *name)
{
	return strcmp (name, "security.capability") == 0 ||
	       (strncmp (name, "user.", 5) == 0 && strncmp (name, "user.overlay.", 13) != 0 &&
	        strncmp (name, "user.fuseoverlayfs.", 19) != 0 && strncmp (name, "user.containers.", 16) != 0);
}

static void
add_xattrs (struct archive_entry *en, int dirfd, const char *name)
{
	char path[PATH_MAX], names[4096], val[4096];
	ssize_t n, vn;

	snprintf (path, sizeof path, "/proc/self/fd/%d/%s", dirfd, name);
	if ((n = llistxattr (path, names, sizeof names)) <= 0)
		return;
	for (char *x = names; x < names + n; x += strlen (x) + 1)
		if (is_kept_xattr (x) && (vn = lgetxattr (path, x, val, sizeof val)) >= 0)
			archive_entry_xattr_add_entry (en, x, val, vn);
}

static int
put (struct walk *w, const char *path, const struct stat *st, int dirfd, const char *name)
{
	struct archive_entry *en = entry_of (w, path, st);
	const char *first = S_ISREG (st->st_mode) && st->st_nlink > 1 ? links_first (&w->links, path, st) : NULL;
	int rc = 0;

	/* the whiteouts' made-up stat has no inode, and no xattrs to keep */
	if (st->st_ino)
		add_xattrs (en, dirfd, name);
	if (first) {
		archive_entry_set_hardlink (en, first);
		archive_entry_set_size (en, 0);
	} else if (S_ISLNK (st->st_mode)) {
		char target[4096];
		ssize_t n = readlinkat (dirfd, name, target, sizeof target - 1);
		target[n > 0 ? n : 0] = '\0';
		archive_entry_set_symlink (en, target);
	}
	if (!S_ISREG (st->st_mode))
		archive_entry_set_size (en, 0);
	if (archive_write_header (w->a, en) != ARCHIVE_OK)
		rc = -1;
	if (rc == 0 && !first && S_ISREG (st->st_mode) && st->st_size > 0) {
		_cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		char buf[65536];
		ssize_t n;
		if (fd < 0)
			rc = -1, w->err = errno;
		while (rc == 0 && (n = read (fd, buf, sizeof buf)) > 0)
			if (archive_write_data (w->a, buf, n) < 0)
				rc = -1;
	}
	archive_entry_free (en);
	w->nwritten++;
	return rc;
}

/* write the directories entered whose entries come now */
static int
flush_pending (struct walk *w, int dirfd)
{
	for (size_t i = 0; i < w->npending; i++) {
		if (!w->pending[i])
			continue;
		if (put (w, w->pending[i], &w->pst[i], dirfd, ".") < 0)
			return -1;
		free (w->pending[i]);
		w->pending[i] = NULL;
	}
	return 0;
}

static int
has_xattr (int dirfd, const char *name, const char *attr, const char *want)
{
	char val[16];
	_cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return 0;
	/* any value when WANT is NULL: an origin is a file handle, longer */
	if (!want)
		return fgetxattr (fd, attr, NULL, 0) >= 0;
	n = fgetxattr (fd, attr, val, sizeof val - 1);
	if (n < 0)
		return 0;
	val[n] = '\0';
	return strcmp (val, want) == 0;
}

/* the kept xattrs of UPPER (a path) all in LOWER (an fd) with the same
 * values, and as many */
static int
lower_same_xattrs (const char *upper, int lower)
{
	char names[4096], val[4096], lval[4096];
	ssize_t n = llistxattr (upper, names, sizeof names), vn;
	size_t kept = 0;

	if (n < 0)
		n = 0;
	for (char *x = names; x < names + n; x += strlen (x) + 1) {
		if (!is_kept_xattr (x))
			continue;
		kept++;
		vn = lgetxattr (upper, x, val, sizeof val);
		if (vn < 0 || fgetxattr (lower, x, lval, sizeof lval) != vn || memcmp (val, lval, (size_t)vn) != 0)
			return 0;
	}
	if ((n = flistxattr (lower, names, sizeof names)) < 0)
		n = 0;
	for (char *x = names; x < names + n; x += strlen (x) + 1)
		kept -= is_kept_xattr (x) ? 1 : 0;
	return kept == 0;
}

/* PATH in the topmost lower layer that has it, as the copy-up saw it: a
 * directory fd, -2 when a layer has something else there (a file, a
 * whiteout, a link on the way), -1 when none has it */
static int
lower_open (const struct walk *w, const char *path)
{
	struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
	                       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH};

	for (size_t i = 0; i < w->nlower; i++) {
		int fd = (int)syscall (SYS_openat2, w->lower[i], path, &how, sizeof how);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT)
			return -2;
	}
	return -1;
}

/* a directory copied up with nothing written inside is one of the
 * changes when its own metadata is: one no image layer has came from the
 * init layer, which holds only mount points */
static int
lower_differs (const struct walk *w, int dirfd, const char *path, const char *name, const struct stat *st)
{
	_cleanup_close_ int fd = lower_open (w, path);
	char upper[PATH_MAX];
	struct stat ls;
	long long uid, gid;

	if (fd == -1)
		return 0;
	if (fd < 0 || fstat (fd, &ls) < 0)
		return 1;
	owner_of (w, st, &uid, &gid);
	if ((ls.st_mode & 07777) != (st->st_mode & 07777) || ls.st_uid != uid || ls.st_gid != gid)
		return 1;
	snprintf (upper, sizeof upper, "/proc/self/fd/%d/%s", dirfd, name);
	return !lower_same_xattrs (upper, fd);
}

/* a directory written even when nothing inside it is: one made in the
 * step, or copied up and changed; not one copied up (it has an origin)
 * only to hold mount points, nor the etc/ made to hold a run's */
static int
walk_keeps_dir (const struct walk *w, int dirfd, const char *path, const char *name, const struct stat *st)
{
	int origin, etc = strcmp (path, "etc") == 0;

	if (!w->o->ran)
		return 1;
	if (w->o->whole)
		return !etc;
	origin = has_xattr (dirfd, name, "trusted.overlay.origin", NULL);
	if (!origin)
		return !etc;
	return lower_differs (w, dirfd, path, name, st);
}

/* an opaque directory: overlayfs's mark, rootless overlayfs's
 * (userxattr) or fuse-overlayfs's */
static int
is_opaque (int dirfd, const char *name)
{
	return has_xattr (dirfd, name, "trusted.overlay.opaque", "y") ||
	       has_xattr (dirfd, name, "user.overlay.opaque", "y") ||
	       has_xattr (dirfd, name, "user.fuseoverlayfs.opaque", "y");
}

static int walk_dir (struct walk *w, int dirfd, const char *prefix);
static int walk_sub (struct walk *w, int dirfd, const char *path, const char *name, const struct stat *st);

static int
by_name (const struct dirent **a, const struct dirent **b)
{
	return strcmp ((*a)->d_name, (*b)->d_name);
}

static int
walk_entry (struct walk *w, int dirfd, const char *prefix, const char *name)
{
	struct stat st;
	_cleanup_free_ char *path = NULL;

	if (asprintf (&path, "%s%s", prefix, name) < 0 || fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return w->err = errno, -1;
	if (w->o->ran && mountpt_is_standin (path, &st))
		return w->o->skipped ? w->o->skipped (w->o->arg, path) : 0;
	if (TREE_IS_WHITEOUT (&st)) {
		_cleanup_free_ char *wh = NULL;
		struct stat z = {.st_mode = S_IFREG | 0644, .st_mtime = st.st_mtime};
		if (asprintf (&wh, "%s.wh.%s", prefix, name) < 0 || flush_pending (w, dirfd) < 0)
			return -1;
		return put (w, wh, &z, dirfd, name);
	}
	if (!S_ISDIR (st.st_mode))
		return flush_pending (w, dirfd) < 0 ? -1 : put (w, path, &st, dirfd, name);
	return walk_sub (w, dirfd, path, name, &st);
}

static int
walk_sub (struct walk *w, int dirfd, const char *path, const char *name, const struct stat *st)
{
	_cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ char *sub = NULL;
	size_t at = w->npending;
	int rc;

	if (fd < 0 || at >= sizeof w->pending / sizeof *w->pending)
		return w->err = fd < 0 ? errno : ENAMETOOLONG, -1;
	w->pending[at] = strdup (path);
	w->pst[at] = *st;
	w->npending++;
	rc = asprintf (&sub, "%s/", path) < 0 ? -1 : 0;
	if (rc == 0 && walk_keeps_dir (w, dirfd, path, name, st))
		rc = flush_pending (w, fd);
	if (rc == 0 && is_opaque (dirfd, name)) {
		struct stat z = {.st_mode = S_IFREG | 0644, .st_mtime = st->st_mtime};
		_cleanup_free_ char *opq = NULL;
		rc = asprintf (&opq, "%s.wh..wh..opq", sub) < 0 || flush_pending (w, fd) < 0
		         ? -1
		         : put (w, opq, &z, fd, ".");
	}
	if (rc == 0)
		rc = walk_dir (w, fd, sub);
	if (rc == 0 && w->pending[at] && w->o->skipped)
		rc = w->o->skipped (w->o->arg, path);
	w->npending--;
	free (w->pending[at]);
	w->pending[at] = NULL;
	return rc;
}

static int
walk_dir (struct walk *w, int dirfd, const char *prefix)
{
	struct dirent **names = NULL;
	int n, rc = 0;
	_cleanup_close_ int dup = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char self[64];

	snprintf (self, sizeof self, "/proc/self/fd/%d", dup);
	if (dup < 0 || (n = scandir (self, &names, NULL, by_name)) < 0)
		return w->err = errno, -1;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		if (rc == 0 && strcmp (nm, ".") && strcmp (nm, ".."))
			rc = walk_entry (w, dirfd, prefix, nm);
		free (names[i]);
	}
	free (names);
	return rc;
}

/* the image's layers/<hex>/, topmost first; one missing is skipped */
static int
walk_lowers_open (struct walk *w, int rootfd, json_t *diff_ids, struct bx_err *e)
{
	size_t n = json_array_size (diff_ids);

	if (n == 0)
		return 0;
	if (!(w->lower = calloc (n, sizeof *w->lower)))
		return err_set (e, BX_SYSTEM, ENOMEM, "layers");
	for (size_t i = n; i-- > 0;) {
		const char *d = json_string_value (json_array_get (diff_ids, i));
		char path[DIGEST_STR_LEN + 16];
		if (!d || !digest_is_valid (d))
			continue;
		snprintf (path, sizeof path, L_LAYERS "/%s", digest_hex (d));
		if ((w->lower[w->nlower] = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
			w->nlower++;
	}
	return 0;
}

static void
walk_lowers_close (struct walk *w)
{
	for (size_t i = 0; i < w->nlower; i++)
		close (w->lower[i]);
	free (w->lower);
}

static int
sink_open (struct sink *s, int tmpfd, enum layer_compress c, struct bx_err *e)
{
	struct bx_err he;

	memset (s, 0, sizeof *s);
	s->fd = -1;
	if (hash_init (&s->diff, &he) < 0 || hash_init (&s->comp, &he) < 0)
		return err_set (e, BX_SYSTEM, 0, "%s", he.msg);
	s->plain = c == LAYER_NONE;
	if (c == LAYER_ZSTD && !(s->zc = ZSTD_createCCtx ()))
		return err_set (e, BX_SYSTEM, ENOMEM, "zstd");
	/* gzip as Go's compress/gzip writes it: windowBits 31, no name, no time */
	if (!s->zc && !s->plain && deflateInit2 (&s->z, Z_BEST_SPEED, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return err_set (e, BX_SYSTEM, 0, "zlib: deflateInit2 failed");
	if (posix_memalign ((void **)&s->block, SINK_ALIGN, SINK_BLOCK) != 0)
		return err_set (e, BX_SYSTEM, ENOMEM, "layer");
	s->fd = openat (tmpfd, "layer", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0644);
	s->direct = s->fd >= 0;
	if (s->fd < 0 && errno == EINVAL)
		s->fd = openat (tmpfd, "layer", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->fd < 0)
		return err_set (e, BX_SYSTEM, errno, "layer");
	return 0;
}

static int
write_tar (struct walk *w, int upper, struct bx_err *e)
{
	struct archive *a = archive_write_new ();
	int rc;

	w->a = a;
	archive_write_set_format_pax_restricted (a);
	archive_write_set_bytes_in_last_block (a, 1);
	if (archive_write_open (a, w->s, NULL, sink_write, NULL) != ARCHIVE_OK) {
		rc = err_set (e, BX_SYSTEM, 0, "layer: %s", archive_error_string (a));
		archive_write_free (a);
		return rc;
	}
	rc = walk_dir (w, upper, "");
	/* a full disk while the blob is written: ENOSPC, from the sink */
	if (rc < 0)
		err_set (e, BX_SYSTEM, w->err ? w->err : w->s->err, "layer: %s",
		         w->err ? "reading the step's changes" : archive_error_string (a));
	if (archive_write_close (a) != ARCHIVE_OK && rc == 0)
		rc = err_set (e, BX_SYSTEM, 0, "layer: %s", archive_error_string (a));
	archive_write_free (a);
	return rc;
}

int
layer_from_upper (int upper, const struct layer_opts *o, const struct store *st, int tmpfd, json_t **desc,
                  char diff_id[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	struct sink s;
	struct walk w = {.s = &s, .o = o};
	char digest[DIGEST_STR_LEN + 1];
	int rc;

	if (sink_open (&s, tmpfd, o->compress, e) < 0) {
		deflateEnd (&s.z);
		ZSTD_freeCCtx (s.zc);
		free (s.block);
		return -1;
	}
	rc = walk_lowers_open (&w, o->rootfd, o->diff_ids, e);
	if (rc == 0)
		rc = write_tar (&w, upper, e);
	walk_lowers_close (&w);
	links_free (&w.links);
	s.z.avail_in = 0;
	if (rc == 0 && !s.plain && (s.zc ? sink_zstd (&s, NULL, 0, 1) : sink_out (&s, Z_FINISH)) < 0)
		rc = err_set (e, BX_SYSTEM, s.err, "layer");
	if (rc == 0 && sink_drain (&s, s.have) < 0)
		rc = err_set (e, BX_SYSTEM, s.err, "layer");
	deflateEnd (&s.z);
	ZSTD_freeCCtx (s.zc);
	free (s.block);
	hash_final (&s.diff, diff_id);
	hash_final (&s.comp, digest);
	if (s.plain)
		memcpy (digest, diff_id, sizeof digest);
	if (rc == 0 && !o->defer && fsync (s.fd) < 0)
		rc = err_set (e, BX_SYSTEM, errno, "layer");
	close (s.fd);
	if (rc < 0 || w.nwritten == 0) {
		unlinkat (tmpfd, "layer", 0);
		return rc < 0 ? -1 : 0;
	}
	if (!o->defer && store_blob_commit_at (st, tmpfd, "layer", digest, e) < 0)
		return -1;
	*desc = json_pack ("{s:s, s:s, s:I}", "mediaType",
	                   o->compress == LAYER_NONE   ? MT_OCI_LAYER
	                   : o->compress == LAYER_ZSTD ? MT_OCI_LAYER_ZSTD
	                                               : MT_OCI_LAYER_GZIP,
	                   "digest", digest, "size", (json_int_t)s.size);
	return 1;
}

int
layer_commit (const struct store *st, int tmpfd, const char *digest, int synced, struct bx_err *e)
{
	int fd;

	if (!synced) {
		if ((fd = openat (tmpfd, "layer", O_RDONLY | O_CLOEXEC)) < 0 || fsync (fd) < 0) {
			int err = errno;
			if (fd >= 0)
				close (fd);
			return err_set (e, BX_SYSTEM, err, "layer");
		}
		close (fd);
	}
	return store_blob_commit_at (st, tmpfd, "layer", digest, e);
}
