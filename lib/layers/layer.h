/* layer - a container's overlay upper directory written as a layer: a tar
 * (libarchive; whiteouts as ".wh." files, opaque directories marked with
 * ".wh..wh..opq", hard links kept, xattrs security.capability and user.*),
 * plain, gzip'd or zstd'd, its digest and diff_id computed as it is written,
 * stored as a blob */
#ifndef LAYERS_LAYER_H
#define LAYERS_LAYER_H

#include <jansson.h>

#include "base/digest.h"
#include "base/idmap.h"
#include "image/store.h"

/* LAYER_NONE: a plain tar, as Docker keeps layers locally (a push gzips
 * it); its digest is its diff_id */
enum layer_compress { LAYER_GZIP, LAYER_ZSTD, LAYER_NONE };

struct layer_opts {
	/* UPPER is the whole root filesystem of a container of an empty image
	 * (a copy, not an overlay: no upper directory, no origins) */
	int whole;
	/* the container ran: the mount points it got are left out */
	int ran;
	enum layer_compress compress;
	/* SOURCE_DATE_EPOCH: later mtimes are written as it; -1: none */
	long long epoch;
	/* the image the container ran: ROOTFD ($BOX_ROOT) and its config's
	 * rootfs.diff_ids, whose layers/<hex>/ are the lower layers. A directory
	 * copied up from them with nothing written inside is written when its
	 * mode, owner or xattrs differ from the lower's; DIFF_IDS NULL: it
	 * never is */
	int rootfd;
	json_t *diff_ids;
	/* when set, called with each path of UPPER left out (a run's mount
	 * points, directories only copied up), deepest first; <0 stops */
	int (*skipped) (void *arg, const char *path);
	void *arg;
	/* the blob left as TMPFD/"layer", not synced nor stored: the caller
	 * makes it durable (a syncfs it does anyway) and calls layer_commit */
	int defer;
	/* UPPER's owners are host ids of these maps (a remapped container over
	 * copies of the layers, lib/layers/idcopy): written as the container's
	 * ids, an unmapped one as the overflow id 65534; NULL: as they are */
	const struct idmap *uidmap, *gidmap;
};

/* Write UPPER (a directory fd) as a layer blob of ST, staging it in
 * TMPFD. *DESC: its descriptor (new reference), DIFF_ID its uncompressed
 * digest. Returns 1 when the layer holds something, 0 (nothing stored)
 * when it is empty, -1 on error. */
int layer_from_upper (int upper, const struct layer_opts *o, const struct store *st, int tmpfd, json_t **desc,
                      char diff_id[DIGEST_STR_LEN + 1], struct bx_err *e);

/* Store the blob DIGEST that layer_from_upper left in TMPFD (opts.defer),
 * fsync'd first unless SYNCED. */
int layer_commit (const struct store *st, int tmpfd, const char *digest, int synced, struct bx_err *e);

#endif
