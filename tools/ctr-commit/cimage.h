/* cimage - a committed container as an image of the store: its changes
 * one more layer on its image's (lib/layers/layer), the config Docker's
 * commit writes (NewChildImage), its manifest, and an index.json entry
 * that names the image it came from (ANN_PARENT), tagged or not */
#ifndef CTR_COMMIT_CIMAGE_H
#define CTR_COMMIT_CIMAGE_H

#include <jansson.h>

#include "base/digest.h"
#include "base/err.h"
#include "base/idmap.h"
#include "image/store.h"

struct cimage {
	const struct store *st;
	int rootfd;
	const char *ctr_id;
	int upper;                  /* the container's changes: its upper directory */
	int whole;                  /* UPPER is a whole root filesystem (an image without layers) */
	json_t *ctr_config;         /* the container's Config, as created */
	json_t *config;             /* the image's Config, changes applied */
	const struct image *parent; /* the container's image (its config NULL when it has none) */
	const char *author, *comment;
	const char *tag; /* a full reference, or NULL */
	/* UPPER's owners are host ids of these (layer_opts'), or NULL */
	const struct idmap *uidmap, *gidmap;
};

/* Store C's image; ID gets its id ("sha256:..."). */
int cimage_commit (const struct cimage *c, char id[DIGEST_STR_LEN + 1], struct bx_err *e);

#endif
