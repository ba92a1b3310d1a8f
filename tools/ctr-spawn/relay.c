#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "runtime/pty.h"

void
relay_open (struct relay *r, int in, int to, int pty)
{
	r->in = to >= 0 ? in : -1;
	r->to = to;
	r->pty = pty;
	r->raw = 0;
	r->len = r->off = 0;
	r->out[0] = STDOUT_FILENO, r->out[1] = STDERR_FILENO;
	if (r->in < 0)
		return;
	/* the loop must not block on a container that does not read */
	fcntl (to, F_SETFL, fcntl (to, F_GETFL) | O_NONBLOCK);
	if (pty)
		r->raw = pty_raw (r->in, &r->saved) > 0;
}

size_t
relay_fds (const struct relay *r, struct pollfd *p)
{
	if (r->in < 0)
		return 0;
	/* an empty buffer waits for input, a full one for room */
	*p = r->len ? (struct pollfd){r->to, POLLOUT, 0} : (struct pollfd){r->in, POLLIN, 0};
	return 1;
}

/* the end of our input: a pty's reader told as a terminal would tell it */
static int
input_end (struct relay *r)
{
	struct termios t;
	char eof;

	r->in = -1;
	if (!r->pty)
		return 1;
	eof = tcgetattr (r->to, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
	if (write (r->to, &eof, 1) < 0) {
		/* the terminal is gone already: nobody to tell */
	}
	return 0;
}

int
relay_ready (struct relay *r, const struct pollfd *p, size_t n)
{
	ssize_t k;

	if (n == 0 || !p->revents)
		return 0;
	if (!r->len) {
		k = read (r->in, r->buf, sizeof r->buf);
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (k <= 0)
			return input_end (r);
		r->len = (size_t)k, r->off = 0;
		return 0;
	}
	k = write (r->to, r->buf + r->off, r->len);
	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (k < 0) {
		/* the container's stdin is closed: nothing more goes in */
		r->in = -1;
		r->len = 0;
		return 0;
	}
	r->off += (size_t)k, r->len -= (size_t)k;
	return 0;
}

int
relay_out (struct relay *r, int stream, const char *buf, size_t n)
{
	int fd = r->out[stream];
	struct pollfd p = {fd, POLLOUT, 0};

	while (n > 0 && fd >= 0) {
		ssize_t k = write (fd, buf, n);
		if (k > 0) {
			buf += k, n -= (size_t)k;
		} else if (k < 0 && errno == EAGAIN) {
			poll (&p, 1, -1);
		} else if (k < 0 && errno != EINTR) {
			r->out[stream] = -1;
			return -1;
		}
	}
	return fd < 0 ? -1 : 0;
}

int
relay_resize (const struct relay *r)
{
	if (!r->pty || r->to < 0)
		return 0;
	pty_resize (STDIN_FILENO, r->to);
	return 1;
}

void
relay_close (struct relay *r)
{
	if (r->raw)
		tcsetattr (STDIN_FILENO, TCSADRAIN, &r->saved);
	r->raw = 0;
	r->in = -1;
}
