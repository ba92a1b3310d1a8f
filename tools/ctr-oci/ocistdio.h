/* ocistdio - a container process's stdio as runc gives it: the caller's
 * own fds, or a pty made in the container whose master goes to
 * --console-socket (or, for an attached `run`/`exec`, comes back to us to
 * relay); and --pid-file */
#ifndef BOX_OCISTDIO_H
#define BOX_OCISTDIO_H

#include <sys/types.h>

#include "base/err.h"
#include "runtime/spawn.h"

struct ocistdio {
	int sock;   /* the child's end: it sends the master there; -1: no terminal */
	int peer;   /* ours, when we relay; -1: none */
	int master; /* received from PEER once the child runs */
};

/* Fill IO (and T) for a process with TERMINAL (config's process.terminal),
 * DETACHED (its caller does not wait); the socket goes to OCI. */
int ocistdio_make (int terminal, const char *console_socket, int detached, struct spawn_io *io, struct spawn_oci *oci,
                   struct ocistdio *t, struct bx_err *e);
/* Once the child is set up: our copy of its socket closed, the master
 * received when we relay (T->master). */
int ocistdio_started (struct ocistdio *t, struct bx_err *e);
void ocistdio_close (struct ocistdio *t);
/* A unix stream socket connected to PATH. */
int ocistdio_connect (const char *path, struct bx_err *e);
/* PID into PATH (NULL: nothing), replaced atomically. */
int ocistdio_pid_file (const char *path, pid_t pid, struct bx_err *e);

#endif
