/* manifest - registry manifests: the four media types, the choice of one
 * in an index (lib/image/platform says what a platform is)
 *
 * A document fetched from a registry is one of: an OCI image manifest, an
 * OCI image index, a Docker schema2 manifest, a Docker manifest list. Its
 * media type is its "mediaType" field, else the Content-Type it came with;
 * anything else (schema1, artifacts of unknown type) is refused. The
 * document is validated as the OCI image-spec says (lib/image/oci.h).
 */
#ifndef BOX_MANIFEST_H
#define BOX_MANIFEST_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"
#include "image/platform.h"

struct manifest {
	json_t *doc;
	const char *media_type; /* points into doc or a constant */
	int is_index;
};

/* Parse and validate BUF, which came with CONTENT_TYPE (may be NULL).
 * BX_USAGE for non-JSON, an unknown media type or an invalid document. */
int manifest_parse (const char *buf, size_t len, const char *content_type, struct manifest *m, struct bx_err *e);
void manifest_free (struct manifest *m);

/* The descriptor in INDEX (a manifest list) for platform WANT, borrowed
 * from INDEX. BX_NOTFOUND naming the platforms on offer when none fits. */
int manifest_select (json_t *index, const struct platform *want, json_t **desc, struct bx_err *e);

#endif
