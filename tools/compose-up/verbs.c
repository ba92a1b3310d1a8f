/* verbs - the command table, and the commands that only read the model */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "cmds.h"
#include "down.h"
#include "events.h"
#include "logs.h"
#include "proj.h"
#include "prog.h"
#include "ps.h"
#include "run.h"
#include "sargs.h"
#include "up.h"
#include "verbs.h"
#include "yemit.h"

static int
load_or_report (struct verbs_ctx *c, const char *const *want, struct model *m)
{
	struct bx_err e = {0};

	if (model_load (&c->mo, want, m, &e) < 0) {
		model_free (m);
		return err_report (&e);
	}
	return 0;
}

/* config [--services] [--volumes] [--format yaml|json] [-q] */
static int
cmd_config (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"services", no_argument, NULL, 's'},
	                                   {"volumes", no_argument, NULL, 'v'},
	                                   {"format", required_argument, NULL, 'F'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {0, 0, 0, 0}};
	static const char *const top[] = {"name", "services", "networks", "volumes", "secrets", "configs", NULL};
	struct model m = {0};
	const char *fmt = "yaml", *k;
	int ch, services = 0, volumes = 0, quiet = 0, rc;
	json_t *v;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "q", lo, NULL)) != -1) {
		switch (ch) {
		case 's': services = 1; break;
		case 'v': volumes = 1; break;
		case 'F': fmt = optarg; break;
		case 'q': quiet = 1; break;
		default: return BX_USAGE;
		}
	}
	if (strcmp (fmt, "yaml") && strcmp (fmt, "json"))
		err_die (BX_USAGE, "unsupported format \"%s\"", fmt);
	if ((rc = load_or_report (c, (const char *const *)argv + optind, &m)))
		return rc;
	if (services || volumes) {
		json_object_foreach (json_object_get (m.p, services ? "services" : "volumes"), k, v) printf ("%s\n", k);
	} else if (!quiet && !strcmp (fmt, "json")) {
		json_dumpf (m.p, stdout, JSON_INDENT (2) | JSON_SORT_KEYS);
		putchar ('\n');
	} else if (!quiet)
		yemit_print (stdout, m.p, top);
	model_free (&m);
	return 0;
}

static int
cmd_version (struct verbs_ctx *c, int argc, char **argv)
{
	(void)c;
	if (argc > 1 && (!strcmp (argv[1], "--short") || !strcmp (argv[1], "--format=json"))) {
		puts (!strcmp (argv[1], "--short") ? "2.0.0-box" : "{\"version\":\"v2.0.0-box\"}");
		return 0;
	}
	puts ("Docker Compose version v2.0.0-box");
	return 0;
}

/* pull: the images of the services that name one; build: those that build */
static int
images (struct verbs_ctx *c, int argc, char **argv, int build)
{
	struct model m = {0};
	struct bx_err e = {0};
	json_t *sel = NULL, *s, *one;
	size_t k;
	int rc = 0;

	optind = 1;
	while (getopt (argc, argv, "q") != -1)
		;
	if (model_load (&c->mo, (const char *const *)argv + optind, &m, &e) < 0) {
		model_free (&m);
		return err_report (&e);
	}
	sel = up_selection (&m, (const char *const *)argv + optind, 1);
	json_array_foreach (sel, k, s)
	{
		const json_t *svc = json_object_get (json_object_get (m.p, "services"), json_string_value (s));
		if (build != (json_object_get (svc, "build") != NULL) || (!build && !json_object_get (svc, "image")))
			continue;
		one = json_pack ("[O]", s);
		if (up_images (&m, one, build, !build, &e) < 0)
			rc = err_report (&e);
		json_decref (one);
		if (rc)
			break;
	}
	json_decref (sel);
	model_free (&m);
	return rc;
}

static int
cmd_pull (struct verbs_ctx *c, int argc, char **argv)
{
	return images (c, argc, argv, 0);
}

static int
cmd_build (struct verbs_ctx *c, int argc, char **argv)
{
	return images (c, argc, argv, 1);
}

struct cmd {
	const char *name;
	int (*fn) (struct verbs_ctx *c, int argc, char **argv);
};

static const struct cmd cmds[] = {
    {"attach", cmds_attach},  {"build", cmd_build},    {"commit", cmds_commit},   {"config", cmd_config},
    {"cp", cmds_cp},          {"create", cmds_create}, {"down", down_cmd},        {"events", events_cmd},
    {"exec", run_exec_cmd},   {"export", cmds_export}, {"images", cmds_images},   {"kill", down_kill_cmd},
    {"logs", logs_cmd},       {"ls", ps_ls_cmd},       {"pause", cmds_pause},     {"port", cmds_port},
    {"ps", ps_cmd},           {"pull", cmd_pull},      {"push", cmds_push},       {"restart", down_restart_cmd},
    {"rm", down_rm_cmd},      {"run", run_cmd},        {"scale", cmds_scale},     {"start", down_start_cmd},
    {"stop", down_stop_cmd},  {"top", cmds_top},       {"unpause", cmds_unpause}, {"up", up_cmd},
    {"version", cmd_version}, {"wait", cmds_wait},
};

/* the commands of docker compose that box has not built: said, not ignored */
static const char *const nyi[] = {"watch", "alpha", "publish", "stats", "viz", NULL};

int
verbs_run (struct verbs_ctx *c, int argc, char **argv)
{
	for (size_t k = 0; k < sizeof cmds / sizeof *cmds; k++)
		if (!strcmp (cmds[k].name, argv[0]))
			return cmds[k].fn (c, argc, argv);
	for (int k = 0; nyi[k]; k++)
		if (!strcmp (nyi[k], argv[0]))
			err_die (BX_FAIL, "%s: not implemented", argv[0]);
	err_die (BX_USAGE, "unknown docker command: \"compose %s\"", argv[0]);
}
