#include "ocievents.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/human.h"
#include "ocistate.h"
#include "runtime/cgroup.h"
#include "runtime/ctrstats.h"

/* runc's event: {"type": TYPE, "id": ID, "data": DATA} on one line */
static void
event_print (const char *type, const char *id, json_t *data)
{
	json_t *ev = json_pack ("{s:s, s:s}", "type", type, "id", id);
	char *text;

	if (data)
		json_object_set (ev, "data", data);
	if (ev && (text = json_dumps (ev, JSON_COMPACT))) {
		puts (text);
		fflush (stdout);
		free (text);
	}
	json_decref (ev);
}

/* the figures as runc's stats types name them */
static json_t *
stats_json (const struct ctrstats *s)
{
	return json_pack ("{s:{s:{s:I}}, s:{s:{s:I, s:I}}, s:{s:I}, s:{s:[{s:s, s:I}, {s:s, s:I}]}}", "cpu", "usage",
	                  "total", (json_int_t)s->cpu_ns, "memory", "usage", "usage", (json_int_t)s->mem_usage, "limit",
	                  (json_int_t)s->mem_limit, "pids", "current", (json_int_t)s->pids, "blkio",
	                  "ioServiceBytesRecursive", "op", "Read", "value", (json_int_t)s->blk_read, "op", "Write",
	                  "value", (json_int_t)s->blk_write);
}

static int
stats_once (const struct ocistate *st, struct bx_err *e)
{
	struct ctrstats s;
	json_t *d;

	if (ctrstats_read_cgroup (st->cgroup, st->pid, &s, e) < 0)
		return -1;
	d = stats_json (&s);
	event_print ("stats", st->id, d);
	json_decref (d);
	return 0;
}

/* OOM kills since the last look, from the memory cgroup's count */
static long
oom_kills (const char *cgroup)
{
	struct cgroup cg;
	struct bx_err ign = {0};
	long n;

	if (cgroup_open (&cg, cgroup, &ign) < 0)
		return 0;
	n = cgroup_oom_kills (&cg);
	cgroup_close (&cg);
	return n;
}

/* every INTERVAL ns the figures, and an "oom" event per kill, until the
 * container stops */
static int
follow (int rootfd, const struct ocistate *st, int64_t interval, struct bx_err *e)
{
	struct timespec tick = {(time_t)(interval / 1000000000), (long)(interval % 1000000000)};
	long ooms = oom_kills (st->cgroup), now;

	for (;;) {
		int stopped = ocistate_status (rootfd, st) == OCI_STOPPED;
		/* a kill that ended it is told too: the cgroup stays until delete */
		if ((now = oom_kills (st->cgroup)) > ooms)
			event_print ("oom", st->id, NULL);
		ooms = now > ooms ? now : ooms;
		if (stopped)
			return 0;
		if (stats_once (st, e) < 0)
			return e->code == BX_NOTFOUND ? (*e = (struct bx_err){0}, 0) : -1;
		nanosleep (&tick, NULL);
	}
}

int
ocievents_events (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	static const struct option lo[] = {
	    {"stats", no_argument, NULL, 's'}, {"interval", required_argument, NULL, 'i'}, {0, 0, 0, 0}};
	int64_t interval = 5000000000LL;
	struct ocistate st;
	int stats = 0, c, rootfd, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long (argc, argv, "+", lo, NULL)) != -1) {
		if (c == 's')
			stats = 1;
		else if (c == 'i' && human_go_duration_parse (optarg, &interval) == 0 && interval > 0)
			continue;
		else if (c == 'i')
			return err_set (e, BX_USAGE, 0, "invalid value \"%s\" for flag --interval", optarg);
		else
			return err_set (e, BX_USAGE, 0, "flag provided but not defined: %s", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return err_set (e, BX_USAGE, 0, "\"events\" requires exactly 1 argument(s)");
	if ((rootfd = ocistate_root_open (g->root, 0, e)) < 0)
		return err_set (e, BX_NOTFOUND, 0, "container does not exist");
	if ((r = ocistate_load (rootfd, argv[optind], &st, e)) == 0) {
		if (ocistate_status (rootfd, &st) == OCI_STOPPED)
			r = err_set (e, BX_FAIL, 0, "container with id %s is not running", st.id);
		else
			r = stats ? stats_once (&st, e) : follow (rootfd, &st, interval, e);
		ocistate_free (&st);
	}
	close (rootfd);
	return r;
}
