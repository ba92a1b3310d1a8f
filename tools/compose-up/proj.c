/* proj - ctr-list -q with the project's label filter, then ctr-list
 * inspect of what it found: two processes, whatever the project's size */
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "prog.h"
#include "proj.h"

const char *
proj_label (const json_t *c, const char *key)
{
	return json_string_value (json_object_get (json_object_get (json_object_get (c, "Config"), "Labels"), key))
	           ?: "";
}

const char *
proj_name (const json_t *c)
{
	const char *n = json_string_value (json_object_get (c, "Name")) ?: "";

	return n + (*n == '/');
}

int
proj_running (const json_t *c)
{
	return json_is_true (json_object_get (json_object_get (c, "State"), "Running"));
}

static int
by_service (const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int d = strcmp (proj_label (x, PROJ_L_SERVICE), proj_label (y, PROJ_L_SERVICE));

	if (d)
		return d;
	d = atoi (proj_label (x, PROJ_L_NUMBER)) - atoi (proj_label (y, PROJ_L_NUMBER));
	return d ? d : strcmp (proj_name (x), proj_name (y));
}

static json_t *
sorted (json_t *a)
{
	size_t n = json_array_size (a);
	json_t **v = calloc (n + 1, sizeof *v), *out = json_array ();

	for (size_t k = 0; k < n; k++)
		v[k] = json_array_get (a, k);
	if (n)
		qsort (v, n, sizeof *v, by_service);
	for (size_t k = 0; k < n; k++)
		json_array_append (out, v[k]);
	free (v);
	json_decref (a);
	return out;
}

int
proj_containers (const char *name, json_t **out, struct bx_err *e)
{
	struct prog_argv a = {0};
	_cleanup_free_ char *ids = NULL, *js = NULL;
	json_error_t je;
	int rc;

	prog_add (&a, "ctr-list");
	prog_add (&a, "-aq");
	prog_add (&a, "--no-trunc");
	prog_add (&a, "--filter");
	prog_addf (&a, name ? "label=%s=%s" : "label=%s", PROJ_L_PROJECT, name);
	rc = prog_run (&a, &ids, e);
	prog_free (&a);
	if (rc != 0)
		return rc < 0 ? -1 : err_set (e, BX_FAIL, 0, "ctr-list failed");
	*out = json_array ();
	if (!ids || !*ids)
		return 0;
	prog_add (&a, "ctr-list");
	prog_add (&a, "inspect");
	char *sv = NULL;
	for (char *s = strtok_r (ids, "\n", &sv); s; s = strtok_r (NULL, "\n", &sv))
		prog_add (&a, s);
	rc = prog_run (&a, &js, e);
	prog_free (&a);
	json_t *j = js ? json_loads (js, 0, &je) : NULL;
	/* a container removed between the two calls is only missing (exit 1) */
	if (!json_is_array (j)) {
		json_decref (j);
		return err_set (e, BX_FAIL, 0, "ctr-list inspect failed (%d)", rc);
	}
	json_decref (*out);
	*out = sorted (j);
	return 0;
}
