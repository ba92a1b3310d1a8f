/* sargs - a service of the model as ctr-create's arguments (docker
 * create's flags), with the com.docker.compose.* labels */
#ifndef COMPOSE_SARGS_H
#define COMPOSE_SARGS_H

#include <jansson.h>

#include "base/err.h"
#include "model.h"
#include "prog.h"

struct sargs_ctr {
	const char *service;
	const char *name; /* the container's name */
	int number;       /* container-number */
	const char *hash; /* config-hash */
	int oneoff;       /* made by `run` */
};

/* ctr-create's arguments for container C of SVC into A. The first
 * network is given to ctr-create; the others are left for ctr-net connect. */
int sargs_create (const struct model *m, const json_t *svc, const struct sargs_ctr *c, struct prog_argv *a,
                  struct bx_err *e);
/* A service's keys that box cannot honour, refused before anything is
 * made: each error names the service and the key. */
int sargs_check (const char *name, const json_t *svc, struct bx_err *e);
/* The image SVC runs: image:, else PROJECT-SERVICE for a build. */
char *sargs_image (const struct model *m, const char *service, const json_t *svc);
/* The config-hash of SVC (hex of its normalised model, scale excluded). */
void sargs_hash (const json_t *svc, char out[65]);
/* The networks of SVC in the order they are joined (by name). */
json_t *sargs_networks (const json_t *svc);
/* Seconds of a Go duration ("1m30s", "10s", "500ms" rounds up), -1 bad. */
long sargs_seconds (const char *d);

#endif
