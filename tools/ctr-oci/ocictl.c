#include "ocictl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "ocihooks.h"
#include "ocilog.h"
#include "ocistate.h"
#include "runtime/cgroup.h"
#include "runtime/ctrsig.h"
#include "runtime/ctrstats.h"
#include "runtime/freezer.h"

/* a command's flags (SHORT: their letters), counted in SEEN, and how
 * many arguments follow */
static int
opts_parse (int argc, char **argv, const char *shortopts, const struct option *lo, int *seen, int nargs_min,
            int nargs_max, struct bx_err *e)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long (argc, argv, shortopts, lo, NULL)) != -1) {
		if (c == '?')
			return err_set (e, BX_USAGE, 0, "flag provided but not defined: %s", argv[optind - 1]);
		seen[c]++;
	}
	if (argc - optind < nargs_min || argc - optind > nargs_max)
		return err_set (e, BX_USAGE, 0, "\"%s\" requires %s %d argument(s)", argv[0],
		                nargs_min == nargs_max ? "exactly" : "a minimum of", nargs_min);
	return 0;
}

/* the container named by ID, loaded, with its status */
struct ctr {
	int rootfd;
	struct ocistate st;
	enum ocistate_status status;
};

/* on failure nothing is left to free */
static int
ctr_load (const struct ocicli *g, const char *id, struct ctr *c, struct bx_err *e)
{
	c->rootfd = -1;
	memset (&c->st, 0, sizeof c->st);
	if ((c->rootfd = ocistate_root_open (g->root, 0, e)) < 0) {
		if (e->code == BX_NOTFOUND)
			err_set (e, BX_NOTFOUND, 0, "container does not exist");
		return -1;
	}
	if (ocistate_load (c->rootfd, id, &c->st, e) < 0) {
		close (c->rootfd);
		c->rootfd = -1;
		return -1;
	}
	c->status = ocistate_status (c->rootfd, &c->st);
	return 0;
}

static void
ctr_free (struct ctr *c)
{
	if (c->rootfd >= 0)
		close (c->rootfd);
	ocistate_free (&c->st);
}

static char *
state_text (const struct ctr *c, enum ocistate_status st, size_t flags)
{
	json_t *j = ocistate_json (&c->st, st);
	char *text = j ? json_dumps (j, flags) : NULL;

	json_decref (j);
	return text;
}

static void
warn_hooks (const struct ctr *c, const char *which, enum ocistate_status st)
{
	struct bx_err e = {0};
	_cleanup_free_ char *text = state_text (c, st, JSON_COMPACT);

	if (text && ocihooks_run (c->st.hooks, which, text, &e) < 0)
		ocilog_warn (&e);
}

/* read the byte the waiting process writes once we open its FIFO; its
 * death (the pidfd) ends the wait too */
