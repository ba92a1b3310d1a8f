/* rootfs - a bundle's root filesystem from layers already extracted
 *
 * The overlayfs mount of BUNDLE/rootfs over layers/HEX/ (the image's
 * diff_ids, topmost first) with BUNDLE/upper and BUNDLE/work, or, where
 * overlayfs cannot be mounted, a flattened copy built as
 * BUNDLE/rootfs.tmp-PID and renamed. A rootfs mounted already, or a
 * finished copy, is kept: the container keeps its files.
 *
 * This module never extracts a layer (lib/bundle does, with lib/layers),
 * so a program that links only this one does not load libarchive and what
 * comes with it (libxml2, ICU, libstdc++): about 2 ms of every start.
 */
#ifndef BOX_ROOTFS_H
#define BOX_ROOTFS_H

#include <limits.h>

#include "base/err.h"
#include "base/idmap.h"
#include "image/store.h"

enum bundle_driver { BUNDLE_AUTO, BUNDLE_OVERLAY, BUNDLE_COPY };

/* a bundle's paths, absolute */
struct bundle {
	char dir[PATH_MAX];
	char rootfs[PATH_MAX + 16];
	char upper[PATH_MAX + 16];
	char work[PATH_MAX + 16];
	/* set when BUNDLE_AUTO fell back to a copy: why overlayfs failed */
	char warning[1024];
};

/* Fill B with DIR's absolute paths; DIR must exist (BX_NOTFOUND). */
int rootfs_paths (const char *dir, struct bundle *b, struct bx_err *e);

/* PATH's first entry, to tell a finished copy from an empty mount point:
 * 1 when it has one, 0 when empty or unreadable. */
int rootfs_has_entries (const char *path);

/* Mount IMG's root filesystem at DIR/rootfs (DIR is made 0711 when
 * missing); ROOTFD is $BOX_ROOT. WITH_INIT: a container's, with the image's
 * init layer (cache/init/, docs/ARCHITECTURE.md) on top once it exists; a
 * bundle of img-unpack shows the image alone. 0 done (or kept), 1 when a
 * layer of IMG is not extracted yet (nothing done), -1 on error. */
int rootfs_mount (int rootfd, const struct image *img, const char *dir, enum bundle_driver drv, int with_init,
                  struct bundle *b, struct bx_err *e);

/* A remapped container's ids: container ids to host ids */
struct rootfs_ids {
	const struct idmap *uid, *gid;
};

/* As rootfs_mount for a container with IDS: the layers and the upper
 * idmapped (overlay_mount_idmapped), shared with every other container
 * whatever its range. The init layer is used, never made (its owners
 * would be shifted). */
int rootfs_mount_ids (int rootfd, const struct image *img, const char *dir, const struct rootfs_ids *ids,
                      struct bundle *b, struct bx_err *e);

/* Detach DIR/rootfs; not being mounted is no error. */
int rootfs_unmount (const char *dir, struct bx_err *e);

/* 1 when overlayfs's marks are user.* xattrs here (its "userxattr"): for
 * an ordinary user, and for root of a rootless user namespace (usr-ns),
 * who may not write trusted.* on the host's filesystem. */
int rootfs_userxattr (void);

/* The opaque-directory xattr of layer trees for this process (as
 * lib/layers writes them): trusted.* as root, user.* rootless. */
const char *rootfs_opaque_xattr (void);

#endif
