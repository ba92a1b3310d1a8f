/* logs - the output of a project's containers, one ctr-logs each, merged
 * line by line with Compose's `SERVICE-N  | ` prefixes */
#ifndef COMPOSE_LOGS_H
#define COMPOSE_LOGS_H

#include <jansson.h>

#include "verbs.h"

int logs_cmd (struct verbs_ctx *c, int argc, char **argv);
/* up without -d: follow SERVICES' containers (their output since SINCE,
 * Unix seconds) until they all end (0) or SIGINT/SIGTERM, which stops
 * them (TIMEOUT as stop's -t) and gives 130. */
int logs_attach (const struct model *m, const json_t *services, int timeout, const char *since);

#endif
