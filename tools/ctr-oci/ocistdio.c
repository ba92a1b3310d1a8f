#include "ocistdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/afile.h"
#include "runtime/pty.h"

/* the master over the unix socket PATH, with the slave's name as the
 * message (runc's utils.SendFd) */
static int
console_send (const char *path, int master, const char *name, struct bx_err *e)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char cbuf[CMSG_SPACE (sizeof (int))] = {0};
	struct iovec iov = {(void *)name, strlen (name)};
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm = CMSG_FIRSTHDR (&h);
	int s, r;

	if (strlen (path) >= sizeof a.sun_path)
		return err_set (e, BX_USAGE, 0, "console socket %s: path too long", path);
	strcpy (a.sun_path, path);
	if ((s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return err_set (e, BX_SYSTEM, errno, "console socket");
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN (sizeof (int));
	memcpy (CMSG_DATA (cm), &master, sizeof master);
	r = connect (s, (struct sockaddr *)&a, sizeof a) < 0 || sendmsg (s, &h, MSG_NOSIGNAL) < 0;
	if (r)
		err_set (e, BX_SYSTEM, errno, "console socket %s", path);
	close (s);
	return r ? -1 : 0;
}

int
ocistdio_make (int terminal, const char *console_socket, int detached, struct spawn_io *io, int *master,
               struct bx_err *e)
{
	io->in = STDIN_FILENO;
	io->out = STDOUT_FILENO;
	io->err = STDERR_FILENO;
	io->console = -1;
	io->detached = detached;
	*master = -1;
	if (!terminal)
		return 0;
	if (!console_socket && detached)
		return err_set (e, BX_USAGE, 0,
		                "cannot allocate tty if runc will detach without setting console socket");
	if (pty_open (master, &io->console, io->console_path, sizeof io->console_path, e) < 0)
		return -1;
	if (!console_socket) {
		pty_resize (STDIN_FILENO, *master);
		return 0;
	}
	if (console_send (console_socket, *master, io->console_path, e) < 0) {
		close (io->console);
		io->console = -1;
	}
	close (*master);
	*master = -1;
	return io->console < 0 ? -1 : 0;
}

int
ocistdio_pid_file (const char *path, pid_t pid, struct bx_err *e)
{
	char text[32];
	int n = snprintf (text, sizeof text, "%d", (int)pid);

	return path ? afile_replace_at (AT_FDCWD, path, text, (size_t)n, 0644, e) : 0;
}
