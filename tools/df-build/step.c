/* step - RUN, and WORKDIR, through a container of the stage so far */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/layout.h"
#include "base/strbuf.h"
#include "base/tree.h"
#include "copy.h"
#include "imgw.h"
#include "layers/fuseovl.h"
#include "layers/idcopy.h"
#include "layers/layer.h"
#include "layers/layerkeep.h"
#include "layers/overlay.h"
#include "layers/rootfs.h"
#include "meta.h"
#include "runmount.h"
#include "runtime/remap.h"
#include "step.h"

int
step_container (struct build *b, json_t *cmd, json_t *env, char id[CTRRUN_ID_LEN + 1], struct bx_err *e)
{
	return step_container_with (b, cmd, env, NULL, id, e);
}

int
step_container_with (struct build *b, json_t *cmd, json_t *env, json_t *flags, char id[CTRRUN_ID_LEN + 1],
                     struct bx_err *e)
{
	char img[DIGEST_STR_LEN + 1];
	json_t *desc = NULL, *nop = NULL;
	int rc = -1;

	/* a container that is never run still needs a command to be made */
	if (!cmd)
		cmd = nop = json_pack ("[s]", "/bin/true");
	/* the image stays listed while this build holds it, whatever a
	 * concurrent build of the same steps does (imgw) */
	if (imgw_put (b, img, &desc, e) == 0) {
		json_decref (desc);
		rc = ctrrun_create_with (b, img, cmd, env, flags, id, e);
	}
	json_decref (nop);
	return rc;
}

/* a step's own overlay (COPY, ADD, WORKDIR): tmp/build-PID.step/ */
static void
own_dir (char *out, size_t len)
{
	snprintf (out, len, L_TMP "/" L_BUILD_TMP "%d.step", (int)getpid ());
}

/* the stage's layers, topmost first, as names in layers/: NULL when one
 * is not extracted yet (or there is none) */
