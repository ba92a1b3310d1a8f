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
 * unmounted first. For a directory nothing runs from. */
int ctrrm_remove_dir (int rootfd, const char *name, struct bx_err *e);

#endif
