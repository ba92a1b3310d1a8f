/* merge - a later compose file over an earlier one, by the compose
 * specification's merge rules (both already in norm's shape) */
#ifndef COMPOSE_MERGE_H
#define COMPOSE_MERGE_H

#include <jansson.h>

/* OVER merged into BASE; OVER is not changed. */
void merge_files (json_t *base, const json_t *over);

#endif