static const char **
own_lowers (struct build *b, size_t *n)
{
	json_t *ids = json_object_get (json_object_get (b->cfg, "rootfs"), "diff_ids");
	const char **v;
	struct stat st;

	*n = json_array_size (ids);
	if (*n == 0 || !(v = calloc (*n, sizeof *v)))
		return NULL;
	for (size_t i = 0; i < *n; i++) {
		const char *d = json_string_value (json_array_get (ids, *n - 1 - i));
		char path[DIGEST_STR_LEN + 16];
		if (!d || !digest_is_valid (d))
			break;
		snprintf (path, sizeof path, L_LAYERS "/%s", digest_hex (d));
		if (fstatat (b->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
			break;
		v[i] = digest_hex (d);
	}
	if (!v[*n - 1]) {
		free (v);
		return NULL;
	}
	return v;
}

/* The stage's root filesystem for a step that only writes files, without
 * a container (ctr-create and ctr-rm cost more than the step): its layers
 * under an overlay of the step's own, mounted and detached at once, so
 * that the directory fd holds the mount for the step and nothing stays
 * mounted however the build ends. 1 done, 0 when the stage has a layer
 * not extracted yet (or none, or no root, or rootless): a container then;
 * -1 error. */
static int
own_rootfs (struct build *b, int *rootfs, struct bx_err *e)
{
	char dir[64], layers[PATH_MAX], upper[PATH_MAX + 80], work[PATH_MAX + 80], target[PATH_MAX + 80];
	_cleanup_free_ const char **lower = NULL;
	size_t n;
	int rc;

	if (rootfs_userxattr () || !(lower = own_lowers (b, &n)))
		return 0;
	own_dir (dir, sizeof dir);
	tree_remove_at (b->rootfd, dir);
	snprintf (layers, sizeof layers, "%s/" L_LAYERS, b->o->rootpath);
	snprintf (upper, sizeof upper, "%s/%s/upper", b->o->rootpath, dir);
	snprintf (work, sizeof work, "%s/%s/work", b->o->rootpath, dir);
	snprintf (target, sizeof target, "%s/%s/rootfs", b->o->rootpath, dir);
	mkdirat (b->rootfd, L_TMP, 0700);
	if (mkdirat (b->rootfd, dir, 0700) < 0 || mkdir (upper, 0755) < 0 || mkdir (work, 0700) < 0 ||
	    mkdir (target, 0755) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", dir);
	/* the upper is kept (and synced then) or thrown away */
	if (overlay_mount (layers, lower, n, upper, work, target, OVERLAY_VOLATILE, e) < 0)
		return -1;
	*rootfs = open (target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = *rootfs < 0 ? err_set (e, BX_SYSTEM, errno, "%s/rootfs", dir) : 1;
	if (umount2 (target, MNT_DETACH) < 0 && rc > 0)
		rc = err_set (e, BX_SYSTEM, errno, "%s/rootfs", dir);
	return rc;
}

int
step_rootfs (struct build *b, char id[CTRRUN_ID_LEN + 1], int *rootfs, struct bx_err *e)
{
	int rc = own_rootfs (b, rootfs, e);

	id[0] = '\0';
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (step_container (b, NULL, NULL, id, e) < 0)
		return -1;
	return (*rootfs = ctrrun_open (b, id, "rootfs", e)) < 0 ? -1 : 0;
}

void
step_discard (struct build *b, const char *id)
{
	char dir[64];

	if (id[0]) {
		ctrrun_remove (b, id, &(struct bx_err){0});
		return;
	}
	own_dir (dir, sizeof dir);
	tree_remove_at (b->rootfd, dir);
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

/* the upper becomes the layer's extracted tree: the next step's container
 * and the image's first run extract nothing (SOURCE_DATE_EPOCH clamps
 * the blob's mtimes, not the upper's: that layer is extracted) */
static int
step_keep (struct build *b, const char *id, const struct layerkeep *k, const char *diff_id, struct bx_err *e)
{
	char dir[PATH_MAX], abs[2 * PATH_MAX];

	if (!id[0]) {
		own_dir (dir, sizeof dir);
		return layerkeep_upper (b->rootfd, dir, k, diff_id, e);
	}
	snprintf (dir, sizeof dir, "%s/%s", L_CONTAINERS, id);
	snprintf (abs, sizeof abs, "%s/%s", b->o->rootpath, dir);
	return rootfs_unmount (abs, e) < 0 ? -1 : layerkeep_upper (b->rootfd, dir, k, diff_id, e);
}

static int
same_fs (int rootfd, const char *a, const char *b)
{
	struct stat sa, sb;

	return fstatat (rootfd, a, &sa, 0) == 0 && fstatat (rootfd, b, &sb, 0) == 0 && sa.st_dev == sb.st_dev;
}

/* A RUN container over copies of the layers (layers/idcopy.h) has its
 * upper in host ids: its config's maps give them back, and the upper is
 * not kept as the layer's tree. 1 when so, UID and GID filled. */
static int
upper_maps (struct build *b, const char *id, struct idmap *uid, struct idmap *gid, struct bx_err *e)
{
	char dir[PATH_MAX];

	snprintf (dir, sizeof dir, "%s/" L_CONTAINERS "/%s", b->o->rootpath, id);
	if (!id[0] || !idcopy_bundle_is (dir))
		return 0;
	return remap_bundle_maps (dir, uid, gid, e);
}

/* fuse-overlayfs's upper (layers/fuseovl.h) is no tree overlayfs reads:
 * its whiteouts may be .wh. files */
static int
upper_is_fuse (struct build *b, const char *id)
{
	char dir[PATH_MAX];

	snprintf (dir, sizeof dir, "%s/" L_CONTAINERS "/%s", b->o->rootpath, id);
	return id[0] && fuseovl_bundle_is (dir);
}

int
step_commit (struct build *b, const char *id, const char *created_by, struct bx_err *e)
{
	_cleanup_close_ int upper = -1, tmp = -1;
	int whole = 0, kept = 0;
	char tmpname[64], diff_id[DIGEST_STR_LEN + 1], own[64];
	json_t *desc = NULL;
	struct bx_err re = {0};
	struct layerkeep skipped = {0};
	static struct idmap uid, gid;
	int rc, mapped = 0;

	own_dir (own, sizeof own);
	if (!id[0] && (upper = openat (b->rootfd, own, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		int u = openat (upper, "upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close (upper);
		upper = u;
	}
	if (!id[0] && upper < 0)
		err_set (e, BX_SYSTEM, errno, "%s/upper", own);
	if (id[0])
		upper = ctrrun_open (b, id, "upper", e);
	/* an empty image's container has a copied rootfs, all of it new */
	if (id[0] && upper < 0 && e->sys == ENOENT && (upper = ctrrun_open (b, id, "rootfs", e)) >= 0)
		whole = 1;
	rc = upper < 0 ? -1 : 0;

	snprintf (tmpname, sizeof tmpname, "tmp/build-%d", (int)getpid ());
	mkdirat (b->rootfd, "tmp", 0700);
	if (rc == 0 && mkdirat (b->rootfd, tmpname, 0700) < 0 && errno != EEXIST)
		rc = err_set (e, BX_SYSTEM, errno, "%s", tmpname);
	if (rc == 0 && (tmp = openat (b->rootfd, tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = err_set (e, BX_SYSTEM, errno, "%s", tmpname);
	if (rc == 0 && (mapped = upper_maps (b, id, &uid, &gid, e)) < 0)
		rc = -1;
	if (rc == 0) {
		struct layer_opts lo = {whole,
		                        !strcmp (b->in->keyword, "run"),
		                        b->o->compress,
		                        b->o->epoch,
		                        b->rootfd,
		                        json_object_get (json_object_get (b->cfg, "rootfs"), "diff_ids"),
		                        layerkeep_skipped,
		                        &skipped,
		                        1,
		                        mapped ? &uid : NULL,
		                        mapped ? &gid : NULL};
		rc = layer_from_upper (upper, &lo, &b->st, tmp, &desc, diff_id, e);
	}
	if (rc > 0 && !whole && !mapped && !upper_is_fuse (b, id) && b->o->epoch < 0 &&
	    (kept = step_keep (b, id, &skipped, diff_id, e)) < 0)
		rc = -1;
	/* the kept tree's syncfs made the blob durable too (one barrier for
	 * both), when they share a filesystem: the blob is named after it */
	if (rc > 0 && layer_commit (&b->st, tmp, json_string_value (json_object_get (desc, "digest")),
	                            kept == 1 && same_fs (b->rootfd, tmpname, L_LAYERS), e) < 0)
		rc = -1;
	if (tmp >= 0)
		tree_remove_at (b->rootfd, tmpname);
	layerkeep_free (&skipped);
	if (!id[0])
		tree_remove_at (b->rootfd, own);
	else if (ctrrun_remove (b, id, &re) < 0 && rc >= 0)
		rc = err_set (e, re.code, re.sys, "%s", re.msg);
	if (rc < 0) {
		json_decref (desc);
		return -1;
	}
	if (rc > 0)
		add_layer (b, desc, diff_id);
	build_history (b, created_by, rc == 0);
	return 0;
}

/* a RUN's history names them ("|1 K=V cmd") */
json_t *
step_arg_env (struct build *b)
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

/* RUN --network=default|none|host: ctr-create's --network, into FLAGS */
static int
run_network (struct build *b, const char *v, json_t *flags, struct bx_err *e)
{
	if (!strcmp (v, "default"))
		return 0;
	if (strcmp (v, "none") && strcmp (v, "host"))
		return build_errf (b, e, BX_USAGE, "RUN --network=%s: unsupported network mode (default, none or host)",
		                   v);
	json_array_append_new (flags, json_string ("--network"));
	json_array_append_new (flags, json_string (v));
	return 0;
}

/* the RUN's network: its own --network, else the build's */
static const char *
run_net (struct build *b, json_t *flags)
{
	json_t *v;
	size_t i;

	json_array_foreach (flags, i, v) if (!strcmp (json_string_value (v), "--network")) return json_string_value (
	    json_array_get (flags, i + 1));
	return b->o->network;
}

static int
run_check (struct build *b, json_t *flags, struct bx_err *e)
{
	for (size_t i = 0; i < b->in->nflags; i++) {
		const char *f = b->in->flags[i];
		if (!strncmp (f, "--mount=", 8))
			continue;
		if (!strncmp (f, "--network=", 10)) {
			if (run_network (b, f + 10, flags, e) < 0)
				return -1;
			continue;
		}
		/* sandbox is what every RUN gets; insecure runs privileged, as
		 * buildkit does when the build allows it */
		if (!strcmp (f, "--security=sandbox"))
			continue;
		if (!strcmp (f, "--security=insecure")) {
			if (!b->o->insecure)
				return build_errf (b, e, BX_FAIL, "security.insecure is not allowed");
			json_array_append_new (flags, json_string ("--privileged"));
			continue;
		}
		if (!strncmp (f, "--security=", 11))
			return build_errf (b, e, BX_USAGE, "RUN %s: unsupported security mode (sandbox or insecure)",
			                   f);
		return build_errf (b, e, BX_USAGE, "RUN: unknown flag: %s", f);
	}
	if (b->in->nheredocs && b->in->json)
		return build_errf (b, e, BX_USAGE, "RUN: a here-document needs the shell form");
	if (!b->in->json && (b->in->nargs == 0 || !*b->in->args[0].s))
		return build_errf (b, e, BX_USAGE, "RUN requires at least one argument");
	return 0;
}

/* the command line is one here-document and nothing else ("<<EOF",
 * "<<-'EOF'"), as buildkit's MustParseHeredoc finds it */
static int
lone_heredoc (const char *line)
{
	line += strspn (line, " \t");
	line += strspn (line, "0123456789");
	if (strncmp (line, "<<", 2) != 0)
		return 0;
	line += 2 + (line[2] == '-');
	line += strspn (line, " \t");
	return *line && !strchr (line, '<') && line[strcspn (line, " \t")] == '\0';
}

/* RUN with here-documents, as buildkit's dockerfile frontend runs them:
 * one alone starting with "#!" is a file run as a program (mounted at
 * /dev/pipes/NAME); one alone otherwise is the shell's script; else the
 * command line and the bodies go to the shell, which reads them */
static json_t *
heredoc_command (struct build *b, struct runmount *m, struct bx_err *e)
{
	const struct df_heredoc *h = &b->in->heredocs[0];
	_cleanup_free_ char *path = NULL;
	struct strbuf full = {0};
	json_t *cmd;

	if (b->in->nheredocs == 1 && lone_heredoc (b->in->args[0].s)) {
		if (h->len < 2 || strncmp (h->content, "#!", 2) != 0)
			return meta_shell_form (b, h->content);
		if (asprintf (&path, "/dev/pipes/%s", h->name) < 0 ||
		    runmount_file (b, m, path, h->content, h->len, 0755, e) < 0)
			return NULL;
		return meta_shell_form (b, path);
	}
	strbuf_add (&full, b->in->args[0].s, strlen (b->in->args[0].s));
	for (size_t i = 0; i < b->in->nheredocs; i++) {
		h = &b->in->heredocs[i];
		strbuf_add (&full, "\n", 1);
		strbuf_add (&full, h->content, h->len);
		strbuf_add (&full, h->name, strlen (h->name));
	}
	cmd = meta_shell_form (b, full.s ? full.s : "");
	strbuf_free (&full);
	return cmd;
}

static json_t *
run_command (struct build *b, struct runmount *m, struct bx_err *e)
{
	json_t *a;

	if (b->in->nheredocs)
		return heredoc_command (b, m, e);
	if (!b->in->json)
		return meta_shell_form (b, b->in->args[0].s);
	a = json_array ();
	for (size_t i = 0; i < b->in->nargs; i++)
		json_array_append_new (a, json_stringn (b->in->args[i].s, b->in->args[i].len));
	return a;
}

/* the step's container run: 0 ok, -1 error, *CODE its exit code; the
 * mount points made for M leave its rootfs */
static int
run_container (struct build *b, struct runmount *m, const char *id, const char *net, int *code, struct bx_err *e)
{
	_cleanup_close_ int rootfs = ctrrun_open (b, id, L_ROOTFS, e);
	int rc;

	if (rootfs < 0)
		return -1;
	runmount_note_stubs (m, rootfs);
	rc = ctrrun_attach (b, id, net, e);
	if (rc == 0)
		rc = ctrrun_spawn (b, id, code, e);
	if (rc == 0 && ctrrun_interrupted (e) < 0)
		rc = -1;
	if (rc == 0)
		runmount_remove_stubs (m, rootfs);
	return rc;
}

static int
run_failed (struct build *b, const char *shown, int code, struct bx_err *e)
{
	/* docker build exits with the command's code (its JSONError's) */
	return build_errf (b, e, code > 255 ? BX_FAIL : code,
	                   "step %zu/%zu: The command '%s' returned a non-zero code: %d", b->step, b->nsteps, shown,
	                   code);
}

static int
do_run (struct build *b, struct bx_err *e)
{
	json_t *cmd = NULL, *args = NULL, *flags = json_array ();
	char id[CTRRUN_ID_LEN + 1];
	_cleanup_free_ char *by = NULL, *shown = NULL;
	struct runmount m = {.tmpfd = -1};
	struct bx_err re = {0};
	int code = 0, rc = -1;

	if (run_check (b, flags, e) < 0 || runmount_parse (b, &m, e) < 0 || !(cmd = run_command (b, &m, e)))
		goto out;
	json_array_extend (flags, m.flags);
	args = step_arg_env (b);
	by = run_history (cmd, args);
	shown = meta_join (cmd);
	if (step_container_with (b, cmd, args, flags, id, e) < 0) {
		build_wrap (b, e);
		goto out;
	}
	if (!b->o->quiet)
		printf (" ---> Running in %.12s\n", id);
	if (run_container (b, &m, id, run_net (b, flags), &code, e) < 0 || code != 0) {
		ctrrun_remove (b, id, &re);
		rc = code == 0 || ctrrun_interrupted (e) < 0 ? build_wrap (b, e) : run_failed (b, shown, code, e);
		goto out;
	}
	if (!b->o->quiet)
		printf ("Removing intermediate container %.12s\n", id);
	rc = step_commit (b, id, by, e) < 0 ? build_wrap (b, e) : 0;
out:
	runmount_release (b, &m);
	json_decref (cmd);
	json_decref (args);
	json_decref (flags);
	return rc;
}

static int
do_workdir (struct build *b, struct bx_err *e)
{
	_cleanup_free_ char *p = NULL, *dir = NULL, *by = NULL;
	char id[CTRRUN_ID_LEN + 1] = "";
	int rootfs = -1, made;

	if (b->in->nargs != 1 || build_expand (b, b->in->args[0].s, &p, e) < 0)
		return b->in->nargs != 1 ? build_errf (b, e, BX_USAGE, "WORKDIR requires exactly one argument") : -1;
	if (!*p)
		return build_errf (b, e, BX_USAGE, "WORKDIR requires exactly one argument");
	dir = meta_workdir_join (b, p);
	json_object_set_new (meta_config (b), "WorkingDir", json_string (dir));
	_cleanup_free_ char *sh = meta_join (meta_shell (b));
	if (asprintf (&by, "%s #(nop) WORKDIR %s", sh, dir) < 0 || step_rootfs (b, id, &rootfs, e) < 0) {
		step_discard (b, id);
		return build_wrap (b, e);
	}
	/* created root-owned, as Docker's ContainerCreateWorkdir does; both
	 * fds closed before the commit, the step's own overlay with them */
	made = copy_mkdir_in_root (rootfs, dir, 0, 0, e);
	close (rootfs);
	if (made < 0) {
		step_discard (b, id);
		return build_wrap (b, e);
	}
	close (made);
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
