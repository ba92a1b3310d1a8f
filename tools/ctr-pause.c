/*
 * ctr-pause - freeze or thaw containers (docker pause, docker unpause)
 *
 * usage:  ctr-pause [--root DIR] [--unpause] CONTAINER...
 * stdin:  unused
 * stdout: each CONTAINER as given, once frozen (thawed)
 * reads:  containers/<id>/state; the container's freezer cgroup
 * writes: the freezer cgroup (runtime/freezer); nothing in the state
 *         directory: a pause is the kernel's fact, not a recorded one
 * locks:  none: the container's lock is its supervisor's for its whole
 *         life; a container that ends meanwhile has no cgroup to freeze
 * exit:   0 ok, 1 a container was not found, does not run, is paused
 *         already (pause) or is not paused (unpause), in Docker's words
 *         ("Error response from daemon: ..."; the other arguments are
 *         still handled), 2 usage; under box (BOX_DOCKER) a usage 1, an
 *         unknown flag Docker's words and 125
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/root.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/event.h"
#include "runtime/freezer.h"

struct opts {
	const char *root;
	int unpause;
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] [--unpause] CONTAINER...\n", bx_prog);
	exit (err_code (BX_USAGE));
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"root", required_argument, NULL, 'R'}, {"unpause", no_argument, NULL, 'U'}, {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'U': o->unpause = 1; break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind == argc)
		usage ();
}

/* Docker's checks, in its order: pause wants it running, then not paused;
 * unpause only asks whether it is paused */
static int
check (int rootfd, const char *id, int unpause, char *cgpath, struct bx_err *e)
{
	_cleanup_close_ int dfd = ctr_open (rootfd, id, e);
	struct ctr_state s;

	if (dfd < 0 || ctr_state_read (dfd, &s, e) < 0) {
		if (dfd < 0 || e->code != BX_NOTFOUND)
			return -1;
		memset (&s, 0, sizeof s);
	}
	ctr_state_settle (&s);
	ctr_cgroup_path_at (dfd, id, cgpath);
	if (!unpause && strcmp (s.status, "running"))
		return err_set (e, BX_FAIL, 0, "Container %s is not running", id);
	if (freezer_is_frozen_cgroup (cgpath) != unpause)
		return err_set (e, BX_FAIL, 0,
		                unpause ? "Container %s is not paused" : "Container %s is already paused", id);
	return 0;
}

static int
one (int rootfd, const char *what, const char *id, void *arg, struct bx_err *e)
{
	const struct opts *o = arg;
	char cgpath[CGROUP_PATH_LEN];

	(void)what;
	if (check (rootfd, id, o->unpause, cgpath, e) < 0)
		return -1;
	if ((o->unpause ? freezer_thaw_cgroup (cgpath, e) : freezer_freeze_cgroup (cgpath, e)) < 0) {
		/* the cgroup went with the container's end */
		if (e->code == BX_NOTFOUND)
			return err_set (e, BX_FAIL, 0, "Container %s is not running", id);
		return err_wrap (e, "Cannot %s container %s", o->unpause ? "unpause" : "pause", id);
	}
	event_ctr (rootfd, id, o->unpause ? "unpause" : "pause", NULL, NULL);
	return 0;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	int rootfd;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if ((rootfd = root_open (o.root, &e)) < 0)
		return err_report (&e);
	return ctr_each (rootfd, argv + optind, argc - optind, one, &o, err_report_each);
}
