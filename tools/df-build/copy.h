/* copy - COPY and ADD of local files: from the context (or --from a stage
 * or an image) into the root filesystem of a container of the stage,
 * every lookup confined to its root (openat2 RESOLVE_IN_ROOT), so neither
 * "../x" nor a symlink reaches outside the context or the image */
#ifndef DF_BUILD_COPY_H
#define DF_BUILD_COPY_H

#include <sys/types.h>

#include "build.h"

/* Run B->in, a COPY or an ADD. */
int copy_run (struct build *b, struct bx_err *e);
/* mkdir -p PATH inside ROOT (each made owned by UID:GID, 0755); the
 * directory's fd. */
int copy_mkdir_in_root (int root, const char *path, uid_t uid, gid_t gid, struct bx_err *e);

#endif
