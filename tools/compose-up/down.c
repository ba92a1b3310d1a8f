/* down - the order of stops comes from the com.docker.compose.depends_on
 * labels, so a project is stopped right without its compose file */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include "base/cleanup.h"
#include "down.h"
#include "hooks.h"
#include "proj.h"
#include "prog.h"
#include "sargs.h"
#include "up.h"

/* does a service of LIVE (service -> true) depend on SERVICE? */
static int
has_dependent (const json_t *ctrs, const json_t *live, const char *service)
{
	json_t *c;
	size_t k;
	size_t n = strlen (service);

	json_array_foreach (ctrs, k, c)
	{
		const char *dep = proj_label (c, "com.docker.compose.depends_on");
		if (!json_object_get (live, proj_label (c, PROJ_L_SERVICE)))
			continue;
		for (const char *p = dep; *p; p += strcspn (p, ","), p += *p == ',')
			if (!strncmp (p, service, n) && p[n] == ':')
				return 1;
	}
	return 0;
}

static pid_t
stop_start (const json_t *c, int timeout, struct bx_err *e)
{
	struct prog_argv a = {0};
	pid_t pid;

	prog_add (&a, "ctr-kill");
	prog_add (&a, "--stop");
	if (timeout >= 0)
		prog_addf (&a, "-t%d", timeout);
	prog_add (&a, json_string_value (json_object_get (c, "Id")));
	pid = prog_start_silent (&a, e);
	prog_free (&a);
	return pid;
}

/* the stop timeout of C: TIMEOUT, else its own (Docker's 10 s default) */
static int
timeout_of (const json_t *c, int timeout)
{
	json_t *t = json_object_get (json_object_get (c, "Config"), "StopTimeout");

	return timeout >= 0 ? timeout : json_is_integer (t) ? (int)json_integer_value (t) : 10;
}

/* wait for the stops of PIDS, at most MS milliseconds (-1: all of them) */
static int
reap (const json_t *ctrs, pid_t *pids, long ms, struct bx_err *e)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	size_t k, n = json_array_size (ctrs);
	int rc = 0, left;

	do {
		left = 0;
		for (k = 0; k < n; k++) {
			int st;
			pid_t r = pids[k] > 0 ? waitpid (pids[k], &st, ms < 0 ? 0 : WNOHANG) : 0;
			if (r == 0) {
				left += pids[k] > 0;
				continue;
			}
			if (r < 0 || !WIFEXITED (st) || WEXITSTATUS (st) != 0)
				rc = err_set (e, BX_FAIL, 0, "container %s could not be stopped",
				              proj_name (json_array_get (ctrs, k)));
			else
				fprintf (stderr, "Container %s  Stopped\n", proj_name (json_array_get (ctrs, k)));
			pids[k] = 0;
		}
		if (left && ms > 0)
			nanosleep (&tick, NULL);
		ms -= 10;
	} while (left && ms > 0);
	return rc;
}

/* Dependents are stopped first, round by round. A round waits for its
 * containers' exit only for a fortieth of its stop timeout before the
 * next round's stop signal goes: services that stop promptly stop in
 * order, and a chain of ten that ignore SIGTERM takes about one timeout
 * (plus 9/40 of it), not ten as in Compose. */
