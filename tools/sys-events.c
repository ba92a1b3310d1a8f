/*
 * sys-events - the state directory's events, as docker events shows them
 *
 * usage:  sys-events [--root DIR] [--since T] [--until T] [-f KEY=VALUE]...
 *                    [--format TEMPLATE]
 * stdin:  unused
 * stdout: one event a line: "TIME TYPE ACTION ID (k=v, ...)", or the
 *         template's rendering of Docker's events.Message ({{json .}}: its
 *         JSON)
 * reads:  events.1, events (lib/runtime/event); follows events (inotify)
 *         until --until, or until killed when it is not given
 * writes: nothing
 * exit:   0 ok (--until reached), 1 a bad time, 64 a bad template, 125 a
 *         bad filter or flag (docker events' codes)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/gotmpl.h"
#include "base/human.h"
#include "base/layout.h"
#include "base/listfmt.h"
#include "base/root.h"
#include "runtime/event.h"

#define FILTERS_MAX 64
#define EXIT_FLAG 125
#define EXIT_TEMPLATE 64

struct opts {
	const char *root;
	int64_t since, until; /* ns */
	int has_since, has_until;
	const char *fkeys[FILTERS_MAX], *fvals[FILTERS_MAX];
	size_t nf;
	const char *format;
	struct gotmpl *tmpl;
	int json; /* --format '{{json .}}': the message's JSON tags */
};

static void __attribute__ ((noreturn)) usage (int code)
{
	fprintf (code ? stderr : stdout,
	         "usage: %s [--root DIR] [--since T] [--until T] [-f KEY=VALUE]... [--format TEMPLATE]\n", bx_prog);
	exit (code);
}

static int64_t
now_ns (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* docker's timetypes.GetTimestamp: a Go duration ago, an RFC 3339 time,
 * or Unix seconds with a fraction */
static int64_t
parse_time (const char *s)
{
	int64_t v, frac = 0;
	const char *dot;
	char *end;
	int digits = 0;

	/* "0" is the epoch there, not a duration */
	if (strcmp (s, "0") && human_go_duration_parse (s, &v) == 0)
		return now_ns () - v;
	if (human_time_parse (s, &v) == 0) {
		if ((dot = strchr (s, '.')))
			for (dot++; *dot >= '0' && *dot <= '9'; dot++, digits++)
				if (digits < 9)
					frac = frac * 10 + (*dot - '0');
		for (; digits < 9; digits++)
			frac *= 10;
		return v * 1000000000LL + frac;
	}
	errno = 0;
	v = strtoll (s, &end, 10);
	if (end != s && !errno && (!*end || *end == '.')) {
		for (dot = *end ? end + 1 : end; *dot >= '0' && *dot <= '9' && digits < 9; dot++, digits++)
			frac = frac * 10 + (*dot - '0');
		if (!*dot) {
			for (; digits < 9; digits++)
				frac *= 10;
			return v * 1000000000LL + frac;
		}
	}
	/* docker events parses it in the CLI: its words, not the daemon's */
	if (err_docker ()) {
		fprintf (stderr, "failed to parse value as time or duration: \"%s\"\n", s);
		exit (1);
	}
	err_die (BX_FAIL, "failed to parse value as time or duration: \"%s\"", s);
}

static void
add_filter (struct opts *o, char *arg)
{
	char *eq = strchr (arg, '=');

	if (!eq)
		err_die (
		    EXIT_FLAG,
		    "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter (expected name=value)",
		    arg);
	if (o->nf == FILTERS_MAX)
		err_die (EXIT_FLAG, "too many filters");
	*eq = '\0';
	o->fkeys[o->nf] = arg;
	o->fvals[o->nf++] = eq + 1;
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	enum { O_SINCE = 256, O_UNTIL, O_FORMAT };
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"since", required_argument, NULL, O_SINCE},
	                                   {"until", required_argument, NULL, O_UNTIL},
	                                   {"filter", required_argument, NULL, 'f'},
	                                   {"format", required_argument, NULL, O_FORMAT},
	                                   {"help", no_argument, NULL, 'H'},
	                                   {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "f:", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case O_SINCE: o->since = parse_time (optarg), o->has_since = 1; break;
		case O_UNTIL: o->until = parse_time (optarg), o->has_until = 1; break;
		case 'f': add_filter (o, optarg); break;
		case O_FORMAT: o->format = optarg; break;
		case 'H': usage (0);
		default: err_flag (argv); usage (EXIT_FLAG);
		}
	}
	if (optind != argc)
		usage (EXIT_FLAG);
}

