/*
 * ctr-spawn - run a container's OCI bundle in its own namespaces and cgroup
 *
 * usage:  ctr-spawn [--root DIR] [-d] CONTAINER
 * stdin:  the payload's, when config.json process.terminal or create.json
 *         Config.OpenStdin is true (attached only)
 * stdout: attached: the payload's output; -d: the full id once it runs
 * reads:  containers/<id>/config.json, create.json, image (after a reboot)
 * writes: containers/<id>/state (running, then exited), log (-d),
 *         rootfs (mounted again when it is not), cgroups box/<id>;
 *         at the exit runs ctr-net release (or ctr-rm with --rm)
 * locks:  containers/<id>/lock while the container lives
 * exit:   attached: the payload's code, 128+n when killed by signal n;
 *         -d: 0 when it runs; 2 usage, 3 no such container, 4 running,
 *         125 failed before the payload ran, 126 not executable, 127 not found
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/root.h"
#include "base/timestamp.h"
#include "ctr-spawn/attachsrv.h"
#include "ctr-spawn/crilog.h"
#include "ctr-spawn/launch.h"
#include "ctr-spawn/probe.h"
#include "ctr-spawn/relay.h"
#include "ctr-spawn/restart.h"
#include "ctr-spawn/supervise.h"
#include "runtime/volevents.h"
#include "layers/overlay.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/ctrrm.h"
#include "runtime/event.h"
#include "runtime/freezer.h"
#include "runtime/logcfg.h"
#include "runtime/ocispec.h"
#include "runtime/pty.h"
#include "runtime/sealexe.h"
#include "runtime/sigproxy.h"
#include "runtime/spawn.h"

struct opts {
	const char *root;
	int detach, no_sync;
	const char *what;
};

/* the container, as found */
struct ctx {
	int rootfd, cdir, lock;
	const char *rootpath;
	char id[CTR_ID_LEN + 1];
	char bundle[PATH_MAX];
	int open_stdin, auto_remove;
	int no_sync;      /* --no-sync: the state written without fsync, as for --rm */
	int shared_pidns; /* --pid host or container:X: others there see our child before it execs */
	struct restart_policy policy;
	struct timespec policy_mtime; /* create.json's when the policy was read */
	struct probe_cfg health;      /* Config.Healthcheck */
	struct logcfg log;            /* -d: how the supervisor keeps the log */
	struct sv *sv;                /* -d: the supervisor, for its restart count */
	struct event_attrs ev;        /* its events' attributes, from create.json */
	struct volevents vols;        /* its volumes, for their events */
};

static void __attribute__ ((noreturn)) usage (int code)
{
	fprintf (code ? stderr : stdout, "usage: %s [--root DIR] [-d] [--no-sync] CONTAINER\n", bx_prog);
	exit (code);
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"detach", no_argument, NULL, 'd'},
	                                   {"help", no_argument, NULL, 'H'},
	                                   {"no-sync", no_argument, NULL, 'S'},
	                                   {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "+d", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'H': usage (0);
		case 'd': o->detach = 1; break;
		case 'S': o->no_sync = 1; break;
		default: usage (BX_USAGE);
		}
	}
	if (argc - optind != 1)
		usage (BX_USAGE);
	o->what = argv[optind];
}

