/* ocilog - where ctr-oci's errors go: stderr, and the --log file in
 * --log-format text or json (containerd's shim reads the json one) */
#ifndef BOX_OCILOG_H
#define BOX_OCILOG_H

#include "base/err.h"

/* Open PATH (NULL: none) for appending; JSON: logrus' json format. */
void ocilog_open (const char *path, int json, int debug);
/* Log a debug line (--debug only). */
void ocilog_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* Log a warning, and print it on stderr. */
void ocilog_warn (const struct bx_err *e);
/* Log E as an error, print it on stderr; the exit code (1, as runc's). */
int ocilog_error (const struct bx_err *e);

#endif
