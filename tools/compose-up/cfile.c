/* cfile - a compose file's steps before merging, in Compose's order */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cfile.h"
#include "interp.h"
#include "norm.h"
#include "schema.h"
#include "yload.h"

/* every string value of V (not the keys) interpolated in place */
static int
interp_tree (json_t *v, const json_t *vars, const char *file, const struct yload_lines *l, struct bx_err *e)
{
	const char *k;
	json_t *it;
	size_t idx;

	if (json_is_string (v)) {
		_cleanup_free_ char *out = NULL;
		if (!strchr (json_string_value (v), '$'))
			return 0;
		if (interp_string (json_string_value (v), vars, &out, e) < 0)
			return err_wrap (e, "%s:%d", file, yload_line (l, v));
		json_string_set (v, out);
		return 0;
	}
	if (json_is_object (v)) {
		json_object_foreach (v, k, it) if (interp_tree (it, vars, file, l, e) < 0) return -1;
	} else if (json_is_array (v)) {
		json_array_foreach (v, idx, it) if (interp_tree (it, vars, file, l, e) < 0) return -1;
	}
	return 0;
}

int
cfile_read (const char *path, const json_t *vars, const char *dir, json_t **root, struct bx_err *e)
{
	struct yload_lines *l = NULL;
	const char *shown = !strcmp (path, "-") ? "/dev/stdin" : path, *k;
	json_t *s;
	int rc = -1;

	*root = NULL;
	if (strcmp (path, "-") && access (path, F_OK) < 0)
		return err_set (e, BX_USAGE, errno, "open %s", path);
	if (yload_file (shown, root, &l, e) < 0)
		return -1;
	if (json_is_null (*root)) {
		json_decref (*root);
		*root = json_object ();
	}
	if (interp_tree (*root, vars, shown, l, e) < 0 || schema_check (*root, shown, l, e) < 0)
		goto out;
	json_object_foreach (json_object_get (*root, "services"), k,
	                     s) if (json_is_object (s) && norm_service (s, k, dir, e) < 0)
	{
		err_wrap (e, "%s:%d", shown, yload_line (l, s));
		goto out;
	}
	norm_top_files (json_object_get (*root, "secrets"), dir);
	norm_top_files (json_object_get (*root, "configs"), dir);
	rc = 0;
out:
	if (rc < 0) {
		json_decref (*root);
		*root = NULL;
	}
	yload_lines_free (l);
	return rc;
}

char *
cfile_path (const char *dir, const char *path)
{
	char buf[PATH_MAX * 2], real[PATH_MAX];

	if (path[0] == '/')
		snprintf (buf, sizeof buf, "%s", path);
	else
		snprintf (buf, sizeof buf, "%s/%s", dir, !strncmp (path, "./", 2) ? path + 2 : path);
	/* one name for one file, so that a cycle through ../ is seen */
	return strdup (realpath (buf, real) ? real : buf);
}

char *
cfile_dir (const char *path)
{
	const char *slash = strrchr (path, '/');

	if (!strcmp (path, "-") || !slash)
		return NULL;
	return strndup (path, slash == path ? 1 : (size_t)(slash - path));
}
