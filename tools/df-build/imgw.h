/* imgw - a build's images into the store: config and manifest blobs, the
 * untagged entries of the intermediate images (which RUN's containers are
 * made from; each names the live builds that hold it, and goes when the
 * last lets go), the final image's tags */
#ifndef DF_BUILD_IMGW_H
#define DF_BUILD_IMGW_H

#include "build.h"

/* The image id B's current config would have. */
void imgw_id (struct build *b, char id[DIGEST_STR_LEN + 1]);
/* Store B's current image (config, manifest) and list it in index.json
 * untagged, held by this build until imgw_forget (an image listed there
 * that no build holds is left as it is): *DESC (new reference) its
 * descriptor, ID its image id. */
int imgw_put (struct build *b, char id[DIGEST_STR_LEN + 1], json_t **desc, struct bx_err *e);
/* Let go of the intermediate images: an entry no live build holds any
 * more leaves index.json, but KEEP's, which stays as a plain image. */
int imgw_forget (struct build *b, const char *keep, struct bx_err *e);
/* A build's end: the tags REFS[0..n) (full references) onto the image
 * DESC and imgw_forget (b, DESC's digest), in one write of index.json,
 * none when nothing changes (a cached rebuild). */
int imgw_finish (struct build *b, json_t *desc, const char *const *refs, size_t n, struct bx_err *e);

#endif
