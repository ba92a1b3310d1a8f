/*
 * ctr-stats - what containers use, as docker stats
 *
 * usage:  ctr-stats [--root DIR] [-a|--all] [--no-stream] [--no-trunc]
 *                   [--format FORMAT] [CONTAINER...]
 * stdin:  unused
 * stdout: Docker's table (or FORMAT: "table TEMPLATE", "json", TEMPLATE)
 *         of CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS:
 *         once with --no-stream, after a second of measure; else the
 *         screen cleared and the table drawn again every half second, as
 *         Docker 20.10 does, until killed (or, without CONTAINER and
 *         --all, until no container runs)
 * reads:  containers/<id>/{state,create.json}; the cgroups and network
 *         namespaces of the running ones (runtime/ctrstats)
 * writes: nothing
 * exit:   0 ok; 1 a CONTAINER not found ("Error response from daemon:
 *         No such container: X", each, nothing printed) or a bad
 *         template; 2 usage; under box (BOX_DOCKER) an unknown flag
 *         Docker's words and 125
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/human.h"
#include "base/layout.h"
#include "base/listfmt.h"
#include "base/root.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/ctrstats.h"

#define DEF_TABLE                                                                                                      \
	"table "                                                                                                       \
	"{{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}\\t{{.MemPerc}}\\t{{.NetIO}}\\t{{.BlockIO}}\\t{{.PIDs}}"
#define TICK_MS 500

struct opts {
	const char *root, *format;
	int all, nostream, notrunc;
	char **args;
	int nargs;
};

/* one container followed: its last reading, to measure CPU against */
struct target {
	char id[CTR_ID_LEN + 1];
	char what[256]; /* Docker's "Container": the argument, or the short id */
	struct ctrstats last;
	int have_last;
};

struct targets {
	struct target *v;
	size_t n, cap;
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-a|--all] [--no-stream] [--no-trunc] [--format FORMAT] [CONTAINER...]\n",
	         bx_prog);
	exit (err_code (BX_USAGE));
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	enum { O_ROOT = 256, O_NOSTREAM, O_NOTRUNC, O_FORMAT };
	static const struct option lo[] = {
	    {"root", required_argument, NULL, O_ROOT},     {"all", no_argument, NULL, 'a'},
	    {"no-stream", no_argument, NULL, O_NOSTREAM},  {"no-trunc", no_argument, NULL, O_NOTRUNC},
	    {"format", required_argument, NULL, O_FORMAT}, {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "a", lo, NULL)) != -1) {
		switch (c) {
		case O_ROOT: o->root = optarg; break;
		case 'a': o->all = 1; break;
		case O_NOSTREAM: o->nostream = 1; break;
		case O_NOTRUNC: o->notrunc = 1; break;
		case O_FORMAT: o->format = optarg; break;
		default: err_flag (argv); usage ();
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
}

static struct target *
targets_add (struct targets *t, const char *id, const char *what)
{
	struct target *nv;

	if (t->n == t->cap) {
		if (!(nv = realloc (t->v, (t->cap * 2 + 8) * sizeof *nv)))
			return NULL;
		t->v = nv, t->cap = t->cap * 2 + 8;
	}
	nv = &t->v[t->n++];
	memset (nv, 0, sizeof *nv);
	snprintf (nv->id, sizeof nv->id, "%s", id);
	snprintf (nv->what, sizeof nv->what, "%s", what);
	return nv;
}

/* the state of container ID, settled; status "" when unreadable */
static void
state_of (int rootfd, const char *id, struct ctr_state *s, char *name, size_t len, char *cgpath)
{
	_cleanup_close_ int dfd = -1;
	struct bx_err ign = {0};
	json_t *create = NULL;
	const char *n;

	memset (s, 0, sizeof *s);
	name[0] = 0;
	cgroup_path (id, cgpath);
	if ((dfd = ctr_open (rootfd, id, &ign)) < 0)
		return;
	if (ctr_state_read (dfd, s, &ign) == 0)
		ctr_state_settle (s);
	if (ctr_create_read_opt (dfd, &create, &ign) == 0 && create &&
	    (n = json_string_value (json_object_get (create, "Name"))))
		snprintf (name, len, "%s", n + (*n == '/'));
	ctr_cgroup_path (create, id, cgpath);
	json_decref (create);
}

struct listed {
	char id[CTR_ID_LEN + 1];
	char created[CTR_TIME_LEN];
};

static int
newest_first (const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	int k = strcmp (y->created, x->created);

	return k ? k : strcmp (x->id, y->id);
}

static struct target *
targets_find (struct targets *t, const char *id)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp (t->v[i].id, id))
			return &t->v[i];
	return NULL;
}

