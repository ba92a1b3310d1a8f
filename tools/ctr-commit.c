/*
 * ctr-commit - a container's changes as an image (docker commit)
 *
 * usage:  ctr-commit [--root DIR] [-a|--author AUTHOR] [-c|--change INSTRUCTION]...
 *                    [-m|--message MSG] [-p|--pause[=BOOL]] CONTAINER [REPO[:TAG]]
 * stdout: the new image's id, "sha256:..."
 * reads:  containers/<id>/ (create.json, upper/, rootfs/ when copied),
 *         images/
 * writes: blobs, images/index.json (the image, untagged or
 *         tagged REPO:TAG; ANN_PARENT names the container's image);
 *         tmp/commit-<pid>/ while the layer is written
 * locks:  images/gc.lock shared (store_pin) until the image is indexed;
 *         images/lock while index.json is rewritten
 * stderr: errors after the arguments are read in Docker's words: "Error
 *         response from daemon: No such container: X"
 * exit:   0 ok, 1 failed, 2 usage or bad input (a change, a reference),
 *         3 no such container or image, 4 the container was removed
 *         meanwhile (no image), 5 system error
 *
 * A running container is frozen while it is committed (its freezer
 * cgroup, runtime/freezer), as Docker pauses it, unless --pause=false;
 * Docker's pause, commit and unpause events are logged. A freeze that
 * fails (no freezer cgroup to be had, rootless) is no error, as in Docker.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/layout.h"
#include "base/root.h"
#include "dockerfile/cchange.h"
#include "ctr-commit/cimage.h"
#include "image/ref.h"
#include "image/store.h"
#include "layers/idcopy.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/event.h"
#include "runtime/freezer.h"
#include "runtime/remap.h"

#define MAX_CHANGES 256

struct opts {
	const char *root;
	int nopause;
	const char *author, *message;
	char *changes[MAX_CHANGES];
	size_t nchanges;
	const char *ctr, *ref;
};

/* a container and what it was made from */
struct ctr {
	int rootfd, dirfd;
	struct store st;
	char id[CTR_ID_LEN + 1];
	json_t *create; /* create.json */
	struct image img;
	int upper, whole;
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-a AUTHOR] [-c INSTRUCTION]... [-m MSG] [-p|--pause[=BOOL]] CONTAINER "
	         "[REPO[:TAG]]\n",
	         bx_prog);
	exit (err_code (BX_USAGE));
}

static int
parse_bool (const char *s)
{
	if (!strcmp (s, "1") || !strcasecmp (s, "t") || !strcasecmp (s, "true"))
		return 1;
	if (!strcmp (s, "0") || !strcasecmp (s, "f") || !strcasecmp (s, "false"))
		return 0;
	err_die (BX_USAGE,
	         "invalid argument \"%s\" for \"-p, --pause\" flag: strconv.ParseBool: parsing \"%s\": invalid syntax",
	         s, s);
}

