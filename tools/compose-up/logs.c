/* logs - one poll loop over a pipe per container; signals arrive through
 * a signalfd so that an attached up can stop the project on Ctrl-C */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "down.h"
#include "logs.h"
#include "proj.h"
#include "prog.h"

struct stream {
	int fd;
	pid_t pid;
	char id[65];
	char prefix[256];
	char buf[16384];
	size_t len;
};

struct logs_opts {
	int follow, timestamps, color;
	const char *tail, *since, *until;
	int no_prefix;
	int exits; /* up attached: say how each container exited */
	int abort; /* --abort-on-container-exit: the first exit ends the pump */
	int first; /* the stream that ended it */
};

static const int colors[] = {36, 33, 32, 35, 34, 96, 93, 92, 95, 94};

static void
prefix_of (const json_t *c, char *buf, size_t len)
{
	const char *name = proj_name (c), *service = proj_label (c, PROJ_L_SERVICE);
	const char *number = proj_label (c, PROJ_L_NUMBER);
	char std[512];

	snprintf (std, sizeof std, "%s-%s-%s", proj_label (c, PROJ_L_PROJECT), service, number);
	/* Compose v2 shows SERVICE-N, or the container_name when one was given */
	if (*number && !strcmp (std, name))
		snprintf (buf, len, "%s-%s", service, number);
	else
		snprintf (buf, len, "%s", name);
}

static void
emit_lines (struct stream *s, int width, int color, int flush_all)
{
	char *start = s->buf, *nl;

	while ((nl = memchr (start, '\n', s->len - (size_t)(start - s->buf))) ||
	       (flush_all && start < s->buf + s->len)) {
		size_t n = nl ? (size_t)(nl - start) : s->len - (size_t)(start - s->buf);
		if (width < 0)
			printf ("%.*s\n", (int)n, start);
		else if (color)
			printf ("\033[%dm%-*s |\033[0m %.*s\n", color, width, s->prefix, (int)n, start);
		else
			printf ("%-*s | %.*s\n", width, s->prefix, (int)n, start);
		start += n + (nl != NULL);
	}
	fflush (stdout);
	s->len -= (size_t)(start - s->buf);
	memmove (s->buf, start, s->len);
}

static int
stream_start (struct stream *s, const json_t *c, const struct logs_opts *o, struct bx_err *e)
{
	struct prog_argv a = {0};

	prog_add (&a, "ctr-logs");
	if (o->follow)
		prog_add (&a, "-f");
	if (o->timestamps)
		prog_add (&a, "-t");
	if (o->tail) {
		prog_add (&a, "--tail");
		prog_add (&a, o->tail);
	}
	if (o->since) {
		prog_add (&a, "--since");
		prog_add (&a, o->since);
	}
	if (o->until) {
		prog_add (&a, "--until");
		prog_add (&a, o->until);
	}
	prog_add (&a, json_string_value (json_object_get (c, "Id")));
	snprintf (s->id, sizeof s->id, "%s", json_string_value (json_object_get (c, "Id")) ?: "");
	s->pid = prog_start (&a, &s->fd, PROG_ERR_TO_OUT, e);
	prog_free (&a);
	prefix_of (c, s->prefix, sizeof s->prefix);
	return s->pid < 0 ? -1 : 0;
}

/* The exit code of container ID (ctr-wait), -1 when unknown */
static int
exit_code (const char *id)
{
	_cleanup_free_ char *code = NULL;
	struct bx_err e = {0};

	if (prog_call (&code, &e, "ctr-wait", id, NULL) != 0 || !code)
		return -1;
	return atoi (code);
}

/* 0 when every stream ended, 1 when a signal came first, 2 when a
 * container exited and O->abort (O->first: its stream) */
