/* imgrm - remove an image's names, and the image, as `docker rmi` does
 *
 * By name (a tag or repo@digest): the name goes ("Untagged:"); a tag that
 * was its repository's last takes that repository's digest names along;
 * when the image has no name left it goes too ("Deleted: <id>"). Refused
 * without force when a container uses the image and this was its only
 * name.
 * By id: all its names go, then the image; refused without force when it
 * has names in several repositories or a container uses it.
 * A running container (its lock held) always keeps the image: by id that
 * is an error even with force; by name the image stays as an untagged
 * ("<none>") entry.
 *
 * A container uses an image when $BOX_ROOT/containers/<id>/image holds
 * its id (lib/base/layout.h L_CIMAGE).
 */
#ifndef BOX_IMGRM_H
#define BOX_IMGRM_H

#include <jansson.h>

#include "base/err.h"
#include "image/store.h"

struct imgrm {
	const struct store *st;
	int rootfd;       /* $BOX_ROOT, for containers/ */
	const char *name; /* as the user typed it */
	int force;
	json_t *lines; /* out: "Untagged: busybox:latest", "Deleted: sha256:.." */
	int deleted;   /* out: an image left the store (its blobs may go) */
	char id[80];   /* out: the image's id, for the untag and delete events */
};

/* A store_index_update callback; ARG is a struct imgrm whose LINES is an
 * empty array. On error nothing in INDEX is to be kept. Conflicts are
 * BX_CONFLICT with Docker's wording. */
int imgrm_fn (json_t *index, void *arg, struct bx_err *e);

#endif
