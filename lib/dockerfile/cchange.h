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

struct df_instr;

/* The config the image gets: a copy of CONFIG (a container's Config, in
 * Docker's shape) with the N CHANGES applied, then merged with CONFIG as
 * the daemon's commit merges them. NULL with E set on bad input. */
json_t *cchange_apply (json_t *config, char *const *changes, size_t n, struct bx_err *e);
/* Set K=V in CONFIG's Env, in place of K's entry if it has one, as ENV
 * does (df-build's ENV too). */
void cchange_env_set (json_t *config, const char *k, const char *v);
/* HEALTHCHECK CMD IN into HC: its Test (CMD for the exec form, CMD-SHELL
 * for the shell form) and its flags --interval, --timeout, --start-period,
 * --start-interval (Go durations, in ns) and --retries, a zero left out
 * (the image's own then holds). BX_USAGE in Docker's words on a bad flag. */
int cchange_health_cmd (const struct df_instr *in, json_t *hc, struct bx_err *e);

#endif
