/* schema - one compose file checked against the compose specification's
 * shape before it is merged: an unknown key or a wrong type is an error
 * naming the file, the line and the key */
#ifndef COMPOSE_SCHEMA_H
#define COMPOSE_SCHEMA_H

#include <jansson.h>

#include "base/err.h"
#include "yload.h"

int schema_check (const json_t *root, const char *file, const struct yload_lines *l, struct bx_err *e);

#endif
