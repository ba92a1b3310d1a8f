/*
 * ctr-oci - box's runtime as an OCI runtime with runc's command line, for
 * containerd's shim, Podman's conmon and CRI-O
 *
 * usage:  ctr-oci [--root DIR] [--log FILE] [--log-format text|json]
 *                 [--debug] [--systemd-cgroup] [--rootless auto|true|false]
 *                 COMMAND [OPTIONS] ID [ARGS...]
 *         commands: create, start, run, state, kill, delete, exec, ps,
 *         list, pause, resume, update, events, features, spec;
 *         checkpoint, restore (refused)
 * stdin:  the container's (create, run, exec without a terminal)
 * stdout: state: the OCI state; list, ps: a table or json; features: the
 *         features document; run, exec: the process's output
 * reads:  BUNDLE/config.json; for exec --process, a process.json
 * writes: DIR/<id>/state.json, DIR/<id>/exec.fifo (until start), the
 *         container's cgroup, --pid-file
 * exit:   0 ok; 1 any error (runc's words, and in --log); 3 an unknown
 *         command; run and exec: the process's exit code
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "base/err.h"
#include "ctr-oci/ocicli.h"
#include "ctr-oci/ocictl.h"
#include "ctr-oci/ocicreate.h"
#include "ctr-oci/ocievents.h"
#include "ctr-oci/ociexec.h"
#include "ctr-oci/ociinfo.h"
#include "ctr-oci/ocilog.h"
#include "ctr-oci/ociupdate.h"
#include "runtime/sealexe.h"

#define DEFAULT_ROOT "/run/ctr-oci"

struct command {
	const char *name;
	int (*run) (const struct ocicli *g, int argc, char **argv, struct bx_err *e);
	int sealed; /* joins or makes a container: runs from a sealed copy */
};

static int
features (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	(void)g;
	return ociinfo_features (argc, argv, e);
}

static int
spec (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	(void)g;
	return ociinfo_spec (argc, argv, e);
}

static int
refused (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	(void)g, (void)argc;
	return err_set (e, BX_FAIL, 0, "%s: checkpoint/restore (CRIU) is not supported", argv[0]);
}

static const struct command commands[] = {
    {"create", ocicreate_create, 1},
    {"run", ocicreate_run, 1},
    {"start", ocictl_start, 0},
    {"state", ocictl_state, 0},
    {"kill", ocictl_kill, 0},
    {"delete", ocictl_delete, 0},
    {"exec", ociexec_exec, 1},
    {"ps", ocictl_ps, 0},
    {"list", ocictl_list, 0},
    {"features", features, 0},
    {"spec", spec, 0},
    {"pause", ocictl_pause, 0},
    {"resume", ocictl_pause, 0},
    {"update", ociupdate_update, 0},
    {"events", ocievents_events, 0},
    {"checkpoint", refused, 0},
    {"restore", refused, 0},
};

static void __attribute__ ((noreturn)) usage (int code)
{
	fprintf (code ? stderr : stdout,
	         "usage: %s [--root DIR] [--log FILE] [--log-format text|json] [--debug] [--systemd-cgroup]\n"
	         "       [--rootless auto|true|false] COMMAND [OPTIONS] ID [ARGS...]\n"
	         "commands: create start run state kill delete exec ps list features spec\n",
	         bx_prog);
	exit (code);
}

static int
parse_global (int argc, char **argv, struct ocicli *g)
{
	static const struct option lo[] = {
	    {"root", required_argument, NULL, 'R'},       {"log", required_argument, NULL, 'l'},
	    {"log-format", required_argument, NULL, 'F'}, {"debug", no_argument, NULL, 'D'},
	    {"systemd-cgroup", no_argument, NULL, 'S'},   {"rootless", required_argument, NULL, 'r'},
	    {"criu", required_argument, NULL, 'C'},       {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'v'},          {0, 0, 0, 0}};
	const char *log = NULL, *format = "text";
	int c;

	g->root = DEFAULT_ROOT;
	g->rootless = -1;
	while ((c = getopt_long (argc, argv, "+hv", lo, NULL)) != -1) {
		switch (c) {
		case 'R': g->root = optarg; break;
		case 'l': log = optarg; break;
		case 'F': format = optarg; break;
		case 'D': g->debug = 1; break;
		case 'S': g->systemd_cgroup = 1; break;
		case 'r': g->rootless = !strcmp (optarg, "true") ? 1 : !strcmp (optarg, "false") ? 0 : -1; break;
		case 'C': break; /* no checkpoint/restore */
		case 'h': usage (0);
		case 'v': printf ("ctr-oci version %s\nspec: 1.0.2\n", "0.1.0"); exit (0);
		default: usage (1);
		}
	}
	if (strcmp (format, "text") && strcmp (format, "json"))
		err_die (1, "invalid log-format: %s", format);
	ocilog_open (log, !strcmp (format, "json"), g->debug);
	return optind;
}

/* where compiled seccomp filters are kept: not under --root, which holds
 * containers only (and is empty once they are deleted) */
static int
cache_open (void)
{
	const char *dir = getenv ("CTR_OCI_CACHE");
	struct bx_err e = {0};

	if (!dir || !*dir)
		dir = "/var/cache/ctr-oci";
	if (afile_mkdir_p_at (AT_FDCWD, dir, 0700, &e) < 0)
		return -1;
	return open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
main (int argc, char **argv)
{
	struct ocicli g = {0};
	struct bx_err e = {0};
	const struct command *cmd = NULL;
	int first, r;

	err_prog_init (argv[0]);
	if ((first = parse_global (argc, argv, &g)) >= argc)
		usage (1);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp (argv[first], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		err_set (&e, 3, 0, "No help topic for '%s'", argv[first]);
		ocilog_error (&e);
		return 3;
	}
	ocilog_debug ("%s %s", cmd->name, first + 1 < argc ? argv[first + 1] : "");
	/* CVE-2019-5736: /proc/PID/exe of a process that joins a container
	 * must not be our file on disk */
	if (cmd->sealed && sealexe_ensure (argv, &e) < 0)
		return ocilog_error (&e);
	g.cachefd = cmd->sealed ? cache_open () : -1;
	if ((r = cmd->run (&g, argc - first, argv + first, &e)) < 0)
		return ocilog_error (&e);
	return r;
}
