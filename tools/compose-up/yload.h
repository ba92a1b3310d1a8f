/* yload - a compose file read with libfyaml (anchors, aliases and `<<`
 * merge keys resolved) into a jansson tree, with the line each value
 * came from, so that later checks can name it */
#ifndef COMPOSE_YLOAD_H
#define COMPOSE_YLOAD_H

#include <jansson.h>

#include "base/err.h"

struct yload_lines;

/* Read PATH ("-": stdin) into *OUT; *LINES maps its values to lines. */
int yload_file (const char *path, json_t **out, struct yload_lines **lines, struct bx_err *e);
/* The 1-based line of NODE (the line of its key in a mapping), 0 unknown. */
int yload_line (const struct yload_lines *l, const json_t *node);
void yload_lines_free (struct yload_lines *l);

#endif
