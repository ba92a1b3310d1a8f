/* ctrrm - remove a container and everything it left on the host
 *
 * docker rm: under the container's lock, detach its network (ctr-net
 * detach), unmount its rootfs, remove its cgroups (box/<id> in each v1
 * hierarchy and under the cgroup2 root), its anonymous volumes (with
 * CTR_RM_VOLUMES), its directory, and last its names/<name> link. Each
 * step accepts that an earlier, interrupted removal did it already, so a
 * removal is idempotent and safe after SIGKILL of the container, its
 * supervisor or the remover itself.
 */
#ifndef BOX_CTRRM_H
#define BOX_CTRRM_H

#include "base/err.h"
#include "runtime/ctr.h"

enum {
	CTR_RM_FORCE = 1,   /* kill a running container first (SIGKILL) */
	CTR_RM_VOLUMES = 2, /* remove its anonymous volumes too */
	CTR_RM_LOCKED = 4,  /* the caller holds containers/<id>/lock already */
};

/* Remove containers/ID below ROOTFD. A container that runs without
 * CTR_RM_FORCE is BX_CONFLICT with Docker's words ("cannot remove
 * container \"/name\": container is running: ..."). A directory already
 * gone is no error: its leftover name link goes. */
int ctrrm_remove (int rootfd, const char *id, int flags, struct bx_err *e);
/* What a removal does to the directory alone: containers/NAME (a
 * container's, or one a creator that died left half made) with its rootfs
 * and netns unmounted first. For a directory nothing runs from. */
int ctrrm_remove_dir (int rootfd, const char *name, struct bx_err *e);

/* At a container's exit: `ctr-net release ID` when ctr-net attached it
 * (containers/ID, DIRFD, has a netns or network.json), as Docker releases
 * a container's endpoints and ports at its stop. */
int ctrrm_net_release (int rootfd, int dirfd, const char *id, struct bx_err *e);

/* A container is made as containers/<id>.tmp-PID (ctr-create) and removed
 * from containers/<id>.tmp-PID (renamed there first, so that it is never
 * seen half removed); PID is the process at work. True when such a
 * directory of ID belongs to a live process. */
int ctrrm_tmp_busy (int rootfd, const char *id);
/* True when ID is no container and none is being made or removed under it:
 * a name that points at it is stale. */
int ctrrm_id_is_gone (int rootfd, const char *id);
/* What killed creators and removers left: every containers/<id>.tmp-PID of
 * a dead process goes, mounts and all, with the names that point at it, and
 * every names/NAME whose container is gone. Under names/'s flock; skipped
 * (0) when another sweep holds it. */
int ctrrm_sweep (int rootfd, struct bx_err *e);

/* S, read from DIRFD (containers/ID), says running or restarting, but its
 * supervisor (or the attached ctr-spawn) is gone, and the container with it
 * (its parent-death signal): the first to find it records the exit in
 * state (settled: 255, or the last exit of one waiting to restart),
 * removes its cgroups, and removes a --rm container (1 then: it is gone).
 * Under the container's lock, not waited for: S is only settled when
 * somebody holds it. 0 when nothing was stale or it was recorded. */
int ctrrm_reap_lost (int rootfd, int dirfd, const char *id, struct ctr_state *s);

#endif
