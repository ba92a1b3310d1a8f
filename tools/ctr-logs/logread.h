/* logread - a container's log files read as one stream of CRI records,
 * oldest first: the rotated ones (log.N ... log.1; ctr-spawn/crilog
 * rotates as Docker does), then log.
 *
 * Memory stays small whatever the log's size: --tail finds where the last
 * N lines start from the end, a block at a time, and records are read
 * forward through a buffer that grows only to the longest record. */
#ifndef BOX_LOGREAD_H
#define BOX_LOGREAD_H

#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "crirec.h"

struct logread_file {
	int fd;
	dev_t dev;
	ino_t ino;
};

struct logread {
	int dir;                /* the container directory */
	struct logread_file *f; /* oldest first; the last is the live log */
	int n, cur;             /* how many; the one being read */
	char *buf;              /* what was read of f[cur] and not yet taken */
	size_t off, len, cap;
};

/* The files of DIR's log (none yet: n is 0); each read from its start. */
int logread_open (struct logread *l, int dir, struct bx_err *e);
void logread_close (struct logread *l);

/* Start at the last N lines (a line: its P records, then an F); N < 0:
 * at the beginning. */
int logread_tail (struct logread *l, long n, struct bx_err *e);

/* The next whole record in *R (valid until the next call): 1; 0 when the
 * files have no more yet. A line that is not a record is skipped. */
int logread_next (struct logread *l, struct crirec *r, struct bx_err *e);

/* For -f, once the files were read to their end: the log made since (the
 * first one, or the new one of a rotation, with any rotated between)
 * joins, read after the rest of the one before. 1 when one did. */
int logread_refresh (struct logread *l, struct bx_err *e);

#endif
