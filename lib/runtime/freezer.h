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

/* Freeze container ID's cgroup and return once every process in it is
 * frozen (v1: FROZEN; v2: cgroup.events says frozen 1); BX_NOTFOUND when
 * it has no freezer cgroup (it does not run). */
int freezer_freeze (const char *id, struct bx_err *e);
/* Thaw it; a cgroup already gone is no error. */
int freezer_thaw (const char *id, struct bx_err *e);
/* 1 when container ID is frozen or being frozen, 0 when not or when it has
 * no freezer cgroup. */
int freezer_is_frozen (const char *id);

/* The same for the cgroup PATH (an OCI cgroupsPath; ctr-oci). */
int freezer_freeze_cgroup (const char *path, struct bx_err *e);
int freezer_thaw_cgroup (const char *path, struct bx_err *e);
int freezer_is_frozen_cgroup (const char *path);

#endif
