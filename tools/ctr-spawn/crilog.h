/* crilog - a container's output in the CRI log format (containers/<id>/log):
 * "TIME STREAM F|P TEXT" per line, P marking a partial line
 * ("2026-11-29T03:34:45.123456789Z stdout F hello"). The buffer is static,
 * so the size of the supervisor that writes it is known. */
#ifndef BOX_CRILOG_H
#define BOX_CRILOG_H

#include <stddef.h>

/* Append BUF (N bytes read from STREAM, "stdout" or "stderr") to the
 * CRI log LOGFD: one "TIME STREAM F TEXT" entry per line, a trailing
 * piece without newline as a "P" entry. */
int crilog_write (int logfd, const char *stream, const char *buf, size_t n);

#endif
