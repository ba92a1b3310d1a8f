#include "runtime/stdcopy.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* a terminal, pipe or socket is safe to give away; a file or directory
 * (or a disk) is not */
static int
needs_pipe (int fd)
{
	struct stat st;

	return fstat (fd, &st) == 0 && (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode) || S_ISBLK (st.st_mode));
}

static void
pump_close (struct stdcopy_pump *p)
{
	/* the caller's own descriptor is not ours to close */
	if (p->from > STDERR_FILENO)
		close (p->from);
	if (p->to > STDERR_FILENO)
		close (p->to);
	free (p->buf);
	*p = (struct stdcopy_pump){.from = -1, .to = -1};
}

/* *FD replaced by one end of a new pipe; the pump copies between the
 * other end and the caller's FD (TOWARD: caller -> payload) */
static int
pump_open (struct stdcopy *c, int i, int *fd, int toward, struct bx_err *e)
{
	struct stdcopy_pump *p = &c->pump[i];
	int pp[2];

	if (!(p->buf = malloc (STDCOPY_BUF)))
		return err_set (e, BX_SYSTEM, ENOMEM, "stdio copy");
	if (pipe2 (pp, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "pipe");
	/* ours never blocks the loop; the payload's end stays blocking */
	fcntl (pp[toward ? 1 : 0], F_SETFL, O_NONBLOCK);
	p->from = toward ? *fd : pp[0];
	p->to = toward ? pp[1] : *fd;
	*fd = toward ? pp[0] : pp[1];
	return 0;
}

int
stdcopy_guard (struct stdcopy *c, int *in, int *out, int *err, struct bx_err *e)
{
	int *fds[3] = {in, out, err};

	for (int i = 0; i < 3; i++)
		c->pump[i] = (struct stdcopy_pump){.from = -1, .to = -1};
	for (int i = 0; i < 3; i++)
		if (needs_pipe (*fds[i]) && pump_open (c, i, fds[i], i == 0, e) < 0) {
			stdcopy_close (c);
			return -1;
		}
	if (stdcopy_active (c))
		signal (SIGPIPE, SIG_IGN);
	return 0;
}

int
stdcopy_active (const struct stdcopy *c)
{
	for (int i = 0; i < 3; i++)
		if (c->pump[i].from >= 0)
			return 1;
	return 0;
}

size_t
stdcopy_pollfds (const struct stdcopy *c, struct pollfd *p)
{
	size_t n = 0;

	for (int i = 0; i < 3; i++) {
		const struct stdcopy_pump *u = &c->pump[i];
		if (u->from < 0)
			continue;
		/* an empty buffer waits for input, a full one for room */
		p[n++] = u->len == 0 ? (struct pollfd){u->from, POLLIN, 0} : (struct pollfd){u->to, POLLOUT, 0};
	}
	return n;
}

/* one read or one write; 0 when the pump is finished */
static int
pump_move (struct stdcopy_pump *u)
{
	ssize_t n;

	if (u->len == 0) {
		n = read (u->from, u->buf, STDCOPY_BUF);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 1;
		if (n <= 0)
			return 0;
		u->len = (size_t)n, u->off = 0;
		return 1;
	}
	n = write (u->to, u->buf + u->off, u->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n < 0)
		return 0;
	u->off += (size_t)n, u->len -= (size_t)n;
	return 1;
}

void
stdcopy_step (struct stdcopy *c, const struct pollfd *p, size_t n, int exited)
{
	for (int i = 0; i < 3; i++) {
		struct stdcopy_pump *u = &c->pump[i];
		if (u->from < 0)
			continue;
		/* the payload's input: nobody reads it once the payload is gone */
		if (i == 0 && exited) {
			pump_close (u);
			continue;
		}
		for (size_t k = 0; k < n; k++)
			if (p[k].revents && (p[k].fd == u->from || p[k].fd == u->to) && !pump_move (u))
				pump_close (u);
	}
}

void
stdcopy_close (struct stdcopy *c)
{
	for (int i = 0; i < 3; i++)
		if (c->pump[i].from >= 0 || c->pump[i].buf)
			pump_close (&c->pump[i]);
}
