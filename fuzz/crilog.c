/* fuzz/crilog - libFuzzer target for CRI log lines: how ctr-logs reads a
 * record (ctr-logs/crirec, and lib/base/human for its time, as --since
 * and --until read it) and how ctr-spawn writes one (ctr-spawn/crilog).
 * A log is the container's output in a file the reader trusts no more
 * than that: any line is skipped or split, never read past its end; and
 * what crilog_write makes of any output reads back as that output. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/human.h"
#include "ctr-logs/crirec.h"
#include "ctr-spawn/crilog.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Parse one line from its own allocation, so that a read past its end is
 * one past the block. */
static int
parse_line (const char *p, size_t n, struct crirec *r, char **own)
{
	char t[64];
	int64_t sec;

	if (!(*own = malloc (n ? n : 1)))
		abort ();
	memcpy (*own, p, n);
	if (crirec_parse (*own, n, r) < 0)
		return -1;
	if (r->tlen > n || r->textlen > n || r->text < *own || r->text + r->textlen > *own + n)
		abort ();
	snprintf (t, sizeof t, "%.*s", (int)r->tlen, r->time);
	human_time_parse (t, &sec);
	return 0;
}

/* Every line of BUF parsed; with OUT, the text of each record appended as
 * ctr-logs prints it (a newline after an F record). */
static size_t
read_log (const char *buf, size_t len, char *out)
{
	size_t at = 0, o = 0;

	while (at < len) {
		const char *nl = memchr (buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - buf - at) : len - at;
		struct crirec r;
		char *own;
		if (parse_line (buf + at, n, &r, &own) == 0 && out) {
			memcpy (out + o, r.text, r.textlen);
			o += r.textlen;
			if (!r.partial)
				out[o++] = '\n';
		}
		free (own);
		at += n + 1;
	}
	return o;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	char *log = NULL, *back;
	size_t len;
	struct bx_err e;
	int fd;

	if (size > 65536)
		return 0;
	read_log ((const char *)data, size, NULL);
	if ((fd = memfd_create ("log", MFD_CLOEXEC)) < 0)
		abort ();
	if (crilog_write (fd, "stdout", (const char *)data, size) < 0 || lseek (fd, 0, SEEK_SET) < 0 ||
	    afile_slurp_fd (fd, &log, &len, &e) < 0)
		abort ();
	close (fd);
	if (!(back = malloc (len + 1)))
		abort ();
	if (read_log (log, len, back) != size || memcmp (back, data, size) != 0)
		abort ();
	free (back);
	free (log);
	return 0;
}
