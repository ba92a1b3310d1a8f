/* diffsize - a layer's size as `docker history` shows it
 *
 * Docker's DiffSize: the bytes of a layer's files once extracted (regular
 * files, and symlinks by their target's length), hard links counted once,
 * directories and whiteouts nothing. Taken from layers/<hex>/ when the
 * layer is extracted, else read from the blob (gzip, zstd or plain tar)
 * with zlib or libzstd alone: img-list, which sizes them for `box
 * history`, does not load libarchive (3 ms of every `box images`).
 */
#ifndef LAYERS_DIFFSIZE_H
#define LAYERS_DIFFSIZE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "image/imgset.h"

/* The size of the extracted layer directory DIRFD. */
int diffsize_dir (int dirfd, int64_t *out, struct bx_err *e);
/* The size of the layer blob read from FD (gzip, zstd or plain tar). */
int diffsize_blob (int fd, int64_t *out, struct bx_err *e);
/* The layer whose diff_id is DIFF_ID and whose blob is BLOB, in the state
 * directory ROOTFD with the store's blobs directory BLOBSFD. A layer
 * sized once is read from cache/diffsize/<hex> after (its diff_id names
 * its content: the size never changes); the cache is written without an
 * fsync, and an entry that does not read as a number is sized again. */
int diffsize_layer (int rootfd, int blobsfd, const char *diff_id, const char *blob, int64_t *out, struct bx_err *e);
/* An image's size as Docker's images and inspect show it: the sum of its
 * layers' (CONFIG's rootfs.diff_ids, MANIFEST's layer blobs). */
int diffsize_image (int rootfd, int blobsfd, json_t *config, json_t *manifest, int64_t *out, struct bx_err *e);
/* EN of SET, once read: its size becomes the image's unpacked size
 * (diffsize_image); an entry whose layers cannot be sized keeps the size
 * as stored. diffsize_set: every entry of SET. */
void diffsize_entry (const struct imgset *set, struct imgset_entry *en);
void diffsize_set (struct imgset *set);
/* Remove the cache entries of layers LIVE (diff_id "sha256:hex" -> true)
 * lacks: what df-prune's layer sweep does for the extracted layers. */
void diffsize_sweep (int rootfd, json_t *live);

#endif
