#include "base/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"

extern char **environ;

static int
proc_write (pid_t pid, const char *file, const char *text, size_t len, struct bx_err *e)
{
	char path[64];

	snprintf (path, sizeof path, "/proc/%d/%s", (int)pid, file);
	if (afile_put (path, text, len) < 0)
		return err_set (e, BX_SYSTEM, errno, "write %s", path);
	return 0;
}

/* the kernel takes a map in one write */
static int
map_write (pid_t pid, const char *file, const struct idmap *m, struct bx_err *e)
{
	char buf[IDMAP_MAX * 34];
	int len = idmap_format (m, buf, sizeof buf);

	if (len < 0)
		return err_set (e, BX_USAGE, 0, "%s: more than %d lines", file, IDMAP_MAX);
	return proc_write (pid, file, buf, (size_t)len, e);
}

/* PROG PID inner outer count...: the setuid helper of Debian's uidmap;
 * its complaint (one line of stderr) becomes our message */
static int
helper_run (const char *prog, pid_t pid, const struct idmap *m, struct bx_err *e)
{
	char num[1 + 3 * IDMAP_MAX][12], out[256] = "";
	char *argv[2 + 3 * IDMAP_MAX + 1];
	posix_spawn_file_actions_t fa;
	int p[2], st, r;
	size_t k = 0;
	ssize_t got;
	pid_t child;

	argv[k++] = (char *)prog;
	snprintf (num[0], sizeof num[0], "%d", (int)pid);
	argv[k++] = num[0];
	for (size_t i = 0; i < m->n; i++) {
		uint32_t v[3] = {m->ext[i].inside, m->ext[i].outside, m->ext[i].count};
		for (int j = 0; j < 3; j++) {
			snprintf (num[k - 1], sizeof num[0], "%u", v[j]);
			argv[k] = num[k - 1];
			k++;
		}
	}
	argv[k] = NULL;
	if (pipe2 (p, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", prog);
	posix_spawn_file_actions_init (&fa);
	posix_spawn_file_actions_adddup2 (&fa, p[1], STDERR_FILENO);
	r = posix_spawnp (&child, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy (&fa);
	close (p[1]);
	if (r != 0) {
		close (p[0]);
		return err_set (e, BX_SYSTEM, r, "%s (Debian's uidmap)", prog);
	}
	got = read (p[0], out, sizeof out - 1);
	close (p[0]);
	out[got > 0 ? got : 0] = '\0';
	out[strcspn (out, "\n")] = '\0';
	while (waitpid (child, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
		return err_set (e, BX_FAIL, 0, "%s %d: %s", prog, (int)pid, *out ? out : "failed");
	return 0;
}

/* our own uid or gid alone: what an unprivileged process may write */
static int
only_own (const struct idmap *m, uint32_t own)
{
	return m->n == 1 && m->ext[0].count == 1 && m->ext[0].outside == own;
}

int
userns_write_maps (pid_t pid, const struct userns_maps *m, struct bx_err *e)
{
	if (geteuid () == 0)
		return map_write (pid, "uid_map", m->uid, e) < 0 ? -1 : map_write (pid, "gid_map", m->gid, e);
	if (only_own (m->uid, getuid ()) && only_own (m->gid, getgid ())) {
		if (map_write (pid, "uid_map", m->uid, e) < 0 || proc_write (pid, "setgroups", "deny", 4, e) < 0)
			return -1;
		return map_write (pid, "gid_map", m->gid, e);
	}
	if (helper_run ("newuidmap", pid, m->uid, e) < 0)
		return -1;
	return helper_run ("newgidmap", pid, m->gid, e);
}

int
userns_open (const struct userns_maps *m, struct bx_err *e)
{
	struct clone_args a = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
	char path[64], c;
	int p[2], fd = -1;
	pid_t pid;

	if (pipe2 (p, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "user namespace");
	if ((pid = (pid_t)syscall (SYS_clone3, &a, sizeof a)) < 0) {
		close (p[0]), close (p[1]);
		return err_set (e, BX_SYSTEM, errno, "user namespace");
	}
	/* a placeholder: it holds the namespace until its fd is open */
	if (pid == 0) {
		close (p[1]);
		_exit (read (p[0], &c, 1) < 0);
	}
	close (p[0]);
	snprintf (path, sizeof path, "/proc/%d/ns/user", (int)pid);
	if (userns_write_maps (pid, m, e) == 0 && (fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
		err_set (e, BX_SYSTEM, errno, "open %s", path);
	close (p[1]);
	while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}
