/* prog - fork and exec of the box programs, as df-build's ctrrun does */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/sibling.h"
#include "base/strbuf.h"
#include "prog.h"

void
prog_add (struct prog_argv *a, const char *s)
{
	const char **v = realloc (a->v, (a->n + 2) * sizeof *v);

	if (!v)
		abort ();
	a->v = v;
	a->v[a->n++] = strdup (s);
	a->v[a->n] = NULL;
}

void
prog_addf (struct prog_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start (ap, fmt);
	if (vasprintf (&s, fmt, ap) < 0)
		abort ();
	va_end (ap);
	prog_add (a, s);
	free (s);
}

void
prog_free (struct prog_argv *a)
{
	for (size_t k = 0; k < a->n; k++)
		free ((char *)a->v[k]);
	free (a->v);
	a->v = NULL;
	a->n = 0;
}

pid_t
prog_start_silent (const struct prog_argv *a, struct bx_err *e)
{
	_cleanup_close_ int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
	int saved = dup (STDOUT_FILENO);
	pid_t pid;

	/* the child inherits stdout: /dev/null for the time of the fork */
	fflush (stdout);
	if (null < 0 || saved < 0 || dup2 (null, STDOUT_FILENO) < 0) {
		if (saved >= 0)
			close (saved);
		return err_set (e, BX_SYSTEM, errno, "/dev/null");
	}
	pid = prog_start (a, NULL, -1, e);
	dup2 (saved, STDOUT_FILENO);
	close (saved);
	return pid;
}

pid_t
prog_start (const struct prog_argv *a, int *out, int errfd, struct bx_err *e)
{
	char path[PATH_MAX + 64];
	int p[2] = {-1, -1};
	pid_t pid;

	sibling_path (a->v[0], path, sizeof path);
	if (out && pipe2 (p, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "pipe");
	fflush (stdout);
	fflush (stderr);
	if ((pid = fork ()) < 0) {
		err_set (e, BX_SYSTEM, errno, "fork");
		return -1;
	}
	if (pid == 0) {
		sigset_t none;
		/* an attached up blocks SIGINT for its signalfd: not its children */
		sigemptyset (&none);
		sigprocmask (SIG_SETMASK, &none, NULL);
		if (out && dup2 (p[1], STDOUT_FILENO) < 0)
			_exit (BX_SYSTEM);
		if (errfd == PROG_ERR_TO_OUT && out && dup2 (p[1], STDERR_FILENO) < 0)
			_exit (BX_SYSTEM);
		if (errfd >= 0 && dup2 (errfd, STDERR_FILENO) < 0)
			_exit (BX_SYSTEM);
		execvp (path, (char *const *)a->v);
		fprintf (stderr, "%s: %s\n", a->v[0], strerror (errno));
		_exit (127);
	}
	if (out) {
		close (p[1]);
		*out = p[0];
	}
	return pid;
}

int
prog_wait (pid_t pid)
{
	int st;

	while (waitpid (pid, &st, 0) < 0)
		if (errno != EINTR)
			return BX_SYSTEM;
	return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

int
prog_run (const struct prog_argv *a, char **out, struct bx_err *e)
{
	_cleanup_close_ int fd = -1;
	struct strbuf b = {0};
	char buf[8192];
	ssize_t n;
	pid_t pid = prog_start (a, out ? &fd : NULL, -1, e);

	if (pid < 0)
		return -1;
	while (out && (n = read (fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		strbuf_add (&b, buf, (size_t)n);
	}
	if (out) {
		strbuf_add (&b, "", 0);
		*out = b.s;
	}
	return prog_wait (pid);
}

/* stdout read and dropped; stderr on ERRFD */
static int
run_dropping (const struct prog_argv *a, int errfd, struct bx_err *e)
{
	_cleanup_close_ int out = -1;
	pid_t pid = prog_start (a, &out, errfd, e);
	char buf[4096];

	if (pid < 0)
		return -1;
	while (read (out, buf, sizeof buf) > 0)
		;
	return prog_wait (pid);
}

int
prog_quiet (const struct prog_argv *a, struct bx_err *e)
{
	_cleanup_close_ int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);

	return run_dropping (a, null, e);
}

static int
prog_quiet_out (const struct prog_argv *a, struct bx_err *e)
{
	return run_dropping (a, -1, e);
}

int
prog_call (char **out, struct bx_err *e, const char *name, ...)
{
	struct prog_argv a = {0};
	const char *s;
	va_list ap;
	int rc;

	prog_add (&a, name);
	va_start (ap, name);
	while ((s = va_arg (ap, const char *)))
		prog_add (&a, s);
	va_end (ap);
	/* what the program prints is not for compose's stdout */
	rc = out ? prog_run (&a, out, e) : prog_quiet_out (&a, e);
	prog_free (&a);
	return rc;
}

int
prog_exec (const struct prog_argv *a, struct bx_err *e)
{
	char path[PATH_MAX + 64];

	sibling_path (a->v[0], path, sizeof path);
	fflush (stdout);
	execvp (path, (char *const *)a->v);
	return err_set (e, BX_SYSTEM, errno, "exec %s", a->v[0]);
}
