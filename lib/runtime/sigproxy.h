/* sigproxy - an attached payload waited for: the signals we get passed
 * on to it and, with a terminal, its pty relayed to ours */
#ifndef BOX_SIGPROXY_H
#define BOX_SIGPROXY_H

#include <signal.h>
#include <sys/types.h>

#include "runtime/stdcopy.h"

/* Block SIGCHLD and the signals passed on to the payload (HUP, INT, QUIT,
 * TERM, USR1, USR2, ALRM, CONT, WINCH) before it is started, so none is
 * lost; the set in *SET. */
void sigproxy_block (sigset_t *set);

/* Wait for the payload PID with SET (from sigproxy_block) blocked, passing
 * each signal on. MASTER >= 0: its pty, relayed to stdout (and from IN
 * when IN >= 0, with our terminal in raw mode meanwhile; SIGWINCH resizes
 * it). COPY, when not NULL, the copies of the caller's files (stdcopy),
 * run until they end too. Returns the payload's wait status. */
int sigproxy_wait (pid_t pid, int master, const sigset_t *set, int in, struct stdcopy *copy);

#endif
