/* step - RUN, and WORKDIR, through a container of the stage so far */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/tree.h"
#include "copy.h"
#include "imgw.h"
#include "layers/layer.h"
#include "meta.h"
#include "step.h"

int
step_container (struct build *b, json_t *cmd, json_t *env, char id[CTRRUN_ID_LEN + 1], struct bx_err *e)
{
	char img[DIGEST_STR_LEN + 1];
	json_t *desc = NULL, *nop = NULL;
	int rc;

	if (imgw_put (b, img, &desc, e) < 0)
		return -1;
	imgw_temp (b, desc);
	json_decref (desc);
	/* a container that is never run still needs a command to be made */
	if (!cmd)
		cmd = nop = json_pack ("[s]", "/bin/true");
	rc = ctrrun_create (b, img, cmd, env, id, e);
	json_decref (nop);
	return rc;
}

static int
add_layer (struct build *b, json_t *desc, const char *diff_id)
{
	json_t *rootfs = json_object_get (b->cfg, "rootfs"), *ids;

	if (!json_is_object (rootfs)) {
		rootfs = json_pack ("{s:s, s:[]}", "type", "layers", "diff_ids");
		json_object_set_new (b->cfg, "rootfs", rootfs);
	}
	ids = json_object_get (rootfs, "diff_ids");
	if (!json_is_array (ids)) {
		ids = json_array ();
		json_object_set_new (rootfs, "diff_ids", ids);
	}
	json_array_append_new (ids, json_string (diff_id));
	return json_array_append_new (b->layers, desc);
}

