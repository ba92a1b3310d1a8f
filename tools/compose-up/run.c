/* run - exec finds SERVICE's container N and becomes ctr-exec; run makes
 * a oneoff container (com.docker.compose.oneoff=True) after the service's
 * dependencies are up, and becomes ctr-spawn */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "norm.h"
#include "proj.h"
#include "prog.h"
#include "run.h"
#include "sargs.h"
#include "up.h"

int
run_exec_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"detach", no_argument, NULL, 'd'},     {"env", required_argument, NULL, 'e'},
	    {"user", required_argument, NULL, 'u'}, {"workdir", required_argument, NULL, 'w'},
	    {"no-TTY", no_argument, NULL, 'T'},     {"index", required_argument, NULL, 'I'},
	    {"privileged", no_argument, NULL, 'P'}, {0, 0, 0, 0}};
	struct prog_argv a = {0};
	struct model m = {0};
	struct bx_err e = {0};
	json_t *ctrs = NULL, *x;
	const char *id = NULL;
	int ch, tty = isatty (STDIN_FILENO), detach = 0, index = 1;
	size_t k;

	prog_add (&a, "ctr-exec");
	optind = 1;
	while ((ch = getopt_long (argc, argv, "+de:u:w:T", lo, NULL)) != -1) {
		switch (ch) {
		case 'd': detach = 1; break;
		case 'e': prog_add (&a, "-e"), prog_add (&a, optarg); break;
		case 'u': prog_add (&a, "-u"), prog_add (&a, optarg); break;
		case 'w': prog_add (&a, "-w"), prog_add (&a, optarg); break;
		case 'T': tty = 0; break;
		case 'I': index = atoi (optarg); break;
		case 'P': err_die (BX_FAIL, "exec --privileged: not implemented");
		default: return BX_USAGE;
		}
	}
	if (argc - optind < 2)
		err_die (BX_USAGE, "exec requires at least 2 arguments: SERVICE COMMAND");
	const char *want[] = {argv[optind], NULL};
	if (model_load (&c->mo, want, &m, &e) < 0 || proj_containers (m.name, &ctrs, &e) < 0) {
		model_free (&m);
		prog_free (&a);
		return err_report (&e);
	}
	json_array_foreach (ctrs, k, x) if (!strcmp (proj_label (x, PROJ_L_SERVICE), argv[optind]) &&
	                                    atoi (proj_label (x, PROJ_L_NUMBER)) == index &&
	                                    strcmp (proj_label (x, PROJ_L_ONEOFF), "True")) id =
	    json_string_value (json_object_get (x, "Id"));
	if (!id)
		err_die (BX_NOTFOUND, "service \"%s\" is not running", argv[optind]);
	if (detach)
		prog_add (&a, "-d");
	else
		prog_add (&a, "-i");
	if (!detach && tty)
		prog_add (&a, "-t");
	prog_add (&a, id);
	for (int w = optind + 1; w < argc; w++)
		prog_add (&a, argv[w]);
	prog_exec (&a, &e);
	return err_report (&e);
}

struct run_opts {
	int rm, detach, no_deps, service_ports, tty, build;
	const char *name, *entrypoint;
	struct prog_argv extra;
};

