/*
 * ctr-exec - run a command in a running container
 *
 * usage:  ctr-exec [--root DIR] [-d] [-i] [-t] [-e VAR=val]... [-u USER[:GROUP]]
 *                  [-w DIR] CONTAINER CMD [ARG...]
 * stdin:  the command's with -i (or -t), else unused
 * stdout: the command's output
 * reads:  containers/<id>/state (the pid to join), config.json (env, user,
 *         capabilities, no_new_privs, seccomp, cgroupsPath), the container's
 *         /etc/passwd and /etc/group for -u
 * writes: nothing
 * locks:  none
 * exit:   the command's code, 128+n when killed by signal n; 1 not running,
 *         2 usage, 3 no such container, 125 failed before the command
 *         ran, 126 not executable, 127 not found; under box (BOX_DOCKER)
 *         docker exec's: runc's words on stdout and 126 for both, 1 with -d
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/layout.h"
#include "base/root.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/event.h"
#include "runtime/freezer.h"
#include "runtime/ocispec.h"
#include "runtime/pty.h"
#include "runtime/sealexe.h"
#include "runtime/sigproxy.h"
#include "runtime/spawn.h"
#include "runtime/stdcopy.h"
#include "runtime/userdb.h"

#define MAX_ENV 256

struct opts {
	const char *root, *user, *workdir, *what;
	int detach, interactive, tty;
	const char *env[MAX_ENV];
	size_t nenv;
	char **cmd;
};

static void __attribute__ ((noreturn)) usage (int code)
{
	fprintf (code ? stderr : stdout,
	         "usage: %s [--root DIR] [-d] [-i] [-t] [-e VAR=val]... [-u USER[:GROUP]] [-w DIR] CONTAINER CMD "
	         "[ARG...]\n",
	         bx_prog);
	exit (err_code (code));
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"detach", no_argument, NULL, 'd'},
	                                   {"help", no_argument, NULL, 'H'},
	                                   {"interactive", no_argument, NULL, 'i'},
	                                   {"tty", no_argument, NULL, 't'},
	                                   {"env", required_argument, NULL, 'e'},
	                                   {"user", required_argument, NULL, 'u'},
	                                   {"workdir", required_argument, NULL, 'w'},
	                                   {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "+ditSe:u:w:", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'H': usage (0);
		case 'd': o->detach = 1; break;
		case 'i': o->interactive = 1; break;
		case 't': o->tty = 1; break;
		case 'u': o->user = optarg; break;
		case 'w': o->workdir = optarg; break;
		case 'e':
			if (o->nenv == MAX_ENV)
				err_die (BX_USAGE, "too many -e");
			o->env[o->nenv++] = optarg;
			break;
		default: err_flag (argv); usage (BX_USAGE);
		}
	}
	if (argc - optind < 2)
		usage (BX_USAGE);
	/* docker exec -it: a terminal wants one on our side */
	if (o->tty && o->interactive && !isatty (STDIN_FILENO)) {
		/* docker exec refuses it in the CLI: its words, not the daemon's */
		if (err_docker ()) {
			fputs ("the input device is not a TTY\n", stderr);
			exit (1);
		}
		err_die (BX_FAIL, "the input device is not a TTY");
	}
	if (o->workdir && o->workdir[0] != '/')
		err_die (BX_USAGE, "the working directory '%s' is invalid, it needs to be an absolute path",
		         o->workdir);
	o->what = argv[optind];
	o->cmd = argv + optind + 1;
}

/* the running container's first process, as a pidfd that cannot be recycled */
static int
container_pidfd (int cdir, const char *id, const char *what, struct bx_err *e)
{
	char cgpath[CGROUP_PATH_LEN];
	struct ctr_state s;
	int fd;

	if (ctr_state_read (cdir, &s, e) < 0)
		return -1;
	ctr_state_settle (&s);
	if (strcmp (s.status, "running"))
		return err_set (e, BX_FAIL, 0, "Container %s is not running", id);
	ctr_cgroup_path_at (cdir, id, cgpath);
	if (freezer_is_frozen_cgroup (cgpath))
		return err_set (e, BX_FAIL, 0, "Container %s is paused, unpause the container before exec", what);
	if ((fd = pidfd_open (s.pid, 0)) < 0 || ctr_proc_start_time (s.pid) != s.pid_start) {
		if (fd >= 0)
			close (fd);
		return err_set (e, BX_FAIL, 0, "Container %s is not running", id);
	}
	return fd;
}

