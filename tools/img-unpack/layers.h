/* layers - $BOX_ROOT/layers/: one extracted tree per layer diff_id
 *
 * layers/HEX/ (HEX = the diff_id's hex) holds that layer's own content, in
 * overlayfs's format (see unpack.h), shared by every image that has it. It
 * is built as layers/HEX.tmp-PID while layers/HEX.lock is held, checked
 * against the diff_id, synced, and renamed: a layer directory that exists
 * is whole. A .tmp-* found while holding the lock is a dead one's; it goes.
 */
#ifndef BOX_LAYERS_H
#define BOX_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/err.h"
#include "image/store.h"

struct layer {
	char digest[DIGEST_STR_LEN + 1]; /* the blob */
	char diffid[DIGEST_STR_LEN + 1]; /* its uncompressed tar */
	uint64_t bytes;                  /* tar bytes extracted now; 0 when present */
	int extracted;                   /* extracted by this call */
};

/* The image's layers, bottom first, from its manifest and config (the
 * counts must agree, media types must be layer tars). *V is malloc'd. */
int layers_of_image (const struct image *img, struct layer **v, size_t *n, struct bx_err *e);

/* Make sure layers/ holds every layer of V: the missing ones are extracted
 * from the store's blobs, up to JOBS at a time. Two processes asking for the
 * same layer extract it once; both succeed. */
int layers_ensure (int rootfd, const struct store *s, struct layer *v, size_t n, unsigned jobs, struct bx_err *e);

/* Open layers/ (created 0700 if missing). */
int layers_dir_open (int rootfd, struct bx_err *e);

/* The opaque-directory xattr this process writes and reads. */
const char *layers_opaque_xattr (void);

#endif
