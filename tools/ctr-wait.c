/*
 * ctr-wait - wait for containers to stop and print their exit codes (docker wait)
 *
 * usage:  ctr-wait [--root DIR] CONTAINER...
 * stdin:  unused
 * stdout: each container's exit code, one per line, in argument order
 * reads:  containers/<id>/state
 * writes: containers/<id>/state of a container whose supervisor was
 *         killed (the exit recorded, its cgroups removed; ctrrm_reap_lost)
 * locks:  containers/<id>/lock, shared and blocking: it is granted when the
 *         supervisor (or the attached ctr-spawn) has recorded the exit
 * exit:   0 ok, 1 a container was not found (Docker's "Error response
 *         from daemon: No such container: X"), 2 usage
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/root.h"
#include "runtime/ctr.h"
#include "runtime/ctrrm.h"
#include "runtime/ctrsig.h"

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] CONTAINER...\n", bx_prog);
	exit (BX_USAGE);
}

/* Not running any more: the lock granted (the supervisor recorded the
 * exit and let go, or died). */
static int
wait_one (int rootfd, const char *what, int *code, struct bx_err *e)
{
	_cleanup_close_ int dfd = -1;
	char id[CTR_ID_LEN + 1];
	struct ctr_state s;

	if (ctr_resolve (rootfd, what, id, e) < 0 || (dfd = ctr_open (rootfd, id, e)) < 0)
		return -1;
	if (ctrsig_recorded_wait (dfd, e) < 0)
		return -1;
	if (ctr_state_read (dfd, &s, e) < 0) {
		*code = 0; /* created and never started: not running */
		return e->code == BX_NOTFOUND ? 0 : -1;
	}
	/* still "running" with the lock free: its supervisor was killed, and
	 * the container with it; the exit is recorded now, by us */
	ctrrm_reap_lost (rootfd, dfd, id, &s);
	*code = s.exit_code;
	return 0;
}

int
main (int argc, char **argv)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'}, {0, 0, 0, 0}};
	struct bx_err e = {0};
	const char *root = NULL;
	int c, rootfd, rc = 0;

	err_prog_init (argv[0]);
	while ((c = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		if (c != 'R')
			usage ();
		root = optarg;
	}
	if (optind == argc)
		usage ();
	if ((rootfd = root_open (root, &e)) < 0)
		return err_report (&e);
	for (int i = optind; i < argc; i++) {
		int code;
		memset (&e, 0, sizeof e);
		if (wait_one (rootfd, argv[i], &code, &e) < 0) {
			fprintf (stderr, "Error response from daemon: %s\n", e.msg);
			rc = BX_FAIL;
			continue;
		}
		printf ("%d\n", code);
		fflush (stdout);
	}
	return rc;
}
