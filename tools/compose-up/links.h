/* links - a service's links and external_links as host entries of the
 * linking container (--add-host ALIAS:IP), the linked containers' addresses
 * looked up when it is made, as Docker's legacy links are fixed then */
#ifndef COMPOSE_LINKS_H
#define COMPOSE_LINKS_H

#include <jansson.h>

#include "base/err.h"
#include "model.h"
#include "prog.h"

/* links: "SERVICE[:ALIAS]" (each container of SERVICE), external_links:
 * "CONTAINER[:ALIAS]"; a link to nothing is an error. */
int links_hosts (const struct model *m, const json_t *svc, struct prog_argv *a, struct bx_err *e);

#endif
