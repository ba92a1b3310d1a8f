/* usermap - the container's user namespace: none, the userns-remap
 * setting's mapping (lib/runtime/remap), a --userns=auto range
 * (lib/runtime/idalloc), or --uidmap/--gidmap
 *
 * As dockerd: the remap applies to every container but those given
 * --userns=host, and a privileged container must opt out. UsernsMode
 * records what was asked ("" under the remap, as Docker shows it).
 */
#ifndef BOX_USERMAP_H
#define BOX_USERMAP_H

#include "base/err.h"
#include "base/idmap.h"
#include "ctrflags.h"

struct usermap {
	int on; /* a user namespace of its own */
	struct idmap uid, gid;
	int taken; /* an auto range, given back if the container is not made */
};

/* The user namespace for the container ID that F asks for. */
int usermap_plan (struct usermap *u, const struct ctrflags *f, int rootfd, const char *id, struct bx_err *e);
/* The container was not made: its auto range goes back. */
void usermap_undo (struct usermap *u, int rootfd, const char *id);

#endif