int
down_stop (const json_t *ctrs, int timeout, struct bx_err *e)
{
	json_t *live = json_object (), *c, *round;
	size_t k, n = json_array_size (ctrs);
	pid_t *pids = calloc (n + 1, sizeof *pids);
	int rc = 0;

	json_array_foreach (ctrs, k, c)
	{
		if (proj_running (c))
			json_object_set_new (live, proj_label (c, PROJ_L_SERVICE), json_true ());
	}
	while (json_object_size (live)) {
		const char *s;
		json_t *v;
		void *tmp;
		int longest = 0;
		round = json_object ();
		json_object_foreach (live, s, v)
		{
			if (!has_dependent (ctrs, live, s))
				json_object_set_new (round, s, json_true ());
		}
		/* a cycle cannot be in a checked model; labels edited by hand could */
		if (!json_object_size (round))
			json_object_update (round, live);
		json_array_foreach (ctrs, k, c)
		{
			if (proj_running (c) && json_object_get (round, proj_label (c, PROJ_L_SERVICE))) {
				pids[k] = stop_start (c, timeout, e);
				if (timeout_of (c, timeout) > longest)
					longest = timeout_of (c, timeout);
			}
		}
		json_object_foreach_safe (round, tmp, s, v)
		{
			json_object_del (live, s);
		}
		json_decref (round);
		if (reap (ctrs, pids, json_object_size (live) ? longest * 1000L / 40 : -1, e) < 0)
			rc = -1;
	}
	if (reap (ctrs, pids, -1, e) < 0)
		rc = -1;
	free (pids);
	json_decref (live);
	return rc;
}

/* --- which containers ------------------------------------------------------ */

struct sel {
	struct model m;
	int have_model;
	char *name;
	json_t *ctrs;
};

static void
sel_free (struct sel *s)
{
	if (s->have_model)
		model_free (&s->m);
	free (s->name);
	json_decref (s->ctrs);
}

/* the project's containers, of WANT's services when given; oneoff (run)
 * containers only with ONEOFF */
static int
sel_load (struct verbs_ctx *c, const char *const *want, int oneoff, struct sel *s, struct bx_err *e)
{
	json_t *all = NULL, *x;
	size_t k;

	memset (s, 0, sizeof *s);
	if (model_load (&c->mo, want, &s->m, e) == 0) {
		s->have_model = 1;
		s->name = strdup (s->m.name);
	} else {
		/* without a compose file, -p (or COMPOSE_PROJECT_NAME) names the project */
		model_free (&s->m);
		const char *env = getenv ("COMPOSE_PROJECT_NAME");
		if (!c->mo.project_name && !(env && *env))
			return -1;
		s->name = strdup (c->mo.project_name ? c->mo.project_name : env);
	}
	if (proj_containers (s->name, &all, e) < 0)
		return -1;
	s->ctrs = json_array ();
	json_array_foreach (all, k, x)
	{
		int match = !want || !*want;
		for (int w = 0; want && want[w]; w++)
			match |= !strcmp (want[w], proj_label (x, PROJ_L_SERVICE));
		if (match && (oneoff || strcmp (proj_label (x, PROJ_L_ONEOFF), "True")))
			json_array_append (s->ctrs, x);
	}
	json_decref (all);
	return 0;
}

static int
timeout_arg (const char *s)
{
	char *end;
	long v = strtol (s, &end, 10);

	if (*end || end == s)
		err_die (BX_USAGE, "invalid argument \"%s\" for \"-t, --timeout\" flag", s);
	return (int)v;
}

/* --- down ----------------------------------------------------------------- */

static int
remove_containers (const json_t *ctrs, int volumes, struct bx_err *e)
{
	struct prog_argv a = {0};
	json_t *c;
	size_t k;
	int rc;

	if (!json_array_size (ctrs))
		return 0;
	prog_add (&a, "ctr-rm");
	prog_add (&a, "-f");
	if (volumes)
		prog_add (&a, "-v");
	json_array_foreach (ctrs, k, c) prog_add (&a, json_string_value (json_object_get (c, "Id")));
	rc = prog_quiet (&a, e);
	prog_free (&a);
	json_array_foreach (ctrs, k, c) fprintf (stderr, "Container %s  Removed\n", proj_name (c));
	return rc == 0 ? 0 : err_set (e, BX_FAIL, 0, "ctr-rm failed (%d)", rc);
}

