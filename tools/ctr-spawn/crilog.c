#include "crilog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/layout.h"
#include "base/timestamp.h"

static const char *const streams[] = {"stdout", "stderr"};

/* the records on their way to the log: one read's (16 KiB) worth of lines
 * and their headers, then room for a record of the longest */
static char logbuf[16384 + CRILOG_LINE_MAX + 64];
static size_t loglen;

static long
mono_ms (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* a failed write may have cut a record: what follows starts a new line,
 * so that the reader skips the piece rather than join it to the next */
static int
buf_flush (struct crilog *l)
{
	int r = l->fd < 0 || !loglen ? 0 : afile_write_all (l->fd, logbuf, loglen);

	loglen = 0;
	if (r < 0)
		l->cut = 1;
	return r;
}

/* Docker's rotation: log.(N-2) -> log.(N-1) ... log -> log.1, a new log;
 * the new file is made first and renamed over the old name, so that a
 * reader sees a new inode (with max-file 1 the old log is gone). */
static int
rotate (struct crilog *l)
{
	char tmp[32], from[32], to[32];
	int fd;

	snprintf (tmp, sizeof tmp, L_LOG ".tmp-%d", (int)getpid ());
	if ((fd = openat (l->dir, tmp, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return -1;
	for (int i = l->max_file - 1; i >= 1; i--) {
		logcfg_file_name (i - 1, from, sizeof from);
		logcfg_file_name (i, to, sizeof to);
		if (renameat (l->dir, from, l->dir, to) < 0 && errno != ENOENT)
			break;
	}
	if ((l->max_file > 1 && faccessat (l->dir, L_LOG, F_OK, 0) == 0) || renameat (l->dir, tmp, l->dir, L_LOG) < 0) {
		unlinkat (l->dir, tmp, 0);
		close (fd);
		return -1;
	}
	close (l->fd);
	l->fd = fd;
	return 0;
}

/* One record: the text A then B, under TAG. Docker's rule: the log is
 * rotated before an entry once it reached max-size. */
static int
record (struct crilog *l, int s, const char *a, size_t alen, const char *b, size_t blen, char tag, const char *now)
{
	size_t need = strlen (now) + 11 + alen + blen; /* now, " stdout F ", the text, "\n" */

	if (l->max_size && l->size >= l->max_size && l->dir >= 0) {
		if (buf_flush (l) < 0)
			return -1;
		/* a rotation that failed: the log grows rather than loses output */
		rotate (l);
		l->size = 0;
	}
	if (need > sizeof logbuf - loglen && buf_flush (l) < 0)
		return -1;
	if (l->cut && !loglen) {
		logbuf[loglen++] = '\n';
		l->cut = 0;
	}
	loglen += (size_t)snprintf (logbuf + loglen, sizeof logbuf - loglen, "%s %s %c ", now, streams[s], tag);
	memcpy (logbuf + loglen, a, alen);
	memcpy (logbuf + loglen + alen, b, blen);
	loglen += alen + blen;
	logbuf[loglen++] = '\n';
	l->size += (int64_t)need;
	return 0;
}

/* TEXT continues STREAM's line; END: the line ends there */
static int
line_add (struct crilog *l, int s, const char *text, size_t n, int end, const char *now)
{
	struct crilog_held *h = &l->held[s];

	while (h->len + n > CRILOG_LINE_MAX) {
		size_t take = CRILOG_LINE_MAX - h->len;
		if (record (l, s, h->buf, h->len, text, take, 'P', now) < 0)
			return -1;
		h->len = 0;
		text += take;
		n -= take;
	}
	if (end) {
		int r = record (l, s, h->buf, h->len, text, n, 'F', now);
		h->len = 0;
		return r;
	}
	if (!h->len && n)
		h->since = mono_ms ();
	memcpy (h->buf + h->len, text, n);
	h->len += n;
	return 0;
}

int
crilog_out (struct crilog *l, int stream, const char *buf, size_t n)
{
	char now[TIMESTAMP_LEN];

	if (l->fd < 0)
		return l->none ? 0 : (errno = l->err, -1);
	timestamp_now (now);
	while (n) {
		const char *nl = memchr (buf, '\n', n);
		size_t len = nl ? (size_t)(nl - buf) : n;
		if (line_add (l, stream, buf, len, nl != NULL, now) < 0)
			return -1;
		len += nl ? 1 : 0;
		buf += len;
		n -= len;
	}
	return buf_flush (l);
}

int
crilog_flush (struct crilog *l, int stream)
{
	struct crilog_held *h = &l->held[stream];
	char now[TIMESTAMP_LEN];
	int r;

	if (!h->len)
		return 0;
	if (l->fd < 0)
		return l->none ? 0 : (errno = l->err, -1);
	timestamp_now (now);
	r = record (l, stream, h->buf, h->len, "", 0, 'P', now);
	h->len = 0;
	return buf_flush (l) < 0 ? -1 : r;
}

int
crilog_due_ms (const struct crilog *l)
{
	long now = mono_ms (), due = -1;

	for (int s = 0; s < 2; s++)
		if (l->held[s].len) {
			long left = l->held[s].since + CRILOG_HOLD_MS - now;
			left = left < 0 ? 0 : left;
			due = due < 0 || left < due ? left : due;
		}
	return (int)due;
}

int
crilog_expire (struct crilog *l)
{
	long now = mono_ms ();
	int r = 0;

	for (int s = 0; s < 2; s++)
		if (l->held[s].len && now - l->held[s].since >= CRILOG_HOLD_MS && crilog_flush (l, s) < 0)
			r = -1;
	return r;
}

int
crilog_open (struct crilog *l, int dir, const struct logcfg *c)
{
	struct stat st;

	l->dir = dir;
	l->fd = -1;
	l->none = l->err = l->cut = 0;
	l->size = 0;
	l->held[0].len = l->held[1].len = 0;
	l->max_size = c->max_size;
	l->max_file = c->max_file;
	if ((l->none = c->driver == LOGCFG_NONE))
		return 0;
	if ((l->fd = openat (dir, L_LOG, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		l->err = errno;
		return -1;
	}
	/* a container started again: Docker counts what the log has */
	if (fstat (l->fd, &st) == 0)
		l->size = st.st_size;
	return 0;
}

void
crilog_close (struct crilog *l)
{
	crilog_flush (l, 0);
	crilog_flush (l, 1);
	if (l->fd >= 0)
		close (l->fd);
	l->fd = -1;
}

int
crilog_write (int logfd, const char *stream, const char *buf, size_t n)
{
	static struct crilog l;
	int s = !strcmp (stream, "stderr"), r;

	l.dir = -1;
	l.fd = logfd;
	l.none = l.cut = 0;
	l.err = EBADF;
	l.max_size = 0;
	l.held[s].len = 0;
	r = crilog_out (&l, s, buf, n);
	return crilog_flush (&l, s) < 0 ? -1 : r;
}
