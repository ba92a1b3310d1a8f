/* ctrrun - a build step's container, through ctr-create and ctr-spawn run
 * as programs: their lib code plus ctr-create's own modules would
 * otherwise be linked twice, and the build would carry a second copy of
 * how a container is made; removed with lib/runtime/ctrrm, as ctr-rm
 * removes one */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/layout.h"
#include "base/sibling.h"
#include "base/tree.h"
#include "ctrrun.h"
#include "image/ref.h"
#include "progress.h"
#include "runtime/ctrrm.h"

/* run_prog's OUTFD: stdout and stderr, or stdout alone, read line by line */
#define PIPE_OUT (-2)
#define PIPE_STDOUT (-3)

/* a line relay drops: the full reference img-fetch --docker ends with,
 * which docker pull prints and docker build does not */
static const char *drop;

static volatile sig_atomic_t caught;
static volatile pid_t running; /* the ctr-spawn of the RUN or the pull under way, or 0 */

/* Ctrl-C or SIGTERM: the step's container stops at once (ctr-spawn's
 * parent-death signal takes it along), the build winds up at the next
 * check and removes what the step made */
static void
on_signal (int sig)
{
	caught = sig;
	if (running > 0)
		kill (running, SIGKILL);
}

void
ctrrun_signals (void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset (&sa.sa_mask);
	sigaction (SIGINT, &sa, NULL);
	sigaction (SIGTERM, &sa, NULL);
}

int
ctrrun_interrupted (struct bx_err *e)
{
	if (!caught)
		return 0;
	return err_set (e, 128 + caught, 0, "interrupted by %s", caught == SIGINT ? "SIGINT" : "SIGTERM");
}

/* one line of a step's or a pull's output, as the build prints them */
static void
emit (const char *line, size_t len)
{
	if (drop && strlen (drop) == len && !memcmp (drop, line, len))
		return;
	if (progress_on ())
		progress_line (line, len);
	else
		printf ("%.*s\n", (int)len, line);
}

/* the output of a step or a pull, line by line, until it and what it
 * started close it */
static void
relay (int pipefd[2])
{
	char buf[8192];
	size_t have = 0;
	ssize_t n;

	close (pipefd[1]);
	while ((n = read (pipefd[0], buf + have, sizeof buf - have)) != 0) {
		char *nl, *at = buf;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		have += (size_t)n;
		while ((nl = memchr (at, '\n', have - (size_t)(at - buf)))) {
			emit (at, (size_t)(nl - at));
			at = nl + 1;
		}
		have -= (size_t)(at - buf);
		memmove (buf, at, have);
		/* a line longer than the buffer goes in pieces */
		if (have == sizeof buf) {
			emit (buf, have);
			have = 0;
		}
	}
	if (have)
		emit (buf, have);
	close (pipefd[0]);
}

/* Run ARGV; OUTFD: -1 inherit stdout, PIPE_OUT (stdout and stderr) or
 * PIPE_STDOUT read by relay, else where stdout goes; STOPPABLE: a RUN
 * or a pull, which a signal stops (ctr-create and ctr-rm always finish).
 * *STATUS is its exit code, 128+n when killed by signal n. */
static int
run_prog (const char *const *argv, int outfd, int stoppable, int *status, struct bx_err *e)
{
	char prog[PATH_MAX + 32];
	pid_t pid, parent = getpid ();
	int st, pipefd[2] = {-1, -1};
	sigset_t all, old;

	sibling_path (argv[0], prog, sizeof prog);
	fflush (stdout);
	if ((outfd == PIPE_OUT || outfd == PIPE_STDOUT) && pipe2 (pipefd, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "pipe");
	/* vfork: the build's pages are not copied (nor faulted in again
	 * after), the child makes system calls only until it execs; no
	 * handler of the build runs in it meanwhile */
	sigfillset (&all);
	sigprocmask (SIG_BLOCK, &all, &old);
	if ((pid = vfork ()) < 0) {
		sigprocmask (SIG_SETMASK, &old, NULL);
		return err_set (e, BX_SYSTEM, errno, "vfork");
	}
	if (pid == 0) {
		/* a killed build takes its step along; Ctrl-C is the build's to
		 * handle, so that ctr-create and ctr-rm are never cut short */
		if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != parent || setpgid (0, 0) < 0)
			_exit (BX_SYSTEM);
		if ((outfd == PIPE_OUT || outfd == PIPE_STDOUT) && dup2 (pipefd[1], STDOUT_FILENO) < 0)
			_exit (BX_SYSTEM);
		if (outfd == PIPE_OUT && dup2 (pipefd[1], STDERR_FILENO) < 0)
			_exit (BX_SYSTEM);
		if (outfd >= 0 && dup2 (outfd, STDOUT_FILENO) < 0)
			_exit (BX_SYSTEM);
		signal (SIGINT, SIG_DFL);
		signal (SIGTERM, SIG_DFL);
		sigprocmask (SIG_SETMASK, &old, NULL);
		execvp (prog, (char *const *)argv);
		_exit (127);
	}
	sigprocmask (SIG_SETMASK, &old, NULL);
	if (stoppable)
		running = pid;
	if (stoppable && caught)
		kill (pid, SIGKILL);
	if (outfd == PIPE_OUT || outfd == PIPE_STDOUT)
		relay (pipefd);
	while (waitpid (pid, &st, 0) < 0)
		if (errno != EINTR) {
			running = 0;
			return err_set (e, BX_SYSTEM, errno, "waitpid");
		}
	running = 0;
	*status = WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
	return 0;
}

