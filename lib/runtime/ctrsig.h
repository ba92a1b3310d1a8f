/* ctrsig - signal a container and wait for its end, without polling
 *
 * The recorded pid is trusted only through a pidfd whose process has the
 * recorded start time, so a recycled pid is never signalled. The end is
 * seen twice: the pidfd becomes readable when the process exits, and the
 * container's lock (held by its supervisor, or the attached ctr-spawn,
 * until the exit is recorded in state) can then be taken.
 */
#ifndef BOX_CTRSIG_H
#define BOX_CTRSIG_H

#include <jansson.h>

#include "base/err.h"
#include "runtime/ctr.h"

/* "KILL", "SIGKILL", "kill", "9" -> 9; -1 when not a signal. */
int ctrsig_parse (const char *s);

/* Open a pidfd on S's process after checking it is still the one recorded;
 * BX_CONFLICT when the container is not running. */
int ctrsig_pidfd (const struct ctr_state *s, struct bx_err *e);
/* Send SIG through PIDFD to a container's process, then thaw its cgroup
 * CGPATH (ctr_cgroup_path) when it is paused, as Docker does (the signal
 * waits in the frozen process and is taken on the thaw). */
int ctrsig_send (int pidfd, const char *cgpath, int sig);
/* Wait until PIDFD's process has exited or TIMEOUT_MS passed (-1: no
 * limit); 1 when it exited, 0 on timeout. */
int ctrsig_exit_wait (int pidfd, int timeout_ms);
/* Block until nobody holds DIRFD's container lock for writing (the exit is
 * recorded), then let it go. */
int ctrsig_recorded_wait (int dirfd, struct bx_err *e);

/* True when create.json's HostConfig.RestartPolicy may bring the container
 * back after its process ends (its supervisor then keeps the lock);
 * CREATE may be NULL. */
int ctrsig_restarts (json_t *create);

/* create.json's Config.StopSignal (default SIGTERM) and Config.StopTimeout
 * (default 10) in *SIG and *TIMEOUT; CREATE may be NULL. */
void ctrsig_stop_params (json_t *create, int *sig, int *timeout);

/* A container waiting to restart (S restarting): marked stopped, and its
 * supervisor's wait cut short (SIGTERM), so that it records the exit and
 * gives up now rather than after the delay. Docker's kill and stop of a
 * restarting container do no more. */
int ctrsig_cancel_restart (int dirfd, const struct ctr_state *s, struct bx_err *e);

/* docker stop of container ID (DIRFD, in ROOTFD): mark it stopped (no
 * restart), send SIG, after TIMEOUT seconds (< 0: never) SIGKILL (its kill
 * event logged), and return once the exit is recorded. A container that
 * does not run is no error; one waiting to restart does not restart. */
int ctrsig_stop (int rootfd, int dirfd, const char *id, int sig, int timeout, struct bx_err *e);

#endif
