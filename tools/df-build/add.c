/* add - what ADD does beyond COPY: a local tar archive extracted, a URL
 * fetched */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "add.h"
#include "base/cleanup.h"
#include "image/urlget.h"

static struct archive *
reader (void)
{
	struct archive *a = archive_read_new ();

	/* Docker's isArchivePath: a tar, plain or compressed */
	archive_read_support_filter_gzip (a);
	archive_read_support_filter_bzip2 (a);
	archive_read_support_filter_xz (a);
	archive_read_support_filter_zstd (a);
	archive_read_support_format_tar (a);
	return a;
}

int
add_is_archive (int fd)
{
	struct archive *a = reader ();
	struct archive_entry *en;
	int yes = archive_read_open_fd (a, fd, 65536) == ARCHIVE_OK && archive_read_next_header (a, &en) == ARCHIVE_OK;

	archive_read_free (a);
	lseek (fd, 0, SEEK_SET);
	return yes;
}

/* "/x" and "./x" are "x" below the destination, as Docker's untar cleans them */
static void
relative (struct archive_entry *en)
{
	const char *p = archive_entry_pathname (en), *l = archive_entry_hardlink (en);

	if (p && (*p == '/' || (p[0] == '.' && p[1] == '/'))) {
		_cleanup_free_ char *q = strdup (p + strspn (p, "./"));
		archive_entry_set_pathname (en, *q ? q : ".");
	}
	if (l && (*l == '/' || (l[0] == '.' && l[1] == '/'))) {
		_cleanup_free_ char *q = strdup (l + strspn (l, "./"));
		archive_entry_set_hardlink (en, q);
	}
}

static int
copy_data (struct archive *a, struct archive *w)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block (a, &buf, &len, &off)) == ARCHIVE_OK)
		if (archive_write_data_block (w, buf, len, off) < ARCHIVE_OK)
			return ARCHIVE_FATAL;
	return r == ARCHIVE_EOF ? ARCHIVE_OK : r;
}

static int
extract (int fd, char *msg, size_t len)
{
	struct archive *a = reader (), *w = archive_write_disk_new ();
	struct archive_entry *en;
	int r = ARCHIVE_OK;

	archive_write_disk_set_options (w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
	                                       ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if (archive_read_open_fd (a, fd, 65536) != ARCHIVE_OK)
		r = ARCHIVE_FATAL;
	while (r >= ARCHIVE_WARN && (r = archive_read_next_header (a, &en)) == ARCHIVE_OK) {
		relative (en);
		/* the destination exists: Docker's untar leaves it as it is */
		if (!strcmp (archive_entry_pathname (en), ".")) {
			r = ARCHIVE_OK;
			continue;
		}
		if ((r = archive_write_header (w, en)) < ARCHIVE_WARN)
			break;
		if (archive_entry_size (en) > 0 && (r = copy_data (a, w)) < ARCHIVE_WARN)
			break;
		r = archive_write_finish_entry (w);
	}
	if (r != ARCHIVE_EOF)
		snprintf (msg, len, "%s", archive_error_string (r < ARCHIVE_WARN && archive_errno (w) ? w : a));
	archive_read_free (a);
	archive_write_free (w);
	return r == ARCHIVE_EOF ? 0 : -1;
}

int
add_untar (int fd, int root, int dir, struct bx_err *e)
{
	int p[2], st;
	char msg[512] = "";
	pid_t pid;
	ssize_t n;

	if (pipe2 (p, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "pipe");
	fflush (stdout);
	if ((pid = fork ()) < 0) {
		close (p[0]), close (p[1]);
		return err_set (e, BX_SYSTEM, errno, "fork");
	}
	if (pid == 0) {
		/* inside the image's root, as Docker's chrootarchive: the
		 * archive's paths and links, and the image's own links, resolve
		 * there and nowhere else */
		int rc =
		    prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || fchdir (root) < 0 || chroot (".") < 0 || fchdir (dir) < 0
		        ? (snprintf (msg, sizeof msg, "chroot: %s", strerror (errno)), -1)
		        : extract (fd, msg, sizeof msg);
		if (rc < 0 && write (p[1], msg, strlen (msg)) < 0)
			_exit (2);
		_exit (rc < 0);
	}
	close (p[1]);
	n = read (p[0], msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = '\0';
	close (p[0]);
	while (waitpid (pid, &st, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "waitpid");
	if (WIFEXITED (st) && WEXITSTATUS (st) == 0)
		return 0;
	return err_set (e, BX_FAIL, 0, "extracting: %s", *msg ? msg : "the extraction failed");
}

char *
add_url_name (const char *url)
{
	const char *p = strstr (url, "://"), *end;

	p = p ? strchr (p + 3, '/') : NULL;
	if (!p)
		return strdup ("");
	end = p + strcspn (p, "?#");
	for (const char *s = p; s < end; s++)
		if (*s == '/')
			p = s + 1;
	return strndup (p, end - p);
}

static int
fetch_into (const char *url, FILE *f, char **disposition, struct bx_err *e)
{
	struct urlget g;
	struct timespec ts[2];

	if (urlget_fetch (url, f, "box-df-build", &g, e) < 0) {
		urlget_free (&g);
		return -1;
	}
	free (*disposition);
	*disposition = g.disposition;
	/* Last-Modified, or Docker's zero time, the epoch */
	ts[0] = ts[1] = (struct timespec){g.mtime > 0 ? g.mtime : 0, 0};
	if (futimens (fileno (f), ts) < 0)
		return err_set (e, BX_SYSTEM, errno, "the download's time");
	return 0;
}

int
add_fetch (const char *url, int dir, char **name, struct bx_err *e)
{
	_cleanup_file_ FILE *f = NULL;
	_cleanup_free_ char *disposition = NULL;
	char tmp[64];
	const char *at = **name ? *name : tmp;
	int fd, rc;

	/* without a name yet, a temporary one until the headers give it */
	snprintf (tmp, sizeof tmp, ".box-download-%d", (int)getpid ());
	unlinkat (dir, at, 0);
	/* 0600 until --chmod, as Docker writes a download */
	if ((fd = openat (dir, at, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    !(f = fdopen (fd, "w")))
		return err_set (e, BX_SYSTEM, errno, "%s", at);
	rc = fetch_into (url, f, &disposition, e);
	if (at != tmp || rc < 0)
		return rc;
	if (!disposition || !*disposition || !strcmp (disposition, ".") || !strcmp (disposition, "..")) {
		unlinkat (dir, tmp, 0);
		return err_set (e, BX_USAGE, 0, "cannot determine filename for source %s", url);
	}
	unlinkat (dir, disposition, 0);
	if (renameat (dir, tmp, dir, disposition) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", disposition);
	free (*name);
	*name = disposition;
	disposition = NULL;
	return 0;
}
