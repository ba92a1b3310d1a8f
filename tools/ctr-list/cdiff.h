/* cdiff - `docker diff`: a container's changes, read from its overlay
 * upper directory against the image's layers
 *
 * "A /p" for what the container added, "C /p" for what it changed (a
 * directory when something inside it changed, or its mode or owner), "D /p"
 * for what it deleted (a whiteout; the entries of the image's directory
 * that an opaque directory hides). The mount points every container gets
 * (/proc, /sys, /dev, /etc/hosts, /etc/hostname, /etc/resolv.conf), which
 * Docker keeps in its init layer, are not reported. A directory comes
 * before what is inside it, names in byte order: Docker's order is its
 * maps', any order, but always a directory before its entries.
 */
#ifndef CTR_LIST_CDIFF_H
#define CTR_LIST_CDIFF_H

#include <stddef.h>

#include "base/err.h"

/* The changes of UPPER (a directory fd) over the layers LOWER[0..N)
 * (directory fds, the topmost first), one "K /path" line each, to FN.
 * WHOLE: UPPER is a whole root filesystem (a copy, for an image with no
 * layers): everything in it is added. */
int cdiff_walk (int upper, const int *lower, size_t n, int whole, void (*fn) (const char *line, void *arg), void *arg,
                struct bx_err *e);
/* The changes of the container ID of the state directory ROOTFD: its
 * upper directory against its image's extracted layers, or the whole
 * copied root of a container of an image without layers. */
int cdiff_container (int rootfd, const char *id, void (*fn) (const char *line, void *arg), void *arg, struct bx_err *e);

#endif
