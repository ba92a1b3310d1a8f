/*
 * ctr-top - a container's processes, as docker top
 *
 * usage:  ctr-top [--root DIR] CONTAINER [PS_OPTION...]
 * stdin:  unused
 * stdout: ps's columns for the processes of the container's cgroup,
 *         aligned as docker top aligns them (Go's tabwriter, minwidth 20,
 *         padding 3)
 * reads:  containers/<id>/state; the cgroup's cgroup.procs (runtime/ctrstats)
 * writes: nothing
 * exit:   0 ok; 1 in Docker's words: no such container, not running,
 *         restarting, a ps failure (its first line of error), no PID
 *         column; 2 usage; under box (BOX_DOCKER) an unknown flag
 *         Docker's words and 125
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/root.h"
#include "base/strbuf.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/ctrstats.h"

extern char **environ;

#define TOP_MINWIDTH 20
#define TOP_PADDING 3

struct opts {
	const char *root;
	const char *what;
	char **psargs; /* NULL-terminated; the default "-ef" when none */
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] CONTAINER [PS_OPTION...]\n", bx_prog);
	exit (err_code (BX_USAGE));
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'}, {0, 0, 0, 0}};
	int c;

	/* "+": ps's options after CONTAINER are not ours */
	while ((c = getopt_long (argc, argv, "+", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind == argc)
		usage ();
	o->what = argv[optind];
	o->psargs = argv + optind + 1;
}

/* Docker refuses "-o k=PID..." where k is not pid: it could not find the
 * PID column of a renamed one (daemon/top_unix.go validatePSArgs) */
static int
check_psargs (char **args, struct bx_err *e)
{
	for (size_t i = 0; args[i]; i++) {
		const char *eq = strchr (args[i], '=');
		const char *k;
		if (!eq || strncmp (eq + 1, "PID", 3))
			continue;
		for (k = eq; k > args[i] && k[-1] != ',' && k[-1] != ' '; k--)
			;
		if (strncmp (k, "pid=", 4))
			return err_set (e, BX_FAIL, 0, "specifying \"%.*s=%s\" is not allowed", (int)(eq - k), k,
			                eq + 1);
	}
	return 0;
}

static void
read_all (int fd, struct strbuf *b)
{
	char buf[8192];
	ssize_t r;

	strbuf_add (b, "", 0);
	while ((r = read (fd, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			strbuf_add (b, buf, (size_t)r);
}

/* run ps with ARGS (and -q PIDS when PIDS is not NULL); its output in
 * OUT, the first line of its errors in ERRLINE; ps's exit status */
static int
run_ps (char **args, const char *pids, struct strbuf *out, char *errline, size_t errlen, struct bx_err *e)
{
	int op[2], ep[2], status = 0;
	size_t n = 0, k;
	pid_t pid;
	posix_spawn_file_actions_t fa;
	_cleanup_free_ char **argv = NULL;
	_cleanup_file_ FILE *ef = NULL;

	while (args[n])
		n++;
	if (!(argv = calloc (n + 4, sizeof *argv)))
		return err_set (e, BX_SYSTEM, ENOMEM, "ps");
	argv[0] = "ps";
	memcpy (argv + 1, args, n * sizeof *argv);
	k = n + 1;
	if (pids)
		argv[k++] = "-q", argv[k++] = (char *)pids;
	if (pipe2 (op, O_CLOEXEC) < 0 || pipe2 (ep, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "ps");
	posix_spawn_file_actions_init (&fa);
	posix_spawn_file_actions_adddup2 (&fa, op[1], 1);
	posix_spawn_file_actions_adddup2 (&fa, ep[1], 2);
	if ((errno = posix_spawnp (&pid, "ps", &fa, NULL, argv, environ)))
		pid = -1;
	posix_spawn_file_actions_destroy (&fa);
	close (op[1]);
	close (ep[1]);
	if (pid < 0) {
		close (op[0]);
		close (ep[0]);
		return err_set (e, BX_SYSTEM, errno, "ps");
	}
	/* ps's errors are one line or two: the pipe holds them while we read */
	read_all (op[0], out);
	close (op[0]);
	errline[0] = 0;
	if ((ef = fdopen (ep[0], "re")) && fgets (errline, (int)errlen, ef))
		errline[strcspn (errline, "\n")] = 0;
	else if (!ef)
		close (ep[0]);
	while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* --- ps's output, as the daemon parses it (parsePSOutput) ----------------- */

struct table {
	char ***rows; /* rows[0] the titles; each NULL-terminated */
	size_t n, cap, ncols;
};

/* LINE's fields (split on ASCII spaces); past NCOLS-1 they are joined by
 * one space into the last, as Docker does with a command's arguments */
static char **
fields (char *line, size_t ncols)
{
	size_t n = 0, cap = 8;
	char **f = calloc (cap + 1, sizeof *f), *save = NULL, *w, **nf;

	for (w = strtok_r (line, " \t\v\f\r", &save); f && w; w = strtok_r (NULL, " \t\v\f\r", &save)) {
		if (ncols && n == ncols) {
			/* joined in place: the separators between become one space */
			char *last = f[n - 1];
			size_t l = strlen (last);
			memmove (last + l + 1, w, strlen (w) + 1);
			last[l] = ' ';
			continue;
		}
		if (n == cap) {
			if (!(nf = realloc (f, (cap * 2 + 1) * sizeof *f))) {
				free (f);
				return NULL;
			}
			f = nf, cap *= 2;
		}
		f[n++] = w;
		f[n] = NULL;
	}
	return f;
}

static int
table_add (struct table *t, char **row, struct bx_err *e)
{
	char ***nr;

	if (!row)
		return err_set (e, BX_SYSTEM, ENOMEM, "ps output");
	if (t->n == t->cap) {
		if (!(nr = realloc (t->rows, (t->cap * 2 + 8) * sizeof *nr))) {
			free (row);
			return err_set (e, BX_SYSTEM, ENOMEM, "ps output");
		}
		t->rows = nr, t->cap = t->cap * 2 + 8;
	}
	t->rows[t->n++] = row;
	return 0;
}

static int
has_pid (const pid_t *pids, size_t n, long p)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return 1;
	return 0;
}

/* the rows of OUT whose PID is the container's; a thread line ("-" for
 * its PID, ps -m) follows its process */
static int
parse_ps (char *out, const pid_t *pids, size_t npids, struct table *t, struct bx_err *e)
{
	char *save = NULL, *line = strtok_r (out, "\n", &save), *end;
	size_t pidcol = 0;
	int keep = 0;
	long p;

	if (!line || table_add (t, fields (line, 0), e) < 0)
		return line ? -1 : err_set (e, BX_FAIL, 0, "Couldn't find PID field in ps output");
	while (t->rows[0][t->ncols])
		t->ncols++;
	while (pidcol < t->ncols && strcmp (t->rows[0][pidcol], "PID"))
		pidcol++;
	if (pidcol == t->ncols)
		return err_set (e, BX_FAIL, 0, "Couldn't find PID field in ps output");
	while ((line = strtok_r (NULL, "\n", &save))) {
		char **f = fields (line, t->ncols);
		size_t n = 0;
		while (f && f[n])
			n++;
		if (!f || n <= pidcol) {
			free (f);
			continue;
		}
		if (!strcmp (f[pidcol], "-")) {
			if (!keep || table_add (t, f, e) < 0)
				free (f);
			continue;
		}
		p = strtol (f[pidcol], &end, 10);
		if (*end) {
			err_set (e, BX_FAIL, 0, "Unexpected pid '%s': strconv.Atoi: parsing \"%s\": invalid syntax",
			         f[pidcol], f[pidcol]);
			free (f);
			return -1;
		}
		if ((keep = has_pid (pids, npids, p))) {
			if (table_add (t, f, e) < 0)
				return -1;
		} else
			free (f);
	}
	return 0;
}

/* Go's tabwriter (minwidth 20, padding 3): a cell but the last of its line
 * padded to its column's widest cell plus 3, at least 20 */
static void
print_table (const struct table *t)
{
	size_t w[64] = {0};

	for (size_t r = 0; r < t->n; r++)
		for (size_t c = 0; t->rows[r][c] && t->rows[r][c + 1] && c < 64; c++) {
			size_t l = strbuf_utf8_runes (t->rows[r][c], strlen (t->rows[r][c])) + TOP_PADDING;
			w[c] = l > w[c] ? l : w[c];
		}
	for (size_t r = 0; r < t->n; r++) {
		for (size_t c = 0; t->rows[r][c]; c++) {
			const char *cell = t->rows[r][c];
			size_t l = strbuf_utf8_runes (cell, strlen (cell)),
			       width = c < 64 && w[c] > TOP_MINWIDTH ? w[c] : TOP_MINWIDTH;
			fputs (cell, stdout);
			if (t->rows[r][c + 1])
				printf ("%*s", (int)(width - l), "");
		}
		putchar ('\n');
	}
}

static void
table_free (struct table *t)
{
	for (size_t r = 0; r < t->n; r++)
		free (t->rows[r]);
	free (t->rows);
}

/* --- the container ------------------------------------------------------------ */

static int
running (int rootfd, const char *id, char *cgpath, struct bx_err *e)
{
	_cleanup_close_ int dfd = ctr_open (rootfd, id, e);
	struct ctr_state s;

	if (dfd < 0)
		return -1;
	if (ctr_state_read (dfd, &s, e) < 0) {
		if (e->code != BX_NOTFOUND)
			return -1;
		memset (&s, 0, sizeof s);
	}
	ctr_state_settle (&s);
	ctr_cgroup_path_at (dfd, id, cgpath);
	if (!strcmp (s.status, "restarting"))
		return err_set (e, BX_FAIL, 0, "Container %s is restarting, wait until the container is running", id);
	if (strcmp (s.status, "running"))
		return err_set (e, BX_FAIL, 0, "Container %s is not running", id);
	return 0;
}

/* "-q 1,2,3": ps's own selection, so that it reads no other process */
static char *
pid_list (const pid_t *pids, size_t n)
{
	struct strbuf b = {0};
	char one[24];

	for (size_t i = 0; i < n; i++) {
		snprintf (one, sizeof one, "%s%d", i ? "," : "", (int)pids[i]);
		strbuf_add (&b, one, strlen (one));
	}
	if (b.oom) {
		strbuf_free (&b);
		return NULL;
	}
	return b.s;
}

static int
top (int rootfd, const struct opts *o, struct bx_err *e)
{
	static char *def[] = {"-ef", NULL};
	char id[CTR_ID_LEN + 1], errline[512], cgpath[CGROUP_PATH_LEN];
	char **args = o->psargs[0] ? o->psargs : def;
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ char *list = NULL;
	struct strbuf out = {0};
	struct table t = {0};
	size_t n = 0;
	int rc;

	if (check_psargs (args, e) < 0 || ctr_resolve (rootfd, o->what, id, e) < 0 ||
	    running (rootfd, id, cgpath, e) < 0)
		return -1;
	if (ctrstats_pids_cgroup (cgpath, &pids, &n, e) < 0)
		return e->code == BX_NOTFOUND ? err_set (e, BX_FAIL, 0, "Container %s is not running", id) : -1;
	if (!(list = pid_list (pids, n)))
		return err_set (e, BX_SYSTEM, ENOMEM, "ps");
	/* some ps options (such as f) cannot be used with -q: again without */
	if ((rc = run_ps (args, list, &out, errline, sizeof errline, e)) != 0) {
		strbuf_free (&out);
		out = (struct strbuf){0};
		rc = run_ps (args, NULL, &out, errline, sizeof errline, e);
	}
	if (rc < 0 || rc > 0) {
		strbuf_free (&out);
		return rc < 0 ? -1 : err_set (e, BX_FAIL, 0, "ps: %s", errline[0] ? errline : "exit status");
	}
	rc = out.oom ? err_set (e, BX_SYSTEM, ENOMEM, "ps output") : parse_ps (out.s, pids, n, &t, e);
	if (rc == 0)
		print_table (&t);
	table_free (&t);
	strbuf_free (&out);
	return rc;
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
	if (top (rootfd, &o, &e) < 0) {
		fprintf (stderr, "Error response from daemon: %s\n", e.msg);
		return BX_FAIL;
	}
	return 0;
}
