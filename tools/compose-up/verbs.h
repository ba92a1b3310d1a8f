/* verbs - the commands of docker compose, each a plan run through the
 * other box programs */
#ifndef COMPOSE_VERBS_H
#define COMPOSE_VERBS_H

#include "model.h"

struct verbs_ctx {
	const char *root;
	struct model_opts mo;
};

/* Run ARGV[0] (a command) with its arguments; the exit code. */
int verbs_run (struct verbs_ctx *c, int argc, char **argv);

#endif
