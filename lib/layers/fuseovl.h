/* fuseovl - a container's root filesystem by fuse-overlayfs, for a user
 * namespace whose kernel refuses overlayfs in it (before Linux 5.11), as
 * rootless Podman mounts it there
 *
 * The daemon fuse-overlayfs starts stays with the mount, and ends when it
 * is unmounted (overlay_unmount's umount2: the mount belongs to the user
 * namespace that made it). Its upper is its own (whiteouts as .wh. files
 * where mknod is refused): the bundle's L_FUSEOVL file says so, and a
 * bundle mounted so once is mounted so again.
 */
#ifndef BOX_FUSEOVL_H
#define BOX_FUSEOVL_H

#include <stddef.h>

#include "base/err.h"

#define FUSEOVL_ENV "BOX_OVERLAY"

/* 1 when the bundle DIR is to be mounted with fuse-overlayfs: it was
 * before, or BOX_OVERLAY=fuse asks (a bundle with a kernel overlay's
 * upper stays one); 0 for a kernel overlay first; -1 (BX_USAGE) for a
 * BOX_OVERLAY other than fuse, kernel, auto or empty. KERNEL_ONLY is set
 * when BOX_OVERLAY=kernel refuses the fallback. */
int fuseovl_wanted (const char *dir, const char *upper, int *kernel_only, struct bx_err *e);

/* 1 when the bundle DIR is mounted by fuse-overlayfs, 0 when not. */
int fuseovl_bundle_is (const char *dir);

/* Mount fuse-overlayfs at TARGET as overlay_mount would (LOWER[0..n)
 * in LAYERS, the topmost first), after marking the bundle DIR. */
int fuseovl_mount (const char *dir, const char *layers, const char *const *lower, size_t n, const char *upper,
                   const char *work, const char *target, struct bx_err *e);

#endif
