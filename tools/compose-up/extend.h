/* extend - services that extend another (`extends: NAME` or `{service,
 * file}`), made whole: the base, itself resolved first, with the
 * service merged over it by the specification's merge rules */
#ifndef COMPOSE_EXTEND_H
#define COMPOSE_EXTEND_H

#include <jansson.h>

#include "base/err.h"

/* Every service of ROOT, read from FILE (normalised), that extends
 * another. A relative `file:` is under FILE's directory (DIR for stdin);
 * such a file is read with VARS and its paths are its own directory's.
 * A cycle is an error naming each step, as Compose names it. */
int extend_resolve (json_t *root, const char *file, const char *dir, const json_t *vars, struct bx_err *e);

#endif
