/* bundle - an image's layers extracted (lib/layers) and its root
 * filesystem mounted at BUNDLE/rootfs (lib/layers/rootfs)
 *
 * For programs that may extract (img-unpack). Linking this module loads
 * libarchive; ctr-create uses lib/layers/rootfs alone and has img-unpack
 * extract the layers an image is missing, the first time only.
 */
#ifndef BOX_BUNDLE_H
#define BOX_BUNDLE_H

#include "base/err.h"
#include "image/store.h"
#include "layers/rootfs.h"

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

#endif