static int
pump (struct stream *st, size_t n, int sigfd, struct logs_opts *o)
{
	struct pollfd *p = calloc (n + 1, sizeof *p);
	size_t open_n = 0;
	int width = 0, rc = 0;

	/* a second pump (after Ctrl-C or an abort) goes on with those left */
	for (size_t k = 0; k < n; k++)
		open_n += st[k].fd >= 0;

	for (size_t k = 0; k < n; k++)
		if ((int)strlen (st[k].prefix) + 1 > width)
			width = (int)strlen (st[k].prefix) + 1;
	if (o->no_prefix)
		width = -1;
	while (open_n > 0 && rc == 0) {
		for (size_t k = 0; k < n; k++)
			p[k] = (struct pollfd){st[k].fd, POLLIN, 0};
		p[n] = (struct pollfd){sigfd, POLLIN, 0};
		if (poll (p, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (sigfd >= 0 && (p[n].revents & POLLIN))
			rc = 1;
		for (size_t k = 0; k < n; k++) {
			ssize_t r;
			if (!(p[k].revents & (POLLIN | POLLHUP)))
				continue;
			r = read (st[k].fd, st[k].buf + st[k].len, sizeof st[k].buf - st[k].len - 1);
			if (r > 0) {
				st[k].len += (size_t)r;
				emit_lines (&st[k], width, o->color ? colors[k % 10] : 0,
				            st[k].len >= sizeof st[k].buf - 1);
				continue;
			}
			emit_lines (&st[k], width, o->color ? colors[k % 10] : 0, 1);
			close (st[k].fd);
			st[k].fd = -1;
			open_n--;
			if (o->exits)
				printf ("%s exited with code %d\n", st[k].prefix, exit_code (st[k].id));
			fflush (stdout);
			if (o->abort && rc == 0)
				rc = 2, o->first = (int)k;
		}
	}
	free (p);
	return rc;
}

/* what an attached up does on Ctrl-C: stop the project in a thread while
 * the logs go on showing what the containers say as they stop */
struct stopper {
	const json_t *ctrs;
	int timeout, rc;
	struct bx_err e;
	pthread_t th;
};

static void *
stopper_run (void *arg)
{
	struct stopper *s = arg;

	s->rc = down_stop (s->ctrs, s->timeout, &s->e);
	return NULL;
}

static int
stream_all (const json_t *ctrs, struct logs_opts *o, int sigfd, struct stopper *stop)
{
	size_t n = json_array_size (ctrs), k;
	struct stream *st = calloc (n + 1, sizeof *st);
	struct bx_err e = {0};
	json_t *c;
	int rc;

	json_array_foreach (ctrs, k, c) if (stream_start (&st[k], c, o, &e) < 0)
	{
		st[k].fd = -1;
		st[k].pid = -1;
	}
	rc = pump (st, n, sigfd, o);
	if (rc && stop) {
		int abort_on = o->abort;
		if (rc == 1)
			fprintf (stderr, "Gracefully stopping... (press Ctrl+C again to force)\n");
		else
			printf ("Aborting on container exit...\n");
		fflush (stdout);
		if (pthread_create (&stop->th, NULL, stopper_run, stop) != 0)
			abort ();
		o->abort = 0;
		pump (st, n, -1, o);
		o->abort = abort_on;
		pthread_join (stop->th, NULL);
	}
	for (k = 0; k < n; k++) {
		if (st[k].fd >= 0) {
			close (st[k].fd);
			kill (st[k].pid, SIGTERM);
		}
		if (st[k].pid > 0)
			prog_wait (st[k].pid);
	}
	free (st);
	return rc;
}

static json_t *
of_services (const json_t *all, const char *const *want, const json_t *services)
{
	if (services && !json_array_size (services))
		return json_array ();
	json_t *out = json_array (), *c, *s;
	size_t k, j;

	json_array_foreach (all, k, c)
	{
		int match = (!want || !*want) && !services;
		for (int w = 0; want && want[w]; w++)
			match |= !strcmp (want[w], proj_label (c, PROJ_L_SERVICE));
		json_array_foreach (services, j, s) match |=
		    !strcmp (json_string_value (s), proj_label (c, PROJ_L_SERVICE));
		if (match && strcmp (proj_label (c, PROJ_L_ONEOFF), "True"))
			json_array_append (out, c);
	}
	return out;
}

int
logs_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"follow", no_argument, NULL, 'f'},        {"timestamps", no_argument, NULL, 't'},
	    {"tail", required_argument, NULL, 'n'},    {"no-color", no_argument, NULL, 'C'},
	    {"no-log-prefix", no_argument, NULL, 'P'}, {"since", required_argument, NULL, 'S'},
	    {"until", required_argument, NULL, 'U'},   {0, 0, 0, 0}};
	struct logs_opts o = {0, 0, isatty (STDOUT_FILENO), NULL, NULL, NULL, 0, 0, 0, -1};
	struct model m = {0};
	struct bx_err e = {0};
	json_t *all = NULL, *ctrs;
	int ch;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "ftn:", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': o.follow = 1; break;
		case 't': o.timestamps = 1; break;
		case 'n': o.tail = optarg; break;
		case 'C': o.color = 0; break;
		case 'P': o.no_prefix = 1; break;
		case 'S': o.since = optarg; break;
		case 'U': o.until = optarg; break;
		default: return BX_USAGE;
		}
	}
	if (model_load (&c->mo, (const char *const *)argv + optind, &m, &e) < 0 ||
	    proj_containers (m.name, &all, &e) < 0) {
		model_free (&m);
		return err_report (&e);
	}
	ctrs = of_services (all, (const char *const *)argv + optind, NULL);
	stream_all (ctrs, &o, -1, NULL);
	json_decref (ctrs);
	json_decref (all);
	model_free (&m);
	return 0;
}

