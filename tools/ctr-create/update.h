/* update - docker update: new resource limits and restart policy for
 * existing containers
 *
 * The flags (F's, as ctrflags_parse --update read them) are merged into
 * each container's HostConfig as Docker's daemon merges them (a value
 * given replaces the old one; Docker's refusals of combinations with what
 * the container has), its config.json's linux.resources follow, both
 * files replaced whole under a flock of the container's directory, and a
 * running container's cgroup files are written. When that fails, both
 * files get their old content back, as Docker restores the old HostConfig.
 */
#ifndef BOX_UPDATE_H
#define BOX_UPDATE_H

#include "ctrflags.h"

/* docker update F->cmd[0..F->ncmd): each container's name printed as
 * given when done, "Error response from daemon: ..." when not; the exit
 * code (BX_FAIL when any failed). */
int update_containers (const struct ctrflags *f);
/* docker update's answer when its daemon refuses the flags (WHY): that
 * refusal for each container found, "No such container" for the others,
 * in their order; the exit code. */
int update_refused (const struct ctrflags *f, const struct bx_err *why);

#endif
