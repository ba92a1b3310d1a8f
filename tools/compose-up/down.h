/* down - a project's containers stopped (in parallel, dependents first),
 * started, restarted, killed, removed; and down, which removes the
 * project: containers, networks, with -v its volumes */
#ifndef COMPOSE_DOWN_H
#define COMPOSE_DOWN_H

#include <jansson.h>

#include "base/err.h"
#include "verbs.h"

/* Stop the running containers of CTRS (inspect objects): the services
 * nothing still running depends on first, each round at once. TIMEOUT < 0:
 * each container's own. */
int down_stop (const json_t *ctrs, int timeout, struct bx_err *e);

int down_cmd (struct verbs_ctx *c, int argc, char **argv);
int down_stop_cmd (struct verbs_ctx *c, int argc, char **argv);
int down_start_cmd (struct verbs_ctx *c, int argc, char **argv);
int down_restart_cmd (struct verbs_ctx *c, int argc, char **argv);
int down_kill_cmd (struct verbs_ctx *c, int argc, char **argv);
int down_rm_cmd (struct verbs_ctx *c, int argc, char **argv);

#endif
