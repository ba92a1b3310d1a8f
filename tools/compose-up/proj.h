/* proj - what a project has made, read back from the labels on the
 * objects (Compose's only state): its containers through ctr-list */
#ifndef COMPOSE_PROJ_H
#define COMPOSE_PROJ_H

#include <jansson.h>

#include "base/err.h"

#define PROJ_L_PROJECT "com.docker.compose.project"
#define PROJ_L_SERVICE "com.docker.compose.service"
#define PROJ_L_NUMBER "com.docker.compose.container-number"
#define PROJ_L_HASH "com.docker.compose.config-hash"
#define PROJ_L_ONEOFF "com.docker.compose.oneoff"

/* *OUT: the containers labelled with project NAME (NULL: any project),
 * as ctr-list inspect shows them, sorted by service then number. */
int proj_containers (const char *name, json_t **out, struct bx_err *e);
/* A label of C (an inspect object), or "". */
const char *proj_label (const json_t *c, const char *key);
/* C's name without the leading slash. */
const char *proj_name (const json_t *c);
int proj_running (const json_t *c);

#endif
