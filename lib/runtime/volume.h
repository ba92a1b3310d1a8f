/* volume - volumes: $BOX_ROOT/volumes/NAME/_data
 *
 * A named volume has the name -v gave; an anonymous one (an image's
 * VOLUME no -v names) 64 random hex characters, as Docker's.
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

/* The volume whose data SOURCE (a mount's source) is, when it is
 * ROOT/volumes/NAME/_data (ROOT: the state directory's path): its NAME in
 * BUF (LEN bytes), 1; 0 when SOURCE is no volume. */
int volume_of_source (const char *root, const char *source, char *buf, size_t len);
/* True for the name of an anonymous volume. */
int volume_is_anonymous (const char *name);

#endif
