/* cenv - the variables a project interpolates with: its .env file (or the
 * --env-file ones), under the process environment, which wins as the
 * specification says; and the env_file of a service */
#ifndef COMPOSE_CENV_H
#define COMPOSE_CENV_H

#include <jansson.h>

#include "base/err.h"

/* Add PATH's KEY=VALUE lines to VARS (over what is there, but not over a
 * key of KEEP, which may be NULL); values are interpolated with LOOKUP
 * (NULL: VARS itself). A missing PATH is an error only when MUST. */
int cenv_file (json_t *vars, const char *path, const json_t *keep, const json_t *lookup, int must, struct bx_err *e);
/* Set every variable of the process environment in VARS. */
void cenv_environ (json_t *vars);

#endif