/* Without CONTAINER: the running ones (every one with --all), newest
 * first as docker ps lists them, each keeping its last reading; those
 * gone are dropped */
static int
targets_list (int rootfd, int all, struct targets *t, struct bx_err *e)
{
	_cleanup_dir_ DIR *d = NULL;
	_cleanup_free_ struct listed *v = NULL;
	struct targets nt = {0};
	struct listed *nv;
	struct dirent *de;
	size_t n = 0, cap = 0;
	int fd = openat (rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && !(d = fdopendir (fd)))
		close (fd);
	while (d && (de = readdir (d))) {
		struct ctr_state s;
		char name[256], cgpath[CGROUP_PATH_LEN];
		if (strlen (de->d_name) != CTR_ID_LEN || afile_is_tmp_name (de->d_name))
			continue;
		state_of (rootfd, de->d_name, &s, name, sizeof name, cgpath);
		if (!all && strcmp (s.status, "running"))
			continue;
		if (n == cap) {
			if (!(nv = realloc (v, (cap * 2 + 8) * sizeof *nv)))
				return err_set (e, BX_SYSTEM, ENOMEM, L_CONTAINERS);
			v = nv, cap = cap * 2 + 8;
		}
		snprintf (v[n].id, sizeof v[n].id, "%s", de->d_name);
		snprintf (v[n].created, sizeof v[n].created, "%s", s.created);
		n++;
	}
	if (n)
		qsort (v, n, sizeof *v, newest_first);
	for (size_t i = 0; i < n; i++) {
		char what[16];
		struct target *old = targets_find (t, v[i].id), *x;
		snprintf (what, sizeof what, "%.12s", v[i].id);
		if (!(x = targets_add (&nt, v[i].id, what))) {
			free (nt.v);
			return err_set (e, BX_SYSTEM, ENOMEM, L_CONTAINERS);
		}
		if (old)
			x->last = old->last, x->have_last = old->have_last;
	}
	free (t->v);
	*t = nt;
	return 0;
}

/* With CONTAINER...: each resolved; Docker reports every one not found
 * and prints no table */
static int
targets_args (int rootfd, char **args, int n, struct targets *t)
{
	char id[CTR_ID_LEN + 1];
	int rc = 0;

	for (int i = 0; i < n; i++) {
		struct bx_err e = {0};
		if (ctr_resolve (rootfd, args[i], id, &e) < 0) {
			fprintf (stderr, "Error response from daemon: %s\n", e.msg);
			rc = BX_FAIL;
		} else if (!targets_find (t, id) && !targets_add (t, id, args[i]))
			err_die (BX_SYSTEM, "out of memory");
	}
	return rc;
}

/* --- a reading, a row ------------------------------------------------------ */

static void
pair (char *buf, size_t len, double a, double b, int binary)
{
	char x[32], y[32];

	if (binary) {
		human_bytes (a, x, sizeof x);
		human_bytes (b, y, sizeof y);
	} else {
		human_size (a, 3, x, sizeof x);
		human_size (b, 3, y, sizeof y);
	}
	snprintf (buf, len, "%s / %s", x, y);
}

/* TG read now; CPU % against its last reading (0 for the first) */
static json_t *
target_row (int rootfd, struct target *tg, int notrunc)
{
	struct ctr_state s;
	struct ctrstats now = {0};
	struct bx_err ign = {0};
	char name[256], cgpath[CGROUP_PATH_LEN], id[CTR_ID_LEN + 1], cpu[32] = "0.00%", memp[32] = "0.00%", mem[80],
	                                                             net[80], blk[80], pids[24];

	state_of (rootfd, tg->id, &s, name, sizeof name, cgpath);
	if (!strcmp (s.status, "running") && ctrstats_read_cgroup (cgpath, s.pid, &now, &ign) == 0) {
		if (tg->have_last)
			snprintf (cpu, sizeof cpu, "%.2f%%", ctrstats_cpu_percent (&tg->last, &now));
		if (now.mem_limit)
			snprintf (memp, sizeof memp, "%.2f%%", (double)now.mem_usage / (double)now.mem_limit * 100.0);
		tg->last = now;
		tg->have_last = 1;
	} else {
		memset (&now, 0, sizeof now);
		tg->have_last = 0;
	}
	pair (mem, sizeof mem, (double)now.mem_usage, (double)now.mem_limit, 1);
	pair (net, sizeof net, (double)now.net_rx, (double)now.net_tx, 0);
	pair (blk, sizeof blk, (double)now.blk_read, (double)now.blk_write, 0);
	snprintf (pids, sizeof pids, "%llu", (unsigned long long)now.pids);
	snprintf (id, sizeof id, "%.*s", notrunc ? CTR_ID_LEN : CTR_SHORT_LEN, tg->id);
	return json_pack ("{ss ss ss ss ss ss ss ss ss}", "BlockIO", blk, "CPUPerc", cpu, "Container", tg->what, "ID",
	                  id, "MemPerc", memp, "MemUsage", mem, "Name", name, "NetIO", net, "PIDs", pids);
}

