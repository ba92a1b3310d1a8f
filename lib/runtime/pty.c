#include "runtime/pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/afile.h"

int
pty_open (int *master, int *slave, char *name, size_t len, struct bx_err *e)
{
	return pty_open_at (AT_FDCWD, "/dev/ptmx", master, slave, name, len, e);
}

int
pty_open_at (int dirfd, const char *ptmx, int *master, int *slave, char *name, size_t len, struct bx_err *e)
{
	int m = openat (dirfd, ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC), s;

	if (m < 0)
		return err_set (e, BX_SYSTEM, errno, "open a pseudo-terminal");
	if (unlockpt (m) < 0 || ptsname_r (m, name, len) != 0 ||
	    (s = ioctl (m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		err_set (e, BX_SYSTEM, errno, "open a pseudo-terminal");
		close (m);
		return -1;
	}
	*master = m;
	*slave = s;
	return 0;
}

int
pty_raw (int fd, struct termios *saved)
{
	struct termios t;

	if (tcgetattr (fd, saved) < 0)
		return 0;
	t = *saved;
	cfmakeraw (&t);
	/* output processing stays as it was: the container's terminal does it */
	t.c_oflag = saved->c_oflag;
	return tcsetattr (fd, TCSANOW, &t) == 0;
}

void
pty_resize (int from, int to)
{
	struct winsize ws;

	/* our stdin may be a pipe while stdout is the terminal */
	if (ioctl (from, TIOCGWINSZ, &ws) == 0 || ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl (to, TIOCSWINSZ, &ws);
}

/* one read from FROM copied to TO; 0 at EOF (EIO on a master whose slave
 * is closed), -1 on error */
static int
copy_once (int from, int to)
{
	char buf[16384];
	ssize_t n = read (from, buf, sizeof buf);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	return afile_write_all (to, buf, (size_t)n) < 0 ? -1 : 1;
}

int
pty_relay (int in, int out, int master, int sigfd, int (*on_signal) (int sig, void *arg), void *arg)
{
	struct pollfd p[3] = {{master, POLLIN, 0}, {sigfd, POLLIN, 0}, {in, POLLIN, 0}};
	int exited = 0, open_master = 1;

	while (open_master || !exited) {
		if (poll (p, in >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].revents && copy_once (master, out) <= 0) {
			open_master = 0;
			p[0].fd = -1;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			if (read (sigfd, &si, sizeof si) == (ssize_t)sizeof si && on_signal ((int)si.ssi_signo, arg))
				exited = 1;
		}
		if (in >= 0 && p[2].revents && copy_once (in, master) <= 0) {
			/* the caller's input ended: the terminal's EOF character tells
			 * the reader, as the terminal would */
			struct termios t;
			char eof = tcgetattr (master, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
			if (write (master, &eof, 1) < 0) {
				/* the terminal is gone already: nobody to tell */
			}
			p[2].fd = -1;
		}
	}
	return 0;
}