/* create.json: what the Docker level asks of a start */
static int
hostcfg_read (struct ctx *c, struct bx_err *e)
{
	json_t *j, *hc, *rp, *cfg;

	const char *pidmode;
	struct stat st;

	/* before the read: an update after it is seen by the supervisor */
	if (fstatat (c->cdir, L_CREATE_JSON, &st, 0) == 0)
		c->policy_mtime = st.st_mtim;
	if (ctr_create_read_opt (c->cdir, &j, e) < 0) {
		/* bad input, as an unknown restart policy in it is */
		if (e->code == BX_FAIL)
			e->code = BX_USAGE;
		return -1;
	}
	/* a bundle without it: assume the worst */
	c->shared_pidns = 1;
	c->log = (struct logcfg){.driver = LOGCFG_JSON_FILE, .max_file = 1};
	if (!j)
		return 0;
	event_attrs_ctr (&c->ev, j);
	volevents_read (&c->vols, json_object_get (j, "Mounts"));
	hc = json_object_get (j, "HostConfig");
	pidmode = json_string_value (json_object_get (hc, "PidMode"));
	c->shared_pidns = pidmode && *pidmode && strcmp (pidmode, "private");
	rp = json_object_get (hc, "RestartPolicy");
	cfg = json_object_get (j, "Config");
	c->open_stdin = json_is_true (json_object_get (cfg, "OpenStdin"));
	c->auto_remove = json_is_true (json_object_get (hc, "AutoRemove"));
	/* read here rather than in the supervisor, where JSON would cost 170 KB
	 * of RSS; one ctr-create did not check (an older box's): the default */
	if (logcfg_parse (json_object_get (hc, "LogConfig"), &c->log, e) < 0) {
		c->log = (struct logcfg){.driver = LOGCFG_JSON_FILE, .max_file = 1};
		*e = (struct bx_err){0};
	}
	if (restart_parse (json_string_value (json_object_get (rp, "Name")),
	                   (int)json_integer_value (json_object_get (rp, "MaximumRetryCount")), &c->policy) < 0) {
		json_decref (j);
		return err_set (e, BX_USAGE, 0, "create.json: unknown restart policy");
	}
	if (probe_cfg_parse (json_object_get (cfg, "Healthcheck"), &c->health) < 0) {
		json_decref (j);
		return err_set (e, BX_SYSTEM, ENOMEM, "create.json: Healthcheck");
	}
	json_decref (j);
	return 0;
}

/* a paused container (its cgroup frozen) */
static int
is_paused (int cdir, const char *id)
{
	char cgpath[CGROUP_PATH_LEN];

	ctr_cgroup_path_at (cdir, id, cgpath);
	return freezer_is_frozen_cgroup (cgpath);
}

/* resolve, lock, read create.json; BX_CONFLICT when it runs */
static int
ctx_open (const struct opts *o, struct ctx *c, struct bx_err *e)
{
	struct ctr_state s;

	if ((c->rootfd = root_open (o->root, e)) < 0 || ctr_resolve (c->rootfd, o->what, c->id, e) < 0 ||
	    (c->cdir = ctr_open (c->rootfd, c->id, e)) < 0)
		return -1;
	c->rootpath = root_path (o->root);
	c->no_sync = o->no_sync;
	if (snprintf (c->bundle, sizeof c->bundle, "%s/" L_CONTAINERS "/%s", c->rootpath, c->id) >=
	    (int)sizeof c->bundle)
		return err_set (e, BX_USAGE, 0, "state directory path too long");
	if ((c->lock = lock_take_at (c->cdir, L_CTR_LOCK, LOCK_TRY, e)) < 0) {
		if (e->code == BX_CONFLICT && ctr_state_read (c->cdir, &s, e) == 0 && !strcmp (s.status, "running") &&
		    is_paused (c->cdir, c->id))
			return err_set (e, BX_FAIL, 0, "cannot start a paused container, try unpause instead");
		if (e->code == BX_CONFLICT && ctr_state_read (c->cdir, &s, e) == 0 &&
		    (!strcmp (s.status, "running") || !strcmp (s.status, "restarting")))
			return err_set (e, BX_CONFLICT, 0, "container %s is already running", c->id);
		return err_wrap (e, "container %.12s", c->id);
	}
	/* a start clears an earlier stop: the restart policy applies again */
	unlinkat (c->cdir, L_STOPPED, 0);
	return hostcfg_read (c, e);
}

/* A rootfs that is not mounted (after a reboot) is mounted again by
 * img-unpack (bundle_ensure): linking lib/bundle here would load
 * libarchive, libcrypto, libxml2 and ICU into every start, which costs
 * more than a whole container start; this path is cold. */