/* --- filters: moby's daemon/events/filter.go ----------------------------- */

/* no filter KEY, or one equal to S (FUZZY: a prefix of S) */
static int
match (const struct opts *o, const char *key, const char *s, int fuzzy)
{
	int any = 0;

	for (size_t i = 0; i < o->nf; i++) {
		if (strcmp (o->fkeys[i], key))
			continue;
		any = 1;
		if (s && (!strcmp (o->fvals[i], s) || (fuzzy && !strncmp (s, o->fvals[i], strlen (o->fvals[i])))))
			return 1;
	}
	return !any;
}

/* the id or the name attribute, by prefix */
static int
match_name (const struct opts *o, const char *key, const struct event *ev)
{
	return match (o, key, ev->id, 1) || match (o, key, event_attr (ev, "name"), 1);
}

/* "exec_start" finds "exec_start: sh": fuzzy for those three, as moby */
static int
match_action (const struct opts *o, const struct event *ev)
{
	for (size_t i = 0; i < o->nf; i++)
		if (!strcmp (o->fkeys[i], "event") &&
		    (!strcmp (o->fvals[i], "exec_create") || !strcmp (o->fvals[i], "exec_start") ||
		     !strcmp (o->fvals[i], "health_status")))
			return match (o, "event", ev->action, 1);
	return match (o, "event", ev->action, 0);
}

/* an image filter: the id or the name, with or without its tag */
static int
match_image (const struct opts *o, const struct event *ev)
{
	const char *name = event_attr (ev, strcmp (ev->type, "image") ? "image" : "name");
	const char *cands[4] = {ev->id, name, NULL, NULL};
	char bare[2][512];

	for (int k = 0; k < 2; k++) {
		const char *s = cands[k], *colon = s ? strrchr (s, ':') : NULL;
		if (colon && !strchr (colon, '/') && strncmp (s, "sha256:", 7)) {
			snprintf (bare[k], sizeof bare[k], "%.*s", (int)(colon - s), s);
			cands[2 + k] = bare[k];
		}
	}
	for (int k = 0; k < 4; k++)
		if (cands[k] && match (o, "image", cands[k], 0))
			return 1;
	return match (o, "image", NULL, 0);
}

/* every label filter, "k" or "k=v", among the attributes */
static int
match_labels (const struct opts *o, const struct event *ev)
{
	for (size_t i = 0; i < o->nf; i++) {
		char k[256];
		const char *eq, *v;
		if (strcmp (o->fkeys[i], "label"))
			continue;
		eq = strchr (o->fvals[i], '=');
		snprintf (k, sizeof k, "%.*s", eq ? (int)(eq - o->fvals[i]) : (int)strlen (o->fvals[i]), o->fvals[i]);
		if (!(v = event_attr (ev, k)) || (eq && strcmp (v, eq + 1)))
			return 0;
	}
	return 1;
}

static int
included (const struct opts *o, const struct event *ev)
{
	return (!o->has_since || ev->time_ns >= o->since) && (!o->has_until || ev->time_ns <= o->until) &&
	       match_action (o, ev) && match (o, "type", ev->type, 0) && match (o, "scope", "local", 0) &&
	       match_name (o, "container", ev) && match_name (o, "volume", ev) && match_name (o, "network", ev) &&
	       match_image (o, ev) && match_labels (o, ev);
}

/* --- output --------------------------------------------------------------- */

/* RFC3339NanoFixed in local time, as the docker client prints it */
static void
time_fixed (int64_t ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char base[32], zone[8];
	long off;

	localtime_r (&s, &tm);
	strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	if (off)
		snprintf (zone, sizeof zone, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs (off) / 60, labs (off) % 60);
	else
		snprintf (zone, sizeof zone, "Z");
	snprintf (buf, len, "%s.%09lld%s", base, (long long)(ns % 1000000000LL), zone);
}

