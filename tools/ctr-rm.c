/*
 * ctr-rm - remove containers (docker rm)
 *
 * usage:  ctr-rm [--root DIR] [-f] [-v] CONTAINER...
 * stdin:  unused
 * stdout: each CONTAINER as given, once removed
 * reads:  containers/<id>/{state,create.json,config.json}
 * writes: removes containers/<id>/ (renamed containers/<id>.tmp-<pid>
 *         first), its rootfs mount, cgroups box/<id>, its network (ctr-net
 *         detach), anonymous volumes (-v) and names/<name>; reaps what
 *         killed creators and removers left (containers/<id>.tmp-<pid> of
 *         a dead pid, names/<name> of no container)
 * locks:  containers/<id>/lock (waits for it: a supervisor holds it until
 *         the container's exit is recorded); names/ (flock, while reaping)
 * exit:   0 ok, 1 a container was not found, runs (without -f) or could
 *         not be removed (Docker's "Error response from daemon: ..."; the
 *         other arguments are still removed), 2 usage
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/err.h"
#include "base/root.h"
#include "runtime/ctr.h"
#include "runtime/ctrrm.h"

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] [-f] [-v] CONTAINER...\n", bx_prog);
	exit (BX_USAGE);
}

static int
parse_args (int argc, char **argv, const char **root)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"force", no_argument, NULL, 'f'},
	                                   {"volumes", no_argument, NULL, 'v'},
	                                   {0, 0, 0, 0}};
	int c, flags = 0;

	while ((c = getopt_long (argc, argv, "fv", lo, NULL)) != -1) {
		switch (c) {
		case 'R': *root = optarg; break;
		case 'f': flags |= CTR_RM_FORCE; break;
		case 'v': flags |= CTR_RM_VOLUMES; break;
		default: usage ();
		}
	}
	if (optind == argc)
		usage ();
	return flags;
}

static int
rm_one (int rootfd, const char *what, const char *id, void *flags, struct bx_err *e)
{
	(void)what;
	return ctrrm_remove (rootfd, id, *(int *)flags, e);
}

int
main (int argc, char **argv)
{
	struct bx_err e = {0};
	const char *root = NULL;
	int flags, rootfd, rc;

	err_prog_init (argv[0]);
	flags = parse_args (argc, argv, &root);
	if ((rootfd = root_open (root, &e)) < 0)
		return err_report (&e);
	rc = ctr_each (rootfd, argv + optind, argc - optind, rm_one, &flags, err_report_each);
	/* then what killed creators and removers left: a name reaches its
	 * half-made container (ctrrm_remove), an id cannot (no directory) */
	ctrrm_sweep (rootfd, &e);
	return rc;
}
