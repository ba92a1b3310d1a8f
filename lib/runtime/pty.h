/* pty - a pseudo-terminal for a container, the caller's terminal in raw
 * mode, and the copy loop between them */
#ifndef BOX_PTY_H
#define BOX_PTY_H

#include <stddef.h>
#include <termios.h>

#include "base/err.h"

/* A new pty pair: *MASTER and *SLAVE, both O_CLOEXEC; the slave's path
 * in NAME (LEN bytes). */
int pty_open (int *master, int *slave, char *name, size_t len, struct bx_err *e);
/* The same from the multiplexer PTMX (below DIRFD): a container's own
 * devpts instance, where the slave's name means something. */
int pty_open_at (int dirfd, const char *ptmx, int *master, int *slave, char *name, size_t len, struct bx_err *e);
/* FD's terminal in raw mode; its old settings in *SAVED. 0 when FD is no
 * terminal (nothing done), 1 when changed. */
int pty_raw (int fd, struct termios *saved);
/* Give TO the window size of FROM (or of our stdout) when it is a terminal. */
void pty_resize (int from, int to);

/* Copy IN -> MASTER and MASTER -> OUT until MASTER reports the slave
 * side closed (all the container's processes gone) and EXITED says the
 * payload ended. At the end of IN the terminal's EOF character is sent. SIGFD: a signalfd; each signal read from it is
 * passed to ON_SIGNAL, which returns 1 once the payload was reaped. IN < 0: no input. */
int pty_relay (int in, int out, int master, int sigfd, int (*on_signal) (int sig, void *arg), void *arg);

#endif
