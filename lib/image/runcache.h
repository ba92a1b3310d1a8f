/* runcache - the directories RUN --mount=type=cache mounts, kept between
 * builds: cache/run/<hex>/, <hex> the sha256 of the mount's id, and
 * cache/run/<hex>.lock, held shared by a RUN using it (sharing=shared) or
 * exclusive (locked, private). df-build's runmount makes and mounts them;
 * df-prune (box builder prune) removes them. */
#ifndef BOX_RUNCACHE_H
#define BOX_RUNCACHE_H

#include <stdint.h>

#include "base/digest.h"
#include "base/err.h"

/* The directory name of the cache mount ID. */
void runcache_name (const char *id, char hex[DIGEST_STR_LEN + 1]);
/* Remove every cache directory no RUN holds, but those KEEP (may be
 * NULL) keeps: asked with the directory's name, when it was last written
 * and its bytes, it returns 1 to keep it; *BYTES what they held. */
int runcache_prune (int rootfd, int (*keep) (const char *name, int64_t mtime, uint64_t bytes, void *arg), void *arg,
                    unsigned long long *bytes, struct bx_err *e);

#endif