/* the container's env, then each -e: a later VAR replaces an earlier one;
 * -e VAR alone takes our value, or is left out. With -t TERM=xterm below
 * them all, as Docker's daemon puts it. */
static int
env_merge (struct spec *s, const struct opts *o, struct bx_err *e)
{
	size_t n = 0, k;
	const char **env;

	while (s->env[n])
		n++;
	if (!(env = calloc (n + o->nenv + 2, sizeof *env)))
		return err_set (e, SPAWN_FAILED, errno, "env");
	memcpy (env, s->env, n * sizeof *env);
	for (k = 0; o->tty && k < n && strncmp (env[k], "TERM=", 5); k++)
		;
	if (o->tty && k == n)
		env[n++] = "TERM=xterm";
	for (size_t i = 0; i < o->nenv; i++) {
		const char *v = o->env[i], *eq = strchr (v, '=');
		size_t klen = eq ? (size_t)(eq - v) : strlen (v);
		if (!eq) {
			char *host = getenv (v);
			if (!host)
				continue;
			v = host - klen - 1; /* "VAR=value" as it sits in environ */
		}
		for (k = 0; k < n && !(strncmp (env[k], v, klen) == 0 && env[k][klen] == '='); k++)
			;
		env[k] = v;
		if (k == n)
			n++;
	}
	free (s->env);
	s->env = env;
	return 0;
}

static int
user_apply (struct spec *s, const char *user, struct bx_err *e)
{
	struct userdb_ids ids;
	int rootfs = open (s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC), r;

	if (rootfs < 0)
		return err_set (e, SPAWN_FAILED, errno, "%s", s->rootfs);
	r = userdb_resolve (rootfs, user, &ids, e);
	close (rootfs);
	if (r < 0)
		return -1;
	s->uid = ids.uid;
	s->gid = ids.gid;
	free (s->gids);
	if (!(s->gids = calloc (ids.nsgids + 1, sizeof *s->gids)))
		return err_set (e, SPAWN_FAILED, errno, "groups");
	memcpy (s->gids, ids.sgids, ids.nsgids * sizeof *s->gids);
	s->ngids = ids.nsgids;
	return 0;
}

/* the container's process section, with what the command line changes */
static int
spec_for_exec (int cdir, const char *bundle, const struct opts *o, struct spec *s, int *nsflags, struct bx_err *e)
{
	if (ocispec_read (cdir, bundle, s, e) < 0)
		return -1;
	free (s->args);
	s->args = (const char **)o->cmd;
	*nsflags = s->clone_flags;
	for (size_t i = 0; i < s->njoins; i++)
		*nsflags |= s->joins[i].type;
	if (o->workdir)
		s->cwd = o->workdir;
	s->terminal = o->tty;
	if (env_merge (s, o, e) < 0 || (o->user && user_apply (s, o->user, e) < 0))
		return -1;
	return 0;
}

static int
io_make (const struct opts *o, struct spawn_io *io, int *master, struct bx_err *e)
{
	int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return err_set (e, SPAWN_FAILED, errno, "/dev/null");
	*io = (struct spawn_io){.in = o->interactive ? STDIN_FILENO : null,
	                        .out = STDOUT_FILENO,
	                        .err = STDERR_FILENO,
	                        .console = -1,
	                        .detached = o->detach};
	*master = -1;
	if (o->detach)
		io->in = io->out = io->err = null;
	else if (o->tty && pty_open (master, &io->console, io->console_path, sizeof io->console_path, e) < 0)
		return -1;
	if (*master >= 0)
		pty_resize (STDIN_FILENO, *master);
	return 0;
}

/* Our child joins the container non-dumpable, which closes its
 * /proc/PID/exe to every process there without CAP_SYS_PTRACE. Where the
 * container's bounding set has it (or says nothing), we join only as a
 * sealed copy of our binary (sealexe), as runc always does: that costs an
 * exec, a millisecond and more, on every box exec. */
