/* flatten - the copy driver: stack layer directories into one plain tree
 *
 * For where overlayfs cannot be mounted. Layers are applied bottom first,
 * reading the markers unpack.h leaves as overlayfs would: a 0:0 character
 * device deletes its name, an opaque directory replaces the one below, a
 * directory replaces a non-directory. Hardlinks within a layer stay links.
 * Every destination step is one name under an fd opened O_NOFOLLOW, so no
 * symlink in the tree being built is ever followed.
 */
#ifndef BOX_FLATTEN_H
#define BOX_FLATTEN_H

#include <stddef.h>

#include "base/err.h"
#include "base/idmap.h"

/* Apply LAYERS[0..n) (names in LAYERSFD, bottom first) onto DSTFD. */
int flatten_layers (int layersfd, const char *const *layers, size_t n, int dstfd, const char *opaque_xattr,
                    struct bx_err *e);

/* Copy the layer tree SRCFD into the empty directory DSTFD as it is (its
 * whiteouts and opaque marks kept, for overlayfs to read), every owner
 * shifted from container ids to host ids by UID and GID: a remapped
 * container's copy of a layer where idmapped mounts are not to be had
 * (lib/layers/idcopy). NAME names the layer in errors. */
int flatten_shifted (int srcfd, int dstfd, const struct idmap *uid, const struct idmap *gid, const char *name,
                     struct bx_err *e);

#endif
