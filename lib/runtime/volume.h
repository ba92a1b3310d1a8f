/* volume - named volumes: $BOX_ROOT/volumes/NAME/_data
 *
 * A volume is made on first use, under volumes/NAME.tmp-PID, pre-filled
 * with what the image holds at the path it is mounted on (as Docker copies
 * an image's content into an empty new volume), and renamed into place: a
 * volume directory that exists is whole. Two containers making the same
 * volume at once: one rename wins, the other uses it.
 */
#ifndef BOX_VOLUME_H
#define BOX_VOLUME_H

#include <stddef.h>

#include "base/err.h"

/* Docker's rule for local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
int volume_check_name (const char *name, struct bx_err *e);

/* Make sure volumes/NAME exists; when it is made now, copy ROOTFS/DEST
 * (ROOTFS: the container's rootfs dirfd, DEST looked up inside it) into
 * it. PATH gets volumes/NAME/_data as an absolute path. *CREATED (may be
 * NULL) says whether this call made it. */
int volume_ensure (int rootfd, const char *name, int rootfs, const char *dest, char *path, size_t len, int *created,
                   struct bx_err *e);

#endif
