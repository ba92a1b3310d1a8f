/* cfile - one compose file as the model takes it in: read, interpolated,
 * checked against the schema, its services and top-level files in norm's
 * shape against a directory; what is then done with it (extends, include,
 * merging) is the callers' */
#ifndef COMPOSE_CFILE_H
#define COMPOSE_CFILE_H

#include <jansson.h>

#include "base/err.h"

/* *ROOT: PATH ("-": stdin) interpolated with VARS, its relative paths
 * made absolute against DIR. */
int cfile_read (const char *path, const json_t *vars, const char *dir, json_t **root, struct bx_err *e);
/* PATH absolute (under DIR when relative), its real path when it exists. */
char *cfile_path (const char *dir, const char *path);
/* The directory of the absolute file PATH, NULL for stdin. */
char *cfile_dir (const char *path);

#endif
