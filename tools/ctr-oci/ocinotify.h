/* ocinotify - a seccomp filter's listener handed to the agent at
 * linux.seccomp.listenerPath, with the container's process state, as
 * runc hands it (SCMP_ACT_NOTIFY) */
#ifndef BOX_OCINOTIFY_H
#define BOX_OCINOTIFY_H

#include "base/err.h"
#include "ocistate.h"
#include "runtime/scmp.h"

struct ocinotify {
	int sock;            /* connected to listenerPath; -1: the filter does not notify */
	const char *meta;    /* listenerMetadata */
	struct ocistate *st; /* the container, for the state sent along */
};

/* Connect to SECCOMP's listenerPath when P notifies (N->sock -1 when not):
 * before the child is made, which cannot reach the host's path. */
int ocinotify_open (void *seccomp, const struct scmp_prog *p, struct ocistate *st, struct ocinotify *n,
                    struct bx_err *e);
/* In the child: the listener FD to the agent, with the state (N->st's
 * pid: the host's, which the child learnt before the pivot). */
int ocinotify_send (struct ocinotify *n, int fd, struct bx_err *e);
void ocinotify_close (struct ocinotify *n);

#endif
