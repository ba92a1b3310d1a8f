/* run - a command in a service's container (exec) or in a new one-off
 * container of the service (run) */
#ifndef COMPOSE_RUN_H
#define COMPOSE_RUN_H

#include "verbs.h"

int run_exec_cmd (struct verbs_ctx *c, int argc, char **argv);
int run_cmd (struct verbs_ctx *c, int argc, char **argv);

#endif
