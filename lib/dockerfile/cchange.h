/* cchange - `docker commit -c`: Dockerfile instructions applied to a
 * container's config, as moby's BuildFromConfig and the daemon's merge do
 *
 * The changes are parsed as one Dockerfile (lib/dockerfile); only CMD,
 * ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, USER, VOLUME and
 * WORKDIR are allowed ("run is not a valid change command" otherwise).
 * Words are expanded in the config's Env, as the builder expands them.
 */
#ifndef DOCKERFILE_CCHANGE_H
#define DOCKERFILE_CCHANGE_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

/* The config the image gets: a copy of CONFIG (a container's Config, in
 * Docker's shape) with the N CHANGES applied, then merged with CONFIG as
 * the daemon's commit merges them. NULL with E set on bad input. */
json_t *cchange_apply (json_t *config, char *const *changes, size_t n, struct bx_err *e);

#endif
