/* overlay - mount and unmount a container's root filesystem with overlayfs */
#ifndef BOX_OVERLAY_H
#define BOX_OVERLAY_H

#include <stddef.h>

#include "base/err.h"

/* overlay_mount's FLAGS */
enum {
	OVERLAY_USERXATTR = 1, /* rootless overlayfs (user.overlay.*) */
	/* no sync of the upper's filesystem, on unmount either (overlayfs
	 * syncs all of it when the mount goes): for a mount thrown away
	 * whose upper its owner syncs itself if it keeps it. Where the kernel
	 * takes it (5.10+, with "lowerdir+") */
	OVERLAY_VOLATILE = 2,
};

/* Mount overlayfs at TARGET: LOWER[0..n) are names inside the directory
 * LAYERS (an absolute path), LOWER[0] the topmost; UPPER and WORK absolute.
 * Uses fsconfig "lowerdir+" (Linux 6.8+), one option per layer, so the
 * count is not bound by a page; older kernels get mount (2) with lowerdirs
 * relative to LAYERS (the process chdirs there, as containerd does), which
 * must fit in a page. FLAGS: OVERLAY_*. */
int overlay_mount (const char *layers, const char *const *lower, size_t n, const char *upper, const char *work,
                   const char *target, int flags, struct bx_err *e);

/* As overlay_mount, every layer idmapped through the user namespace
 * USERNS (idmount.h), the upper too: the files on disk keep the image's
 * ids, a remapped container's root (host ids ROOT_UID, ROOT_GID) owns
 * what it sees as its own, and an upper holds the ids a layer made from
 * it must have. UPPER and WORK are the directories of BUNDLE (one
 * idmapped clone of it: overlayfs wants them on one mount). The mount is
 * made with fsuid ROOT_UID: overlayfs works in its upper with its maker's
 * credentials, which must map through the idmapped upper. Needs layers
 * by fd (fsconfig FSCONFIG_SET_FD, Linux 6.13). */
int overlay_mount_idmapped (const char *layers, const char *const *lower, size_t n, const char *bundle,
                            const char *target, int userns, unsigned root_uid, unsigned root_gid, struct bx_err *e);

/* Detach the mount at TARGET; not being mounted is no error. */
int overlay_unmount (const char *target, struct bx_err *e);

/* 1 when PATH is a mount point, 0 when not, -1 with errno. */
int overlay_is_mountpoint (const char *path);

#endif