static int
fifo_release (const struct ctr *c, struct bx_err *e)
{
	char path[OCISTATE_ID_MAX + 16], b;
	int fd, pidfd = (int)syscall (SYS_pidfd_open, c->st.pid, 0), r = -1;
	struct pollfd p[2];

	snprintf (path, sizeof path, "%s/exec.fifo", c->st.id);
	if ((fd = openat (c->rootfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		if (pidfd >= 0)
			close (pidfd);
		return err_set (e, BX_FAIL, errno, "open exec fifo");
	}
	p[0] = (struct pollfd){fd, POLLIN, 0};
	p[1] = (struct pollfd){pidfd, POLLIN, 0};
	/* runc's start: back once the byte is read, the exec still to come
	 * (callers' timing, runtime-tools' among them, expects no more) */
	for (;;) {
		if (poll (p, pidfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (read (fd, &b, 1) == 1) {
			r = 0;
			break;
		}
		if (pidfd >= 0 && (p[1].revents & POLLIN))
			break;
	}
	close (fd);
	if (pidfd >= 0)
		close (pidfd);
	if (r < 0)
		return err_set (e, BX_FAIL, 0, "cannot start a container that has stopped");
	unlinkat (c->rootfd, path, 0);
	return 0;
}

int
ocictl_start (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	static const struct option lo[] = {{0, 0, 0, 0}};
	int seen[256] = {0}, r = -1;
	struct ctr c;

	if (opts_parse (argc, argv, "+", lo, seen, 1, 1, e) < 0 || ctr_load (g, argv[optind], &c, e) < 0)
		return -1;
	if (c.status == OCI_STOPPED)
		err_set (e, BX_FAIL, 0, "cannot start a container that has stopped");
	else if (c.status != OCI_CREATED)
		err_set (e, BX_FAIL, 0, "cannot start an already running container");
	else if ((r = fifo_release (&c, e)) == 0)
		warn_hooks (&c, "poststart", OCI_RUNNING);
	ctr_free (&c);
	return r;
}

int
ocictl_state (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	static const struct option lo[] = {{0, 0, 0, 0}};
	int seen[256] = {0};
	char *text;
	struct ctr c;

	if (opts_parse (argc, argv, "+", lo, seen, 1, 1, e) < 0 || ctr_load (g, argv[optind], &c, e) < 0)
		return -1;
	text = state_text (&c, c.status, JSON_INDENT (2));
	ctr_free (&c);
	if (!text)
		return err_set (e, BX_SYSTEM, ENOMEM, "state");
	puts (text);
	free (text);
	return 0;
}

/* the pids of CGROUP, none when it has none */
static int
cgroup_pids (const char *cgroup, pid_t **pids, size_t *n, struct bx_err *e)
{
	*pids = NULL;
	*n = 0;
	if (ctrstats_pids_cgroup (cgroup, pids, n, e) == 0)
		return 0;
	if (e->code != BX_NOTFOUND)
		return -1;
	*e = (struct bx_err){0};
	return 0;
}

/* SIG to the container's process, or with ALL to every process of its
 * cgroup */
static int
signal_ctr (const struct ctr *c, int sig, int all, struct bx_err *e)
{
	pid_t *pids;
	size_t n;

	if (!all)
		return kill (c->st.pid, sig) < 0 ? err_set (e, BX_FAIL, errno, "kill") : 0;
	if (cgroup_pids (c->st.cgroup, &pids, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		kill (pids[i], sig);
	free (pids);
	return 0;
}

int
ocictl_kill (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	static const struct option lo[] = {{"all", no_argument, NULL, 'a'}, {0, 0, 0, 0}};
	int seen[256] = {0}, sig = SIGTERM, r = -1;
	struct ctr c;

	if (opts_parse (argc, argv, "+a", lo, seen, 1, 2, e) < 0)
		return -1;
	if (argc - optind == 2 && (sig = ctrsig_parse (argv[optind + 1])) < 0)
		return err_set (e, BX_USAGE, 0, "unknown signal \"%s\"", argv[optind + 1]);
	if (ctr_load (g, argv[optind], &c, e) < 0)
		return -1;
	if (c.status == OCI_STOPPED && !seen['a'])
		err_set (e, BX_FAIL, 0, "container not running");
	else
		r = signal_ctr (&c, sig, seen['a'], e);
	ctr_free (&c);
	return r;
}

/* every process of the container killed, and the first one gone */
static void
kill_all (const struct ctr *c)
{
	struct bx_err e = {0};
	int pidfd = (int)syscall (SYS_pidfd_open, c->st.pid, 0);

	signal_ctr (c, SIGKILL, 1, &e);
	kill (c->st.pid, SIGKILL);
	/* a frozen process dies once thawed */
	freezer_thaw_cgroup (c->st.cgroup, &e);
	if (pidfd >= 0) {
		ctrsig_exit_wait (pidfd, 10000);
		close (pidfd);
	}
}

static int
destroy (struct ctr *c, struct bx_err *e)
{
	struct cgroup cg;
	struct bx_err w = {0};

	if (cgroup_open (&cg, c->st.cgroup, &w) == 0 && cgroup_destroy (&cg, &w) < 0)
		ocilog_warn (&w);
	warn_hooks (c, "poststop", OCI_STOPPED);
	return ocistate_remove (c->rootfd, &c->st, e);
}

int
ocictl_delete (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	static const struct option lo[] = {{"force", no_argument, NULL, 'f'}, {0, 0, 0, 0}};
	int seen[256] = {0}, r = -1;
	struct ctr c;

	if (opts_parse (argc, argv, "+f", lo, seen, 1, 1, e) < 0)
		return -1;
	if (ctr_load (g, argv[optind], &c, e) < 0) {
		/* runc: a forced delete of what is not there is done */
		return e->code == BX_NOTFOUND && seen['f'] ? (*e = (struct bx_err){0}, 0) : -1;
	}
	if ((c.status == OCI_RUNNING || c.status == OCI_PAUSED) && !seen['f'])
		err_set (e, BX_FAIL, 0, "cannot delete container %s that is not stopped: %s", c.st.id,
		         ocistate_status_name (c.status));
	else {
		if (c.status != OCI_STOPPED)
			kill_all (&c);
		r = destroy (&c, e);
	}
	ctr_free (&c);
	return r;
}

int
ocictl_pause (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	static const struct option lo[] = {{0, 0, 0, 0}};
	int seen[256] = {0}, r = -1, pause = !strcmp (argv[0], "pause");
	struct ctr c;

	if (opts_parse (argc, argv, "+", lo, seen, 1, 1, e) < 0 || ctr_load (g, argv[optind], &c, e) < 0)
		return -1;
	if (pause && c.status != OCI_RUNNING && c.status != OCI_CREATED)
		err_set (e, BX_FAIL, 0, "container not running");
	else if (!pause && c.status != OCI_PAUSED)
		err_set (e, BX_FAIL, 0, "container not paused");
	else
		r = pause ? freezer_freeze_cgroup (c.st.cgroup, e) : freezer_thaw_cgroup (c.st.cgroup, e);
	ctr_free (&c);
	return r;
}

static int
pid_in (pid_t pid, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

/* ps ARGS on the host, its header and the lines of PIDS */
static int
ps_table (char **args, const pid_t *pids, size_t n, struct bx_err *e)
{
	char cmd[4096] = "ps", line[8192];
	int col = -1;
	FILE *f;

	for (char **a = args; *a; a++)
		snprintf (cmd + strlen (cmd), sizeof cmd - strlen (cmd), " '%s'", *a);
	if (!*args)
		snprintf (cmd, sizeof cmd, "ps -ef");
	if (!(f = popen (cmd, "re")))
		return err_set (e, BX_SYSTEM, errno, "ps");
	while (fgets (line, sizeof line, f)) {
		char copy[8192], *tok, *save = NULL;
		int k = 0;
		if (col < 0) {
			snprintf (copy, sizeof copy, "%s", line);
			for (tok = strtok_r (copy, " \t\n", &save); tok; tok = strtok_r (NULL, " \t\n", &save), k++)
				if (!strcmp (tok, "PID"))
					col = k;
			fputs (line, stdout);
			if (col < 0)
				break;
			continue;
		}
		snprintf (copy, sizeof copy, "%s", line);
		for (tok = strtok_r (copy, " \t\n", &save); tok && k < col; tok = strtok_r (NULL, " \t\n", &save))
			k++;
		if (tok && pid_in ((pid_t)atoi (tok), pids, n))
			fputs (line, stdout);
	}
	if (pclose (f) != 0 && col < 0)
		return err_set (e, BX_FAIL, 0, "couldn't find PID field in ps output");
	return 0;
}

int
ocictl_ps (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	static const struct option lo[] = {{"format", required_argument, NULL, 'f'}, {0, 0, 0, 0}};
	const char *format = "table";
	pid_t *pids = NULL;
	size_t n = 0;
	struct ctr c;
	int r, ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long (argc, argv, "+f:", lo, NULL)) != -1) {
		if (ch != 'f')
			return err_set (e, BX_USAGE, 0, "flag provided but not defined: %s", argv[optind - 1]);
		format = optarg;
	}
	if (optind >= argc)
		return err_set (e, BX_USAGE, 0, "\"ps\" requires a minimum of 1 argument(s)");
	if (strcmp (format, "table") && strcmp (format, "json"))
		return err_set (e, BX_USAGE, 0, "invalid format option");
	if (ctr_load (g, argv[optind], &c, e) < 0)
		return -1;
	if ((r = cgroup_pids (c.st.cgroup, &pids, &n, e)) == 0) {
		if (!strcmp (format, "json")) {
			fputs ("[", stdout);
			for (size_t i = 0; i < n; i++)
				printf ("%s%d", i ? "," : "", (int)pids[i]);
			puts ("]");
		} else {
			r = ps_table (argv + optind + 1 + (argv[optind + 1] && !strcmp (argv[optind + 1], "--")), pids,
			              n, e);
		}
	}
	free (pids);
	ctr_free (&c);
	return r;
}

static const char *
cell (const struct ctr *c, int k, char *buf, size_t len)
{
	switch (k) {
	case 0: return c->st.id;
	case 1: snprintf (buf, len, "%d", c->status == OCI_STOPPED ? 0 : (int)c->st.pid); return buf;
	case 2: return ocistate_status_name (c->status);
	case 3: return c->st.bundle;
	case 4: return c->st.created;
	default: return c->st.owner == 0 ? "root" : "";
	}
}

/* runc's tabwriter: columns at least 12 wide, 3 spaces apart */
static void
list_table (const struct ctr *cs, size_t n)
{
	static const char *const head[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	size_t w[6];
	char buf[32];

	for (int k = 0; k < 6; k++) {
		w[k] = strlen (head[k]);
		for (size_t i = 0; i < n; i++)
			if (strlen (cell (&cs[i], k, buf, sizeof buf)) > w[k])
				w[k] = strlen (cell (&cs[i], k, buf, sizeof buf));
		w[k] = w[k] + 3 < 12 ? 12 : w[k] + 3;
	}
	for (int k = 0; k < 6; k++)
		printf ("%-*s", k == 5 ? 0 : (int)w[k], head[k]);
	putchar ('\n');
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 6; k++)
			printf ("%-*s", k == 5 ? 0 : (int)w[k], cell (&cs[i], k, buf, sizeof buf));
		putchar ('\n');
	}
}

static int
list_json (const struct ctr *cs, size_t n, struct bx_err *e)
{
	json_t *a = json_array ();
	char *text;

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new (a, ocistate_json (&cs[i].st, cs[i].status));
	/* runc prints Go's nil slice for none */
	text = a && n ? json_dumps (a, JSON_COMPACT) : NULL;
	json_decref (a);
	if (n && !text)
		return err_set (e, BX_SYSTEM, ENOMEM, "list");
	puts (n ? text : "null");
	free (text);
	return 0;
}

/* every container under the root, by name */
static int
list_load (const struct ocicli *g, struct ctr **out, size_t *n, struct bx_err *e)
{
	struct dirent **names = NULL;
	int k = scandir (g->root, &names, NULL, alphasort);
	struct ctr *cs;

	*out = NULL;
	*n = 0;
	if (k < 0)
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "%s", g->root);
	if (!(cs = calloc ((size_t)k + 1, sizeof *cs)))
		k = 0;
	for (int i = 0; i < k; i++) {
		struct bx_err skip = {0};
		if (names[i]->d_name[0] != '.' && ctr_load (g, names[i]->d_name, &cs[*n], &skip) == 0)
			(*n)++;
	}
	for (int i = 0; i < (k < 0 ? 0 : k); i++)
		free (names[i]);
	free (names);
	*out = cs;
	return cs ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "list");
}

int
ocictl_list (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	static const struct option lo[] = {
	    {"format", required_argument, NULL, 'f'}, {"quiet", no_argument, NULL, 'q'}, {0, 0, 0, 0}};
	const char *format = "table";
	struct ctr *cs;
	size_t n;
	int quiet = 0, ch, r = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long (argc, argv, "+f:q", lo, NULL)) != -1) {
		if (ch == 'f')
			format = optarg;
		else if (ch == 'q')
			quiet = 1;
		else
			return err_set (e, BX_USAGE, 0, "flag provided but not defined: %s", argv[optind - 1]);
	}
	if (strcmp (format, "table") && strcmp (format, "json"))
		return err_set (e, BX_USAGE, 0, "invalid format option");
	if (list_load (g, &cs, &n, e) < 0)
		return -1;
	if (quiet)
		for (size_t i = 0; i < n; i++)
			puts (cs[i].st.id);
	else if (!strcmp (format, "json"))
		r = list_json (cs, n, e);
	else
		list_table (cs, n);
	for (size_t i = 0; i < n; i++)
		ctr_free (&cs[i]);
	free (cs);
	return r;
}
