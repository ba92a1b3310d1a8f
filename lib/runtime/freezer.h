/* freezer - a container's processes frozen and thawed (docker pause,
 * unpause), and whether they are
 *
 * The cgroup's own freezer: v1's freezer controller (freezer.state; its
 * cgroup made with the others by runtime/cgroup), v2's cgroup.freeze. No
 * file of the state directory records a pause: the kernel's word is the
 * one fact, read by whoever asks (ps, inspect, exec, kill), and nothing
 * drifts when a container ends while paused. */
#ifndef BOX_FREEZER_H
#define BOX_FREEZER_H

#include "base/err.h"

/* PATH is the container's cgroup path relative to the hierarchy roots
 * (config.json's cgroupsPath, ctr_cgroup_path). */

/* Freeze cgroup PATH and return once every process in it is frozen (v1:
 * FROZEN; v2: cgroup.events says frozen 1); BX_NOTFOUND when there is no
 * such freezer cgroup (the container does not run). */
int freezer_freeze_cgroup (const char *path, struct bx_err *e);
/* Thaw it; a cgroup already gone is no error. */
int freezer_thaw_cgroup (const char *path, struct bx_err *e);
/* 1 when it is frozen or being frozen, 0 when not or when it is gone. */
int freezer_is_frozen_cgroup (const char *path);

#endif
