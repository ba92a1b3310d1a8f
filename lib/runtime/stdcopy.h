/* stdcopy - the caller's stdin, stdout and stderr, handed to a container
 * through pipes where they are files
 *
 * An attached payload used to get the caller's descriptors themselves. A
 * regular file or a directory among them is a way out: the container can
 * reopen /proc/self/fd/1 with any mode and rewrite a redirected host file,
 * or walk out of its root from a directory. As Docker and Podman do, such
 * a descriptor is replaced by a pipe whose other end we copy; a terminal,
 * pipe or socket goes in directly, which is safe and costs nothing. */
#ifndef BOX_STDCOPY_H
#define BOX_STDCOPY_H

#include <poll.h>
#include <stddef.h>

#include "base/err.h"

#define STDCOPY_BUF 65536

/* one direction: FROM is read into BUF, BUF written to TO */
struct stdcopy_pump {
	int from, to;
	size_t len, off;
	char *buf;
};

struct stdcopy {
	struct stdcopy_pump pump[3]; /* [0] caller -> pipe; [1], [2] pipe -> caller */
};

/* Replace each of *IN, *OUT, *ERR that is a regular file or a directory
 * with one end of a pipe, and set up the copy; the others are left as
 * they are. The caller closes the ends it was given once the payload has
 * them (a copy ends when every writer of its pipe is gone). SIGPIPE is
 * ignored from here on: a payload gone before it read its input must not
 * kill us. */
int stdcopy_guard (struct stdcopy *c, int *in, int *out, int *err, struct bx_err *e);
/* Whether any copy is still under way. */
int stdcopy_active (const struct stdcopy *c);
/* Fill up to 3 entries of P for poll(2); returns how many. */
size_t stdcopy_pollfds (const struct stdcopy *c, struct pollfd *p);
/* Move what P's events allow; a pump whose source ended or whose sink
 * broke is closed. EXITED: the payload is gone, its input no longer wanted. */
void stdcopy_step (struct stdcopy *c, const struct pollfd *p, size_t n, int exited);
/* Close whatever is left. */
void stdcopy_close (struct stdcopy *c);

#endif
