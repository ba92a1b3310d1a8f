/* runcache - the directories RUN --mount=type=cache mounts, kept between
 * builds: cache/run/<hex>/, <hex> the sha256 of the mount's id, and
 * cache/run/<hex>.lock, held shared by a RUN using it (sharing=shared) or
 * exclusive (locked, private). df-build's runmount makes and mounts them;
 * df-prune (box builder prune) removes them. */
#ifndef BOX_RUNCACHE_H
#define BOX_RUNCACHE_H

#include "base/digest.h"
#include "base/err.h"

/* The directory name of the cache mount ID. */
void runcache_name (const char *id, char hex[DIGEST_STR_LEN + 1]);
/* Remove every cache directory no RUN holds; *BYTES what they held. */
int runcache_prune (int rootfd, unsigned long long *bytes, struct bx_err *e);

#endif
