/* context - the build context and the Dockerfile, as `docker build`
 * takes them */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/tree.h"
#include "context.h"

/* what stdin started with, then the rest of it */
struct in {
	char head[512];
	size_t len, used;
	char buf[65536];
};

static la_ssize_t
in_read (struct archive *a, void *arg, const void **out)
{
	struct in *in = arg;
	ssize_t n;

	if (in->used < in->len) {
		*out = in->head + in->used;
		n = in->len - in->used;
		in->used = in->len;
		return n;
	}
	*out = in->buf;
	while ((n = read (STDIN_FILENO, in->buf, sizeof in->buf)) < 0 && errno == EINTR)
		;
	if (n < 0)
		archive_set_error (a, errno, "reading stdin");
	return n;
}

static int
head_read (struct in *in, struct bx_err *e)
{
	ssize_t n;

	while (in->len < sizeof in->head &&
	       (n = read (STDIN_FILENO, in->head + in->len, sizeof in->head - in->len)) != 0) {
		if (n < 0 && errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "stdin");
		in->len += n > 0 ? (size_t)n : 0;
	}
	return 0;
}

/* a tar header's checksum: its bytes summed, the checksum field as blanks */
static int
is_tar_header (const unsigned char *h, size_t len)
{
	unsigned long want, sum = 0;
	char field[9], *end;

	if (len < 512)
		return 0;
	memcpy (field, h + 148, 8);
	field[8] = '\0';
	want = strtoul (field + strspn (field, " "), &end, 8);
	if (end == field + strspn (field, " "))
		return 0;
	for (size_t i = 0; i < 512; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	return sum == want;
}

/* Docker's archive.IsArchive: compressed (gzip, bzip2, xz, zstd), or a tar */
static int
is_archive (const struct in *in)
{
	const unsigned char *h = (const unsigned char *)in->head;
	size_t n = in->len;

	return (n >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8) || (n >= 3 && !memcmp (h, "BZh", 3)) ||
	       (n >= 6 && !memcmp (h, "\xfd\x37\x7a\x58\x5a\x00", 6)) ||
	       (n >= 4 && !memcmp (h, "\x28\xb5\x2f\xfd", 4)) || is_tar_header (h, n);
}

/* into the current directory */
static int
extract (struct in *in, struct bx_err *e)
{
	struct archive *a = archive_read_new (), *w = archive_write_disk_new ();
	struct archive_entry *en;
	int r;

	archive_read_support_filter_all (a);
	archive_read_support_format_tar (a);
	/* an archive from outside, unpacked outside any image: nothing in it
	 * may lead out of its directory */
	archive_write_disk_set_options (w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_XATTR |
	                                       ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
	                                       ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	r = archive_read_open (a, in, NULL, in_read, NULL);
	while (r == ARCHIVE_OK && (r = archive_read_next_header (a, &en)) == ARCHIVE_OK) {
		if ((r = archive_write_header (w, en)) < ARCHIVE_WARN)
			break;
		const void *buf;
		size_t len;
		la_int64_t off;
		while ((r = archive_read_data_block (a, &buf, &len, &off)) == ARCHIVE_OK)
			if (archive_write_data_block (w, buf, len, off) < ARCHIVE_OK) {
				r = ARCHIVE_FATAL;
				break;
			}
		if (r == ARCHIVE_EOF)
			r = archive_write_finish_entry (w);
		if (r == ARCHIVE_WARN)
			r = ARCHIVE_OK;
	}
	if (r != ARCHIVE_EOF)
		err_set (e, BX_USAGE, 0, "the context on stdin: %s",
		         archive_error_string (archive_errno (w) ? w : a)
		             ? archive_error_string (archive_errno (w) ? w : a)
		             : "not a tar archive");
	archive_read_free (a);
	archive_write_free (w);
	return r == ARCHIVE_EOF ? 0 : -1;
}

/* the archive on stdin into the context's directory: its names resolved
 * from there, as the working directory for the while */
static int
extract_in (struct context *c, struct in *in, struct bx_err *e)
{
	_cleanup_close_ int cwd = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (cwd < 0 || fchdir (c->fd) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", c->tmp);
	rc = extract (in, e);
	if (fchdir (cwd) < 0 && rc == 0)
		rc = err_set (e, BX_SYSTEM, errno, "back to the working directory");
	return rc;
}

static int
make_tmp (struct context *c, int rootfd, struct bx_err *e)
{
	snprintf (c->tmp, sizeof c->tmp, L_TMP "/" L_BUILD_TMP "%d.context", (int)getpid ());
	if ((mkdirat (rootfd, L_TMP, 0700) < 0 && errno != EEXIST) || mkdirat (rootfd, c->tmp, 0700) < 0) {
		err_set (e, BX_SYSTEM, errno, "%s", c->tmp);
		c->tmp[0] = '\0';
		return -1;
	}
	if ((c->fd = openat (rootfd, c->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", c->tmp);
	return 0;
}

static int
slurp_in (int root, const char *name, char **text, size_t *len, struct bx_err *e)
{
	_cleanup_close_ int fd = tree_open_in_root (root, name, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "%s", name);
	return afile_slurp_fd (fd, text, len, e);
}

/* the daemon's removeDockerfile: the Dockerfile and .dockerignore go from
 * a context whose .dockerignore names them */
static int
drop_build_files (struct context *c, const char *dockerfile, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL, *df = strdup (dockerfile);
	struct ignore ig;
	size_t len;

	if (slurp_in (c->fd, ".dockerignore", &text, &len, e) < 0)
		return e->code == BX_NOTFOUND ? (*e = (struct bx_err){0}, 0) : -1;
	if (ignore_parse (&ig, text, len, e) < 0)
		return -1;
	ignore_clean (df);
	if (ignore_matches (&ig, df))
		unlinkat (c->fd, df, 0);
	if (ignore_matches (&ig, ".dockerignore"))
		unlinkat (c->fd, ".dockerignore", 0);
	ignore_free (&ig);
	return 0;
}

static int
from_stdin (struct context *c, const struct build_opts *o, int rootfd, char **text, size_t *len, struct bx_err *e)
{
	struct in *in = calloc (1, sizeof *in);
	_cleanup_free_ char *rest = NULL;
	size_t n = 0;
	int rc = -1;

	if (!in)
		return err_set (e, BX_SYSTEM, ENOMEM, "stdin");
	if (head_read (in, e) < 0)
		goto out;
	if (is_archive (in)) {
		const char *df = o->file ? o->file : "Dockerfile";
		if (!(o->file && !strcmp (o->file, "-")) && make_tmp (c, rootfd, e) == 0 &&
		    extract_in (c, in, e) == 0 && slurp_in (c->fd, df, text, len, e) == 0 &&
		    drop_build_files (c, df, e) == 0)
			rc = 0;
		else if (o->file && !strcmp (o->file, "-"))
			err_set (e, BX_USAGE, 0,
			         "invalid argument: can't use stdin for both build context and dockerfile");
		else if (e->code == BX_NOTFOUND)
			err_set (e, BX_NOTFOUND, 0, "Cannot locate specified Dockerfile: %s", df);
		goto out;
	}
	/* a Dockerfile, and no context */
	if (afile_slurp_fd (STDIN_FILENO, &rest, &n, e) < 0) {
		err_wrap (e, "stdin");
		goto out;
	}
	if (!(*text = malloc (in->len + n + 1))) {
		err_set (e, BX_SYSTEM, ENOMEM, "stdin");
		goto out;
	}
	memcpy (*text, in->head, in->len);
	memcpy (*text + in->len, rest, n);
	*len = in->len + n;
	(*text)[*len] = '\0';
	rc = 0;
out:
	free (in);
	return rc;
}

static int
load_ignore (struct context *c, const char *dir, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (slurp_in (c->fd, ".dockerignore", &text, &len, e) < 0)
		return e->code == BX_NOTFOUND ? (*e = (struct bx_err){0}, 0) : err_wrap (e, "%s", dir);
	if (ignore_parse (&c->ign, text, len, e) < 0)
		return err_wrap (e, "%s", dir);
	c->has_ign = 1;
	return 0;
}

static int
from_dir (struct context *c, const struct build_opts *o, char **text, size_t *len, struct bx_err *e)
{
	const char *f = o->file;

	if ((c->fd = open (o->context, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_USAGE, 0,
		                "unable to prepare context: path \"%s\" not found", o->context);
	if (load_ignore (c, o->context, e) < 0)
		return -1;
	if (f && !strcmp (f, "-"))
		return afile_slurp_fd (STDIN_FILENO, text, len, e) < 0 ? err_wrap (e, "stdin") : 0;
	if (f)
		return afile_slurp_at (AT_FDCWD, f, text, len, e) < 0 ? err_wrap (e, "%s", f) : 0;
	/* Docker's client takes a lowercase "dockerfile" when there is no
	 * "Dockerfile" */
	if (faccessat (c->fd, "Dockerfile", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
	    faccessat (c->fd, "dockerfile", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return afile_slurp_at (c->fd, "dockerfile", text, len, e) < 0
		           ? err_wrap (e, "%s/dockerfile", o->context)
		           : 0;
	if (afile_slurp_at (c->fd, "Dockerfile", text, len, e) < 0)
		return err_wrap (e, "%s/Dockerfile", o->context);
	return 0;
}

int
context_open (struct context *c, const struct build_opts *o, int rootfd, char **text, size_t *len, struct bx_err *e)
{
	*c = (struct context){.fd = -1};
	if (strcmp (o->context, "-") == 0)
		return from_stdin (c, o, rootfd, text, len, e);
	return from_dir (c, o, text, len, e);
}

void
context_close (struct context *c, int rootfd)
{
	if (c->fd >= 0)
		close (c->fd);
	if (c->tmp[0])
		tree_remove_at (rootfd, c->tmp);
	if (c->has_ign)
		ignore_free (&c->ign);
	*c = (struct context){.fd = -1};
}
