/* idalloc - --userns=auto's ranges: each container its own ids, none
 * shared with another, picked atomically in $BOX_ROOT/userns-ranges
 *
 * The pool is root's subordinate ranges in /etc/subuid and /etc/subgid
 * (root runs the containers, as Podman's rootful auto takes the ranges of
 * its "containers" user), or, when root has none, IDALLOC_POOL_START on
 * (IDALLOC_POOL_SIZE ids), above the ids a host hands out. Rootless
 * (usr-ns), the ids of the user's namespace but 0: the user's
 * subordinate ids as the namespace numbers them, 1... The uid and
 * gid pools are read as one line of ids each; a container gets the same
 * OFFSET and SIZE in both. This module alone reads and writes the file,
 * one "OFFSET SIZE ID" a line, under a flock of userns-ranges.lock;
 * ctr-create takes a range, ctrrm releases it. A range whose container is
 * gone (its creator or remover killed) is taken back by the next take.
 * Synced before the rename: a stopped container keeps its range (its
 * config.json has the maps) across a crash, and a lost entry would hand
 * the same host ids to a second container. The fsync costs about 0.4 ms
 * here.
 */
#ifndef BOX_IDALLOC_H
#define BOX_IDALLOC_H

#include <stdint.h>

#include "base/err.h"
#include "base/idmap.h"

#define IDALLOC_DEFAULT_SIZE 65536
#define IDALLOC_POOL_START 2147483648ULL /* 2^31 */
#define IDALLOC_POOL_SIZE 2147418112ULL  /* up to 2^32 - 65536: 32767 containers of 65536 */

/* A range of SIZE ids for the container ID (64 hex), lowest offset first,
 * as UID and GID mappings of container ids 0..SIZE-1. BX_CONFLICT when
 * the pool has no room left. */
int idalloc_take (int rootfd, const char *id, uint64_t size, struct idmap *uid, struct idmap *gid, struct bx_err *e);
/* ID's range given back; none is no error. */
int idalloc_release (int rootfd, const char *id, struct bx_err *e);

#endif
