/* model - a project from its compose files: found, read, interpolated,
 * checked, merged, normalised; everything that can be known wrong is
 * found here, before anything is made */
#ifndef COMPOSE_MODEL_H
#define COMPOSE_MODEL_H

#include <jansson.h>

#include "base/err.h"

#define MODEL_MAX 32

struct model_opts {
	const char *files[MODEL_MAX];
	int nfiles;
	const char *env_files[MODEL_MAX];
	int nenv_files;
	const char *project_dir;
	const char *project_name;
	const char *profiles[MODEL_MAX];
	int nprofiles;
};

struct model {
	char *name;    /* the project's name, normalised */
	char *dir;     /* the project directory, absolute */
	json_t *files; /* the compose files read, absolute paths */
	json_t *vars;  /* the interpolation variables */
	json_t *p;     /* the normalised project: name, services, networks, volumes ... */
};

/* Find and read the project. WANT: service names asked for on the command
 * line (their profiles are enabled), may be NULL. */
int model_load (const struct model_opts *o, const char *const *want, struct model *m, struct bx_err *e);
void model_free (struct model *m);
/* The project's name alone (-p, COMPOSE_PROJECT_NAME, name:, directory),
 * for verbs that need no file when the name is given. */
int model_name_only (const struct model_opts *o, char **name, struct bx_err *e);
/* The services of the project, in an order where each comes after what it
 * depends on (names, sorted within a level); a cycle is an error. */
int model_order (const struct model *m, json_t **order, struct bx_err *e);

#endif
