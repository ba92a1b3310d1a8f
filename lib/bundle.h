/* bundle - an image's layers mounted (or copied) as BUNDLE/rootfs
 *
 * The rootfs of a container bundle is an overlayfs over the image's layer
 * directories (layers/HEX/, extracted once, see layers.h) with the
 * container's own BUNDLE/upper and BUNDLE/work, or, where overlayfs cannot
 * be mounted, a flattened copy built as BUNDLE/rootfs.tmp-PID and renamed.
 * A rootfs that is mounted already, or a finished copy, is kept as it is:
 * the container keeps its files.
 */
#ifndef BOX_BUNDLE_H
#define BOX_BUNDLE_H

#include <limits.h>

#include "err.h"
#include "store.h"

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
int bundle_paths (const char *dir, struct bundle *b, struct bx_err *e);

/* Extract IMG's missing layers and mount its rootfs at DIR/rootfs (DIR is
 * created 0711 when missing); ROOTFD is $BOX_ROOT. */
int bundle_mount_image (int rootfd, const struct store *s, const struct image *img, const char *dir,
                        enum bundle_driver drv, struct bundle *b, struct bx_err *e);

/* The same for IMAGE, a reference, an image id or its unique prefix. */
int bundle_mount (int rootfd, const char *image, const char *dir, enum bundle_driver drv, struct bundle *b,
                  struct bx_err *e);

/* For a container directory after a reboot: DIR/rootfs mounted (or a
 * finished copy) is done; else mount it again from the image id recorded in
 * DIR/image (layout.h L_CIMAGE). */
int bundle_ensure (int rootfd, const char *dir, struct bundle *b, struct bx_err *e);

/* Detach DIR/rootfs; not being mounted is no error. */
int bundle_unmount (const char *dir, struct bx_err *e);

#endif
