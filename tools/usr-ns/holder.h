/* holder - the user's namespace holder: a process that made a user
 * namespace (uid 0 the user, 1..N the subordinate range) and a mount
 * namespace in it, and only waits, so that every later box joins the same
 * two (Podman's pause process). Owner of the state directory's `userns`
 * record (pid and start time) and of `userns.lock`. */
#ifndef USRNS_HOLDER_H
#define USRNS_HOLDER_H

#include <sys/types.h>

#include "base/err.h"

/* The live holder of state directory ROOTFD: its pid, or 0 when none
 * (never made, or gone: a reboot, a kill). */
pid_t holder_find (int rootfd);
/* The holder of ROOTFD, made when there is none (under userns.lock, so
 * that two boxes starting at once make one): its pid. WARN is set when
 * the user has no subordinate range (a one-uid namespace then). */
pid_t holder_ensure (int rootfd, const char **warn, struct bx_err *e);
/* Join holder PID's user and mount namespaces (the caller then is uid 0
 * there, with every capability in them). */
int holder_join (pid_t pid, struct bx_err *e);
/* End the holder of ROOTFD, if any (SIGKILL), and remove its record. */
int holder_stop (int rootfd, struct bx_err *e);

#endif
