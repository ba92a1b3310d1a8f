#include "crilog.h"

#include <stdio.h>
#include <string.h>

#include "base/afile.h"
#include "base/timestamp.h"

/* the log's output buffer: static, so the supervisor's size is known */
static char logbuf[16384];
static size_t loglen;

static int
log_flush (int fd)
{
	int r = afile_write_all (fd, logbuf, loglen);
	loglen = 0;
	return r;
}

static int
log_entry (int fd, const char *head, size_t hlen, const char *text, size_t n, char tag)
{
	while (hlen + n + 3 > sizeof logbuf - loglen) {
		size_t room;
		if (loglen && log_flush (fd) < 0)
			return -1;
		room = sizeof logbuf - hlen - 3;
		if (n <= room)
			break;
		/* a line longer than the buffer: split into partial entries */
		if (log_entry (fd, head, hlen, text, room, 'P') < 0 || log_flush (fd) < 0)
			return -1;
		text += room;
		n -= room;
	}
	memcpy (logbuf + loglen, head, hlen);
	loglen += hlen;
	logbuf[loglen++] = tag;
	logbuf[loglen++] = ' ';
	memcpy (logbuf + loglen, text, n);
	loglen += n;
	logbuf[loglen++] = '\n';
	return 0;
}

int
crilog_write (int logfd, const char *stream, const char *buf, size_t n)
{
	char now[TIMESTAMP_LEN], head[TIMESTAMP_LEN + 16];
	size_t hlen;

	timestamp_now (now);
	hlen = (size_t)snprintf (head, sizeof head, "%s %s ", now, stream);
	while (n) {
		const char *nl = memchr (buf, '\n', n);
		size_t len = nl ? (size_t)(nl - buf) : n;
		if (log_entry (logfd, head, hlen, buf, len, nl ? 'F' : 'P') < 0)
			return -1;
		len += nl ? 1 : 0;
		buf += len;
		n -= len;
	}
	return log_flush (logfd);
}
