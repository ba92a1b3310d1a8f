/* lock - flock on one lock file per object (docs/STYLE.md) */
#ifndef BOX_LOCK_H
#define BOX_LOCK_H

#include "base/err.h"

enum { LOCK_WAIT = 0, LOCK_TRY = 1, LOCK_SHARED = 2 };

/* Open (creating) DIRFD/NAME and flock it; returns the fd that holds the
 * lock (O_CLOEXEC), or -1 with BX_CONFLICT when LOCK_TRY finds it held. */
int lock_take_at (int dirfd, const char *name, int flags, struct bx_err *e);
/* True when somebody holds an exclusive lock on DIRFD/NAME. */
int lock_is_held_at (int dirfd, const char *name);

#endif