static int
may_ptrace (const struct spec *s)
{
	return !s->has_caps || (s->caps[CAPSET_BOUNDING] & (1ULL << CAP_SYS_PTRACE));
}

/* Docker's exec events: "exec_create: CMD ARGS", "exec_start: ..." and
 * exec_die, with the container's attributes and an execID of their own */
struct exec_ev {
	int rootfd;
	const char *id;
	char exec_id[65], cmd[200];
	struct event_attrs a;
};

static void
exec_ev_init (struct exec_ev *x, int rootfd, int cdir, const char *id, char **cmd)
{
	struct bx_err ign = {0};
	json_t *create = ctr_create_read (cdir, &ign);
	unsigned char r[32];
	size_t n;

	x->rootfd = rootfd, x->id = id;
	if (getrandom (r, sizeof r, 0) != (ssize_t)sizeof r)
		memset (r, 0, sizeof r);
	for (size_t i = 0; i < sizeof r; i++)
		snprintf (x->exec_id + 2 * i, 3, "%02x", r[i]);
	/* moby: the entrypoint, a space, the arguments joined */
	n = (size_t)snprintf (x->cmd, sizeof x->cmd, "%s ", cmd[0]);
	for (int i = 1; cmd[i] && n < sizeof x->cmd; i++)
		n += (size_t)snprintf (x->cmd + n, sizeof x->cmd - n, "%s%s", i > 1 ? " " : "", cmd[i]);
	x->a.len = 0;
	x->a.buf[0] = '\0';
	event_attrs_ctr (&x->a, create);
	event_attrs_add (&x->a, "execID", x->exec_id);
	json_decref (create);
}

static void
exec_ev (struct exec_ev *x, const char *what, int code)
{
	char action[256], n[16];

	if (code < 0) {
		snprintf (action, sizeof action, "%s: %s", what, x->cmd);
		event_log (x->rootfd, "container", action, x->id, &x->a);
		return;
	}
	snprintf (n, sizeof n, "%d", code);
	event_attrs_add (&x->a, "exitCode", n);
	event_log (x->rootfd, "container", what, x->id, &x->a);
}

/* the command started, waited for (unless -d); its exit code */
/* A command that did not start. docker exec says it in runc's words: on
 * the exec's stdout with 126 (not found too; a CRLF line, as the daemon
 * writes it), or from the daemon with 1 when detached. */
static int
start_failed (const struct opts *o, const struct bx_err *e)
{
	static const char runc[] = "OCI runtime exec failed: exec failed: unable to start container process";

	if (!err_docker () || (e->code != SPAWN_NOTFOUND && e->code != SPAWN_NOEXEC))
		return err_report (e);
	if (o->detach) {
		fprintf (stderr, "Error response from daemon: %s: %s: unknown\n", runc, e->msg);
		return 1;
	}
	printf ("%s: %s: unknown\r\n", runc, e->msg);
	return SPAWN_NOEXEC;
}

/* -d: a waiter of ours starts the command and stays its parent, to log
 * Docker's exec_die when it ends; we return once it started, with the
 * code of the start. The waiter keeps nothing of ours but the state
 * directory (no lock, no caller's stdio). */
static int
run_detached (const struct opts *o, const struct spec *s, int pidfd, int nsflags, const struct cgroup *cg,
              struct spawn_io *io, struct exec_ev *x)
{
	struct bx_err e = {0};
	int p[2], code = 1, st;
	pid_t w, pid, failed;

