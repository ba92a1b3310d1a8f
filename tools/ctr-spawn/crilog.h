/* crilog - a container's output in the CRI log format (containers/<id>/log):
 * "TIME STREAM F|P TEXT" per line, P marking a partial line
 * ("2026-11-29T03:34:45.123456789Z stdout F hello"), rotated to log.1 ...
 * log.(N-1) as HostConfig.LogConfig's max-size and max-file say
 * (runtime/logcfg), not written at all for the driver none.
 *
 * The format's overhead is its header, 40 bytes a line; no more: a line
 * that comes in two reads is one F record, not a P and an F. A piece
 * without its newline is held until the rest comes, until it fills a
 * record (CRILOG_LINE_MAX, containerd's 16 KiB), until the stream ends, or
 * for CRILOG_HOLD_MS (Docker and containerd hold it with no limit: a
 * prompt would never show in `logs -f`). The output buffer is static, so
 * the size of the supervisor that writes it is known. */
#ifndef BOX_CRILOG_H
#define BOX_CRILOG_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/logcfg.h"

#define CRILOG_LINE_MAX 16384
#define CRILOG_HOLD_MS 100

struct crilog_held {
	char buf[CRILOG_LINE_MAX];
	size_t len;
	long since; /* CLOCK_MONOTONIC ms when the piece began to wait */
};

struct crilog {
	int dir;          /* the container directory; -1: no rotation */
	int fd;           /* the log, appended to; -1: none is written */
	int none;         /* the driver none: no log, and no error */
	int err;          /* the errno of a log that could not be opened */
	int cut;          /* a write failed: the next one starts a line */
	int64_t max_size; /* rotate once it reached this; 0: never */
	int max_file;
	int64_t size;               /* of the log, with what waits in the buffer */
	struct crilog_held held[2]; /* stdout's, stderr's */
};

/* The log of the container directory DIR, as C (create.json's LogConfig)
 * says. A log that cannot be opened makes every crilog_out fail, with its
 * errno. */
int crilog_open (struct crilog *l, int dir, const struct logcfg *c);
void crilog_close (struct crilog *l);

/* Output read from STREAM (0 stdout, 1 stderr): its whole lines as F
 * records, longer ones in P records of CRILOG_LINE_MAX; a last piece
 * without newline is held. Written to the log before it returns. */
int crilog_out (struct crilog *l, int stream, const char *buf, size_t n);
/* The piece STREAM holds, as a P record (its stream ended, or waited
 * long enough). */
int crilog_flush (struct crilog *l, int stream);
/* How long until a held piece is due (ms), -1 when none is held; then
 * crilog_expire writes those that are due. */
int crilog_due_ms (const struct crilog *l);
int crilog_expire (struct crilog *l);

/* Append BUF (N bytes read from STREAM, "stdout" or "stderr") to the CRI
 * log LOGFD at once: one F record per line, a trailing piece without
 * newline as a P record. */
int crilog_write (int logfd, const char *stream, const char *buf, size_t n);

#endif
