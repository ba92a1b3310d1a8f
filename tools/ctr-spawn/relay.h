/* relay - the caller's side of an attached container (ctr-spawn without
 * -d): the output the loop of supervise logs is written to our stdout and
 * stderr too (a pty's all to stdout, as Docker's client shows it), our
 * stdin copied to the container's stdin pipe or pty, our terminal in raw
 * mode meanwhile and its size given to the pty.
 *
 * The container's stdin is a pipe of ours rather than our stdin itself,
 * so that attachers (attachsrv) can write to it too; at the end of our
 * input it is closed (Docker's StdinOnce for run -i), or a pty is sent
 * its EOF character. */
#ifndef BOX_RELAY_H
#define BOX_RELAY_H

#include <poll.h>
#include <stddef.h>
#include <termios.h>

#define RELAY_BUF 8192

struct relay {
	int in;  /* our stdin while it is read; -1 */
	int to;  /* the container's stdin pipe or pty master; -1 */
	int pty; /* TO is a pty master */
	int raw; /* our terminal was put in raw mode: SAVED restores it */
	struct termios saved;
	int out[2]; /* our stdout, stderr; -1 once broken */
	char buf[RELAY_BUF];
	size_t len, off; /* input read, not yet written to TO */
};

/* IN (our stdin, or -1: none given) copied to TO; PTY: TO is a pty master. */
void relay_open (struct relay *r, int in, int to, int pty);
/* The poll entry to watch (0 or 1 of them), in P. */
size_t relay_fds (const struct relay *r, struct pollfd *p);
/* What poll found on those N entries; 1 once our input ended and TO, a
 * pipe, is to be closed. */
int relay_ready (struct relay *r, const struct pollfd *p, size_t n);
/* Output of STREAM (0 stdout, 1 stderr) to ours; -1 when ours is broken
 * (the reader went), as the container's own write would have seen it. */
int relay_out (struct relay *r, int stream, const char *buf, size_t n);
/* SIGWINCH: our terminal's size to the pty; 0 when there is none. */
int relay_resize (const struct relay *r);
/* Our terminal as it was. */
void relay_close (struct relay *r);

#endif