static int
remove_labelled (const char *prog, const char *kind, const char *project, struct bx_err *e)
{
	_cleanup_free_ char *names = NULL;
	char filter[512];
	int rc;

	snprintf (filter, sizeof filter, "label=com.docker.compose.project=%s", project);
	rc = prog_call (&names, e, prog, "ls", "-f", filter, "--format", "{{.Name}}", NULL);
	if (rc != 0)
		return err_set (e, BX_FAIL, 0, "%s ls failed (%d)", prog, rc);
	char *sv = NULL;
	for (char *n = strtok_r (names, "\n", &sv); n; n = strtok_r (NULL, "\n", &sv)) {
		_cleanup_free_ char *out = NULL;
		if (prog_call (&out, e, prog, "rm", n, NULL) != 0)
			return err_set (e, BX_FAIL, 0, "%s %s could not be removed", kind, n);
		fprintf (stderr, "%s %s  Removed\n", kind, n);
	}
	return 0;
}

/* down --rmi: the images of the project's services (the model's, and
 * those its containers were made from); "local": only those with no
 * image of their own (built, named PROJECT-SERVICE), as Compose's */
static json_t *
rmi_images (const struct sel *s, const json_t *ctrs, int all)
{
	json_t *set = json_object (), *svc, *c;
	const char *k;
	size_t i;

	json_object_foreach (s->have_model ? json_object_get (s->m.p, "services") : NULL, k, svc)
	{
		_cleanup_free_ char *image = sargs_image (&s->m, k, svc);
		if (image && (all || !json_object_get (svc, "image")))
			json_object_set_new (set, image, json_true ());
	}
	json_array_foreach (ctrs, i, c)
	{
		const char *image = json_string_value (json_object_get (json_object_get (c, "Config"), "Image"));
		char local[512];
		snprintf (local, sizeof local, "%s-%s", s->name, proj_label (c, PROJ_L_SERVICE));
		if (image && (all || !strcmp (image, local)))
			json_object_set_new (set, image, json_true ());
	}
	return set;
}

static int
remove_images (const json_t *images, struct bx_err *e)
{
	const char *image;
	json_t *v;

	json_object_foreach ((json_t *)images, image, v)
	{
		_cleanup_free_ char *out = NULL;
		int rc = prog_call (&out, e, "img-list", "rm", image, NULL);
		/* one gone already is no error, as in Compose */
		if (rc == 3)
			continue;
		if (rc != 0)
			return err_set (e, BX_FAIL, 0, "image %s could not be removed (%d)", image, rc);
		fprintf (stderr, "Image %s  Removed\n", image);
	}
	return 0;
}

int
down_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"volumes", no_argument, NULL, 'v'},
	                                   {"remove-orphans", no_argument, NULL, 'O'},
	                                   {"timeout", required_argument, NULL, 't'},
	                                   {"rmi", required_argument, NULL, 'r'},
	                                   {0, 0, 0, 0}};
	struct bx_err e = {0};
	struct sel s;
	int ch, volumes = 0, orphans = 0, timeout = -1, rmi = 0;
	json_t *keep, *x, *images = NULL;
	size_t k;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "vt:", lo, NULL)) != -1) {
		switch (ch) {
		case 'v': volumes = 1; break;
		case 'O': orphans = 1; break;
		case 't': timeout = timeout_arg (optarg); break;
		case 'r':
			if (strcmp (optarg, "local") && strcmp (optarg, "all"))
				err_die (BX_USAGE, "invalid value for --rmi flag: %s (local or all)", optarg);
			rmi = !strcmp (optarg, "all") ? 2 : 1;
			break;
		default: return BX_USAGE;
		}
	}
	if (optind < argc)
		err_die (BX_USAGE, "down takes no service names");
	if (sel_load (c, NULL, 1, &s, &e) < 0) {
		sel_free (&s);
		return err_report (&e);
	}
	keep = json_array ();
	json_array_foreach (
	    s.ctrs, k, x) if (orphans || !s.have_model ||
	                      json_object_get (json_object_get (s.m.p, "services"), proj_label (x, PROJ_L_SERVICE)) ||
	                      !strcmp (proj_label (x, PROJ_L_ONEOFF), "True")) json_array_append (keep, x);
	if (rmi)
		images = rmi_images (&s, s.ctrs, rmi == 2);
	if (hooks_pre_stop (&s.m, keep, &e) < 0 || down_stop (keep, timeout, &e) < 0 ||
	    remove_containers (keep, volumes, &e) < 0 || remove_labelled ("ctr-net", "Network", s.name, &e) < 0 ||
	    (volumes && remove_labelled ("ctr-vol", "Volume", s.name, &e) < 0) ||
	    (images && remove_images (images, &e) < 0)) {
		json_decref (images);
		json_decref (keep);
		sel_free (&s);
		return err_report (&e);
	}
	json_decref (images);
	json_decref (keep);
	sel_free (&s);
	return 0;
}

