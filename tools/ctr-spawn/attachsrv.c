#include "attachsrv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/attach.h"

void
attachsrv_open (struct attachsrv *s, int dirfd)
{
	struct bx_err e = {0};

	s->n = 0;
	s->input = -1;
	s->lsock = attach_listen (dirfd, &e);
}

void
attachsrv_start (struct attachsrv *s, int input, int pty)
{
	s->input = input;
	s->pty = pty;
	if (input >= 0)
		fcntl (input, F_SETFL, fcntl (input, F_GETFL) | O_NONBLOCK);
}

size_t
attachsrv_fds (const struct attachsrv *s, struct pollfd *p)
{
	size_t k = 0;

	if (s->lsock < 0)
		return 0;
	p[k++] = (struct pollfd){s->lsock, s->n < ATTACHSRV_MAX ? POLLIN : 0, 0};
	for (size_t i = 0; i < s->n; i++)
		p[k++] = (struct pollfd){s->a[i].fd, POLLIN, 0};
	return k;
}

static void
drop (struct attachsrv *s, size_t i)
{
	close (s->a[i].fd);
	s->a[i] = s->a[--s->n];
}

/* BUF to the container's input, waiting ATTACHSRV_SEND_MS at most */
static void
input (struct attachsrv *s, const char *buf, size_t n)
{
	struct pollfd p = {s->input, POLLOUT, 0};

	while (n > 0 && s->input >= 0) {
		ssize_t w = write (s->input, buf, n);
		if (w > 0) {
			buf += w, n -= (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			if (poll (&p, 1, ATTACHSRV_SEND_MS) <= 0)
				return;
		} else if (w < 0 && errno != EINTR) {
			return;
		}
	}
}

static void
resize (struct attachsrv *s, const char *buf, size_t n)
{
	struct winsize ws = {0};
	uint16_t rc[2];

	if (!s->pty || s->input < 0 || n != sizeof rc)
		return;
	memcpy (rc, buf, sizeof rc);
	ws.ws_row = rc[0], ws.ws_col = rc[1];
	ioctl (s->input, TIOCSWINSZ, &ws);
}

/* one message of attacher I; 0 when it is gone */
static int
message (struct attachsrv *s, size_t i)
{
	static char buf[ATTACH_MSG_MAX];
	ssize_t n = recv (s->a[i].fd, buf, sizeof buf, MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return 0;
	if (buf[0] == ATTACH_HELLO && n == 2)
		s->a[i].stdin = buf[1] & ATTACH_WANT_STDIN;
	else if (buf[0] == ATTACH_STDIN && s->a[i].stdin)
		input (s, buf + 1, (size_t)n - 1);
	else if (buf[0] == ATTACH_RESIZE)
		resize (s, buf + 1, (size_t)n - 1);
	return 1;
}

static void
accept_one (struct attachsrv *s)
{
	struct timeval tv = {ATTACHSRV_SEND_MS / 1000, (ATTACHSRV_SEND_MS % 1000) * 1000};
	int fd = accept4 (s->lsock, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (s->n == ATTACHSRV_MAX) {
		close (fd);
		return;
	}
	setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	s->a[s->n].fd = fd;
	s->a[s->n++].stdin = 0;
}

void
attachsrv_ready (struct attachsrv *s, const struct pollfd *p, size_t n)
{
	if (n == 0)
		return;
	/* attachers first, backwards: a drop moves the last into its place.
	 * One the output dropped since the poll no longer owns its entry. */
	for (size_t k = n - 1; k >= 1; k--)
		if (k - 1 < s->n && s->a[k - 1].fd == p[k].fd && p[k].revents && !message (s, k - 1))
			drop (s, k - 1);
	if (p[0].revents & POLLIN)
		accept_one (s);
}

void
attachsrv_out (struct attachsrv *s, int stream, const char *buf, size_t n)
{
	for (size_t i = s->n; i-- > 0;)
		if (attach_send (s->a[i].fd, stream ? ATTACH_STDERR : ATTACH_STDOUT, buf, n) < 0)
			drop (s, i);
}

void
attachsrv_exit (struct attachsrv *s, int code)
{
	char c[16];

	snprintf (c, sizeof c, "%d", code);
	while (s->n > 0) {
		attach_send (s->a[s->n - 1].fd, ATTACH_EXIT, c, strlen (c));
		drop (s, s->n - 1);
	}
	s->input = -1;
}

void
attachsrv_close (struct attachsrv *s, int dirfd)
{
	attachsrv_exit (s, 0);
	if (s->lsock >= 0) {
		close (s->lsock);
		attach_unlink (dirfd);
	}
	s->lsock = -1;
}