static void
argv_add (const char ***v, size_t *n, const char *s)
{
	*v = realloc (*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static int
has_flag (json_t *flags, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach (flags, i, v) if (strcmp (json_string_value (v), name) == 0) return 1;
	return 0;
}

static int
read_id (int fd, char id[CTRRUN_ID_LEN + 1], struct bx_err *e)
{
	char buf[128];
	ssize_t n = pread (fd, buf, sizeof buf - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn (buf, "\n")] = '\0';
	if (strlen (buf) != CTRRUN_ID_LEN)
		return err_set (e, BX_FAIL, 0, "ctr-create printed no container id");
	memcpy (id, buf, CTRRUN_ID_LEN + 1);
	return 0;
}

int
ctrrun_create (struct build *b, const char *image, json_t *cmd, json_t *env, char id[CTRRUN_ID_LEN + 1],
               struct bx_err *e)
{
	return ctrrun_create_with (b, image, cmd, env, NULL, id, e);
}

int
ctrrun_create_with (struct build *b, const char *image, json_t *cmd, json_t *env, json_t *flags,
                    char id[CTRRUN_ID_LEN + 1], struct bx_err *e)
{
	_cleanup_free_ const char **argv = NULL;
	_cleanup_close_ int out = -1;
	char label[64];
	size_t n = 0, i;
	json_t *v;
	int st;

	/* Docker's RUN ignores the image's ENTRYPOINT; the label marks the
	 * container as this build's (hidden from ps, swept once it is dead);
	 * it is removed after its run: syncing its files, or logging its output
	 * (the build streams it), would buy nothing */
	snprintf (label, sizeof label, CTRRUN_LABEL "=%d", (int)getpid ());
	const char *fixed[] = {"ctr-create",   "--root", b->o->rootpath, "--no-sync", "--log-driver", "none",
	                       "--entrypoint", "",       "--label",      label};
	for (i = 0; i < sizeof fixed / sizeof *fixed; i++)
		argv_add (&argv, &n, fixed[i]);
	/* the build's --network, unless RUN --network chose its own */
	if (!has_flag (flags, "--network")) {
		argv_add (&argv, &n, "--network");
		argv_add (&argv, &n, b->o->network);
	}
	json_array_foreach (b->o->runflags, i, v) argv_add (&argv, &n, json_string_value (v));
	json_array_foreach (flags, i, v) argv_add (&argv, &n, json_string_value (v));
	json_array_foreach (env, i, v)
	{
		argv_add (&argv, &n, "-e");
		argv_add (&argv, &n, json_string_value (v));
	}
	argv_add (&argv, &n, image);
	json_array_foreach (cmd, i, v) argv_add (&argv, &n, json_string_value (v));
	if ((out = open ("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0 &&
	    (out = open ("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0)
		return err_set (e, BX_SYSTEM, errno, "a temporary file");
	if (run_prog (argv, out, 0, &st, e) < 0)
		return -1;
	if (st != 0)
		return err_set (e, st <= BX_SYSTEM ? st : BX_SYSTEM, 0,
		                "making the step's container failed (ctr-create)");
	return read_id (out, id, e);
}

int
ctrrun_spawn (struct build *b, const char *id, int *code, struct bx_err *e)
{
	const char *argv[] = {"ctr-spawn", "--root", b->o->rootpath, "--no-sync", id, NULL};
	_cleanup_close_ int null = b->o->quiet ? open ("/dev/null", O_WRONLY | O_CLOEXEC) : -1;

	return run_prog (argv, progress_on () ? PIPE_OUT : null, 1, code, e);
}

/* in this process, not ctr-rm's (one exec less a step): Ctrl-C waits
 * until it is done, so that a removal is never cut short */
int
ctrrun_remove (struct build *b, const char *id, struct bx_err *e)
{
	sigset_t hold, old;
	int rc;

	sigemptyset (&hold);
	sigaddset (&hold, SIGINT);
	sigaddset (&hold, SIGTERM);
	sigprocmask (SIG_BLOCK, &hold, &old);
	rc = ctrrm_remove (b->rootfd, id, CTR_RM_FORCE, e);
	sigprocmask (SIG_SETMASK, &old, NULL);
	return rc < 0 ? err_wrap (e, "container %.12s: removing it failed", id) : 0;
}

int
ctrrun_open (struct build *b, const char *id, const char *dir, struct bx_err *e)
{
	char path[PATH_MAX];
	int fd;

	snprintf (path, sizeof path, "%s/%s/%s", L_CONTAINERS, id, dir);
	if ((fd = openat (b->rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", path);
	return fd;
}

int
ctrrun_pull (struct build *b, const char *ref, struct bx_err *e)
{
	const char *argv[] = {"img-fetch", "--root", b->o->rootpath, "--docker", ref, NULL};
	_cleanup_close_ int null = b->o->quiet ? open ("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
	char full[600];
	struct ref r;
	int st, rc;

	if (ref_parse (ref, &r, e) < 0)
		return -1;
	ref_full (&r, full, sizeof full);
	drop = full;
	rc = run_prog (argv, null >= 0 ? null : PIPE_STDOUT, 1, &st, e);
	drop = NULL;
	if (rc < 0 || ctrrun_interrupted (e) < 0)
		return -1;
	return st == 0 ? 0 : err_set (e, st <= BX_SYSTEM ? st : BX_SYSTEM, 0, "pulling %s failed (img-fetch)", ref);
}

int
ctrrun_attach (struct build *b, const char *id, const char *net, struct bx_err *e)
{
	const char *argv[] = {"ctr-net", "--root", b->o->rootpath, "attach", id, NULL};
	int st;

	/* none and host have nothing to attach, as in box run */
	if (!strcmp (net, "none") || !strcmp (net, "host") || !strncmp (net, "container:", 10))
		return 0;
	if (run_prog (argv, -1, 0, &st, e) < 0)
		return -1;
	return st == 0
	           ? 0
	           : err_set (e, st <= BX_SYSTEM ? st : BX_SYSTEM, 0, "network %s: attaching failed (ctr-net)", net);
}

/* the pid of the build that made the container DIR (its label), or 0 */
static long
build_pid (int ctrs, const char *dir)
{
	char path[512];
	int fd;
	json_t *c;
	const char *v;
	long pid = 0;

	snprintf (path, sizeof path, "%s/" L_CREATE_JSON, dir);
	if ((fd = openat (ctrs, path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	c = json_loadfd (fd, 0, NULL);
	close (fd);
	v = json_string_value (
	    json_object_get (json_object_get (json_object_get (c, "Config"), "Labels"), CTRRUN_LABEL));
	if (v)
		pid = strtol (v, NULL, 10);
	json_decref (c);
	return pid;
}

void
ctrrun_sweep (struct build *b)
{
	int fd = openat (b->rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	_cleanup_close_ int tmp = openat (b->rootfd, L_TMP, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;

	if (!d && fd >= 0)
		close (fd);
	while (d && (de = readdir (d))) {
		long pid;
		if (strlen (de->d_name) != CTRRUN_ID_LEN || (pid = build_pid (dirfd (d), de->d_name)) <= 0)
			continue;
		if (kill ((pid_t)pid, 0) < 0 && errno == ESRCH)
			ctrrun_remove (b, de->d_name, &(struct bx_err){0});
	}
	if (tmp >= 0) {
		tree_sweep_dead (tmp, L_BUILD_TMP);
		tree_sweep_dead (tmp, L_RUN_TMP);
	}
}