static int
rootfs_ensure (struct ctx *c, const struct spec *s, struct bx_err *e)
{
	_cleanup_free_ char *image = NULL;
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	int st, n = 0;
	pid_t pid;

	if (overlay_is_mountpoint (s->rootfs) > 0)
		return 0;
	/* a copied rootfs (no overlayfs) is a plain directory with files */
	for (d = opendir (s->rootfs); d && (de = readdir (d));)
		if (++n > 2)
			return 0;
	if (afile_slurp_at (c->cdir, L_CIMAGE, &image, NULL, e) < 0)
		return err_wrap (e, "rootfs %s not mounted", s->rootfs);
	image[strcspn (image, "\n")] = '\0';
	if ((pid = fork ()) == 0) {
		int null = open ("/dev/null", O_WRONLY);
		dup2 (null, STDOUT_FILENO);
		execlp ("img-unpack", "img-unpack", "-q", "--root", c->rootpath, image, c->bundle, (char *)NULL);
		_exit (127);
	}
	if (pid < 0 || waitpid (pid, &st, 0) < 0 || !WIFEXITED (st) || WEXITSTATUS (st))
		return err_set (e, SPAWN_FAILED, 0, "rootfs %s: img-unpack failed", s->rootfs);
	return 0;
}

/* config.json read, rootfs mounted, cgroup made */
static int
prepare (struct ctx *c, struct spec *s, struct cgroup *cg, struct scmp_prog *f, struct bx_err *e)
{
	char path[CGROUP_PATH_LEN];

	if (ocispec_read (c->cdir, c->bundle, s, e) < 0 || rootfs_ensure (c, s, e) < 0 ||
	    scmp_prepare (s->seccomp, c->rootfd, f, e) < 0)
		return -1;
	cgroup_path (c->id, path);
	return cgroup_create (cg, s->cgroups_path ? s->cgroups_path : path, &s->res, e);
}

static void
state_running (struct ctx *c, pid_t pid, pid_t monitor, int restarts)
{
	struct ctr_state s;
	struct bx_err e = {0};

	if (ctr_state_read (c->cdir, &s, &e) < 0)
		memset (&s, 0, sizeof s);
	snprintf (s.status, sizeof s.status, "running");
	s.pid = pid;
	s.pid_start = ctr_proc_start_time (pid);
	s.monitor = monitor;
	s.monitor_start = ctr_proc_start_time (monitor);
	s.exit_code = s.oom_killed = 0;
	s.restart_count = restarts;
	s.finished[0] = s.error[0] = '\0';
	timestamp_now (s.started);
	ctr_state_write (c->cdir, &s, !c->auto_remove && !c->no_sync, &e);
	volevents_log (&c->vols, c->rootfd, c->id, "mount");
	event_log (c->rootfd, "container", "start", c->id, &c->ev);
}

/* a start that failed: Docker keeps the status and records the error */
static void
state_failed (struct ctx *c, const struct bx_err *err)
{
	struct ctr_state s;
	struct bx_err e = {0};

	if (ctr_state_read (c->cdir, &s, &e) < 0)
		memset (&s, 0, sizeof s);
	if (!strcmp (s.status, "running"))
		snprintf (s.status, sizeof s.status, "exited");
	s.exit_code = err->code;
	snprintf (s.error, sizeof s.error, "%s", err->msg);
	ctr_state_write (c->cdir, &s, !c->auto_remove && !c->no_sync, &e);
}

static void
state_exited (struct ctx *c, int code, int oom)
{
	struct ctr_state s;
	struct bx_err e = {0};

	if (ctr_state_read (c->cdir, &s, &e) < 0)
		memset (&s, 0, sizeof s);
	snprintf (s.status, sizeof s.status, "exited");
	s.exit_code = code;
	s.oom_killed = oom;
	s.pid = s.monitor = 0;
	s.pid_start = s.monitor_start = 0;
	timestamp_now (s.finished);
	ctr_state_write (c->cdir, &s, !c->auto_remove && !c->no_sync, &e);
}

static void
io_close (struct spawn_io *io)
{
	if (io->in > STDERR_FILENO)
		close (io->in);
	if (io->out > STDERR_FILENO)
		close (io->out);
	if (io->err > STDERR_FILENO)
		close (io->err);
	if (io->console >= 0)
		close (io->console);
	io->in = io->out = io->err = io->console = -1;
}

/* Docker releases a container's endpoints and ports when it ends; the
 * next start attaches again (box start, restart). Before the lock goes:
 * who waited for the exit finds them gone. Not for a container removed
 * after its one run (--no-sync: df-build's steps): its removal detaches
 * it, at less cost. */