static int
parse_run (int argc, char **argv, struct run_opts *o)
{
	static const struct option lo[] = {{"rm", no_argument, NULL, 'r'},
	                                   {"detach", no_argument, NULL, 'd'},
	                                   {"env", required_argument, NULL, 'e'},
	                                   {"name", required_argument, NULL, 'n'},
	                                   {"no-deps", no_argument, NULL, 'D'},
	                                   {"user", required_argument, NULL, 'u'},
	                                   {"workdir", required_argument, NULL, 'w'},
	                                   {"entrypoint", required_argument, NULL, 'E'},
	                                   {"no-TTY", no_argument, NULL, 'T'},
	                                   {"interactive", no_argument, NULL, 'i'},
	                                   {"service-ports", no_argument, NULL, 'S'},
	                                   {"publish", required_argument, NULL, 'p'},
	                                   {"volume", required_argument, NULL, 'v'},
	                                   {"label", required_argument, NULL, 'l'},
	                                   {"build", no_argument, NULL, 'b'},
	                                   {0, 0, 0, 0}};
	int ch;

	optind = 1;
	o->tty = isatty (STDIN_FILENO);
	while ((ch = getopt_long (argc, argv, "+de:u:w:Tip:v:l:", lo, NULL)) != -1) {
		switch (ch) {
		case 'r': o->rm = 1; break;
		case 'd': o->detach = 1; break;
		case 'n': o->name = optarg; break;
		case 'D': o->no_deps = 1; break;
		case 'E': o->entrypoint = optarg; break;
		case 'T': o->tty = 0; break;
		case 'i': break;
		case 'S': o->service_ports = 1; break;
		case 'b': o->build = 1; break;
		case 'e':
		case 'u':
		case 'w':
		case 'p':
		case 'v':
		case 'l': prog_addf (&o->extra, "-%c", ch), prog_add (&o->extra, optarg); break;
		default: return -1;
		}
	}
	if (optind >= argc)
		err_die (BX_USAGE, "run requires at least 1 argument: SERVICE");
	return optind;
}

/* the service as run makes it: its command replaced by CMD, no ports
 * unless --service-ports, no restart policy (Compose's rules for run) */
static void
run_service (json_t *svc, const struct run_opts *o, int argc, char **argv)
{
	json_t *cmd = json_array ();

	for (int k = 0; k < argc; k++)
		json_array_append_new (cmd, json_string (argv[k]));
	if (argc)
		json_object_set_new (svc, "command", cmd);
	else
		json_decref (cmd);
	if (o->entrypoint)
		json_object_set_new (svc, "entrypoint", norm_words (o->entrypoint));
	if (!o->service_ports)
		json_object_del (svc, "ports");
	json_object_del (svc, "restart");
	json_object_del (svc, "container_name");
	json_object_del (svc, "healthcheck");
	json_object_set (svc, "tty", json_boolean (o->tty && !o->detach));
	json_object_set (svc, "stdin_open", json_boolean (!o->detach));
}

int
run_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	struct run_opts o = {0};
	struct model m = {0};
	struct bx_err e = {0};
	struct prog_argv a = {0};
	_cleanup_free_ char *id = NULL;
	char name[512];
	unsigned char rnd[6];
	int first;
	json_t *svc;

	if ((first = parse_run (argc, argv, &o)) < 0)
		return BX_USAGE;
	const char *service = argv[first], *want[] = {service, NULL};
	if (model_load (&c->mo, want, &m, &e) < 0 || (!o.no_deps && up_deps (&m, service, &e) < 0))
		goto fail;
	const char *one[] = {service, NULL};
	json_t *sel = up_selection (&m, one, 1);
	if (up_resources (&m, sel, &e) < 0 || up_images (&m, sel, o.build, 0, &e) < 0 ||
	    (!o.no_deps && up_wait_deps (&m, service, &e) < 0)) {
		json_decref (sel);
		goto fail;
	}
	json_decref (sel);
	svc = json_object_get (json_object_get (m.p, "services"), service);
	run_service (svc, &o, argc - first - 1, argv + first + 1);
	if (o.rm)
		prog_add (&o.extra, "--rm");
	if (getrandom (rnd, sizeof rnd, 0) != sizeof rnd)
		memset (rnd, 0, sizeof rnd);
	if (o.name)
		snprintf (name, sizeof name, "%s", o.name);
	else
		snprintf (name, sizeof name, "%s-%s-run-%02x%02x%02x%02x%02x%02x", m.name, service, rnd[0], rnd[1],
		          rnd[2], rnd[3], rnd[4], rnd[5]);
	if (up_create (&m, service, name, 1, 1, &o.extra, &id, &e) < 0)
		goto fail;
	prog_add (&a, "ctr-spawn");
	if (o.detach) {
		prog_add (&a, "-d");
		prog_add (&a, id);
		if (prog_run (&a, NULL, &e) != 0)
			goto fail;
		printf ("%s\n", name);
		prog_free (&a);
		prog_free (&o.extra);
		model_free (&m);
		return 0;
	}
	prog_add (&a, id);
	prog_exec (&a, &e);
fail:
	prog_free (&a);
	prog_free (&o.extra);
	model_free (&m);
	return err_report (&e);
}