static int
print_table (int rootfd, struct targets *t, const struct opts *o, struct bx_err *e)
{
	struct listfmt f;
	json_t *h = json_pack ("{ss ss ss ss ss ss ss ss ss}", "BlockIO", "BLOCK I/O", "CPUPerc", "CPU %", "Container",
	                       "CONTAINER", "ID", "CONTAINER ID", "MemPerc", "MEM %", "MemUsage", "MEM USAGE / LIMIT",
	                       "Name", "NAME", "NetIO", "NET I/O", "PIDs", "PIDS");
	int rc = listfmt_init (&f, o->format, DEF_TABLE, e);

	f.type = "*container.statsContext"; /* an unknown field's error names it, as docker's */
	if (rc == 0)
		rc = listfmt_header (&f, h, e);
	for (size_t i = 0; rc == 0 && i < t->n; i++) {
		json_t *row = target_row (rootfd, &t->v[i], o->notrunc);
		rc = row ? listfmt_row (&f, row, e) : err_set (e, BX_SYSTEM, ENOMEM, "stats");
		json_decref (row);
	}
	json_decref (h);
	if (rc == 0)
		rc = listfmt_print (&f, stdout, e);
	listfmt_free (&f);
	fflush (stdout);
	return rc;
}

/* a first reading of each running target, to measure the next against */
static int
prime (int rootfd, struct targets *t)
{
	int any = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct ctr_state s;
		struct bx_err ign = {0};
		char name[256], cgpath[CGROUP_PATH_LEN];
		state_of (rootfd, t->v[i].id, &s, name, sizeof name, cgpath);
		if (!t->v[i].have_last && !strcmp (s.status, "running") &&
		    ctrstats_read_cgroup (cgpath, s.pid, &t->v[i].last, &ign) == 0)
			t->v[i].have_last = any = 1;
	}
	return any;
}

static void
sleep_ms (long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep (&ts, &ts) < 0)
		;
}

/* Docker 20.10's client: every half second, the screen cleared and the
 * table drawn; without CONTAINER the list follows the containers, and
 * ends when none runs (unless --all) */
static int
stream (int rootfd, struct targets *t, const struct opts *o, struct bx_err *e)
{
	for (;;) {
		prime (rootfd, t);
		sleep_ms (TICK_MS);
		if (!o->nargs && targets_list (rootfd, o->all, t, e) < 0)
			return -1;
		fputs ("\033[2J\033[H", stdout);
		if (print_table (rootfd, t, o, e) < 0)
			return -1;
		if (!o->nargs && !o->all && !t->n)
			return 0;
	}
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct targets t = {0};
	int rootfd, rc;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if ((rootfd = root_open (o.root, &e)) < 0)
		return err_report (&e);
	/* rootless Podman's refusal: no cgroup, no figure */
	if (cgroup_is_none ())
		err_die (BX_FAIL, "stats is not supported in rootless mode without cgroups v2");
	if (o.nargs && targets_args (rootfd, o.args, o.nargs, &t) != 0) {
		free (t.v);
		return BX_FAIL;
	}
	if (!o.nargs && targets_list (rootfd, o.all, &t, &e) < 0) {
		free (t.v);
		return err_report (&e);
	}
	if (!o.nostream)
		rc = stream (rootfd, &t, &o, &e);
	else {
		/* Docker's daemon measures CPU over its one-second sampling */
		if (prime (rootfd, &t))
			sleep_ms (1000);
		rc = print_table (rootfd, &t, &o, &e);
	}
	free (t.v);
	/* a template that fails: docker stats' words ("template parsing error") */
	return rc < 0 ? err_report_tmpl (&e, "template parsing error", BX_FAIL) : 0;
}
