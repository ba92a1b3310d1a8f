/* loadplan - an image archive read and checked, before the store changes
 *
 * The input of img-load: a docker save archive (manifest.json; Docker's
 * "<hex>.json" configs or, from Docker 25, an OCI layout inside), an OCI
 * archive, or an OCI layout directory. An archive is staged by
 * lib/image/tarball; a directory's files are copied into the stage as they
 * are needed, hashing as they go. Either way every checked blob ends up a staged file
 * that can be renamed into the store, and the plan says which, and which
 * images (with their names) to tag.
 */
#ifndef BOX_LOADPLAN_H
#define BOX_LOADPLAN_H

#include <jansson.h>

#include "base/err.h"
#include "image/tarball.h"

struct loadplan_src {
	const char *what; /* the input's name in messages */
	int dir;          /* input directory, or -1 */
	struct tarball tar;
	int stage;      /* the stage directory, borrowed */
	json_t *copied; /* directory input: path -> {"f", "digest", "size"} */
	unsigned ncopied;
	int unopened; /* the input could not be opened (e's sys says why) */
};

/* INPUT: a file or directory, or NULL for stdin (an archive, possibly
 * compressed as a whole). STAGE: an empty directory on the store's file
 * system, which holds the staged files. */
int loadplan_src_open (struct loadplan_src *s, const char *input, int stage, struct bx_err *e);
void loadplan_src_free (struct loadplan_src *s);

/* What the load will do once everything is checked. */
struct loadplan {
	json_t *blobs;    /* digest -> staged file name */
	json_t *images;   /* [{"desc": {...}, "id": config digest, "names": [full refs], "labels": its config's}] */
	json_t *warnings; /* [string]: what was skipped, for the user */
	unsigned nmade;   /* manifests written for docker save archives */
};

/* Read S's format and fill P: every document validated, every digest and
 * size checked, manifests made for docker save images. BX_USAGE for
 * malformed input, BX_FAIL for a digest or size mismatch. P is filled
 * (and must be freed) either way. */
int loadplan_read (struct loadplan_src *s, struct loadplan *p, struct bx_err *e);
void loadplan_free (struct loadplan *p);

#endif
