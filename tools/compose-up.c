/*
 * compose-up - multi-container applications from compose files (docker compose)
 *
 * usage:  compose-up [--root DIR] [-f FILE]... [-p NAME] [--project-directory DIR]
 *                    [--env-file FILE]... [--profile NAME]... COMMAND [ARGS...]
 *         COMMAND: config, up, create, down, ps, stop, start, restart, kill,
 *                  rm, scale, logs, exec, run, ls, pull, push, build, images,
 *                  port, cp, commit, export, wait, pause, unpause, events,
 *                  top, attach, version
 * stdin:  the compose file with -f -
 * stdout: what docker compose prints for COMMAND
 * reads:  the compose files, .env or --env-file, env_file files; the
 *         containers and networks of the project through ctr-list and ctr-net
 * writes: nothing itself: containers, networks and volumes through
 *         ctr-create, ctr-spawn, ctr-net, ctr-vol, ctr-kill, ctr-rm; the project's
 *         state is the com.docker.compose.* labels on them
 * exit:   0 ok, 1 failed (or not implemented), 2 usage or a bad compose
 *         file, 3 no such service or container
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "compose-up/model.h"
#include "compose-up/verbs.h"

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-f FILE]... [-p NAME] [--project-directory DIR] [--env-file FILE]...\n"
	         "       [--profile NAME]... COMMAND [ARGS...]\n"
	         "commands: attach build commit config cp create down events exec export images kill logs ls port ps "
	         "pull push\n"
	         "          pause restart rm run scale start stop top unpause up version wait\n",
	         bx_prog);
	exit (BX_USAGE);
}

static void
add (const char **v, int *n, const char *s)
{
	if (*n >= MODEL_MAX)
		err_die (BX_USAGE, "too many options");
	v[(*n)++] = s;
}

static int
parse_args (int argc, char **argv, struct verbs_ctx *c)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"file", required_argument, NULL, 'f'},
	                                   {"project-name", required_argument, NULL, 'p'},
	                                   {"project-directory", required_argument, NULL, 'D'},
	                                   {"env-file", required_argument, NULL, 'E'},
	                                   {"profile", required_argument, NULL, 'P'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {0, 0, 0, 0}};
	int ch;

	while ((ch = getopt_long (argc, argv, "+f:p:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'R': c->root = optarg; break;
		case 'f': add (c->mo.files, &c->mo.nfiles, optarg); break;
		case 'p': c->mo.project_name = optarg; break;
		case 'D': c->mo.project_dir = optarg; break;
		case 'E': add (c->mo.env_files, &c->mo.nenv_files, optarg); break;
		case 'P': add (c->mo.profiles, &c->mo.nprofiles, optarg); break;
		default: usage ();
		}
	}
	if (optind >= argc)
		usage ();
	return optind;
}

int
main (int argc, char **argv)
{
	struct verbs_ctx c = {0};
	int first;

	err_prog_init (argv[0]);
	first = parse_args (argc, argv, &c);
	if (c.root)
		setenv ("BOX_ROOT", c.root, 1);
	return verbs_run (&c, argc - first, argv + first);
}
