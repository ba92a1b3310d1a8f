/* imghist - the rows of `docker history`
 *
 * One row per history entry of the image config, newest first, as moby's
 * ImageHistory makes them: the size of each entry's layer (Docker's
 * DiffSize, lib/layers/diffsize), the image id on the newest row, then
 * the id of each local parent (the io.box.parent annotation `box commit`
 * writes) going down, and "<missing>" below the last one known.
 */
#ifndef IMG_LIST_IMGHIST_H
#define IMG_LIST_IMGHIST_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "base/digest.h"
#include "base/err.h"
#include "image/imgset.h"

struct imghist_row {
	char id[DIGEST_STR_LEN + 1]; /* "sha256:..." or "<missing>" */
	int64_t created;             /* seconds since the epoch */
	const char *created_by;      /* borrowed from the config */
	const char *comment;
	int64_t size;
};

struct imghist {
	struct imghist_row *v;
	size_t n;
};

/* The history of the set's entry K; ROOTFD is the state directory. */
int imghist_build (const struct imgset *set, size_t k, int rootfd, struct imghist *out, struct bx_err *e);
void imghist_free (struct imghist *h);

/* The fields docker history --format knows (Comment, CreatedAt,
 * CreatedBy, CreatedSince, ID, Size): truncated unless NOTRUNC, human
 * times and sizes when HUMAN, NOW for CreatedSince. */
json_t *imghist_record (const struct imghist_row *r, int notrunc, int human, time_t now);
/* The same keys with the table's column headers. */
json_t *imghist_headers (void);

#endif
