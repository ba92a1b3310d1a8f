#include "ocistdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/fdpass.h"
#include "base/afile.h"
#include "runtime/pty.h"

int
ocistdio_connect (const char *path, struct bx_err *e)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int s;

	if (!path)
		return err_set (e, BX_USAGE, 0, "no socket path");
	if (strlen (path) >= sizeof a.sun_path)
		return err_set (e, BX_USAGE, 0, "console socket %s: path too long", path);
	strcpy (a.sun_path, path);
	if ((s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return err_set (e, BX_SYSTEM, errno, "console socket");
	if (connect (s, (struct sockaddr *)&a, sizeof a) < 0) {
		close (s);
		return err_set (e, BX_SYSTEM, errno, "console socket %s", path);
	}
	return s;
}

int
ocistdio_make (int terminal, const char *console_socket, int detached, struct spawn_io *io, struct spawn_oci *oci,
               struct ocistdio *t, struct bx_err *e)
{
	int sv[2];

	io->in = STDIN_FILENO;
	io->out = STDOUT_FILENO;
	io->err = STDERR_FILENO;
	io->console = -1;
	io->detached = detached;
	*t = (struct ocistdio){-1, -1, -1};
	oci->console_sock = -1;
	if (!terminal)
		return 0;
	if (console_socket) {
		if ((t->sock = ocistdio_connect (console_socket, e)) < 0)
			return -1;
	} else if (detached) {
		return err_set (e, BX_USAGE, 0,
		                "cannot allocate tty if runc will detach without setting console socket");
	} else {
		if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return err_set (e, BX_SYSTEM, errno, "socketpair");
		t->sock = sv[0];
		t->peer = sv[1];
	}
	oci->console_sock = t->sock;
	return 0;
}

int
ocistdio_started (struct ocistdio *t, struct bx_err *e)
{
	if (t->sock >= 0)
		close (t->sock);
	t->sock = -1;
	if (t->peer < 0)
		return 0;
	if (fdpass_recv (t->peer, &t->master, e) < 0)
		return -1;
	pty_resize (STDIN_FILENO, t->master);
	return 0;
}

void
ocistdio_close (struct ocistdio *t)
{
	int *fds[] = {&t->sock, &t->peer, &t->master};

	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (*fds[i] >= 0) {
			close (*fds[i]);
			*fds[i] = -1;
		}
}

int
ocistdio_pid_file (const char *path, pid_t pid, struct bx_err *e)
{
	char text[32];
	int n = snprintf (text, sizeof text, "%d", (int)pid);

	return path ? afile_replace_at (AT_FDCWD, path, text, (size_t)n, 0644, e) : 0;
}
