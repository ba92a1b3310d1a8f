/*
 * img-load - load images from a docker save archive, an OCI archive or an
 * OCI layout directory into the store
 *
 * usage:  img-load [--root DIR] [-q] [-i FILE|DIR]
 * stdin:  the archive, when no -i is given (tar, or tar compressed as a whole)
 * stdout: "Loaded image: NAME" per tag, "Loaded image ID: sha256:..." per
 *         untagged image (Docker's lines)
 * reads:  the input; images/index.json
 * writes: tmp/load-<pid>/ (the staged input, removed on exit; a killed loader's by the next load),
 *         images/blobs/sha256/ (only after every document and digest of the
 *         input is checked), images/index.json (tags, untagged entries)
 * locks:  images/gc.lock shared (store_pin) from the first blob stored
 *         until the last tag is set, images/lock while index.json changes
 * exit:   0 ok, 1 digest or size mismatch, 2 usage or bad input, 5 system error
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/layout.h"
#include "base/root.h"
#include "base/tree.h"
#include "image/ref.h"
#include "image/store.h"
#include "runtime/event.h"
#include "img-load/loadplan.h"

struct opts {
	const char *root;
	const char *input; /* NULL: stdin */
	int quiet;
};

/* --- into the store ------------------------------------------------------- */

static int
commit_blobs (struct loadplan_src *s, const struct store *st, struct loadplan *p, struct bx_err *e)
{
	const char *dg;
	json_t *staged;

	json_object_foreach (p->blobs, dg, staged)
	{
		if (store_has_blob (st, dg))
			continue;
		if (store_blob_commit_at (st, s->stage, json_string_value (staged), dg, e) < 0)
			return -1;
	}
	if (afile_fsync_dir_at (st->blobs, ".", e) < 0)
		return -1;
	store_test_stop_before_tag ();
	return 0;
}

static void
print_name (const char *full)
{
	struct ref r;
	struct bx_err e;
	char repo[600];

	if (ref_parse (full, &r, &e) < 0)
		return;
	ref_familiar_repo (&r, repo, sizeof repo);
	if (r.tag[0])
		printf ("Loaded image: %s:%s\n", repo, r.tag);
	else
		printf ("Loaded image: %s@%s\n", repo, r.digest);
}

/* dockerd's line for a tag FULL that named another image than ID: that
 * image stays, untagged (store_tag_set) */
static void
say_moved (const struct store *st, const char *full, const char *id)
{
	struct image old = {0};
	struct bx_err e = {0};
	struct ref r;
	char repo[600];

	if (store_image_load (st, full, &old, &e) == 0 && strcmp (old.config_digest, id) &&
	    ref_parse (full, &r, &e) == 0) {
		ref_familiar_repo (&r, repo, sizeof repo);
		printf ("The image %s:%s already exists, renaming the old one with ID %s to empty string\n", repo,
		        r.tag, old.config_digest);
	}
	store_image_free (&old);
}

static int
commit_tags (const struct store *st, struct loadplan *p, struct bx_err *e)
{
	json_t *img, *name, *shown = json_object ();
	size_t i, j;

	json_array_foreach (p->images, i, img)
	{
		json_t *names = json_object_get (img, "names"), *desc = json_object_get (img, "desc");
		const char *id = json_string_value (json_object_get (img, "id"));
		if (!json_array_size (names)) {
			if (store_untagged_add (st, desc, e) < 0) {
				json_decref (shown);
				return -1;
			}
			/* an archive may name one image twice: say it once */
			if (!json_object_get (shown, id))
				printf ("Loaded image ID: %s\n", id);
			json_object_set_new (shown, id, json_true ());
		}
		json_array_foreach (names, j, name)
		{
			say_moved (st, json_string_value (name), id);
			if (store_tag_set (st, json_string_value (name), desc, e) < 0) {
				json_decref (shown);
				return -1;
			}
			print_name (json_string_value (name));
		}
	}
	json_decref (shown);
	return 0;
}

