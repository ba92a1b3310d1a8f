/*
 * ctr-kill - signal or stop containers (docker kill, docker stop)
 *
 * usage:  ctr-kill [--root DIR] [-s SIGNAL] CONTAINER...
 *         ctr-kill [--root DIR] --stop [-t SECONDS] [-s SIGNAL] CONTAINER...
 * stdin:  unused
 * stdout: each CONTAINER as given, once signalled (kill) or stopped (stop)
 * reads:  containers/<id>/{state,create.json}
 * writes: containers/<id>/stopped (--stop, before signalling: the
 *         supervisor must not restart a container stopped on purpose;
 *         kill of a restarting container); state of a container whose
 *         supervisor was killed (ctrrm_reap_lost)
 * locks:  containers/<id>/lock, shared and blocking, to know the exit is
 *         recorded (--stop; kill with SIGKILL when no restart policy)
 * exit:   0 ok, 1 a container was not found or (kill) does not run
 *         (Docker's "Error response from daemon: ..."; the other arguments
 *         are still handled), 2 usage (a bad signal or timeout)
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/layout.h"
#include "base/root.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/ctrrm.h"
#include "runtime/event.h"
#include "runtime/ctrsig.h"

struct opts {
	const char *root;
	int stop;
	int sig;     /* 0: the default (kill: SIGKILL; stop: the container's) */
	int timeout; /* -1: the container's */
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-s SIGNAL] CONTAINER...\n"
	         "       %s [--root DIR] --stop [-t SECONDS] [-s SIGNAL] CONTAINER...\n",
	         bx_prog, bx_prog);
	exit (err_code (BX_USAGE));
}

/* -t as pflag's int flag reads it (strconv.ParseInt, base 0); beyond an
 * int: as long as an int waits */
static int
timeout_arg (const char *arg)
{
	long long n;
	char *end;

	errno = 0;
	n = strtoll (arg, &end, 0);
	if (*end || end == arg || isspace ((unsigned char)*arg))
		err_flag_value (arg, "-t, --time", "strconv.ParseInt: parsing \"%s\": invalid syntax", arg);
	if (errno == ERANGE)
		err_flag_value (arg, "-t, --time", "strconv.ParseInt: parsing \"%s\": value out of range", arg);
	return n > INT_MAX ? INT_MAX : n < -1 ? -1 : (int)n;
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"root", required_argument, NULL, 'R'},    {"stop", no_argument, NULL, 'S'},
	    {"signal", required_argument, NULL, 's'},  {"time", required_argument, NULL, 't'},
	    {"timeout", required_argument, NULL, 't'}, {0, 0, 0, 0}};
	int c, t = 0;

	o->timeout = -1;
	while ((c = getopt_long (argc, argv, "s:t:", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'S': o->stop = 1; break;
		case 's':
			if ((o->sig = ctrsig_parse (optarg)) < 0)
				err_die (BX_USAGE, "%s signal: %s", err_docker () ? "Invalid" : "invalid", optarg);
			break;
		case 't': o->timeout = timeout_arg (optarg), t = 1; break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind == argc || (t && !o->stop))
		usage ();
}

/* Docker's kill event, with the signal's number */
static void
kill_event (int rootfd, const char *id, int sig)
{
	char n[16];

	snprintf (n, sizeof n, "%d", sig);
	event_ctr (rootfd, id, "kill", "signal", n);
}

static int
kill_one (int rootfd, int dfd, const char *what, const char *id, int sig, struct bx_err *e)
{
	_cleanup_close_ int pidfd = -1;
	struct ctr_state s;
	json_t *create = NULL;
	char cgpath[CGROUP_PATH_LEN];
	int again;

	if (ctr_state_read (dfd, &s, e) < 0 && e->code != BX_NOTFOUND)
		return -1;
	ctr_state_settle (&s);
	/* Docker: no signal to send, but no restart either */
	if (!strcmp (s.status, "restarting"))
		return ctrsig_cancel_restart (dfd, &s, e);
	if ((pidfd = ctrsig_pidfd (&s, e)) < 0) {
		if (e->code == BX_CONFLICT)
			err_set (e, BX_FAIL, 0, "Cannot kill container: %s: Container %s is not running", what, id);
		return -1;
	}
	/* Docker waits for a killed container to be gone; one with a restart
	 * policy comes back, so only its process is waited for */
	if (ctr_create_read_opt (dfd, &create, e) < 0)
		return -1;
	again = ctrsig_restarts (create);
	ctr_cgroup_path (create, id, cgpath);
	json_decref (create);
	if (ctrsig_send (pidfd, cgpath, sig) < 0)
		return err_set (e, BX_SYSTEM, errno, "Cannot kill container: %s", what);
	kill_event (rootfd, id, sig);
	if (sig != SIGKILL)
		return 0;
	ctrsig_exit_wait (pidfd, -1);
	return again ? 0 : ctrsig_recorded_wait (dfd, e);
}

/* Docker's events of a stop: kill with the stop signal (and kill 9 after
 * the timeout: ctrsig_stop's), then stop; none for a container that was
 * not running */
static int
stop_one (int rootfd, int dfd, const char *id, const struct opts *o, struct bx_err *e)
{
	json_t *create;
	struct ctr_state s;
	struct bx_err ign = {0};
	int sig, timeout, running;

	if (ctr_create_read_opt (dfd, &create, e) < 0)
		return -1;
	ctrsig_stop_params (create, &sig, &timeout);
	json_decref (create);
	running = ctr_state_read (dfd, &s, &ign) == 0 && (ctr_state_settle (&s), !strcmp (s.status, "running"));
	if (running)
		kill_event (rootfd, id, o->sig ? o->sig : sig);
	if (ctrsig_stop (rootfd, dfd, id, o->sig ? o->sig : sig, o->timeout >= 0 ? o->timeout : timeout, e) < 0)
		return -1;
	if (running)
		event_ctr (rootfd, id, "stop", NULL, NULL);
	return 0;
}

static int
one (int rootfd, const char *what, const char *id, void *arg, struct bx_err *e)
{
	const struct opts *o = arg;
	_cleanup_close_ int dfd = ctr_open (rootfd, id, e);
	struct ctr_state s;
	struct bx_err ign = {0};

	if (dfd < 0)
		return -1;
	/* one whose supervisor was killed: its end recorded first */
	if (ctr_state_read (dfd, &s, &ign) == 0 && ctrrm_reap_lost (rootfd, dfd, id, &s) > 0)
		return err_set (e, BX_NOTFOUND, 0, "No such container: %s", what);
	if (o->stop)
		return stop_one (rootfd, dfd, id, o, e);
	return kill_one (rootfd, dfd, what, id, o->sig ? o->sig : SIGKILL, e);
}

/* docker kill words a miss as a failed kill; docker stop does not */
static void
report_kill (const char *what, const struct bx_err *e)
{
	struct bx_err k;

	if (!e || e->code != BX_NOTFOUND) {
		err_report_each (what, e);
		return;
	}
	k = *e;
	snprintf (k.msg, sizeof k.msg, "Cannot kill container: %s: %s", what, e->msg);
	err_report_each (what, &k);
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
	return ctr_each (rootfd, argv + optind, argc - optind, one, &o, o.stop ? err_report_each : report_kill);
}
