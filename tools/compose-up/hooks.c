/* hooks - ctr-exec once per hook, in the order they are listed */
#include <stdlib.h>
#include <string.h>

#include "hooks.h"
#include "norm.h"
#include "prog.h"
#include "proj.h"

static int
run_one (const json_t *h, const char *key, const char *id, const char *name, struct bx_err *e)
{
	json_t *cmd = json_object_get (h, "command"), *words, *v;
	struct prog_argv a = {0};
	const char *k;
	char *out = NULL;
	size_t i;
	int rc;

	words = json_is_string (cmd) ? norm_words (json_string_value (cmd)) : json_incref (cmd);
	prog_add (&a, "ctr-exec");
	if ((v = json_object_get (h, "user")))
		prog_add (&a, "-u"), prog_add (&a, json_string_value (v) ?: "");
	if ((v = json_object_get (h, "working_dir")))
		prog_add (&a, "-w"), prog_add (&a, json_string_value (v) ?: "");
	v = json_object_get (h, "environment");
	json_array_foreach (v, i, cmd) prog_add (&a, "-e"), prog_add (&a, json_string_value (cmd) ?: "");
	json_object_foreach (json_is_object (v) ? v : NULL, k, cmd)
	{
		json_t *s = norm_scalar (cmd);
		prog_add (&a, "-e");
		prog_addf (&a, "%s=%s", k, json_string_value (s) ?: "");
		json_decref (s);
	}
	prog_add (&a, id);
	json_array_foreach (words, i, v) prog_add (&a, json_string_value (v) ?: "");
	json_decref (words);
	/* its output is the hook's, not compose's: stdout dropped, stderr shown */
	rc = prog_run (&a, &out, e);
	free (out);
	prog_free (&a);
	if (rc < 0)
		return -1;
	return rc ? err_set (e, BX_FAIL, 0, "container %s: %s hook exited with %d", name, key, rc) : 0;
}

int
hooks_run (const json_t *svc, const char *key, const char *id, const char *name, struct bx_err *e)
{
	json_t *h;
	size_t k;

	json_array_foreach (json_object_get (svc, key), k, h) if (run_one (h, key, id, name, e) < 0) return -1;
	return 0;
}

int
hooks_pre_stop (const struct model *m, const json_t *ctrs, struct bx_err *e)
{
	json_t *c;
	size_t k;

	json_array_foreach (ctrs, k, c)
	{
		const json_t *svc =
		    m && m->p ? json_object_get (json_object_get (m->p, "services"), proj_label (c, PROJ_L_SERVICE))
		              : NULL;
		if (proj_running (c) &&
		    hooks_run (svc, "pre_stop", json_string_value (json_object_get (c, "Id")), proj_name (c), e) < 0)
			return -1;
	}
	return 0;
}