static int
cmp_keys (const void *a, const void *b)
{
	return strcmp (**(const char *const *const *)a, **(const char *const *const *)b);
}

static int
print_line (const struct event *ev)
{
	char t[64];
	const char **order[EVENT_ATTRS_MAX];

	time_fixed (ev->time_ns, t, sizeof t);
	printf ("%s %s %s %s", t, ev->type, ev->action, ev->id);
	for (size_t i = 0; i < ev->n; i++)
		order[i] = (const char **)&ev->keys[i];
	if (ev->n)
		qsort (order, ev->n, sizeof order[0], cmp_keys);
	for (size_t i = 0; i < ev->n; i++) {
		size_t at = (size_t)(order[i] - ev->keys);
		printf ("%s%s=%s", i ? ", " : " (", ev->keys[at], ev->vals[at]);
	}
	return printf ("%s\n", ev->n ? ")" : "");
}

/* the attributes in key order: Go's json marshals a map so */
static json_t *
attributes (const struct event *ev)
{
	const char **order[EVENT_ATTRS_MAX];
	json_t *attrs = json_object ();

	for (size_t i = 0; i < ev->n; i++)
		order[i] = (const char **)&ev->keys[i];
	if (ev->n)
		qsort (order, ev->n, sizeof order[0], cmp_keys);
	for (size_t i = 0; i < ev->n; i++) {
		size_t at = (size_t)(order[i] - ev->keys);
		json_object_set_new (attrs, ev->keys[at], json_string (ev->vals[at]));
	}
	return attrs;
}

/* events.Message, its fields in its order: Go's names for templates,
 * its JSON tags for json (status, id and from only where Docker still
 * sets them: container and image events, from a container's) */
static json_t *
message (const struct event *ev, int tags)
{
	int legacy = !strcmp (ev->type, "container") || !strcmp (ev->type, "image");
	const char *from = strcmp (ev->type, "container") ? NULL : event_attr (ev, "image");
	json_t *m = json_object ();

	if (!tags || legacy) {
		json_object_set_new (m, tags ? "status" : "Status", json_string (legacy ? ev->action : ""));
		json_object_set_new (m, tags ? "id" : "ID", json_string (legacy ? ev->id : ""));
	}
	if (!tags || from)
		json_object_set_new (m, tags ? "from" : "From", json_string (from ? from : ""));
	json_object_set_new (m, "Type", json_string (ev->type));
	json_object_set_new (m, "Action", json_string (ev->action));
	json_object_set_new (m, "Actor", json_pack ("{s:s, s:o}", "ID", ev->id, "Attributes", attributes (ev)));
	json_object_set_new (m, tags ? "scope" : "Scope", json_string ("local"));
	json_object_set_new (m, tags ? "time" : "Time", json_integer (ev->time_ns / 1000000000LL));
	json_object_set_new (m, tags ? "timeNano" : "TimeNano", json_integer (ev->time_ns));
	return m;
}

static int
print_format (const struct opts *o, const struct event *ev)
{
	const struct gotmpl_opts go = {.missing = GOTMPL_MISSING_NOVALUE, .type = "*events.Message"};
	json_t *m = message (ev, o->json);
	_cleanup_free_ char *out = NULL;
	struct bx_err e = {0};
	int rc;

	if (!m)
		err_die (BX_SYSTEM, "out of memory");
	if (o->json)
		out = listfmt_json_dumps_go (m, JSON_COMPACT | JSON_PRESERVE_ORDER);
	else if (gotmpl_exec (o->tmpl, m, &go, &out, &e) < 0) {
		fprintf (stderr, "Error parsing format: %s\n", e.msg);
		exit (EXIT_TEMPLATE);
	}
	json_decref (m);
	rc = printf ("%s\n", out ? out : "");
	return rc;
}

/* LINE, when it is a record the filters let through */
static void
emit (const struct opts *o, char *line)
{
	struct event ev;

	if (event_parse (line, &ev) < 0 || !included (o, &ev))
		return;
	if ((o->format ? print_format (o, &ev) : print_line (&ev)) < 0)
		exit (0); /* a closed pipe ends us quietly */
}

