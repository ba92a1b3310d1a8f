/* attachsrv - ctr-spawn's side of attach (lib/runtime/attach), served by
 * the -d supervisor and by an attached ctr-spawn alike:
 * attachers accepted on containers/<id>/attach, the container's output
 * sent to each, their input written to its stdin or pty, their window
 * size given to the pty, the exit code sent to each at the end.
 *
 * An attacher that cannot take the output within ATTACHSRV_SEND_MS is
 * dropped rather than holding up the log; input the container does not
 * read within that time is dropped too. The table is fixed (RSS). */
#ifndef BOX_ATTACHSRV_H
#define BOX_ATTACHSRV_H

#include <poll.h>
#include <stddef.h>

#define ATTACHSRV_MAX 16
#define ATTACHSRV_SEND_MS 2000

struct attachsrv {
	int lsock; /* -1: none (attach not served) */
	int input; /* the container's stdin pipe or pty master; -1 */
	int pty;   /* INPUT is a pty master: resizes apply */
	struct {
		int fd, stdin;
	} a[ATTACHSRV_MAX];
	size_t n;
};

/* Listen on DIRFD's attach socket; without it attach is not served. */
void attachsrv_open (struct attachsrv *s, int dirfd);
/* Where input goes for this start (-1: nowhere); PTY: it is a master. */
void attachsrv_start (struct attachsrv *s, int input, int pty);
/* The poll entries to watch (at most 1 + ATTACHSRV_MAX), in P. */
size_t attachsrv_fds (const struct attachsrv *s, struct pollfd *p);
/* What poll found on those N entries. */
void attachsrv_ready (struct attachsrv *s, const struct pollfd *p, size_t n);
/* Output of STREAM (0 stdout, 1 stderr) to every attacher. */
void attachsrv_out (struct attachsrv *s, int stream, const char *buf, size_t n);
/* The container's end: CODE to every attacher, and they go. */
void attachsrv_exit (struct attachsrv *s, int code);
/* The socket closed and removed. */
void attachsrv_close (struct attachsrv *s, int dirfd);

#endif