/* --- stop, start, restart, kill, rm ----------------------------------------- */

static int
parse_timeout (int argc, char **argv, int *timeout)
{
	static const struct option lo[] = {{"timeout", required_argument, NULL, 't'}, {0, 0, 0, 0}};
	int ch;

	optind = 1;
	*timeout = -1;
	while ((ch = getopt_long (argc, argv, "t:", lo, NULL)) != -1) {
		if (ch != 't')
			exit (BX_USAGE);
		*timeout = timeout_arg (optarg);
	}
	return optind;
}

int
down_stop_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	struct bx_err e = {0};
	struct sel s;
	int timeout, first = parse_timeout (argc, argv, &timeout), rc = 0;

	if (sel_load (c, (const char *const *)argv + first, 0, &s, &e) < 0 || hooks_pre_stop (&s.m, s.ctrs, &e) < 0 ||
	    down_stop (s.ctrs, timeout, &e) < 0)
		rc = err_report (&e);
	sel_free (&s);
	return rc;
}

/* start in dependency order: the model's (each service once what it
 * depends on is ready), else the services by name */
static int
start_all (struct sel *s, struct bx_err *e)
{
	json_t *order = NULL, *o, *x;
	size_t k, j;
	int rc = 0;

	if (s->have_model)
		model_order (&s->m, &order, e);
	else {
		order = json_array ();
		json_array_foreach (s->ctrs, j, x)
		{
			json_t *svc = json_string (proj_label (x, PROJ_L_SERVICE));
			if (!json_array_size (order) ||
			    !json_equal (json_array_get (order, json_array_size (order) - 1), svc))
				json_array_append (order, svc);
			json_decref (svc);
		}
	}
	json_array_foreach (order, k, o)
	{
		const char *svc = json_string_value (o);
		int stopped = 0;
		json_array_foreach (s->ctrs, j, x) stopped |=
		    !strcmp (proj_label (x, PROJ_L_SERVICE), svc) && !proj_running (x);
		if (!stopped)
			continue;
		if (s->have_model && up_wait_deps (&s->m, svc, e) < 0) {
			rc = -1;
			break;
		}
		json_array_foreach (s->ctrs, j, x)
		{
			const char *id = json_string_value (json_object_get (x, "Id"));
			if (strcmp (proj_label (x, PROJ_L_SERVICE), svc) || proj_running (x))
				continue;
			if (prog_call (NULL, e, "ctr-net", "attach", id, NULL) != 0 ||
			    prog_call (NULL, e, "ctr-spawn", "-d", id, NULL) != 0) {
				rc = err_set (e, BX_FAIL, 0, "container %s failed to start", proj_name (x));
				break;
			}
			fprintf (stderr, "Container %s  Started\n", proj_name (x));
			if (s->have_model && hooks_run (json_object_get (json_object_get (s->m.p, "services"), svc),
			                                "post_start", id, proj_name (x), e) < 0) {
				rc = -1;
				break;
			}
		}
		if (rc < 0)
			break;
	}
	json_decref (order);
	return rc;
}