/* Docker's load event, once an image */
static void
load_events (const struct store *st, const struct loadplan *p)
{
	json_t *img, *done = json_object ();
	size_t i;

	json_array_foreach (p->images, i, img)
	{
		const char *id = json_string_value (json_object_get (img, "id"));
		if (id && !json_object_get (done, id)) {
			event_image (st->root, id, "load", json_object_get (img, "labels"));
			json_object_set_new (done, id, json_true ());
		}
	}
	json_decref (done);
}

/* --- the input ------------------------------------------------------------ */

/* the stages of loaders that were killed: their pid is gone */
static void
stages_reap (int tmpfd)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *ent;
	int fd = openat (tmpfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir (fd))) {
		if (fd >= 0)
			close (fd);
		return;
	}
	while ((ent = readdir (d))) {
		const char *pid = ent->d_name + sizeof L_LOAD_STAGE - 1;
		if (!strncmp (ent->d_name, L_LOAD_STAGE, sizeof L_LOAD_STAGE - 1) && kill (atoi (pid), 0) < 0 &&
		    errno == ESRCH)
			tree_remove_at (tmpfd, ent->d_name);
	}
}

static int
stage_open (int rootfd, char *name, size_t len, struct bx_err *e)
{
	_cleanup_close_ int tmp = -1;
	int fd;

	if (afile_mkdir_p_at (rootfd, L_TMP, 0700, e) < 0)
		return -1;
	if ((tmp = openat (rootfd, L_TMP, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		stages_reap (tmp);
	snprintf (name, len, "%s/" L_LOAD_STAGE "%d", L_TMP, (int)getpid ());
	/* a dead loader with our pid left it behind */
	tree_remove_at (rootfd, name);
	if (mkdirat (rootfd, name, 0700) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", name);
	fd = openat (rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", name);
	return fd;
}

static int
load (struct loadplan_src *s, const struct store *st, struct bx_err *e)
{
	struct loadplan p;
	json_t *w;
	size_t i;
	int rc = loadplan_read (s, &p, e);

	json_array_foreach (p.warnings, i, w) err_warn ("%s", json_string_value (w));
	/* every check passed: only now does the store change, pinned so that
	 * gc removes no blob between commit_blobs and its tag */
	if (rc == 0) {
		_cleanup_close_ int pin = store_pin (st, e);
		rc = pin < 0 || commit_blobs (s, st, &p, e) < 0 || commit_tags (st, &p, e) < 0 ? -1 : 0;
	}
	if (rc == 0)
		load_events (st, &p);
	loadplan_free (&p);
	return rc;
}

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] [-q] [-i FILE|DIR]\n", bx_prog);
	exit (err_code (BX_USAGE));
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"input", required_argument, NULL, 'i'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "i:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'i': o->input = optarg; break;
		case 'q': o->quiet = 1; break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind != argc)
		usage ();
}

/* docker load -i: its client's own open, the error as Go says it ("open
 * X: no such file or directory", the errno's text in lower case) */
static int
open_report (const char *input, const struct bx_err *e)
{
	const char *why = strerror (e->sys);

	fprintf (stderr, "open %s: %c%s\n", input, tolower ((unsigned char)why[0]), why + 1);
	return err_code (e->code);
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct store st;
	struct loadplan_src s = {.dir = -1};
	int stagefd;
	char stage[64];
	int rootfd, rc;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if ((rootfd = root_open (o.root, &e)) < 0 || store_open (&st, rootfd, &e) < 0)
		return err_report (&e);
	if ((stagefd = stage_open (rootfd, stage, sizeof stage, &e)) < 0)
		return err_report (&e);
	rc = loadplan_src_open (&s, o.input, stagefd, &e) == 0 && load (&s, &st, &e) == 0 ? 0 : -1;
	if (rc < 0)
		err_wrap (&e, "%s", o.input ? o.input : "stdin");
	loadplan_src_free (&s);
	close (stagefd);
	tree_remove_at (rootfd, stage);
	store_close (&st);
	if (rc < 0 && s.unopened && err_docker ())
		return open_report (o.input, &e);
	if (rc < 0)
		return err_report (&e);
	return fflush (stdout) == 0 ? 0 : BX_SYSTEM;
}
