/* imgprune - what `docker image prune` removes, and the pulls' leftovers
 *
 * The images no container uses (containers/<id>/image, as imgrm reads
 * it): with ALL every one of them, else the dangling ones alone (no name
 * left); of those, the ones the filters keep (the daemon's ImagesPrune:
 * made before until=, their config's labels passing label= and
 * label!=; an image without a config's Config passes the labels). Removing them is imgrm's (by id, without force: a
 * container made meanwhile keeps its image). The partial downloads of failed pulls (tmp/ingest) are img-fetch's:
 * `img-fetch --gc` removes those no pull holds and says how many bytes it freed.
 */
#ifndef BOX_IMGPRUNE_H
#define BOX_IMGPRUNE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/pfilter.h"
#include "image/imgset.h"

struct imgprune_opts {
	int all;                 /* not only the dangling ones */
	int has_until;           /* until is set */
	int64_t until;           /* seconds since the epoch */
	const struct pfilter *f; /* label= and label!=; NULL: none */
};

/* Read F (checked: dangling, label, label!, until) into O; ALL is -a.
 * Docker's CLI adds dangling=true (false with -a) to the user's filters,
 * and the daemon prunes every unused image when false is among them. */
int imgprune_opts_read (struct imgprune_opts *o, const struct pfilter *f, int all, struct bx_err *e);

/* The ids (sha256:...) in SET to prune, each once, into IDS (N of them;
 * free with imgprune_ids_free). ROOTFD: $BOX_ROOT. */
int imgprune_candidates (const struct imgset *set, int rootfd, const struct imgprune_opts *o, char ***ids, size_t *n,
                         struct bx_err *e);
void imgprune_ids_free (char **ids, size_t n);

/* Run `img-fetch --root ROOT --gc` (beside this program, else on PATH):
 * *BYTES gets what it freed. */
int imgprune_partials (const char *root, uint64_t *bytes, struct bx_err *e);

#endif
