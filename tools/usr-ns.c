/*
 * usr-ns - run a box program as root in the user's own user namespace
 *
 * usage:  usr-ns [--root DIR] [--] CMD [ARG...]
 *         usr-ns [--root DIR] --pid
 *         usr-ns [--root DIR] --stop
 * stdin:  CMD's
 * stdout: CMD's; --pid: the holder's pid
 * reads:  /etc/subuid, /etc/subgid, DIR/userns
 * writes: DIR/userns, DIR/userns.lock (usr-ns/holder)
 * exit:   CMD's; 1 no holder (--pid), 2 usage, 5 the namespace could not
 *         be made or joined
 *
 * An ordinary user's box runs every program through it: CMD runs as uid
 * 0 of a user namespace that maps 0 to the user and 1..N to the user's
 * subordinate range (newuidmap, newgidmap), in a mount namespace of that
 * namespace where the containers' overlays live, both kept by a holder
 * process across invocations (made on first use), with BOX_ROOT the
 * state directory (--root, else CMD's own leading --root DIR as box and
 * the tools take it, else $BOX_ROOT, else $XDG_DATA_HOME/box) and
 * BOX_ROOTLESS=1. Inside
 * already (BOX_ROOTLESS set) it runs CMD as it is; run by root too, with
 * BOX_ROOTLESS set empty.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/root.h"
#include "usr-ns/holder.h"

enum { RUN, PID, STOP };

struct opts {
	const char *root;
	int what;
	char **cmd;
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] [--] CMD [ARG...]\n       %s [--root DIR] --pid|--stop\n", bx_prog,
	         bx_prog);
	exit (BX_USAGE);
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"pid", no_argument, NULL, 'p'},
	                                   {"stop", no_argument, NULL, 's'},
	                                   {0, 0, 0, 0}};
	int c;

	/* + : CMD's own flags stay CMD's */
	while ((c = getopt_long (argc, argv, "+", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'p': o->what = PID; break;
		case 's': o->what = STOP; break;
		default: usage ();
		}
	}
	if ((o->what == RUN) != (optind < argc))
		usage ();
	o->cmd = argv + optind;
}

/* the state directory, made and named absolutely: CMD runs as root, for
 * whom root_path's default would be /var/lib/box */
static int
state_dir (const char *opt, struct bx_err *e)
{
	char abs[PATH_MAX];
	int fd = root_open (opt, e);

	if (fd < 0 || root_abspath (fd, abs, sizeof abs, e) < 0)
		return -1;
	setenv ("BOX_ROOT", abs, 1);
	return fd;
}

static void __attribute__ ((noreturn)) run (char **cmd)
{
	execvp (cmd[0], cmd);
	err_die (errno == ENOENT ? 127 : 126, "%s: %s", cmd[0], strerror (errno));
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	const char *warn = NULL;
	const char *in = getenv ("BOX_ROOTLESS");
	int rootfd;
	pid_t pid;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if (o.what == RUN && in)
		run (o.cmd);
	if (o.what == RUN && geteuid () == 0) {
		/* set, empty: box asks no more */
		setenv ("BOX_ROOTLESS", "", 1);
		run (o.cmd);
	}
	/* CMD's own --root (box's, a tool's), when usr-ns was given none */
	if (o.what == RUN && !o.root && root_opt (argc - (int)(o.cmd - argv), o.cmd, &o.root) < 0)
		o.root = NULL;
	if ((rootfd = state_dir (o.root, &e)) < 0)
		return err_report (&e);
	if (o.what == STOP)
		return holder_stop (rootfd, &e) < 0 ? err_report (&e) : 0;
	if (o.what == PID) {
		if (!(pid = holder_find (rootfd)))
			return 1;
		printf ("%d\n", (int)pid);
		return 0;
	}
	if ((pid = holder_ensure (rootfd, &warn, &e)) < 0 || holder_join (pid, &e) < 0)
		return err_report (&e);
	if (warn)
		err_warn ("%s", warn);
	close (rootfd);
	setenv ("BOX_ROOTLESS", "1", 1);
	run (o.cmd);
}
