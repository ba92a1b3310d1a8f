/* hooks - a service's lifecycle hooks: post_start after each of its
 * containers starts, pre_stop before it is stopped; each a command run
 * in the container by ctr-exec with the hook's user, working_dir and
 * environment. A hook that fails is an error naming the container. */
#ifndef COMPOSE_HOOKS_H
#define COMPOSE_HOOKS_H

#include <jansson.h>

#include "base/err.h"
#include "model.h"

/* SVC's hooks of KEY ("post_start", "pre_stop") in container ID (NAME). */
int hooks_run (const json_t *svc, const char *key, const char *id, const char *name, struct bx_err *e);
/* The pre_stop hooks of the running containers of CTRS whose services
 * (of M; NULL: none known) have one. */
int hooks_pre_stop (const struct model *m, const json_t *ctrs, struct bx_err *e);

#endif