/* --- reading and following -------------------------------------------------- */

/* what is read of one log: its fd, where it is, a line begun */
struct tail {
	int fd;
	char buf[EVENT_LINE_MAX];
	size_t len;
};

/* every whole line FD has now */
static void
tail_read (const struct opts *o, struct tail *t)
{
	ssize_t n;

	while (t->fd >= 0 && (n = read (t->fd, t->buf + t->len, sizeof t->buf - t->len)) > 0) {
		char *start = t->buf, *nl;
		t->len += (size_t)n;
		while ((nl = memchr (start, '\n', t->len - (size_t)(start - t->buf)))) {
			*nl = '\0';
			emit (o, start);
			start = nl + 1;
		}
		t->len -= (size_t)(start - t->buf);
		memmove (t->buf, start, t->len);
		if (t->len == sizeof t->buf) /* no record is that long: not ours */
			t->len = 0;
	}
	fflush (stdout);
	if (ferror (stdout))
		exit (0);
}

/* the log now named events, when it is another file than T's */
static int
tail_renamed (int rootfd, const struct tail *t)
{
	struct stat a, b;

	if (fstatat (rootfd, L_EVENTS, &b, 0) < 0)
		return 0;
	return t->fd < 0 || fstat (t->fd, &a) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

static void
tail_switch (int rootfd, const struct opts *o, struct tail *t)
{
	tail_read (o, t);
	if (t->fd >= 0)
		close (t->fd);
	t->len = 0;
	t->fd = openat (rootfd, L_EVENTS, O_RDONLY | O_CLOEXEC);
	/* what it has already: its inotify events may have been read with the old file's */
	tail_read (o, t);
}

/* the ms until --until; -1 without one */
static int
until_ms (const struct opts *o)
{
	int64_t left;

	if (!o->has_until)
		return -1;
	left = (o->until - now_ns ()) / 1000000 + 1;
	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* new records as they come, until --until */
static void
follow (int rootfd, int in, const struct opts *o, struct tail *t)
{
	struct pollfd p = {in, POLLIN, 0};
	char ev[4096];

	while (!o->has_until || now_ns () < o->until) {
		if (poll (&p, 1, until_ms (o)) < 0 && errno != EINTR)
			err_die (BX_SYSTEM, "poll: %s", strerror (errno));
		if (p.revents && read (in, ev, sizeof ev) < 0 && errno != EINTR && errno != EAGAIN)
			err_die (BX_SYSTEM, "inotify: %s", strerror (errno));
		tail_read (o, t);
		if (tail_renamed (rootfd, t))
			tail_switch (rootfd, o, t);
	}
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	static struct tail t = {.fd = -1};
	int rootfd, in = -1;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if (o.format && strcmp (o.format, "{{json .}}") == 0)
		o.json = 1;
	else if (o.format && gotmpl_parse (o.format, &o.tmpl, &e) < 0) {
		fprintf (stderr, "Error parsing format: %s\n", e.msg);
		return EXIT_TEMPLATE;
	}
	if ((rootfd = root_open (o.root, &e)) < 0)
		return err_report (&e);
	/* watched before anything is read: no record falls between */
	if ((!o.has_until || o.until > now_ns ()) &&
	    ((in = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK)) < 0 ||
	     inotify_add_watch (in, root_path (o.root), IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0))
		err_die (BX_SYSTEM, "inotify %s: %s", root_path (o.root), strerror (errno));
	t.fd = openat (rootfd, L_EVENTS_OLD, O_RDONLY | O_CLOEXEC);
	if (o.has_since || o.has_until)
		tail_read (&o, &t);
	if (t.fd >= 0)
		close (t.fd);
	t.fd = openat (rootfd, L_EVENTS, O_RDONLY | O_CLOEXEC);
	/* no --since nor --until: what comes from now on */
	if (!o.has_since && !o.has_until && t.fd >= 0)
		lseek (t.fd, 0, SEEK_END);
	tail_read (&o, &t);
	if (in >= 0)
		follow (rootfd, in, &o, &t);
	gotmpl_free (o.tmpl);
	return 0;
}
