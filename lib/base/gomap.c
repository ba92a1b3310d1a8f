#include "base/gomap.h"

#include <stdlib.h>
#include <string.h>

static int
gomap_cmp (const void *a, const void *b)
{
	return strcmp (*(const char *const *)a, *(const char *const *)b);
}

json_t *
gomap_sorted (json_t *o)
{
	size_t n = json_object_size (o), i = 0;
	const char **keys = calloc (n ? n : 1, sizeof *keys);
	json_t *r = keys ? json_object () : NULL, *v;
	const char *key;

	if (!r) {
		free (keys);
		return NULL;
	}
	json_object_foreach (o, key, v) keys[i++] = key;
	qsort (keys, n, sizeof *keys, gomap_cmp);
	for (i = 0; i < n; i++)
		json_object_set (r, keys[i], json_object_get (o, keys[i]));
	free (keys);
	return r;
}