static void
net_release (const struct ctx *c)
{
	struct bx_err e = {0};

	if (!c->no_sync && ctrrm_net_release (c->rootfd, c->cdir, c->id, &e) < 0)
		err_report (&e);
}

/* the end: cgroup, state, --rm, network; returns the exit code */
static int
finish (struct ctx *c, struct cgroup *cg, int status)
{
	struct bx_err e = {0};
	int code = spawn_exit_code (status), oom = cgroup_oom_kills (cg) > 0;
	char n[16];

	if (cgroup_destroy (cg, &e) < 0)
		err_report (&e);
	/* --rm: the directory goes before the lock is let go, so nobody could
	 * read an "exited" written now: that write (an fsync) is skipped */
	snprintf (n, sizeof n, "%d", code);
	event_attrs_add (&c->ev, "exitCode", n);
	event_log (c->rootfd, "container", "die", c->id, &c->ev);
	volevents_log (&c->vols, c->rootfd, c->id, "unmount");
	if (!c->auto_remove) {
		state_exited (c, code, oom);
		net_release (c);
	} else if (ctrrm_remove (c->rootfd, c->id, CTR_RM_FORCE | CTR_RM_LOCKED | CTR_RM_VOLUMES, &e) < 0) {
		err_report (&e);
		state_exited (c, code, oom);
	}
	return code;
}

/* a failed start: the half-made child reaped, the cgroup gone */
static int
fail_start (struct ctx *c, struct cgroup *cg, pid_t failed, const struct bx_err *err)
{
	struct bx_err e = {0};
	int st;

	if (failed > 0)
		waitpid (failed, &st, 0);
	cgroup_destroy (cg, &e);
	state_failed (c, err);
	if (c->auto_remove)
		ctrrm_remove (c->rootfd, c->id, CTR_RM_FORCE | CTR_RM_LOCKED | CTR_RM_VOLUMES, &e);
	else
		net_release (c);
	return err->code;
}

/* A start that failed (CODE, MSG): as docker run's reportError says a
 * start's, "docker: Error response from daemon: MSG." (Docker's names no
 * container), else with the container's id */
static int
start_report (const char *id, int code, const char *msg)
{
	struct bx_err e = {.code = code};
	int n = (int)strlen (msg);

	if (err_docker_is ("run")) {
		if (n > 0 && msg[n - 1] == '.')
			n--;
		fprintf (stderr, "box: Error response from daemon: %.*s.\n", n, msg);
		return err_code (code);
	}
	snprintf (e.msg, sizeof e.msg, "container %.12s: %s", id, msg);
	return err_report (&e);
}

/* the payload's fds: pipes (or a pty) to log, a stdin held open when
 * asked; FDS[] are our ends (the supervisor's with -d) */
