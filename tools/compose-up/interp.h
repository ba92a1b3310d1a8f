/* interp - the compose specification's interpolation: $VAR, ${VAR},
 * ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt},
 * ${VAR+alt}, nested in each other, and $$ for a dollar */
#ifndef COMPOSE_INTERP_H
#define COMPOSE_INTERP_H

#include <jansson.h>

#include "base/err.h"

/* *OUT (malloc'd): S with its variables taken from VARS (an object of
 * strings); an unset one without a default is blank, with a warning. */
int interp_string (const char *s, const json_t *vars, char **out, struct bx_err *e);

#endif