	if (pipe2 (p, O_CLOEXEC) < 0 || (w = fork ()) < 0)
		return err_set (&e, SPAWN_FAILED, errno, "exec -d"), err_report (&e);
	if (w > 0) {
		close (p[1]);
		if (read (p[0], &code, sizeof code) != (ssize_t)sizeof code)
			code = SPAWN_FAILED;
		close (p[0]);
		return code;
	}
	close (p[0]);
	setsid ();
	if ((pid = spawn_exec (s, pidfd, nsflags, cg, io, &failed, &e)) < 0) {
		if (failed > 0)
			waitpid (failed, &st, 0);
		code = start_failed (o, &e);
	} else {
		exec_ev (x, "exec_start", -1);
		code = 0;
	}
	if (write (p[1], &code, sizeof code) < 0 || pid < 0)
		_exit (0);
	if (dup2 (io->in, 0) < 0 || dup2 (io->out, 1) < 0 || dup2 (io->out, 2) < 0 || dup2 (x->rootfd, 3) < 0)
		_exit (0);
	close_range (4, ~0U, 0);
	x->rootfd = 3;
	while (waitpid (pid, &st, 0) < 0)
		if (errno != EINTR)
			_exit (0);
	exec_ev (x, "exec_die", spawn_exit_code (st));
	_exit (0);
}

static int
run (const struct opts *o, const struct spec *s, int pidfd, int nsflags, const struct cgroup *cg, struct spawn_io *io,
     int master, struct exec_ev *x)
{
	struct bx_err e = {0};
	struct stdcopy copy, *pcopy = NULL;
	sigset_t set;
	pid_t pid, failed;
	int st;

	if (!o->detach && master < 0) {
		if (stdcopy_guard (&copy, &io->in, &io->out, &io->err, &e) < 0)
			return e.code = SPAWN_FAILED, err_report (&e);
		pcopy = &copy;
	}
	sigproxy_block (&set);
	if (o->detach)
		return run_detached (o, s, pidfd, nsflags, cg, io, x);
	if ((pid = spawn_exec (s, pidfd, nsflags, cg, io, &failed, &e)) < 0) {
		if (failed > 0)
			waitpid (failed, &st, 0);
		if (pcopy)
			stdcopy_close (pcopy);
		return start_failed (o, &e);
	}
	if (io->console >= 0)
		close (io->console);
	exec_ev (x, "exec_start", -1);
	/* the pipes' ends are the payload's now: a copy ends with its writers */
	if (pcopy) {
		int given[] = {io->in, io->out, io->err};
		for (size_t i = 0; i < 3; i++)
			if (given[i] > STDERR_FILENO)
				close (given[i]);
	}
	st = sigproxy_wait (pid, master, &set, o->interactive ? STDIN_FILENO : -1, pcopy);
	if (pcopy)
		stdcopy_close (pcopy);
	exec_ev (x, "exec_die", spawn_exit_code (st));
	return spawn_exit_code (st);
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct spec s = {0};
	struct cgroup cg = {.n = 0};
	struct spawn_io io;
	struct scmp_prog filter = {0};
	static struct exec_ev x;
	char id[CTR_ID_LEN + 1], bundle[PATH_MAX], cgpath[CGROUP_PATH_LEN];
	int rootfd, cdir, pidfd, nsflags = 0, master = -1, code;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if ((rootfd = root_open (o.root, &e)) < 0 || ctr_resolve (rootfd, o.what, id, &e) < 0 ||
	    (cdir = ctr_open (rootfd, id, &e)) < 0 || (pidfd = container_pidfd (cdir, id, o.what, &e)) < 0)
		return err_report (&e);
	exec_ev_init (&x, rootfd, cdir, id, o.cmd);
	exec_ev (&x, "exec_create", -1);
	snprintf (bundle, sizeof bundle, "%s/" L_CONTAINERS "/%s", root_path (o.root), id);
	cgroup_path (id, cgpath);
	if (spec_for_exec (cdir, bundle, &o, &s, &nsflags, &e) < 0 ||
	    (may_ptrace (&s) && sealexe_ensure (argv, &e) < 0) ||
	    cgroup_open (&cg, s.cgroups_path ? s.cgroups_path : cgpath, &e) < 0 ||
	    scmp_prepare (s.seccomp, rootfd, &filter, &e) < 0 || io_make (&o, &io, &master, &e) < 0) {
		if (e.code != BX_FAIL)
			e.code = SPAWN_FAILED;
		code = err_report (&e);
	} else {
		io.filter = &filter;
		code = run (&o, &s, pidfd, nsflags, &cg, &io, master, &x);
	}
	s.args = NULL; /* argv's */
	ocispec_free (&s);
	scmp_free (&filter);
	cgroup_close (&cg);
	return code;
}
