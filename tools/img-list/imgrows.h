/* imgrows - the rows of `docker images`
 *
 * The store's images (lib/image/imgset) grouped by image id, their names
 * filtered (reference=, label=, dangling=) and sorted as docker/cli does
 * (newest first, names in order), then laid out as its table has them: a
 * row per tag (with each digest of the same repository when the digest
 * column is shown), a row per digest-only repository, "<none>" for an
 * image without names. Each row gives the record --format templates see.
 */
#ifndef BOX_IMGROWS_H
#define BOX_IMGROWS_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "base/digest.h"
#include "base/err.h"
#include "image/imgset.h"

#define IMGROWS_MAXFILTERS 32

struct imgrows_opts {
	const char *refs[IMGROWS_MAXFILTERS]; /* reference patterns (fnmatch), any of them */
	int nrefs;
	const char *labels[IMGROWS_MAXFILTERS]; /* KEY or KEY=VALUE, all of them */
	int nlabels;
	int dangling;                       /* -1 any, 0 named only, 1 untagged only */
	const char *before_ref, *since_ref; /* before=, since=: an image */
	int64_t before, since;              /* their creation times; -1 none */
	int digests;                        /* --digests: a row per digest of an untagged repository */
	int need_digest;                    /* fill the digest of tagged rows (a column or field shows it) */
};

struct imgrow {
	const struct imgset_entry *en; /* borrowed from the set */
	char repo[512], tag[160], digest[DIGEST_STR_LEN + 1];
};

struct imgrows {
	struct imgrow *v;
	size_t n, cap;
	int oom;
};

/* The rows of SET (which must outlive them). Entries that could not be
 * read (imgset_entry.id "") are left out: the caller reports them. */
int imgrows_build (const struct imgset *set, const struct imgrows_opts *o, struct imgrows *out, struct bx_err *e);
void imgrows_free (struct imgrows *r);

/* The image id as the IMAGE ID column shows it: 12 hex digits, or the
 * whole "sha256:..." with NOTRUNC. */
void imgrows_id (const struct imgrow *r, int notrunc, char *buf, size_t len);
/* The fields docker images --format knows (Containers, CreatedAt,
 * CreatedSince, Digest, ID, Repository, SharedSize, Size, Tag, UniqueSize,
 * VirtualSize), with NOW for CreatedSince. NULL when out of memory. */
json_t *imgrows_record (const struct imgrow *r, int notrunc, time_t now);
/* The same keys with the table's column headers. */
json_t *imgrows_headers (void);

#endif
