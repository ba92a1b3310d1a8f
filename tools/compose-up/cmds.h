/* cmds - the compose commands that are one other command of box on the
 * project's containers (create, scale, images, port, push, wait, cp,
 * commit, export, pause, unpause, top, attach) */
#ifndef COMPOSE_CMDS_H
#define COMPOSE_CMDS_H

#include "verbs.h"

/* create: up --no-start */
int cmds_create (struct verbs_ctx *c, int argc, char **argv);
/* scale SERVICE=N...: up -d with those scales */
int cmds_scale (struct verbs_ctx *c, int argc, char **argv);
int cmds_images (struct verbs_ctx *c, int argc, char **argv);
int cmds_port (struct verbs_ctx *c, int argc, char **argv);
int cmds_push (struct verbs_ctx *c, int argc, char **argv);
int cmds_wait (struct verbs_ctx *c, int argc, char **argv);
int cmds_cp (struct verbs_ctx *c, int argc, char **argv);
int cmds_commit (struct verbs_ctx *c, int argc, char **argv);
int cmds_export (struct verbs_ctx *c, int argc, char **argv);
/* pause, unpause: ctr-pause of the services' running containers */
int cmds_pause (struct verbs_ctx *c, int argc, char **argv);
int cmds_unpause (struct verbs_ctx *c, int argc, char **argv);
/* top: ctr-top of the services' running containers, as one table */
int cmds_top (struct verbs_ctx *c, int argc, char **argv);
/* attach: ctr-attach of a service's container */
int cmds_attach (struct verbs_ctx *c, int argc, char **argv);

#endif