static void
parse_commit (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"root", required_argument, NULL, 'R'},   {"author", required_argument, NULL, 'a'},
	    {"change", required_argument, NULL, 'c'}, {"message", required_argument, NULL, 'm'},
	    {"pause", optional_argument, NULL, 'p'},  {0, 0, 0, 0}};
	int ch;

	while ((ch = getopt_long (argc, argv, "+a:c:m:p::", lo, NULL)) != -1) {
		switch (ch) {
		case 'R': o->root = optarg; break;
		case 'a': o->author = optarg; break;
		case 'c':
			if (o->nchanges == MAX_CHANGES)
				err_die (BX_USAGE, "more than %d changes", MAX_CHANGES);
			o->changes[o->nchanges++] = optarg;
			break;
		case 'm': o->message = optarg; break;
		case 'p': o->nopause = optarg && !parse_bool (optarg + (*optarg == '=')); break;
		default: err_flag (argv); usage ();
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		usage ();
	o->ctr = argv[optind];
	o->ref = optind + 1 < argc ? argv[optind + 1] : NULL;
}

/* the container's changes: its overlay upper, or the whole copied root
 * of a container of an image without layers (overlayfs needs a lower) */
static int
open_changes (struct ctr *c, struct bx_err *e)
{
	json_t *ids = json_object_get (json_object_get (c->img.config, "rootfs"), "diff_ids");

	if ((c->upper = openat (c->dirfd, L_UPPER, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		return 0;
	if (errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "container %.12s: %s", c->id, L_UPPER);
	if (json_array_size (ids))
		return err_set (e, BX_FAIL, 0,
		                "container %.12s: the changes of a copied root filesystem: not implemented", c->id);
	if ((c->upper = openat (c->dirfd, L_ROOTFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "container %.12s: %s", c->id, L_ROOTFS);
	c->whole = 1;
	return 0;
}

/* A remapped container over copies of the layers has its upper in host
 * ids (layers/idcopy.h): its config's maps give them back. 1 when so. */
static int
upper_maps (const struct ctr *c, struct idmap *uid, struct idmap *gid, struct bx_err *e)
{
	char dir[64];

	snprintf (dir, sizeof dir, "/proc/self/fd/%d", c->dirfd);
	if (!idcopy_bundle_is (dir))
		return 0;
	return remap_bundle_maps (dir, uid, gid, e);
}

static int
ctr_load (const struct opts *o, struct ctr *c, struct bx_err *e)
{
	const char *image;

	memset (c, 0, sizeof *c);
	c->dirfd = c->upper = -1;
	if ((c->rootfd = root_open (o->root, e)) < 0 || ctr_resolve (c->rootfd, o->ctr, c->id, e) < 0 ||
	    (c->dirfd = ctr_open (c->rootfd, c->id, e)) < 0 || !(c->create = ctr_create_read (c->dirfd, e)))
		return -1;
	image = json_string_value (json_object_get (c->create, "Image"));
	if (!image)
		return err_set (e, BX_FAIL, 0, "container %.12s: create.json names no image", c->id);
	if (store_open (&c->st, c->rootfd, e) < 0 || store_image_load (&c->st, image, &c->img, e) < 0)
		return err_wrap (e, "container %.12s", c->id);
	return open_changes (c, e);
}

static void
ctr_free (struct ctr *c)
{
	if (c->upper >= 0)
		close (c->upper);
	if (c->dirfd >= 0)
		close (c->dirfd);
	json_decref (c->create);
	store_image_free (&c->img);
}

/* what the daemon would refuse, in Docker's words */
static int
report (const struct bx_err *e)
{
	fprintf (stderr, "Error response from daemon: %s\n", e->msg);
	return err_code (e->code ? e->code : BX_FAIL);
}

/* A REF that is no reference: under box the docker client's words, bare */
static int
ref_report (const struct bx_err *e, const char *ref)
{
	char why[sizeof e->msg];

	if (!err_docker ())
		return err_report (e);
	ref_docker_words (e->msg, ref, why, sizeof why);
	fprintf (stderr, "%s\n", why);
	return err_code (e->code);
}

/* Docker's pause for the commit: a running container not paused already
 * frozen; 1 when it was (thaw it after), 0 when not */
static int
pause_for_commit (const struct ctr *c, char cgpath[CGROUP_PATH_LEN])
{
	struct ctr_state s;
	struct bx_err e = {0};

	if (ctr_state_read (c->dirfd, &s, &e) < 0 || (ctr_state_settle (&s), strcmp (s.status, "running")))
		return 0;
	ctr_cgroup_path_at (c->dirfd, c->id, cgpath);
	if (freezer_is_frozen_cgroup (cgpath) || freezer_freeze_cgroup (cgpath, &e) < 0)
		return 0;
	event_ctr (c->rootfd, c->id, "pause", NULL, NULL);
	return 1;
}

static void
unpause_after_commit (const struct ctr *c, const char *cgpath)
{
	struct bx_err e = {0};

	if (freezer_thaw_cgroup (cgpath, &e) == 0)
		event_ctr (c->rootfd, c->id, "unpause", NULL, NULL);
}

/* Docker's commit event: the container's attributes, the comment, the
 * image's id and the tag as Docker shows it */
static void
commit_event (const struct ctr *c, const char *comment, const char *id, const char *tag)
{
	struct event_attrs a = {.len = 0};
	struct ref r;
	struct bx_err e = {0};
	char repo[600], shown[800] = "";

	event_attrs_ctr (&a, c->create);
	event_attrs_add (&a, "comment", comment ? comment : "");
	event_attrs_add (&a, "imageID", id);
	if (tag && ref_parse (tag, &r, &e) == 0) {
		ref_familiar_repo (&r, repo, sizeof repo);
		snprintf (shown, sizeof shown, "%s:%s", repo, r.tag);
	}
	event_attrs_add (&a, "imageRef", shown);
	event_log (c->rootfd, "container", "commit", c->id, &a);
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct ctr c;
	struct bx_err e = {0};
	char full[600], id[DIGEST_STR_LEN + 1];
	json_t *ctr_config, *config = NULL;
	static struct idmap uid, gid;
	char cgpath[CGROUP_PATH_LEN];
	int rc, mapped = 0, paused = 0;

	err_prog_init (argv[0]);
	parse_commit (argc, argv, &o);
	if (o.ref && ref_parse_tag (o.ref, full, sizeof full, &e) < 0)
		return ref_report (&e, o.ref);
	rc = ctr_load (&o, &c, &e);
	ctr_config = json_object_get (c.create, "Config");
	if (rc == 0 && !(config = cchange_apply (ctr_config, o.changes, o.nchanges, &e)))
		rc = -1;
	if (rc == 0 && (mapped = upper_maps (&c, &uid, &gid, &e)) < 0)
		rc = -1;
	if (rc == 0 && !o.nopause)
		paused = pause_for_commit (&c, cgpath);
	if (rc == 0) {
		struct cimage ci = {.st = &c.st,
		                    .rootfd = c.rootfd,
		                    .ctr_id = c.id,
		                    .upper = c.upper,
		                    .whole = c.whole,
		                    .ctr_config = ctr_config,
		                    .config = config,
		                    .parent = &c.img,
		                    .uidmap = mapped ? &uid : NULL,
		                    .gidmap = mapped ? &gid : NULL,
		                    .author = o.author,
		                    .comment = o.message,
		                    .tag = o.ref ? full : NULL};
		rc = cimage_commit (&ci, id, &e);
	}
	if (rc == 0)
		commit_event (&c, o.message, id, o.ref ? full : NULL);
	if (paused)
		unpause_after_commit (&c, cgpath);
	json_decref (config);
	ctr_free (&c);
	if (rc < 0)
		return report (&e);
	puts (id);
	return fflush (stdout) == EOF ? BX_SYSTEM : 0;
}
