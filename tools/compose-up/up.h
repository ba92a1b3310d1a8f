/* up - a project brought to what its model says: networks and volumes,
 * images built or pulled, then containers in dependency order, the
 * independent ones at once; unchanged ones left as they are */
#ifndef COMPOSE_UP_H
#define COMPOSE_UP_H

#include "verbs.h"

int up_cmd (struct verbs_ctx *c, int argc, char **argv);
/* The services WANT (NULL: all) and, unless NO_DEPS, what they depend on,
 * as a JSON array in dependency order. */
json_t *up_selection (const struct model *m, const char *const *want, int no_deps);
/* Make sure the networks and volumes SERVICES use exist. */
int up_resources (const struct model *m, const json_t *services, struct bx_err *e);
/* Build or pull the images SERVICES need (BUILD: build even when present;
 * PULL: pull even when present). */
int up_images (const struct model *m, const json_t *services, int build, int pull, struct bx_err *e);
/* Create (not start) container NAME of SERVICE; *ID gets its id. */
int up_create (const struct model *m, const char *service, const char *name, int number, int oneoff,
               struct prog_argv *extra, char **id, struct bx_err *e);
/* Wait for what SERVICE's depends_on conditions ask. */
int up_wait_deps (const struct model *m, const char *service, struct bx_err *e);
/* Bring up (detached) the services SERVICE depends on, and what they need. */
int up_deps (const struct model *m, const char *service, struct bx_err *e);

#endif
