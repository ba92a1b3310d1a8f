/*
 * ctr-wait - wait for containers to stop and print their exit codes (docker wait)
 *
 * usage:  ctr-wait [--root DIR] CONTAINER...
 * stdin:  unused
 * stdout: each container's exit code, one per line, in argument order
 * reads:  containers/<id>/state, create.json (the restart policy)
 * writes: containers/<id>/state of a container whose supervisor was
 *         killed (the exit recorded, its cgroups removed; ctrrm_reap_lost)
 * locks:  containers/<id>/lock, shared and blocking: it is granted when the
 *         supervisor (or the attached ctr-spawn) has recorded the exit; a
 *         container with a restart policy is waited for until its next exit
 *         is recorded in state (inotify), as Docker returns then too, while
 *         the supervisor keeps the lock to start it again
 * exit:   0 ok, 1 a container was not found (Docker's "Error response
 *         from daemon: No such container: X"), 2 usage
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/layout.h"
#include "base/root.h"
#include "runtime/ctr.h"
#include "runtime/ctrrm.h"
#include "runtime/ctrsig.h"

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] CONTAINER...\n", bx_prog);
	exit (err_code (BX_USAGE));
}

/* S's run ended: exited, or a newer exit recorded while it waits to
 * restart (FINISHED: the last exit when we began) */
static int
run_ended (const struct ctr_state *s, const char *finished)
{
	return !strcmp (s->status, "exited") || !strcmp (s->status, "created") ||
	       (!strcmp (s->status, "restarting") && strcmp (s->finished, finished));
}

/* A container whose restart policy may start it again: its supervisor
 * keeps the lock across restarts, so its next exit is watched for in
 * state (rewritten by rename: IN_MOVED_TO; in place on a full disk:
 * IN_CLOSE_WRITE) and in its supervisor's life (a pidfd: a killed one
 * records nothing, settling tells). The watch comes first: no exit is
 * missed between the first read and the wait. */
static int
next_exit (int dfd, struct ctr_state *s, struct bx_err *e)
{
	_cleanup_close_ int in = inotify_init1 (IN_CLOEXEC), mon = -1;
	char finished[CTR_TIME_LEN] = "", buf[4096];
	int lost = 0;

	snprintf (buf, sizeof buf, "/proc/self/fd/%d", dfd);
	if (in < 0 || inotify_add_watch (in, buf, IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF) < 0)
		return err_set (e, BX_SYSTEM, errno, "inotify");
	for (int first = 1;; first = 0) {
		struct pollfd p[2] = {{in, POLLIN, 0}, {-1, POLLIN, 0}};
		struct ctr_state now;
		if (ctr_state_read (dfd, s, e) < 0)
			return e->code == BX_NOTFOUND ? (*e = (struct bx_err){0}, 0) : -1;
		if (first && s->monitor > 0 && (mon = pidfd_open (s->monitor, 0)) >= 0 &&
		    ctr_proc_start_time (s->monitor) != s->monitor_start) {
			close (mon);
			mon = -1;
		}
		lost |= first && s->monitor > 0 && mon < 0;
		/* S stays as read: the caller records a lost one
		 * (ctrrm_reap_lost). While its supervisor lives, only what it
		 * recorded counts: a payload gone and not yet recorded is not
		 * an exit of 255 */
		now = *s;
		if (lost)
			ctr_state_settle (&now);
		if (first && !strcmp (now.status, "restarting"))
			snprintf (finished, sizeof finished, "%s", now.finished);
		if (run_ended (&now, finished))
			return 0;
		p[1].fd = mon;
		if (poll (p, 2, -1) < 0 && errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "poll");
		if (p[0].revents && read (in, buf, sizeof buf) < 0)
			return err_set (e, BX_SYSTEM, errno, "inotify");
		if (p[1].revents) {
			close (mon);
			mon = -1;
			lost = 1;
		}
	}
}

/* Not running any more: the lock granted (the supervisor recorded the
 * exit and let go, or died). */
static int
wait_one (int rootfd, const char *what, int *code, struct bx_err *e)
{
	_cleanup_close_ int dfd = -1;
	char id[CTR_ID_LEN + 1];
	struct ctr_state s;

	json_t *create = NULL;
	int again;

	if (ctr_resolve (rootfd, what, id, e) < 0 || (dfd = ctr_open (rootfd, id, e)) < 0 ||
	    ctr_create_read_opt (dfd, &create, e) < 0)
		return -1;
	again = ctrsig_restarts (create);
	json_decref (create);
	if (again) {
		if (next_exit (dfd, &s, e) < 0)
			return -1;
		ctrrm_reap_lost (rootfd, dfd, id, &s);
		*code = s.exit_code;
		return 0;
	}
	if (ctrsig_recorded_wait (dfd, e) < 0)
		return -1;
	if (ctr_state_read (dfd, &s, e) < 0) {
		*code = 0; /* created and never started: not running */
		return e->code == BX_NOTFOUND ? 0 : -1;
	}
	/* still "running" with the lock free: its supervisor was killed, and
	 * the container with it; the exit is recorded now, by us */
	ctrrm_reap_lost (rootfd, dfd, id, &s);
	*code = s.exit_code;
	return 0;
}

int
main (int argc, char **argv)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'}, {0, 0, 0, 0}};
	struct bx_err e = {0};
	const char *root = NULL;
	int c, rootfd, rc = 0;

	err_prog_init (argv[0]);
	while ((c = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		if (c != 'R')
			usage ();
		root = optarg;
	}
	if (optind == argc)
		usage ();
	if ((rootfd = root_open (root, &e)) < 0)
		return err_report (&e);
	for (int i = optind; i < argc; i++) {
		int code;
		memset (&e, 0, sizeof e);
		if (wait_one (rootfd, argv[i], &code, &e) < 0) {
			fprintf (stderr, "Error response from daemon: %s\n", e.msg);
			rc = BX_FAIL;
			continue;
		}
		printf ("%d\n", code);
		fflush (stdout);
	}
	return rc;
}
