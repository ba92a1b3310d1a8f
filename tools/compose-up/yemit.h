/* yemit - a jansson tree printed as YAML, as `docker compose config`
 * prints its model: block style, two-space indent, keys sorted, strings
 * quoted only when YAML would read them as something else */
#ifndef COMPOSE_YEMIT_H
#define COMPOSE_YEMIT_H

#include <jansson.h>
#include <stdio.h>

/* TOP_FIRST: keys printed first at the top level, in this order (NULL-ended) */
void yemit_print (FILE *f, const json_t *v, const char *const *top_first);

#endif
