#include "ocihooks.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/spawn.h"

/* a NULL-terminated copy of the strings of A; ARGV0 when A is empty */
static char **
strv (json_t *a, const char *argv0)
{
	size_t n = json_array_size (a), i;
	char **v = calloc (n + 2, sizeof *v);
	json_t *it;

	if (!v)
		return NULL;
	json_array_foreach (a, i, it) v[i] = (char *)json_string_value (it);
	if (!n && argv0)
		v[0] = (char *)argv0;
	return v;
}

static void __attribute__ ((noreturn)) hook_child (int in, const char *path, char **argv, char **env)
{
	dup2 (in, STDIN_FILENO);
	/* a hook's output is a message for whoever reads our errors */
	dup2 (STDERR_FILENO, STDOUT_FILENO);
	execve (path, argv, env);
	_exit (127);
}

/* wait for PID, killing it after TIMEOUT seconds (0: none) */
static int
hook_wait (pid_t pid, int timeout, int *status)
{
	int fd = (int)syscall (SYS_pidfd_open, pid, 0), r = 0;
	struct pollfd p = {fd, POLLIN, 0};

	if (fd >= 0 && timeout > 0) {
		while ((r = poll (&p, 1, timeout * 1000)) < 0 && errno == EINTR)
			;
		if (r == 0)
			kill (pid, SIGKILL);
	}
	if (fd >= 0)
		close (fd);
	while (waitpid (pid, status, 0) < 0 && errno == EINTR)
		;
	return r == 0 && timeout > 0 ? -1 : 0;
}

static int
hook_run (json_t *h, const char *which, const char *state, struct bx_err *e)
{
	const char *path = json_string_value (json_object_get (h, "path"));
	int timeout = (int)json_integer_value (json_object_get (h, "timeout")), p[2], st = 0;
	char **argv, **env;
	extern char **environ;
	pid_t pid;

	if (!path || *path != '/')
		return err_set (e, BX_USAGE, 0, "config.json: hooks.%s: path must be absolute", which);
	if (pipe2 (p, O_CLOEXEC) < 0)
		return err_set (e, SPAWN_FAILED, errno, "hook %s", path);
	/* the state fits a pipe's buffer: no writer process needed */
	fcntl (p[1], F_SETPIPE_SZ, (int)strlen (state) + 1);
	if (write (p[1], state, strlen (state)) != (ssize_t)strlen (state)) {
		close (p[0]), close (p[1]);
		return err_set (e, SPAWN_FAILED, errno, "hook %s: state", path);
	}
	close (p[1]);
	argv = strv (json_object_get (h, "args"), path);
	env = json_object_get (h, "env") ? strv (json_object_get (h, "env"), NULL) : environ;
	if (!argv || !env || (pid = fork ()) < 0) {
		close (p[0]);
		err_set (e, SPAWN_FAILED, errno, "hook %s", path);
		pid = -1;
	} else if (pid == 0)
		hook_child (p[0], path, argv, env);
	close (p[0]);
	free (argv);
	if (env != environ)
		free (env);
	if (pid < 0)
		return -1;
	if (hook_wait (pid, timeout, &st) < 0)
		return err_set (e, SPAWN_FAILED, 0, "%s hook %s: timed out after %d s", which, path, timeout);
	if (!WIFEXITED (st) || WEXITSTATUS (st))
		return err_set (e, SPAWN_FAILED, 0, "%s hook %s: exit status %d", which, path, spawn_exit_code (st));
	return 0;
}

int
ocihooks_run (void *hooks, const char *which, const char *state, struct bx_err *e)
{
	json_t *list = json_object_get (hooks, which), *h;
	size_t i;

	json_array_foreach (list, i, h) if (hook_run (h, which, state, e) < 0) return -1;
	return 0;
}
