/* imgprune - what `docker image prune` removes, and the pulls' leftovers
 *
 * The images no container uses (containers/<id>/image, as imgrm reads
 * it): with ALL every one of them, else the dangling ones alone (no name
 * left). Removing them is imgrm's (by id, without force: a container
 * made meanwhile keeps its image). The partial downloads of failed pulls
 * (tmp/ingest) are img-fetch's: `img-fetch --gc` removes those no pull
 * holds and says how many bytes it freed.
 */
#ifndef BOX_IMGPRUNE_H
#define BOX_IMGPRUNE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/imgset.h"

/* The ids (sha256:...) in SET to prune, each once, into IDS (N of them;
 * free with imgprune_ids_free). ROOTFD: $BOX_ROOT. */
int imgprune_candidates (const struct imgset *set, int rootfd, int all, char ***ids, size_t *n, struct bx_err *e);
void imgprune_ids_free (char **ids, size_t n);

/* Run `img-fetch --root ROOT --gc` (beside this program, else on PATH):
 * *BYTES gets what it freed. */
int imgprune_partials (const char *root, uint64_t *bytes, struct bx_err *e);

#endif