int
step_commit (struct build *b, const char *id, const char *created_by, struct bx_err *e)
{
	_cleanup_close_ int upper = ctrrun_open (b, id, "upper", e), tmp = -1;
	int whole = 0;
	char tmpname[64], diff_id[DIGEST_STR_LEN + 1];
	json_t *desc = NULL;
	struct bx_err re = {0};
	int rc;

	/* an empty image's container has a copied rootfs, all of it new */
	if (upper < 0 && e->sys == ENOENT && (upper = ctrrun_open (b, id, "rootfs", e)) >= 0)
		whole = 1;
	rc = upper < 0 ? -1 : 0;

	snprintf (tmpname, sizeof tmpname, "tmp/build-%d", (int)getpid ());
	mkdirat (b->rootfd, "tmp", 0700);
	if (rc == 0 && mkdirat (b->rootfd, tmpname, 0700) < 0 && errno != EEXIST)
		rc = err_set (e, BX_SYSTEM, errno, "%s", tmpname);
	if (rc == 0 && (tmp = openat (b->rootfd, tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = err_set (e, BX_SYSTEM, errno, "%s", tmpname);
	if (rc == 0) {
		struct layer_opts lo = {whole, !strcmp (b->in->keyword, "run"), b->o->compress, b->o->epoch};
		rc = layer_from_upper (upper, &lo, &b->st, tmp, &desc, diff_id, e);
	}
	if (tmp >= 0)
		tree_remove_at (b->rootfd, tmpname);
	if (ctrrun_remove (b, id, &re) < 0 && rc >= 0)
		rc = err_set (e, re.code, re.sys, "%s", re.msg);
	if (rc < 0)
		return -1;
	if (rc > 0)
		add_layer (b, desc, diff_id);
	build_history (b, created_by, rc == 0);
	return 0;
}

/* the ARGs in scope that have a value and that ENV does not set: the
 * RUN's environment gets them, its history names them ("|1 K=V cmd") */
static json_t *
arg_env (struct build *b)
{
	json_t *out = json_array (), *env = json_object_get (meta_config (b), "Env"), *v, *item;
	const char *k;
	size_t i;

	json_object_foreach (b->args, k, v)
	{
		int shadowed = 0;
		if (!json_is_string (v))
			continue;
		json_array_foreach (env, i, item)
		{
			const char *s = json_string_value (item);
			if (s && strncmp (s, k, strlen (k)) == 0 && s[strlen (k)] == '=')
				shadowed = 1;
		}
		if (!shadowed)
			json_array_append_new (out, json_sprintf ("%s=%s", k, json_string_value (v)));
	}
	return out;
}

static char *
run_history (json_t *cmd, json_t *args)
{
	_cleanup_free_ char *c = meta_join (cmd), *a = meta_join (args);
	char *out = NULL;

	if (json_array_size (args) == 0)
		return strdup (c);
	return asprintf (&out, "|%zu %s %s", json_array_size (args), a, c) < 0 ? NULL : out;
}

static int
run_check (struct build *b, struct bx_err *e)
{
	for (size_t i = 0; i < b->in->nflags; i++) {
		const char *f = b->in->flags[i];
		if (!strncmp (f, "--mount", 7) || !strncmp (f, "--network", 9) || !strncmp (f, "--security", 10))
			return build_errf (b, e, BX_USAGE, "RUN %.*s: not implemented", (int)strcspn (f, "="), f);
		return build_errf (b, e, BX_USAGE, "RUN: unknown flag: %s", f);
	}
	if (b->in->nheredocs)
		return build_errf (b, e, BX_USAGE, "RUN with a here-document: not implemented");
	if (!b->in->json && (b->in->nargs == 0 || !*b->in->args[0].s))
		return build_errf (b, e, BX_USAGE, "RUN requires at least one argument");
	return 0;
}

static json_t *
run_command (struct build *b)
{
	json_t *a;

	if (!b->in->json)
		return meta_shell_form (b, b->in->args[0].s);
	a = json_array ();
	for (size_t i = 0; i < b->in->nargs; i++)
		json_array_append_new (a, json_stringn (b->in->args[i].s, b->in->args[i].len));
	return a;
}

static int
do_run (struct build *b, struct bx_err *e)
{
	json_t *cmd, *args;
	char id[CTRRUN_ID_LEN + 1];
	_cleanup_free_ char *by = NULL, *shown = NULL;
	struct bx_err re = {0};
	int code = 0, rc;

	if (run_check (b, e) < 0)
		return -1;
	cmd = run_command (b);
	args = arg_env (b);
	by = run_history (cmd, args);
	shown = meta_join (cmd);
	rc = step_container (b, cmd, args, id, e);
	json_decref (cmd);
	json_decref (args);
	if (rc < 0)
		return build_wrap (b, e);
	if (!b->o->quiet)
		printf (" ---> Running in %.12s\n", id);
	if (ctrrun_spawn (b, id, &code, e) < 0 || code != 0) {
		ctrrun_remove (b, id, &re);
		if (code == 0)
			return build_wrap (b, e);
		return build_errf (b, e, BX_FAIL, "step %zu/%zu: RUN: the command '%s' returned a non-zero code: %d",
		                   b->step, b->nsteps, shown, code);
	}
	if (!b->o->quiet)
		printf ("Removing intermediate container %.12s\n", id);
	return step_commit (b, id, by, e) < 0 ? build_wrap (b, e) : 0;
}

static int
do_workdir (struct build *b, struct bx_err *e)
{
	_cleanup_free_ char *p = NULL, *dir = NULL, *by = NULL;
	_cleanup_close_ int rootfs = -1, made = -1;
	char id[CTRRUN_ID_LEN + 1];
	struct bx_err re = {0};

	if (b->in->nargs != 1 || build_expand (b, b->in->args[0].s, &p, e) < 0)
		return b->in->nargs != 1 ? build_errf (b, e, BX_USAGE, "WORKDIR requires exactly one argument") : -1;
	if (!*p)
		return build_errf (b, e, BX_USAGE, "WORKDIR requires exactly one argument");
	dir = meta_workdir_join (b, p);
	json_object_set_new (meta_config (b), "WorkingDir", json_string (dir));
	_cleanup_free_ char *sh = meta_join (meta_shell (b));
	if (asprintf (&by, "%s #(nop) WORKDIR %s", sh, dir) < 0 || step_container (b, NULL, NULL, id, e) < 0)
		return build_wrap (b, e);
	/* created root-owned, as Docker's ContainerCreateWorkdir does */
	if ((rootfs = ctrrun_open (b, id, "rootfs", e)) < 0 || (made = copy_mkdir_in_root (rootfs, dir, 0, 0, e)) < 0) {
		ctrrun_remove (b, id, &re);
		return build_wrap (b, e);
	}
	return step_commit (b, id, by, e) < 0 ? build_wrap (b, e) : 0;
}

int
step_run (struct build *b, struct bx_err *e)
{
	const char *k = b->in->keyword;

	if (!strcmp (k, "run"))
		return do_run (b, e) < 0 ? -1 : 1;
	if (!strcmp (k, "workdir"))
		return do_workdir (b, e) < 0 ? -1 : 1;
	if (!strcmp (k, "copy") || !strcmp (k, "add"))
		return copy_run (b, e) < 0 ? -1 : 1;
	return 0;
}
