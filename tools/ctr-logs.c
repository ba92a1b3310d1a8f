/*
 * ctr-logs - print a container's output (docker logs)
 *
 * usage:  ctr-logs [--root DIR] [-f] [-t] [-n|--tail N|all] [--since T] [--until T] CONTAINER
 * stdin:  unused
 * stdout: the container's standard output lines (its standard error lines
 *         go to standard error), each after its time with -t
 * reads:  containers/<id>/log (CRI: "TIME STREAM F|P TEXT" per line) and
 *         the rotated log.N ... log.1 before it, containers/<id>/state,
 *         create.json (HostConfig.LogConfig, RestartPolicy)
 * writes: nothing
 * locks:  with -f, containers/<id>/lock (shared, blocking) once the
 *         container's process ended, so the supervisor's last lines are in
 * exit:   0 ok, 1 no such container (Docker's "Error: No such
 *         container: X") or a container logged to none
 *         ("configured logging driver does not support reading"), 2
 *         usage, 5 system error
 *
 * -f follows with inotify on the container directory and a pidfd on its
 * process: no polling sleeps; it ends when the container stops. --tail
 * reads from the end of the log (ctr-logs/logread): its memory does not
 * grow with the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/layout.h"
#include "base/root.h"
#include "runtime/ctr.h"
#include "runtime/ctrsig.h"
#include "ctr-logs/crirec.h"
#include "ctr-logs/logread.h"

struct opts {
	const char *root, *ctr;
	int follow, stamps;
	long tail;            /* -1: all */
	int64_t since, until; /* ns since the epoch; 0: no bound */
};

/* The log being read; each stream knows whether it is at the start of a
 * line. */
struct reader {
	struct logread log;
	int midline[2];
	const struct opts *o;
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] [-f] [-t] [-n N|all] [--since T] [--until T] CONTAINER\n", bx_prog);
	exit (err_code (BX_USAGE));
}

/* Go's time.ParseDuration for the units docker logs users write. */
static int
parse_duration (const char *s, int64_t *ns)
{
	static const struct {
		const char *u;
		int64_t ns;
	} units[] = {{"ns", 1},         {"us", 1000},         {"ms", 1000000},
	             {"s", 1000000000}, {"m", 60000000000LL}, {"h", 3600000000000LL}};
	int64_t total = 0;
	char *end;

	if (!*s)
		return -1;
	while (*s) {
		double v = strtod (s, &end);
		size_t k, best = 0, blen = 0;
		if (end == s)
			return -1;
		for (k = 0; k < sizeof units / sizeof *units; k++)
			if (!strncmp (end, units[k].u, strlen (units[k].u)) && strlen (units[k].u) > blen)
				best = k, blen = strlen (units[k].u);
		if (!blen)
			return -1;
		total += (int64_t)(v * (double)units[best].ns);
		s = end + blen;
	}
	*ns = total;
	return 0;
}

/* N digits at *S into *V */
static int
num (const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		*v = *v * 10 + (**s - '0');
	}
	return 0;
}

/* A time as Docker's GetTimestamp takes it: a date, then T and the hour,
 * minutes and seconds each optional, a fraction after '.' or ',', a zone
 * (Z, +hh:mm) or none for local time; to nanoseconds. */
