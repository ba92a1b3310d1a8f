/* extend - a depth-first walk along extends, the chain kept for cycles */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "cfile.h"
#include "extend.h"
#include "merge.h"

struct walk {
	const json_t *vars;
	const char *dir; /* where stdin's relative files are */
	json_t *chain;   /* [file, service] pairs being resolved */
};

static int
cycle (const struct walk *w, const char *file, const char *name, struct bx_err *e)
{
	char buf[4096];
	json_t *it;
	size_t k;
	int n;

	n = snprintf (buf, sizeof buf, "Circular reference:");
	json_array_foreach (w->chain, k, it) n +=
	    snprintf (buf + n, n < (int)sizeof buf ? sizeof buf - (size_t)n : 0, "\n  %s%s in %s", k ? "extends " : "",
	              json_string_value (json_array_get (it, 1)), json_string_value (json_array_get (it, 0)));
	snprintf (buf + n, n < (int)sizeof buf ? sizeof buf - (size_t)n : 0, "\n  extends %s in %s", name, file);
	return err_set (e, BX_USAGE, 0, "%s", buf);
}

static int
in_chain (const struct walk *w, const char *file, const char *name)
{
	json_t *it;
	size_t k;

	json_array_foreach (w->chain, k, it) if (!strcmp (json_string_value (json_array_get (it, 0)), file) &&
	                                         !strcmp (json_string_value (json_array_get (it, 1)), name)) return 1;
	return 0;
}

static int resolve (struct walk *w, json_t *root, const char *file, const char *name, struct bx_err *e);

/* the base service, resolved, from this file or from its `file:` */
static json_t *
base_of (struct walk *w, json_t *root, const char *file, const json_t *ex, struct bx_err *e)
{
	const char *other = json_string_value (json_object_get (ex, "file"));
	const char *name =
	    json_is_string (ex) ? json_string_value (ex) : json_string_value (json_object_get (ex, "service"));
	_cleanup_free_ char *fdir = strcmp (file, "/dev/stdin") ? cfile_dir (file) : NULL, *path = NULL, *odir = NULL;
	json_t *oroot = NULL, *base = NULL;

	if (!name) {
		err_set (e, BX_USAGE, 0, "%s: extends: a service must be named", file);
		return NULL;
	}
	if (other) {
		path = cfile_path (fdir ? fdir : w->dir, other);
		odir = cfile_dir (path);
		if (cfile_read (path, w->vars, odir, &oroot, e) < 0)
			return NULL;
		root = oroot;
		file = path;
	}
	if (resolve (w, root, file, name, e) == 0)
		base = json_deep_copy (json_object_get (json_object_get (root, "services"), name));
	json_decref (oroot);
	return base;
}

static int
resolve (struct walk *w, json_t *root, const char *file, const char *name, struct bx_err *e)
{
	json_t *svcs = json_object_get (root, "services"), *svc = json_object_get (svcs, name), *ex, *base;

	if (!json_is_object (svc))
		return err_set (e, BX_USAGE, 0, "cannot extend service \"%s\" in %s: service not found", name, file);
	if (!(ex = json_object_get (svc, "extends")))
		return 0;
	if (in_chain (w, file, name))
		return cycle (w, file, name, e);
	json_array_append_new (w->chain, json_pack ("[s,s]", file, name));
	base = base_of (w, root, file, ex, e);
	json_array_remove (w->chain, json_array_size (w->chain) - 1);
	if (!base)
		return -1;
	json_object_del (svc, "extends");
	merge_files (base, svc);
	json_object_set_new (svcs, name, base);
	return 0;
}

int
extend_resolve (json_t *root, const char *file, const char *dir, const json_t *vars, struct bx_err *e)
{
	struct walk w = {vars, dir, json_array ()};
	json_t *svcs = json_object_get (root, "services"), *s;
	const char *shown = strcmp (file, "-") ? file : "/dev/stdin", *k;
	void *tmp;
	int rc = 0;

	json_object_foreach_safe (svcs, tmp, k, s) if ((rc = resolve (&w, root, shown, k, e)) < 0) break;
	json_decref (w.chain);
	return rc;
}
