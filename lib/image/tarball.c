#include "image/tarball.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/hash.h"

#define MAX_LINKS 40

static void
archive_freep (struct archive **a)
{
	if (*a)
		archive_read_free (*a);
}
#define _cleanup_archive_ __attribute__ ((cleanup (archive_freep)))

/* Normalise an archive path into OUT: no leading "/" or "./", no "." or
 * empty components; ".." pops a component and stops at the top, as inside
 * a chroot. */
static void
path_clean (const char *in, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	while (*in) {
		const char *end = strchrnul (in, '/');
		size_t cl = end - in;
		if (cl == 2 && in[0] == '.' && in[1] == '.') {
			char *slash = strrchr (out, '/');
			n = slash ? (size_t)(slash - out) : 0;
			out[n] = '\0';
		} else if (cl && !(cl == 1 && in[0] == '.') && n + cl + 2 < len) {
			if (n)
				out[n++] = '/';
			memcpy (out + n, in, cl);
			out[n += cl] = '\0';
		}
		in = *end ? end + 1 : end;
	}
}

/* Store FILE (regular) of the archive into the stage as "f<n>". */
static int
stage_entry (struct tarball *t, struct archive *a, const char *path, unsigned n, struct bx_err *e)
{
	char name[32], dg[DIGEST_STR_LEN + 1];
	_cleanup_close_ int fd = -1;
	struct hash_ctx c;
	uint64_t size = 0;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	snprintf (name, sizeof name, "f%u", n);
	fd = openat (t->stage, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "stage %s", path);
	if (hash_init (&c, e) < 0)
		return -1;
	while ((r = archive_read_data_block (a, &buf, &len, &off)) == ARCHIVE_OK) {
		if ((uint64_t)off != size) {
			hash_free (&c);
			return err_set (e, BX_USAGE, 0, "%s: sparse files are not supported", path);
		}
		hash_update (&c, buf, len);
		size += len;
		if (afile_write_all (fd, buf, len) < 0) {
			hash_free (&c);
			return err_set (e, BX_SYSTEM, errno, "stage %s", path);
		}
	}
	if (r != ARCHIVE_EOF) {
		hash_free (&c);
		return err_set (e, BX_USAGE, 0, "%s: %s", path, archive_error_string (a));
	}
	hash_final (&c, dg);
	/* the blob is renamed into the store later: it must be on disk first */
	if (fsync (fd) < 0)
		return err_set (e, BX_SYSTEM, errno, "stage %s", path);
	json_object_set_new (t->files, path,
	                     json_pack ("{s:s,s:s,s:I}", "f", name, "digest", dg, "size", (json_int_t)size));
	return 0;
}