static int
io_detached (const struct ctx *c, const struct spec *s, struct spawn_io *io, int fds[3], struct bx_err *e)
{
	int o[2] = {-1, -1}, er[2] = {-1, -1}, in[2] = {-1, -1};

	*io = (struct spawn_io){.in = -1, .out = -1, .err = -1, .console = -1};
	fds[0] = fds[1] = fds[2] = -1;
	if (s->terminal) {
		if (pty_open (&fds[0], &io->console, io->console_path, sizeof io->console_path, e) < 0)
			return -1;
	} else if (pipe2 (o, O_CLOEXEC) < 0 || pipe2 (er, O_CLOEXEC) < 0) {
		return err_set (e, SPAWN_FAILED, errno, "pipe");
	} else {
		fds[0] = o[0], io->out = o[1], fds[1] = er[0], io->err = er[1];
	}
	if (c->open_stdin && !s->terminal) {
		if (pipe2 (in, O_CLOEXEC) < 0)
			return err_set (e, SPAWN_FAILED, errno, "pipe");
		io->in = in[0], fds[2] = in[1];
	} else if (!s->terminal && (io->in = open ("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		return err_set (e, SPAWN_FAILED, errno, "/dev/null");
	}
	return 0;
}

/* Attached: the payload our child, its output logged as the supervisor
 * logs it and relayed to our stdout and stderr, our stdin to it, the
 * attach socket served, the health checks run, until it ends */
static int
run_attached (struct ctx *c)
{
	static struct crilog log;  /* static: its held pieces are 32 KiB */
	static struct probe probe; /* static: its output buffer is 4 KiB */
	static struct attachsrv as;
	static struct relay fg;
	struct spec s;
	struct cgroup cg = {.n = 0};
	struct spawn_io io = {.in = -1, .out = -1, .err = -1, .console = -1};
	struct scmp_prog filter = {0};
	struct bx_err e = {0};
	sigset_t set;
	int fds[3] = {-1, -1, -1}, input, sigfd, code;
	pid_t pid, failed = 0;

	/* the socket before the state says running: an attach then finds it */
	attachsrv_open (&as, c->cdir);
	if (prepare (c, &s, &cg, &filter, &e) < 0 || io_detached (c, &s, &io, fds, &e) < 0) {
		e.code = SPAWN_FAILED;
		goto failed;
	}
	if (s.terminal)
		pty_resize (STDIN_FILENO, fds[0]);
	io.filter = &filter;
	event_log (c->rootfd, "container", "attach", c->id, &c->ev);
	/* a caller gone is seen as EPIPE (relay); the payload's is SIG_DFL again */
	signal (SIGPIPE, SIG_IGN);
	sigproxy_block (&set);
	if ((pid = spawn_container (&s, &cg, &io, 0, &failed, &e)) < 0)
		goto failed;
	io_close (&io);
	ocispec_free (&s);
	scmp_free (&filter);
	state_running (c, pid, getpid (), 0);
	crilog_open (&log, c->cdir, &c->log);
	/* a pty: its master is fds[0], no stderr; else the stdin pipe, if open */
	input = fds[1] < 0 ? fds[0] : fds[2];
	attachsrv_start (&as, input, fds[1] < 0);
	relay_open (&fg, c->open_stdin ? STDIN_FILENO : -1, input, fds[1] < 0);
	probe_begin (&probe, &c->health,
	             &(const struct probe_ctr){
	                 .rootfd = c->rootfd, .cdir = c->cdir, .root = c->rootpath, .id = c->id, .ev = &c->ev});
	sigfd = signalfd (-1, &set, SFD_CLOEXEC);
	code = supervise_wait (pid, fds, sigfd, &log, &probe, &as, &fg);
	probe_end (&probe);
	relay_close (&fg);
	crilog_close (&log);
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close (fds[i]);
	code = finish (c, &cg, code);
	attachsrv_exit (&as, code);
	attachsrv_close (&as, c->cdir);
	return code;
failed:
	attachsrv_close (&as, c->cdir);
	io_close (&io);
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close (fds[i]);
	fail_start (c, &cg, failed, &e);
	ocispec_free (&s);
	scmp_free (&filter);
	return start_report (c->id, e.code, e.msg);
}

/* the worker of one -d start (a child of the supervisor): the container
 * cloned as the supervisor's child, then the handover */
static int
launch (void *arg, int sock)
{
	struct ctx *c = arg;
	struct launch_msg m = {0};
	struct spec s;
	struct cgroup cg = {.n = 0};
	struct spawn_io io = {.in = -1, .out = -1, .err = -1, .console = -1};
	struct scmp_prog filter = {0};
	struct bx_err e = {0};
	int fds[3] = {-1, -1, -1};
	pid_t failed = 0;

	if (prepare (c, &s, &cg, &filter, &e) < 0 || io_detached (c, &s, &io, fds, &e) < 0)
		e.code = SPAWN_FAILED;
	else if ((io.filter = &filter) && (m.pid = spawn_container (&s, &cg, &io, 1, &failed, &e)) > 0) {
		snprintf (m.cgroup, sizeof m.cgroup, "%s", s.cgroups_path ? s.cgroups_path : "");
		if (!s.cgroups_path)
			cgroup_path (c->id, m.cgroup);
		state_running (c, m.pid, getppid (), c->sv->restarts);
		m.nfds = 3;
		return launch_send (sock, &m, fds, fds[2] >= 0 ? 3 : fds[1] >= 0 ? 2 : 1) < 0 ? SPAWN_FAILED : 0;
	}
	m.code = e.code;
	snprintf (m.msg, sizeof m.msg, "%s", e.msg);
	/* the supervisor reaps the child that failed: it is its child */
	cgroup_destroy (&cg, &e);
	state_failed (c, &e);
	launch_send (sock, &m, NULL, 0);
	return m.code;
}

/* the supervisor keeps only its own fds: a caller's pipe held open would
 * keep its reader waiting for as long as the container runs */
static void
close_others (const struct ctx *c, int report)
{
	int keep[] = {c->rootfd, c->cdir, c->lock, report}, lo = 3;

	for (size_t i = 0; i < 4; i++)
		for (size_t j = i + 1; j < 4; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];
				keep[i] = keep[j];
				keep[j] = t;
			}
	for (size_t i = 0; i < 4; i++) {
		if (keep[i] > lo)
			close_range ((unsigned)lo, (unsigned)keep[i] - 1, 0);
		if (keep[i] >= lo)
			lo = keep[i] + 1;
	}
	close_range ((unsigned)lo, ~0U, 0);
}

/* the supervisor's life: its own session, no tie to our output */
static void __attribute__ ((noreturn)) supervise (struct ctx *c, int report)
{
	struct sv sv = {.rootfd = c->rootfd,
	                .cdir = c->cdir,
	                .id = c->id,
	                .root = c->rootpath,
	                .policy = c->policy,
	                .policy_mtime = c->policy_mtime,
	                .health = c->health,
	                .log = c->log,
	                .report = report,
	                .launch = launch,
	                .ev = &c->ev,
	                .vols = &c->vols,
	                .arg = c};
	int null = open ("/dev/null", O_RDWR), code;

	c->sv = &sv;
	setsid ();
	/* a caller gone before it read the report must not kill us */
	signal (SIGPIPE, SIG_IGN);
	if (null >= 0) {
		dup2 (null, 0), dup2 (null, 1), dup2 (null, 2);
		if (null > 2)
			close (null);
	}
	close_others (c, report);
	code = supervise_run (&sv);
	/* also after a failed start, as Docker removes a --rm container then;
	 * the lock is O_CLOEXEC: ctr-rm takes it itself */
	if (c->auto_remove)
		execlp ("ctr-rm", "ctr-rm", "--root", c->rootpath, "-f", c->id, (char *)NULL);
	net_release (c);
	_exit (code);
}

static int
run_detached (struct ctx *c)
{
	struct launch_msg m;
	int p[2];
	pid_t sv;
	ssize_t n;

	if (pipe2 (p, O_CLOEXEC) < 0)
		err_die (SPAWN_FAILED, "container %.12s: pipe: %s", c->id, strerror (errno));
	if ((sv = fork ()) < 0)
		err_die (SPAWN_FAILED, "container %.12s: fork: %s", c->id, strerror (errno));
	if (sv == 0) {
		close (p[0]);
		supervise (c, p[1]);
	}
	close (p[1]);
	while ((n = read (p[0], &m, sizeof m)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof m)
		err_die (SPAWN_FAILED, "container %.12s: the supervisor died", c->id);
	if (m.code) {
		m.msg[sizeof m.msg - 1] = '\0';
		/* docker run -d has printed the id before the start */
		if (err_docker_is ("run"))
			puts (c->id);
		return start_report (c->id, m.code, m.msg);
	}
	puts (c->id);
	return 0;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct ctx c = {.rootfd = -1, .cdir = -1, .lock = -1};
	struct bx_err e = {0};
	int code;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if (ctx_open (&o, &c, &e) < 0 || (c.shared_pidns && sealexe_ensure (argv, &e) < 0)) {
		/* Docker's 125 for a start that did not happen, but our own
		 * codes for the cases people test: not found, conflict */
		if (e.code != BX_NOTFOUND && e.code != BX_CONFLICT && e.code != BX_USAGE)
			e.code = SPAWN_FAILED;
		probe_cfg_free (&c.health);
		volevents_free (&c.vols);
		return err_report (&e);
	}
	code = o.detach ? run_detached (&c) : run_attached (&c);
	probe_cfg_free (&c.health);
	volevents_free (&c.vols);
	return code;
}
