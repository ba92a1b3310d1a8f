/* sshagent - key files served by an ssh agent of the build's own */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/layout.h"
#include "base/tree.h"
#include "sshagent.h"

#define SSHAGENT_MAX 16

/* ssh-agent's "command": says the agent's pid, then waits on the pipe */
#define SSHAGENT_SHIM "echo \"$SSH_AGENT_PID\"; exec cat >/dev/null"

static struct sshagent {
	pid_t shim; /* the agent's parent: it ends when the pipe closes */
	pid_t pid;  /* the agent */
	int hold;   /* the pipe's write end, only here */
} agents[SSHAGENT_MAX];
static size_t nagents;

static void
sshagent_dir (char *out, size_t len)
{
	snprintf (out, len, L_TMP "/" L_BUILD_TMP "%d.ssh", (int)getpid ());
}

/* what FD says until it closes: the first LEN-1 bytes kept */
static size_t
sshagent_read_all (int fd, char *buf, size_t len)
{
	char sink[512];
	size_t have = 0;
	ssize_t n;

	for (;;) {
		char *to = have < len - 1 ? buf + have : sink;
		size_t room = have < len - 1 ? len - 1 - have : sizeof sink;
		if ((n = read (fd, to, room)) == 0 || (n < 0 && errno != EINTR))
			return have;
		if (n > 0 && to != sink)
			have += (size_t)n;
	}
}

/* ssh-agent on SOCK under the shim, *A its pids and the pipe */
static int
sshagent_spawn (const char *id, const char *sock, struct sshagent *a, struct bx_err *e)
{
	int hold[2], said[2];
	pid_t pid;

	if (pipe2 (hold, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "--ssh %s: pipe", id);
	if (pipe2 (said, O_CLOEXEC) < 0) {
		close (hold[0]);
		close (hold[1]);
		return err_set (e, BX_SYSTEM, errno, "--ssh %s: pipe", id);
	}
	fflush (stdout);
	if ((pid = fork ()) == 0) {
		/* its own process group: Ctrl-C is the build's to handle */
		if (setpgid (0, 0) < 0 || dup2 (hold[0], STDIN_FILENO) < 0 || dup2 (said[1], STDOUT_FILENO) < 0)
			_exit (BX_SYSTEM);
		signal (SIGINT, SIG_DFL);
		signal (SIGTERM, SIG_DFL);
		execlp ("ssh-agent", "ssh-agent", "-a", sock, "/bin/sh", "-c", SSHAGENT_SHIM, (char *)NULL);
		_exit (127);
	}
	close (hold[0]);
	close (said[1]);
	if (pid < 0) {
		close (hold[1]);
		close (said[0]);
		return err_set (e, BX_SYSTEM, errno, "--ssh %s: fork", id);
	}
	char line[32];
	line[sshagent_read_all (said[0], line, sizeof line)] = '\0';
	close (said[0]);
	*a = (struct sshagent){pid, (pid_t)atoi (line), hold[1]};
	if (a->pid > 0)
		return 0;
	close (hold[1]);
	waitpid (pid, NULL, 0);
	return err_set (e, BX_SYSTEM, 0, "--ssh %s: ssh-agent did not start (is openssh-client installed?)", id);
}

/* ssh-add KEYS into the agent on SOCK; its complaint is the error's */
static int
sshagent_add (const char *id, const char *sock, json_t *keys, struct bx_err *e)
{
	size_t n = json_array_size (keys), i;
	const char **argv = calloc (n + 2, sizeof *argv);
	char msg[2048], *last;
	int out[2], st;
	pid_t pid;
	json_t *k;

	if (!argv || pipe2 (out, O_CLOEXEC) < 0) {
		free (argv);
		return err_set (e, BX_SYSTEM, errno ? errno : ENOMEM, "--ssh %s: ssh-add", id);
	}
	argv[0] = "ssh-add";
	json_array_foreach (keys, i, k) argv[i + 1] = json_string_value (k);
	fflush (stdout);
	if ((pid = fork ()) == 0) {
		int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2 (null, STDIN_FILENO) < 0 || dup2 (out[1], STDOUT_FILENO) < 0 ||
		    dup2 (out[1], STDERR_FILENO) < 0 || setenv ("SSH_AUTH_SOCK", sock, 1) < 0)
			_exit (BX_SYSTEM);
		execvp ("ssh-add", (char *const *)argv);
		_exit (127);
	}
	free (argv);
	close (out[1]);
	if (pid < 0) {
		close (out[0]);
		return err_set (e, BX_SYSTEM, errno, "--ssh %s: fork", id);
	}
	msg[sshagent_read_all (out[0], msg, sizeof msg)] = '\0';
	close (out[0]);
	while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED (st) && WEXITSTATUS (st) == 0)
		return 0;
	/* its last line says why ("Error loading key ...: invalid format") */
	while ((last = strrchr (msg, '\n')) && last[1] == '\0')
		*last = '\0';
	last = strrchr (msg, '\n');
	return err_set (e, BX_USAGE, 0, "--ssh %s: ssh-add: %s", id,
	                WIFEXITED (st) && WEXITSTATUS (st) == 127 ? "not found (is openssh-client installed?)"
	                : last                                    ? last + 1
	                                                          : msg);
}

int
sshagent_start (struct build *b, struct bx_err *e)
{
	const char *id;
	json_t *v;
	char dir[64], sock[PATH_MAX];

	sshagent_dir (dir, sizeof dir);
	json_object_foreach (b->o->ssh, id, v)
	{
		json_t *keys = json_object_get (v, "keys");
		struct sshagent *a = &agents[nagents];
		if (!keys)
			continue;
		if (nagents == SSHAGENT_MAX)
			return err_set (e, BX_USAGE, 0, "--ssh %s: more than %d ids with key files", id, SSHAGENT_MAX);
		mkdirat (b->rootfd, L_TMP, 0700);
		if (mkdirat (b->rootfd, dir, 0700) < 0 && errno != EEXIST)
			return err_set (e, BX_SYSTEM, errno, "%s", dir);
		snprintf (sock, sizeof sock, "%s/%s/%zu.sock", b->o->rootpath, dir, nagents);
		if (strlen (sock) >= sizeof ((struct sockaddr_un *)0)->sun_path)
			return err_set (e, BX_USAGE, 0, "--ssh %s: the agent's socket path is too long: %s", id, sock);
		if (sshagent_spawn (id, sock, a, e) < 0)
			return -1;
		nagents++;
		if (sshagent_add (id, sock, keys, e) < 0)
			return -1;
		json_object_set_new (b->o->ssh, id, json_string (sock));
	}
	return 0;
}

void
sshagent_stop (struct build *b)
{
	char dir[64];

	/* the agent first, while its parent holds its pid */
	for (size_t i = 0; i < nagents; i++) {
		kill (agents[i].pid, SIGTERM);
		close (agents[i].hold);
		while (waitpid (agents[i].shim, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (nagents) {
		sshagent_dir (dir, sizeof dir);
		tree_remove_at (b->rootfd, dir);
	}
	nagents = 0;
}
