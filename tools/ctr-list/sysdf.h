/* sysdf - docker system df: what images, containers, local volumes and
 * the build cache take on disk
 *
 * Docker 20.10's figures, from the state directory: an image's size is
 * its layers' unpacked size (lib/layers/diffsize), shared the layers
 * another image has too (the same chain of diff_ids), the images' total
 * every distinct layer once; a container's its writable layer (SizeRw);
 * a volume's its _data's files, with the containers that name it (Links);
 * the build cache's what df-prune -a frees: the step cache's entries
 * (their layers no image has) and RUN's cache mounts. Rendered as
 * Docker's table, the -v sections, or a --format template over the same
 * records (the four summary rows; with -v the whole of Images,
 * Containers, Volumes and BuildCache).
 */
#ifndef BOX_SYSDF_H
#define BOX_SYSDF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/imgset.h"

/* one container, as the caller (ctr-list) sees it */
struct sysdf_ctr {
	json_t *rec;          /* -v's row: docker ps's record with Size as SizeRw, borrowed */
	json_t *rec_full;     /* the same, ids and commands not truncated (for templates), borrowed */
	int64_t rw;           /* SizeRw */
	const char *image_id; /* "sha256:..."; "" when unknown */
	int active;           /* running, paused or restarting */
};

struct sysdf_opts {
	int verbose;
	const char *format; /* NULL: Docker's table */
};

/* Print system df for the state directory ROOTFD, its images SET (every
 * entry read) and the containers C[N], newest first. BX_USAGE for a
 * template that does not parse, BX_FAIL for one that fails to run. */
int sysdf_print (int rootfd, struct imgset *set, const struct sysdf_ctr *c, size_t n, const struct sysdf_opts *o,
                 struct bx_err *e);

#endif
