/* imgw - a build's images into the store: config and manifest blobs, the
 * untagged entries of the intermediate images (which RUN's containers are
 * made from, forgotten when the build ends), the final image's tags */
#ifndef DF_BUILD_IMGW_H
#define DF_BUILD_IMGW_H

#include "build.h"

/* The image id B's current config would have. */
void imgw_id (struct build *b, char id[DIGEST_STR_LEN + 1]);
/* Store B's current image (config, manifest) and list it in index.json
 * untagged: *DESC (new reference) its descriptor, ID its image id. */
int imgw_put (struct build *b, char id[DIGEST_STR_LEN + 1], json_t **desc, struct bx_err *e);
/* Remember DESC as an intermediate image, forgotten by imgw_forget. */
void imgw_temp (struct build *b, json_t *desc);
/* Drop the intermediate images' entries from index.json, but KEEP's. */
int imgw_forget (struct build *b, const char *keep, struct bx_err *e);

#endif