static int
parse_time_ns (const char *s, int64_t *ns)
{
	struct tm tm = {.tm_isdst = -1};
	int64_t frac = 0, off = 0;
	int digits = 0, zoned = 0, h = 0, m = 0;
	time_t t;

	if (num (&s, 4, &tm.tm_year) < 0 || *s++ != '-' || num (&s, 2, &tm.tm_mon) < 0 || *s++ != '-' ||
	    num (&s, 2, &tm.tm_mday) < 0)
		return -1;
	if ((*s == 'T' || *s == 't') && (s++, num (&s, 2, &tm.tm_hour) < 0))
		return -1;
	if (*s == ':' && (s++, num (&s, 2, &tm.tm_min) < 0))
		return -1;
	if (*s == ':' && (s++, num (&s, 2, &tm.tm_sec) < 0))
		return -1;
	if (*s == '.' || *s == ',')
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (digits++ < 9)
				frac = frac * 10 + (*s - '0');
	while (digits++ < 9)
		frac *= 10;
	if (*s == 'Z' || *s == 'z')
		zoned = 1, s++;
	else if ((*s == '+' || *s == '-') && s[1]) {
		int sign = *s++ == '-' ? -1 : 1;
		if (num (&s, 2, &h) < 0)
			return -1;
		if (*s == ':')
			s++;
		if (num (&s, 2, &m) < 0)
			return -1;
		zoned = 1, off = sign * (h * 3600 + m * 60);
	}
	if (*s || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = zoned ? timegm (&tm) - off : mktime (&tm);
	*ns = (int64_t)t * 1000000000LL + frac;
	return 0;
}

/* docker logs --since/--until: a time, Unix seconds, or a duration ago. */
static int64_t
parse_bound (const char *s, const char *flag)
{
	struct timespec now;
	int64_t v;
	char *end;
	double secs;

	clock_gettime (CLOCK_REALTIME, &now);
	if (parse_time_ns (s, &v) == 0)
		return v;
	if (parse_duration (s, &v) == 0)
		return (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec - v;
	secs = strtod (s, &end);
	if (end != s && !*end)
		return (int64_t)(secs * 1e9);
	/* docker logs parses it in the CLI: its words, not the daemon's */
	if (err_docker ()) {
		fprintf (stderr, "invalid value for \"%s\": failed to parse value as time or duration: \"%s\"\n", flag,
		         s);
		exit (1);
	}
	err_die (BX_USAGE, "invalid value for \"%s\": failed to parse value as time or duration: \"%s\"", flag, s);
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	enum { O_SINCE = 256, O_UNTIL };
	static const struct option lo[] = {
	    {"root", required_argument, NULL, 'R'},      {"follow", no_argument, NULL, 'f'},
	    {"timestamps", no_argument, NULL, 't'},      {"tail", required_argument, NULL, 'n'},
	    {"since", required_argument, NULL, O_SINCE}, {"until", required_argument, NULL, O_UNTIL},
	    {"details", no_argument, NULL, 'D'},         {0, 0, 0, 0}};
	char *end;
	int c;

	o->tail = -1;
	while ((c = getopt_long (argc, argv, "ftn:", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'f': o->follow = 1; break;
		case 't': o->stamps = 1; break;
		case 'n':
			o->tail = strcmp (optarg, "all") ? strtol (optarg, &end, 10) : -1;
			if (strcmp (optarg, "all") && (*end || end == optarg))
				err_die (BX_USAGE, "invalid value for \"--tail\": %s", optarg);
			if (o->tail < 0)
				o->tail = -1; /* Docker: a negative count is all */
			break;
		case O_SINCE: o->since = parse_bound (optarg, "since"); break;
		case O_UNTIL: o->until = parse_bound (optarg, "until"); break;
		case 'D': break; /* no log options here: nothing to add */
		default: err_flag (argv); usage ();
		}
	}
	if (argc - optind != 1)
		usage ();
	o->ctr = argv[optind];
}

/* --- records -------------------------------------------------------------- */

static int
in_bounds (const struct opts *o, const struct crirec *r)
{
	char t[CTR_TIME_LEN];
	int64_t ns;

	if (!o->since && !o->until)
		return 1;
	snprintf (t, sizeof t, "%.*s", (int)r->tlen, r->time);
	if (parse_time_ns (t, &ns) < 0)
		return 1;
	return (!o->since || ns >= o->since) && (!o->until || ns <= o->until);
}

static void
emit (struct reader *rd, const struct crirec *r)
{
	int fd = r->err ? 2 : 1;

	if (!in_bounds (rd->o, r))
		return;
	if (rd->o->stamps && !rd->midline[r->err]) {
		afile_write_all (fd, r->time, r->tlen);
		afile_write_all (fd, " ", 1);
	}
	afile_write_all (fd, r->text, r->textlen);
	if (!r->partial)
		afile_write_all (fd, "\n", 1);
	rd->midline[r->err] = r->partial;
}

/* Print the records the log has now. */
static int
drain (struct reader *rd, struct bx_err *e)
{
	struct crirec r;
	int k;

	while ((k = logread_next (&rd->log, &r, e)) > 0)
		emit (rd, &r);
	return k;
}

/* -f: what the log has now, and the new log of a rotation since */
static int
catch_up (struct reader *rd, struct bx_err *e)
{
	int k;

	do {
		if (drain (rd, e) < 0)
			return -1;
	} while ((k = logread_refresh (&rd->log, e)) > 0);
	return k;
}

/* Docker's LogConfig.Type "none": no log to read */
static int
is_logged (json_t *create)
{
	const char *type = json_string_value (
	    json_object_get (json_object_get (json_object_get (create, "HostConfig"), "LogConfig"), "Type"));

	return !type || strcmp (type, "none");
}

/* --- following ------------------------------------------------------------- */

static int
is_running (int dfd, struct ctr_state *s)
{
	struct bx_err ign;

	if (ctr_state_read (dfd, s, &ign) < 0)
		return 0;
	ctr_state_settle (s);
	return !strcmp (s->status, "running");
}

/* Until the container stops: each change of the directory (log written,
 * state replaced) is looked at; the end of the process is the pidfd. */
static int
follow (int dfd, struct reader *rd, int restarts, struct bx_err *e)
{
	_cleanup_close_ int in = inotify_init1 (IN_CLOEXEC), pidfd = -1;
	char ev[4096] __attribute__ ((aligned (__alignof__(struct inotify_event))));
	struct ctr_state s;
	struct pollfd p[2];
	char path[64];

	snprintf (path, sizeof path, "/proc/self/fd/%d", dfd);
	if (in < 0 || inotify_add_watch (in, path, IN_MODIFY | IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE) < 0)
		return err_set (e, BX_SYSTEM, errno, "inotify");
	/* a change between the first read and the watch must not be missed */
	if (catch_up (rd, e) < 0)
		return -1;
	while (is_running (dfd, &s)) {
		if (pidfd < 0 && (pidfd = ctrsig_pidfd (&s, e)) < 0)
			break;
		p[0] = (struct pollfd){.fd = in, .events = POLLIN};
		p[1] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		if (poll (p, 2, -1) < 0 && errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "poll");
		if (p[0].revents && read (in, ev, sizeof ev) < 0 && errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "inotify");
		if (p[1].revents)
			break;
		if (catch_up (rd, e) < 0)
			return -1;
	}
	/* the process ended: its supervisor records the exit after the last
	 * output, and lets the lock go unless it restarts the container (then
	 * what was written is all there is) */
	if (!restarts && ctrsig_recorded_wait (dfd, e) < 0)
		return -1;
	return catch_up (rd, e);
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct reader rd = {.o = &o};
	_cleanup_close_ int dfd = -1;
	char id[CTR_ID_LEN + 1];
	json_t *create = NULL;
	int rootfd, rc = 0, restarts;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if ((rootfd = root_open (o.root, &e)) < 0)
		return err_report (&e);
	/* docker logs inspects the container first: a miss is the CLI's "Error:" */
	if (ctr_resolve (rootfd, o.ctr, id, &e) < 0 || (dfd = ctr_open (rootfd, id, &e)) < 0) {
		fprintf (stderr, "%s%s\n", e.code == BX_NOTFOUND ? "Error: " : "Error response from daemon: ", e.msg);
		return BX_FAIL;
	}
	if (ctr_create_read_opt (dfd, &create, &e) < 0)
		return err_report (&e);
	restarts = ctrsig_restarts (create);
	if (!is_logged (create)) {
		json_decref (create);
		fprintf (stderr, "Error response from daemon: configured logging driver does not support reading\n");
		return BX_FAIL;
	}
	json_decref (create);
	/* a container never started has no log yet: nothing to show */
	if (logread_open (&rd.log, dfd, &e) < 0 || logread_tail (&rd.log, o.tail, &e) < 0 || drain (&rd, &e) < 0 ||
	    (o.follow && follow (dfd, &rd, restarts, &e) < 0))
		rc = err_report (&e);
	logread_close (&rd.log);
	return rc;
}