/* the containers whose service has not `attach: false`: Ctrl-C stops
 * them all, only these are followed */
static json_t *
attached (const struct model *m, const json_t *ctrs)
{
	json_t *out = json_array (), *c;
	size_t k;

	json_array_foreach (ctrs, k, c)
	{
		const json_t *svc =
		    json_object_get (json_object_get (m->p, "services"), proj_label (c, PROJ_L_SERVICE));
		if (!json_is_false (json_object_get (svc, "attach")))
			json_array_append (out, c);
	}
	return out;
}

json_t *
logs_of_services (const json_t *all, const json_t *services)
{
	return of_services (all, NULL, services);
}

/* up's exit code after the streams: --exit-code-from's service's
 * container, else (aborted) the first that exited */
static int
attached_code (const json_t *ctrs, const json_t *shown, const struct logs_attach *a, const struct logs_opts *o)
{
	json_t *c;
	size_t k;

	if (a->exit_from) {
		json_array_foreach (
		    ctrs, k,
		    c) if (!strcmp (proj_label (c, PROJ_L_SERVICE),
		                    a->exit_from)) return exit_code (json_string_value (json_object_get (c, "Id")));
		return 0;
	}
	c = json_array_get (shown, (size_t)o->first);
	return c ? exit_code (json_string_value (json_object_get (c, "Id"))) : 0;
}

int
logs_attach (const struct model *m, const json_t *services, const struct logs_attach *a)
{
	struct logs_opts o = {1, 0, isatty (STDOUT_FILENO), NULL, a->since, NULL, 0, 1, a->abort, -1};
	struct bx_err e = {0};
	json_t *all = NULL, *ctrs, *shown, *c;
	struct stopper stop = {.timeout = a->timeout};
	sigset_t set;
	size_t k;
	int sigfd, rc;

	sigemptyset (&set);
	sigaddset (&set, SIGINT);
	sigaddset (&set, SIGTERM);
	sigprocmask (SIG_BLOCK, &set, NULL);
	sigfd = signalfd (-1, &set, SFD_CLOEXEC);
	if (proj_containers (m->name, &all, &e) < 0)
		return err_report (&e);
	ctrs = of_services (all, NULL, services);
	shown = attached (m, ctrs);
	printf ("Attaching to ");
	json_array_foreach (shown, k, c)
	{
		char p[256];
		prefix_of (c, p, sizeof p);
		printf ("%s%s", k ? ", " : "", p);
	}
	printf ("\n");
	stop.ctrs = ctrs;
	rc = stream_all (shown, &o, sigfd, &stop);
	if (rc == 1)
		rc = stop.rc < 0 ? err_report (&stop.e) : 130;
	else if (stop.rc < 0)
		rc = err_report (&stop.e);
	else if (a->abort)
		rc = attached_code (ctrs, shown, a, &o);
	close (sigfd);
	json_decref (shown);
	json_decref (ctrs);
	json_decref (all);
	return rc;
}
