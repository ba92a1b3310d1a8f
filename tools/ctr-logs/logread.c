#include "logread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/logcfg.h"

/* --tail reads the log from its end BLOCK bytes at a time, with the HEAD
 * bytes after the block, where the time, stream and tag of a record that
 * starts at its end are (box's headers are 40 bytes) */
#define BLOCK 65536
#define HEAD 256
/* the forward buffer at first; it doubles for a longer record */
#define BUF_START 65536
/* a log rotated more often than this many files is not Docker's */
#define FILES_MAX 100000

/* file I of the log, opened: 1; 0 when there is no such file */
static int
file_open (int dir, int i, struct logread_file *f, struct bx_err *e)
{
	char name[32];
	struct stat st;

	logcfg_file_name (i, name, sizeof name);
	if ((f->fd = openat (dir, name, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "open %s", name);
	if (fstat (f->fd, &st) < 0) {
		close (f->fd);
		return err_set (e, BX_SYSTEM, errno, "%s", name);
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 1;
}

static int
is_among (const struct logread_file *v, int n, const struct logread_file *f)
{
	for (int i = 0; i < n; i++)
		if (v[i].dev == f->dev && v[i].ino == f->ino)
			return 1;
	return 0;
}

/* The files that are newer than all L has, newest first, into *OUT: log,
 * log.1, ... up to one L has. A rotation while they are opened shows a
 * file twice under two names: it is taken once. */
static int
collect (struct logread *l, struct logread_file **out, struct bx_err *e)
{
	struct logread_file *v = NULL, f, *nv;
	int n = 0, r;

	for (int i = 0; i < FILES_MAX; i++) {
		if ((r = file_open (l->dir, i, &f, e)) < 0)
			goto fail;
		/* no log, between the two renames of a rotation: log.1 is there */
		if (!r && i == 0)
			continue;
		if (!r || is_among (l->f, l->n, &f)) {
			if (r)
				close (f.fd);
			break;
		}
		if (is_among (v, n, &f)) {
			close (f.fd);
			continue;
		}
		if (!(nv = realloc (v, (size_t)(n + 1) * sizeof *v))) {
			close (f.fd);
			err_set (e, BX_SYSTEM, ENOMEM, "log");
			goto fail;
		}
		v = nv;
		v[n++] = f;
	}
	*out = v;
	return n;
fail:
	while (n--)
		close (v[n].fd);
	free (v);
	return -1;
}

/* what collect found joins L, oldest first */
static int
join (struct logread *l, struct bx_err *e)
{
	struct logread_file *v = NULL, *nf;
	int n = collect (l, &v, e);

	if (n <= 0) {
		free (v);
		return n;
	}
	if (!(nf = realloc (l->f, (size_t)(l->n + n) * sizeof *nf))) {
		while (n--)
			close (v[n].fd);
		free (v);
		return err_set (e, BX_SYSTEM, ENOMEM, "log");
	}
	l->f = nf;
	while (n--)
		l->f[l->n++] = v[n];
	free (v);
	return 1;
}

int
logread_open (struct logread *l, int dir, struct bx_err *e)
{
	*l = (struct logread){.dir = dir};
	return join (l, e) < 0 ? -1 : 0;
}

void
logread_close (struct logread *l)
{
	for (int i = 0; i < l->n; i++)
		close (l->f[i].fd);
	free (l->f);
	free (l->buf);
	*l = (struct logread){.dir = -1};
}

int
logread_refresh (struct logread *l, struct bx_err *e)
{
	return join (l, e);
}

/* the record of LEN bytes at REC ends a line (an F record); only its
 * first HEAD bytes are looked at */
static int
is_line_end (const char *rec, off_t len)
{
	struct crirec r;

	return crirec_parse (rec, len < HEAD ? (size_t)len : HEAD, &r) == 0 && !r.partial;
}

static int
read_at (int fd, char *buf, size_t n, off_t at, size_t *got, struct bx_err *e)
{
	ssize_t k;

	for (*got = 0; *got < n; *got += (size_t)k) {
		if ((k = pread (fd, buf + *got, n - *got, at + (off_t)*got)) < 0 && errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "read log");
		if (k == 0)
			break;
		if (k < 0)
			k = 0;
	}
	return 0;
}

/* In FD, from its end: the offset after the (N+1)th F record from the end
 * of the log (SEEN counted in the newer files); 1 when it is in FD. A
 * record's start is known once the newline before it is found; its end
 * (REC_END, its newline) was found before. */
static int
tail_in (int fd, long n, long *seen, off_t *at, struct bx_err *e)
{
	static char buf[BLOCK + HEAD + 1]; /* +1: crirec looks at the byte after the tag */
	struct stat st;
	off_t end, start = 0, rec_end = -1;
	size_t got;

	if (fstat (fd, &st) < 0)
		return err_set (e, BX_SYSTEM, errno, "log");
	for (end = st.st_size; end > 0; end = start) {
		start = end > BLOCK ? end - BLOCK : 0;
		if (read_at (fd, buf, (size_t)(st.st_size - start < BLOCK + HEAD ? st.st_size - start : BLOCK + HEAD),
		             start, &got, e) < 0)
			return -1;
		if ((off_t)got < end - start)
			return err_set (e, BX_SYSTEM, 0, "log: shorter than it was");
		for (size_t i = (size_t)(end - start); i-- > 0;) {
			if (buf[i] != '\n')
				continue;
			if (rec_end >= 0 && is_line_end (buf + i + 1, rec_end - start - (off_t)i - 1) && (*seen)++ == n)
				return *at = rec_end + 1, 1;
			rec_end = start + (off_t)i;
		}
	}
	/* the first record starts the file; the last block read was at 0 */
	if (rec_end >= 0 && is_line_end (buf, rec_end) && (*seen)++ == n)
		return *at = rec_end + 1, 1;
	return 0;
}

int
logread_tail (struct logread *l, long n, struct bx_err *e)
{
	long seen = 0;
	off_t at = 0;
	int r;

	if (n < 0)
		return 0;
	for (int i = l->n - 1; i >= 0; i--) {
		if ((r = tail_in (l->f[i].fd, n, &seen, &at, e)) < 0)
			return -1;
		if (r) {
			l->cur = i;
			if (lseek (l->f[i].fd, at, SEEK_SET) < 0)
				return err_set (e, BX_SYSTEM, errno, "log");
			return 0;
		}
	}
	return 0;
}

/* room to read into: what was taken goes, a buffer full of one record
 * doubles */
static int
buf_room (struct logread *l, struct bx_err *e)
{
	char *nb;

	if (l->off) {
		memmove (l->buf, l->buf + l->off, l->len - l->off);
		l->len -= l->off;
		l->off = 0;
	}
	if (l->len < l->cap)
		return 0;
	if (!(nb = realloc (l->buf, l->cap ? l->cap * 2 : BUF_START)))
		return err_set (e, BX_SYSTEM, ENOMEM, "log");
	l->buf = nb;
	l->cap = l->cap ? l->cap * 2 : BUF_START;
	return 0;
}

int
logread_next (struct logread *l, struct crirec *r, struct bx_err *e)
{
	while (l->cur < l->n) {
		char *nl = l->len > l->off ? memchr (l->buf + l->off, '\n', l->len - l->off) : NULL;
		ssize_t got;
		if (nl) {
			size_t at = l->off;
			l->off = (size_t)(nl - l->buf) + 1;
			if (crirec_parse (l->buf + at, (size_t)(nl - l->buf) - at, r) == 0)
				return 1;
			continue;
		}
		if (buf_room (l, e) < 0)
			return -1;
		if ((got = read (l->f[l->cur].fd, l->buf + l->len, l->cap - l->len)) < 0) {
			if (errno == EINTR)
				continue;
			return err_set (e, BX_SYSTEM, errno, "read log");
		}
		if (got > 0) {
			l->len += (size_t)got;
			continue;
		}
		if (l->cur == l->n - 1)
			return 0;
		/* a rotated file is complete: a record cut at its end is no record */
		l->cur++;
		l->off = l->len = 0;
	}
	return 0;
}