int
down_start_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	struct bx_err e = {0};
	struct sel s;
	int rc = 0;

	if (argc > 1 && argv[1][0] == '-')
		err_die (BX_USAGE, "start: unknown flag: %s", argv[1]);
	if (sel_load (c, (const char *const *)argv + 1, 0, &s, &e) < 0 || start_all (&s, &e) < 0)
		rc = err_report (&e);
	sel_free (&s);
	return rc;
}

int
down_restart_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	struct bx_err e = {0};
	struct sel s;
	int timeout, first = parse_timeout (argc, argv, &timeout), rc = 0;
	json_t *x;
	size_t k;

	if (sel_load (c, (const char *const *)argv + first, 0, &s, &e) < 0 || hooks_pre_stop (&s.m, s.ctrs, &e) < 0 ||
	    down_stop (s.ctrs, timeout, &e) < 0) {
		sel_free (&s);
		return err_report (&e);
	}
	/* what was stopped now reads as exited */
	json_array_foreach (s.ctrs, k, x) json_object_set_new (json_object_get (x, "State"), "Running", json_false ());
	if (start_all (&s, &e) < 0)
		rc = err_report (&e);
	sel_free (&s);
	return rc;
}

int
down_kill_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"signal", required_argument, NULL, 's'}, {"remove-orphans", no_argument, NULL, 'O'}, {0, 0, 0, 0}};
	struct bx_err e = {0};
	struct prog_argv a = {0};
	const char *sig = "SIGKILL";
	struct sel s;
	int ch, rc = 0;
	json_t *x;
	size_t k;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "s:", lo, NULL)) != -1) {
		if (ch == 's')
			sig = optarg;
		else if (ch != 'O')
			return BX_USAGE;
	}
	if (sel_load (c, (const char *const *)argv + optind, 0, &s, &e) < 0) {
		sel_free (&s);
		return err_report (&e);
	}
	prog_add (&a, "ctr-kill");
	prog_add (&a, "-s");
	prog_add (&a, sig);
	json_array_foreach (s.ctrs, k, x) if (proj_running (x))
	    prog_add (&a, json_string_value (json_object_get (x, "Id")));
	if (a.n > 3 && prog_quiet (&a, &e) != 0)
		rc = err_report (&(struct bx_err){BX_FAIL, 0, "ctr-kill failed"});
	json_array_foreach (s.ctrs, k, x) if (proj_running (x) && !rc)
	    fprintf (stderr, "Container %s  Killed\n", proj_name (x));
	prog_free (&a);
	sel_free (&s);
	return rc;
}

int
down_rm_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"force", no_argument, NULL, 'f'},
	                                   {"stop", no_argument, NULL, 's'},
	                                   {"volumes", no_argument, NULL, 'v'},
	                                   {0, 0, 0, 0}};
	struct bx_err e = {0};
	struct sel s;
	int ch, force = 0, stop = 0, volumes = 0, rc = 0;
	json_t *gone = json_array (), *x;
	size_t k;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "fsv", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': force = 1; break;
		case 's': stop = 1; break;
		case 'v': volumes = 1; break;
		default: return BX_USAGE;
		}
	}
	if (sel_load (c, (const char *const *)argv + optind, 0, &s, &e) < 0 ||
	    (stop && down_stop (s.ctrs, -1, &e) < 0)) {
		sel_free (&s);
		json_decref (gone);
		return err_report (&e);
	}
	json_array_foreach (s.ctrs, k, x) if (stop || !proj_running (x)) json_array_append (gone, x);
	if (!json_array_size (gone))
		fprintf (stderr, "No stopped containers\n");
	else if (!force) {
		char answer[16] = "";
		fprintf (stderr, "Going to remove");
		json_array_foreach (gone, k, x) fprintf (stderr, " %s", proj_name (x));
		fprintf (stderr, "\n? Are you sure you want to remove them? (y/N) ");
		if (!fgets (answer, sizeof answer, stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
			json_array_clear (gone);
	}
	if (remove_containers (gone, volumes, &e) < 0)
		rc = err_report (&e);
	json_decref (gone);
	sel_free (&s);
	return rc;
}
