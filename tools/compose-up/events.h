/* events - the project's container events as docker compose events shows
 * them, read from sys-events (the state directory's event log), followed */
#ifndef COMPOSE_EVENTS_H
#define COMPOSE_EVENTS_H

#include "verbs.h"

/* events [--json] [--since T] [--until T] [SERVICE...] */
int events_cmd (struct verbs_ctx *c, int argc, char **argv);

#endif