static int
read_entries (struct tarball *t, struct archive *a, struct bx_err *e)
{
	struct archive_entry *ent;
	unsigned n = 0;
	int r;

	while ((r = archive_read_next_header (a, &ent)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		char path[4096], target[4096];
		const char *hard = archive_entry_hardlink (ent), *sym = archive_entry_symlink (ent);

		path_clean (archive_entry_pathname (ent), path, sizeof path);
		if (!path[0])
			continue;
		n++;
		if (hard) {
			/* a hardlink names another archive path, from the top */
			snprintf (target, sizeof target, "/%s", hard);
			json_object_set_new (t->files, path, json_pack ("{s:s}", "link", target));
		} else if (archive_entry_filetype (ent) == AE_IFLNK && sym) {
			json_object_set_new (t->files, path, json_pack ("{s:s}", "link", sym));
		} else if (archive_entry_filetype (ent) == AE_IFREG) {
			if (stage_entry (t, a, path, n, e) < 0)
				return -1;
		}
	}
	if (r != ARCHIVE_EOF && !n)
		return err_set (e, BX_USAGE, 0, "not a tar archive");
	if (r != ARCHIVE_EOF)
		return err_set (e, BX_USAGE, 0, "bad archive: %s", archive_error_string (a));
	if (!n)
		return err_set (e, BX_USAGE, 0, "empty archive");
	return 0;
}

int
tarball_read (struct tarball *t, int fd, int stage, struct bx_err *e)
{
	_cleanup_archive_ struct archive *a = archive_read_new ();

	t->stage = stage;
	t->files = json_object ();
	if (!a || !t->files)
		return err_set (e, BX_SYSTEM, ENOMEM, "read archive");
	archive_read_support_filter_all (a);
	archive_read_support_format_tar (a);
	if (archive_read_open_fd (a, fd, 1 << 16) != ARCHIVE_OK)
		return err_set (e, BX_USAGE, 0, "not a tar archive");
	return read_entries (t, a, e);
}

void
tarball_free (struct tarball *t)
{
	json_decref (t->files);
	t->files = NULL;
}

/* Follow links in PATH, component by component, into OUT. */
static int
resolve (const struct tarball *t, const char *path, char *out, size_t len, struct bx_err *e)
{
	char cur[4096], rest[4096], next[8192];
	int hops = 0;

	path_clean (path, rest, sizeof rest);
	cur[0] = '\0';
	while (rest[0]) {
		char *slash = strchr (rest, '/');
		const char *link;
		size_t cl = slash ? (size_t)(slash - rest) : strlen (rest);
		size_t n = strlen (cur);

		if (n + cl + 2 >= sizeof cur)
			return err_set (e, BX_USAGE, ENAMETOOLONG, "%s", path);
		snprintf (cur + n, sizeof cur - n, "%s%.*s", n ? "/" : "", (int)cl, rest);
		memmove (rest, slash ? slash + 1 : rest + cl, strlen (slash ? slash + 1 : rest + cl) + 1);
		link = json_string_value (json_object_get (json_object_get (t->files, cur), "link"));
		if (!link)
			continue;
		if (++hops > MAX_LINKS)
			return err_set (e, BX_USAGE, ELOOP, "%s", path);
		/* relative targets start from the link's directory */
		if (link[0] == '/')
			snprintf (next, sizeof next, "%s/%s", link, rest);
		else {
			char *dir_end = strrchr (cur, '/');
			snprintf (next, sizeof next, "%.*s/%s/%s", dir_end ? (int)(dir_end - cur) : 0, cur, link, rest);
		}
		path_clean (next, rest, sizeof rest);
		cur[0] = '\0';
	}
	snprintf (out, len, "%s", cur);
	return 0;
}

int
tarball_lookup (const struct tarball *t, const char *path, const char **staged, const char **digest, uint64_t *size,
                struct bx_err *e)
{
	char real[4096];
	json_t *f;

	if (resolve (t, path, real, sizeof real, e) < 0)
		return -1;
	f = json_object_get (t->files, real);
	if (!json_is_string (json_object_get (f, "f")))
		return err_set (e, BX_NOTFOUND, 0, "%s: not in the archive", path);
	*staged = json_string_value (json_object_get (f, "f"));
	if (digest)
		*digest = json_string_value (json_object_get (f, "digest"));
	if (size)
		*size = json_integer_value (json_object_get (f, "size"));
	return 0;
}

/* --- writing ----------------------------------------------------------- */

static int
werr (struct tarball_writer *w, const char *name, struct bx_err *e)
{
	int sys = archive_errno (w->a);
	return err_set (e, sys == ENOSPC || sys == EIO ? BX_SYSTEM : BX_FAIL, 0, "write archive: %s: %s", name,
	                archive_error_string (w->a) ? archive_error_string (w->a) : strerror (sys));
}

int
tarball_writer_open (struct tarball_writer *w, int fd, struct bx_err *e)
{
	struct archive *a = archive_write_new ();

	w->a = a;
	if (!a)
		return err_set (e, BX_SYSTEM, ENOMEM, "write archive");
	if (archive_write_set_format_pax_restricted (a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block (a, 1) != ARCHIVE_OK || archive_write_open_fd (a, fd) != ARCHIVE_OK)
		return werr (w, "open", e);
	return 0;
}

static int
add_header (struct tarball_writer *w, const char *name, mode_t type, int64_t size, struct bx_err *e)
{
	struct archive_entry *ent = archive_entry_new ();
	int r;

	if (!ent)
		return err_set (e, BX_SYSTEM, ENOMEM, "write archive");
	archive_entry_set_pathname (ent, name);
	archive_entry_set_filetype (ent, type);
	archive_entry_set_perm (ent, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size (ent, type == AE_IFDIR ? 0 : size);
	archive_entry_set_mtime (ent, 0, 0);
	r = archive_write_header (w->a, ent);
	archive_entry_free (ent);
	return r == ARCHIVE_OK ? 0 : werr (w, name, e);
}

int
tarball_add_dir (struct tarball_writer *w, const char *name, struct bx_err *e)
{
	return add_header (w, name, AE_IFDIR, 0, e);
}

int
tarball_add_buf (struct tarball_writer *w, const char *name, const void *buf, size_t len, struct bx_err *e)
{
	if (add_header (w, name, AE_IFREG, (int64_t)len, e) < 0)
		return -1;
	if (len && archive_write_data (w->a, buf, len) != (la_ssize_t)len)
		return werr (w, name, e);
	return 0;
}

int
tarball_add_fd (struct tarball_writer *w, const char *name, int fd, struct bx_err *e)
{
	struct stat st;
	char buf[1 << 16];
	off_t left;

	if (fstat (fd, &st) < 0 || lseek (fd, 0, SEEK_SET) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", name);
	if (add_header (w, name, AE_IFREG, st.st_size, e) < 0)
		return -1;
	for (left = st.st_size; left > 0;) {
		ssize_t n = read (fd, buf, left < (off_t)sizeof buf ? (size_t)left : sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set (e, BX_SYSTEM, n ? errno : EIO, "read %s", name);
		if (archive_write_data (w->a, buf, n) != n)
			return werr (w, name, e);
		left -= n;
	}
	return 0;
}

int
tarball_writer_close (struct tarball_writer *w, struct bx_err *e)
{
	int r = ARCHIVE_OK;

	if (!w->a)
		return 0;
	r = archive_write_close (w->a);
	if (r != ARCHIVE_OK)
		werr (w, "close", e);
	archive_write_free (w->a);
	w->a = NULL;
	return r == ARCHIVE_OK ? 0 : -1;
}

/* --- layers ------------------------------------------------------------ */

int
tarball_decompress (int in, int out, char diff_id[DIGEST_STR_LEN + 1], uint64_t *size, struct bx_err *e)
{
	_cleanup_archive_ struct archive *a = archive_read_new ();
	struct archive_entry *ent;
	struct hash_ctx c;
	char buf[1 << 16];
	uint64_t total = 0;
	la_ssize_t n;

	if (!a)
		return err_set (e, BX_SYSTEM, ENOMEM, "decompress");
	/* "raw" keeps the tar inside intact: only the compression is undone */
	archive_read_support_filter_gzip (a);
	archive_read_support_filter_zstd (a);
	archive_read_support_format_raw (a);
	if (archive_read_open_fd (a, in, sizeof buf) != ARCHIVE_OK)
		return err_set (e, BX_USAGE, 0, "decompress: %s", archive_error_string (a));
	switch (archive_read_next_header (a, &ent)) {
	case ARCHIVE_OK: break;
	case ARCHIVE_EOF: /* an empty stream has no raw entry: the digest of nothing */
		hash_buf ("", 0, diff_id);
		if (size)
			*size = 0;
		return 0;
	default: return err_set (e, BX_USAGE, 0, "decompress: %s", archive_error_string (a));
	}
	if (hash_init (&c, e) < 0)
		return -1;
	while ((n = archive_read_data (a, buf, sizeof buf)) > 0) {
		hash_update (&c, buf, n);
		total += n;
		if (out >= 0 && afile_write_all (out, buf, n) < 0) {
			hash_free (&c);
			return err_set (e, BX_SYSTEM, errno, "decompress");
		}
	}
	if (n < 0) {
		hash_free (&c);
		return err_set (e, BX_USAGE, 0, "decompress: %s", archive_error_string (a));
	}
	hash_final (&c, diff_id);
	if (size)
		*size = total;
	return 0;
}

int
tarball_diff_id (int in, char diff_id[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	return tarball_decompress (in, -1, diff_id, NULL, e);
}

/* deflate's output so far (or all of it, FLUSH Z_FINISH) into OUT and C */
static int
tarball_gzip_out (z_stream *z, int flush, int out, struct hash_ctx *c, uint64_t *size)
{
	unsigned char buf[1 << 16];
	int zr;

	do {
		z->next_out = buf;
		z->avail_out = sizeof buf;
		zr = deflate (z, flush);
		size_t n = sizeof buf - z->avail_out;
		hash_update (c, buf, n);
		*size += n;
		if (n && afile_write_all (out, buf, n) < 0)
			return -1;
	} while (z->avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END && zr != Z_STREAM_ERROR));
	return zr == Z_STREAM_ERROR ? (errno = EIO, -1) : 0;
}

int
tarball_gzip (int in, int out, char digest[DIGEST_STR_LEN + 1], uint64_t *size, struct bx_err *e)
{
	unsigned char buf[1 << 16];
	struct hash_ctx c;
	z_stream z = {0};
	off_t at = 0;
	ssize_t n;
	int rc = 0;

	*size = 0;
	if (hash_init (&c, e) < 0)
		return -1;
	/* as Go's compress/gzip writes it (windowBits 31: no name, no time),
	 * at the speed layer.c writes its gzip layers with */
	if (deflateInit2 (&z, Z_BEST_SPEED, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		hash_free (&c);
		return err_set (e, BX_SYSTEM, ENOMEM, "gzip");
	}
	while (rc == 0 && (n = pread (in, buf, sizeof buf, at)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set (e, BX_SYSTEM, errno, "gzip: read");
			break;
		}
		at += n;
		z.next_in = buf;
		z.avail_in = (unsigned)n;
		if (tarball_gzip_out (&z, Z_NO_FLUSH, out, &c, size) < 0)
			rc = err_set (e, BX_SYSTEM, errno, "gzip: write");
	}
	if (rc == 0 && tarball_gzip_out (&z, Z_FINISH, out, &c, size) < 0)
		rc = err_set (e, BX_SYSTEM, errno, "gzip: write");
	deflateEnd (&z);
	if (rc < 0) {
		hash_free (&c);
		return -1;
	}
	hash_final (&c, digest);
	return 0;
}
