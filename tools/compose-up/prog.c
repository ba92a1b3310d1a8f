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

/* the program NAME beside this one, else NAME for PATH */
static void
prog_path (const char *name, char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
	char *slash;

	self[n > 0 ? n : 0] = '\0';
	slash = strrchr (self, '/');
	snprintf (out, len, "%.*s/%s", slash ? (int)(slash - self) : 0, self, name);
	if (access (out, X_OK) < 0)
		snprintf (out, len, "%s", name);
}

pid_t
prog_start (const struct prog_argv *a, int *out, int errfd, struct bx_err *e)
{
	char path[PATH_MAX + 64];
	int p[2] = {-1, -1};
	pid_t pid;

	prog_path (a->v[0], path, sizeof path);
	if (out && pipe2 (p, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "pipe");
	fflush (stdout);
	fflush (stderr);
	if ((pid = fork ()) < 0) {
		err_set (e, BX_SYSTEM, errno, "fork");
		return -1;
	}
	if (pid == 0) {
		if (out && dup2 (p[1], STDOUT_FILENO) < 0)
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
