/* logs - the output of a project's containers, one ctr-logs each, merged
 * line by line with Compose's `SERVICE-N  | ` prefixes */
#ifndef COMPOSE_LOGS_H
#define COMPOSE_LOGS_H

#include <jansson.h>

#include "verbs.h"

struct logs_attach {
	int timeout;           /* stop's -t when the project is stopped; -1: each container's own */
	const char *since;     /* Unix seconds: the output of this up only */
	int abort;             /* --abort-on-container-exit */
	const char *exit_from; /* --exit-code-from SERVICE */
};

int logs_cmd (struct verbs_ctx *c, int argc, char **argv);
/* up without -d: follow SERVICES' containers, saying as each exits with
 * which code, until they all end (0) or SIGINT/SIGTERM, which stops them
 * and gives 130. With A->abort, the first to exit stops the others: the
 * exit code is then that container's, or with A->exit_from that
 * service's container's. */
int logs_attach (const struct model *m, const json_t *services, const struct logs_attach *a);
/* The containers of ALL (inspect objects) of the services named in
 * SERVICES (a JSON array), one-off ones left out. */
json_t *logs_of_services (const json_t *all, const json_t *services);

#endif
