/* layerkeep - a build step's overlay upper directory kept as the layer
 * store's extracted tree of the layer just written from it
 *
 * layer_from_upper wrote the upper as a blob; extracting that blob again
 * for the next step's container (and the built image's first run) would
 * write the same files a second time. Instead the upper itself becomes
 * layers/HEX/: what the layer writer leaves out goes (a run's mount
 * points, directories only copied up with nothing written in them,
 * overlayfs's bookkeeping xattrs), so the tree is the one extracting the
 * blob gives. Whiteouts and opaque directories are in overlayfs's format
 * already. It is moved in as unpack's layers are: HEX.tmp-PID under
 * HEX.lock, synced, renamed (the rename not synced: a layer missing
 * after a crash is extracted from its blob again).
 */
#ifndef BOX_LAYERKEEP_H
#define BOX_LAYERKEEP_H

#include <stddef.h>

#include "base/digest.h"
#include "base/err.h"

/* the paths of the upper the layer writer left out */
struct layerkeep {
	char **paths;
	size_t n;
};

/* layer_opts.skipped: adds PATH to the struct layerkeep ARG */
int layerkeep_skipped (void *arg, const char *path);

void layerkeep_free (struct layerkeep *k);

/* Move ROOTFD's DIR/upper (the overlay unmounted; same filesystem as
 * layers/) to layers/<DIFF_ID's hex>/, K's paths removed. A layer already
 * there wins: the upper is dropped. 1 kept, 0 not kept (another
 * filesystem, rootless: nothing changed), -1 error. */
int layerkeep_upper (int rootfd, const char *dir, const struct layerkeep *k, const char diff_id[DIGEST_STR_LEN + 1],
                     struct bx_err *e);

#endif
