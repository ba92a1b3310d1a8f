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

#include <stdint.h>

#include "base/err.h"

/* The size of the extracted layer directory DIRFD. */
int diffsize_dir (int dirfd, int64_t *out, struct bx_err *e);
/* The size of the layer blob read from FD (gzip, zstd or plain tar). */
int diffsize_blob (int fd, int64_t *out, struct bx_err *e);
/* The layer whose diff_id is DIFF_ID and whose blob is BLOB, in the state
 * directory ROOTFD with the store's blobs directory BLOBSFD. */
int diffsize_layer (int rootfd, int blobsfd, const char *diff_id, const char *blob, int64_t *out, struct bx_err *e);

#endif
