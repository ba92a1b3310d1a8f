/* unit tests: ctr-spawn/attachsrv, the attachers' table */
#include "ctr-spawn/attachsrv.h"

#include <sys/socket.h>

#include "tap.h"

/* an attacher on a socketpair, put in the table as accept_one would */
static int
attacher (struct attachsrv *s)
{
	int sv[2];

	if (socketpair (AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return -1;
	s->a[s->n].fd = sv[0];
	s->a[s->n++].stdin = 0;
	return sv[1];
}

/* Attachers the output dropped between the poll and its answer: their
 * stale entries must not drop another, nor count below zero (the
 * supervisor then wrote past its poll table). */
static void
test_dropped_before_ready (void)
{
	struct attachsrv s = {.lsock = -1, .input = -1};
	struct pollfd p[1 + ATTACHSRV_MAX] = {{0}};
	int far[3];
	size_t n;

	for (int i = 0; i < 3; i++)
		far[i] = attacher (&s);
	s.lsock = 0; /* attachsrv_fds serves attachers only with a socket */
	n = attachsrv_fds (&s, p);
	ok (n == 4, "the socket and three attachers polled");
	close (far[0]), close (far[1]), close (far[2]);
	attachsrv_out (&s, 0, "x", 1);
	ok (s.n == 0, "the three gone dropped by the output");
	p[1].revents = p[2].revents = p[3].revents = POLLHUP;
	attachsrv_ready (&s, p, n);
	ok (s.n == 0, "their stale entries drop nothing more");

	for (int i = 0; i < 3; i++)
		far[i] = attacher (&s);
	n = attachsrv_fds (&s, p);
	close (far[0]);
	attachsrv_out (&s, 0, "x", 1);
	ok (s.n == 2 && s.a[0].fd == p[3].fd, "one dropped by the output, the last moved into its place");
	p[1].revents = p[2].revents = 0, p[3].revents = POLLIN;
	attachsrv_ready (&s, p, n);
	ok (s.n == 2, "the moved one is not read at its old entry");
	close (far[1]);
	n = attachsrv_fds (&s, p);
	p[1].revents = 0, p[2].revents = POLLHUP;
	attachsrv_ready (&s, p, n);
	ok (s.n == 1 && s.a[0].fd == p[1].fd, "one that hung up is dropped at its entry");
	close (far[2]);
	p[1].revents = POLLHUP, p[2].revents = 0;
	attachsrv_ready (&s, p, 2);
	ok (s.n == 0, "and the last");
}

int
main (void)
{
	test_dropped_before_ready ();
	return tap_done ();
}
