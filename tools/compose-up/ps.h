/* ps - a project's containers (ps) and the projects there are (ls), from
 * ctr-list's rows and the com.docker.compose.* labels */
#ifndef COMPOSE_PS_H
#define COMPOSE_PS_H

#include "verbs.h"

int ps_cmd (struct verbs_ctx *c, int argc, char **argv);
int ps_ls_cmd (struct verbs_ctx *c, int argc, char **argv);

#endif
