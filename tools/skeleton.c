/*
 * skeleton - the shape every box tool starts from (not built)
 *
 * usage:  skeleton [--root DIR] ARG
 * stdin:  unused
 * stdout: one result per line
 * reads:  nothing
 * writes: nothing
 * exit:   0 ok, 2 usage
 */
#include <getopt.h>
#include <stdio.h>

#include "base/err.h"
#include "base/root.h"

struct opts {
	const char *root;
	const char *arg;
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] ARG\n", bx_prog);
	exit (BX_USAGE);
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'}, {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		default: usage ();
		}
	}
	if (argc - optind != 1)
		usage ();
	o->arg = argv[optind];
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
	puts (o.arg);
	return 0;
}
