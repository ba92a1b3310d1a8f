/* ocistdio - a container process's stdio as runc gives it: the caller's
 * own fds, or a new pty whose master goes to --console-socket (or stays
 * with an attached `run`/`exec` to relay); and --pid-file */
#ifndef BOX_OCISTDIO_H
#define BOX_OCISTDIO_H

#include <sys/types.h>

#include "base/err.h"
#include "runtime/spawn.h"

/* Fill IO for a process with TERMINAL (config's process.terminal),
 * DETACHED (its caller does not wait). *MASTER: the pty master kept for
 * relaying, else -1. */
int ocistdio_make (int terminal, const char *console_socket, int detached, struct spawn_io *io, int *master,
                   struct bx_err *e);
/* PID into PATH (NULL: nothing), replaced atomically. */
int ocistdio_pid_file (const char *path, pid_t pid, struct bx_err *e);

#endif
