/* tree - file trees reached through a directory fd, never by a path that
 * could wander: kernel-confined lookups (openat2) and recursive removal */
#ifndef BOX_TREE_H
#define BOX_TREE_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* openat2 (2) with RESOLVE_IN_ROOT: PATH is looked up as if ROOT were "/",
 * so "..", absolute symlinks and magic links cannot leave ROOT. Retries the
 * kernel's EAGAIN (a concurrent rename). -1 with errno. */
int tree_open_in_root (int root, const char *path, int flags, mode_t mode);

/* Remove DIRFD/NAME and, for a directory, everything under it. The rule
 * of every recursive removal: a symlink is removed, never followed, and a
 * directory that is the root of a mount or on another device is never
 * entered (EBUSY): a mount left inside is an error, not a tree to empty
 * (an image's layers under an overlay, a bind's source on the host).
 * ENOENT counts as done; what can go goes, and the first errno is kept.
 * -1 with errno. */
int tree_remove_at (int dirfd, const char *name);
/* Remove everything inside the directory FD, keeping FD itself; the same
 * rule, FD's device the one not to leave. */
int tree_empty (int fd);

/* The sizes of the regular files under the directory AT/NAME (0 when it
 * is none), directories on another device than DEV not entered, as
 * tree_remove_at will not enter them either. */
uint64_t tree_bytes_at (int at, const char *name, dev_t dev);

/* Remove every DIRFD/<PREFIX><pid>[.<suffix>] whose process is gone: the
 * staging directory of a worker that was killed (tmp/build-PID,
 * tmp/build-PID.context, tmp/run-PID). */
void tree_sweep_dead (int dirfd, const char *prefix);

/* True for an overlayfs whiteout: a character device 0:0. */
#define TREE_IS_WHITEOUT(st) (S_ISCHR ((st)->st_mode) && (st)->st_rdev == 0)

#endif
