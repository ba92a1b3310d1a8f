/* norm - one service's keys in the one shape Compose prints them in
 * (`config`): lists of KEY=VALUE as mappings, short port and volume
 * syntax as the long one, strings as lists, relative paths made absolute
 * against the project directory; done on each file before merging, so
 * that the specification's merge rules see one shape */
#ifndef COMPOSE_NORM_H
#define COMPOSE_NORM_H

#include <jansson.h>

#include "base/err.h"

int norm_service (json_t *svc, const char *name, const char *dir, struct bx_err *e);
/* The file of each top-level secret or config of TOP made absolute. */
void norm_top_files (json_t *top, const char *dir);
/* *OUT: S split as a shell would split a command line (quotes, backslashes) */
json_t *norm_words (const char *s);

/* A scalar as the string Compose prints for it (1 -> "1", true -> "true"), null else. */
json_t *norm_scalar (const json_t *v);

#endif
