/* imgset - the store's images as Docker counts them
 *
 * Every index.json entry becomes an imgset_entry: its name (if tagged), its
 * manifest and config, size and creation time. An entry that points at an
 * image index stands for this machine's platform (else the index's first
 * manifest). Docker's "image" is the config digest, the image id: entries
 * that share it are one image with several names.
 */
#ifndef BOX_IMGSET_H
#define BOX_IMGSET_H

#include <jansson.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/err.h"
#include "image/ref.h"
#include "image/store.h"

struct imgset_entry {
	json_t *desc;     /* the index.json entry, borrowed from the set */
	const char *name; /* its ANN_REF_NAME, or NULL */
	struct ref r;     /* NAME parsed; valid when has_ref */
	int has_ref;
	char mdigest[DIGEST_STR_LEN + 1]; /* the entry's digest; "" if invalid */
	char pdigest[DIGEST_STR_LEN + 1]; /* the image manifest's (an index's choice) */
	char rdigest[DIGEST_STR_LEN + 1]; /* ANN_REPO_DIGEST, else "" (not pulled) */
	char id[DIGEST_STR_LEN + 1];      /* the config digest; "" when unreadable */
	json_t *manifest, *config;        /* owned; NULL when unreadable */
	int64_t size;                     /* config + layers, as stored; diffsize_set: unpacked */
	int64_t created;                  /* seconds since the epoch; -1 if unknown */
	struct bx_err err;                /* why id is "" */
	int loaded;                       /* manifest and config read (or tried) */
};

struct imgset {
	const struct store *s;
	json_t *index; /* a reference held */
	struct imgset_entry *v;
	size_t n;
};

/* The entries of INDEX (borrowed; the set takes a reference), by name
 * only: imgset_find reads the blobs of those it must. */
int imgset_open (const struct store *s, json_t *index, struct imgset *set, struct bx_err *e);
/* imgset_open, then every entry's manifest and config read. */
int imgset_load (const struct store *s, json_t *index, struct imgset *set, struct bx_err *e);
void imgset_free (struct imgset *set);

enum { IMG_BY_REF = 1, IMG_BY_ID = 2 };

/* Find NAME as Docker does: a full image id or manifest digest, a
 * reference (tag, or repo@digest), a unique image id prefix. Returns the
 * entry's position and sets *HOW. BX_NOTFOUND; BX_USAGE for an ambiguous
 * prefix. The entry found may be unreadable (id "", err says why). */
int imgset_find (struct imgset *set, const char *name, int *how, struct bx_err *e);

/* Docker's names for an entry: "busybox:latest", "busybox@sha256:..";
 * "" when it has none. */
void imgset_entry_familiar (const struct imgset_entry *en, char *buf, size_t len);
/* True when EN names by tag (not repo@digest). */
int imgset_entry_is_tag (const struct imgset_entry *en);

/* `docker image inspect`'s object for the image of entry K: Id, RepoTags,
 * RepoDigests (every entry with the same id), Parent, Comment, Created,
 * DockerVersion, Author, Config, Architecture, Variant, Os, Size and
 * VirtualSize (the entry's size), GraphDriver (overlay2's shape over
 * layers/), RootFS, Metadata. NULL when out of memory. */
json_t *imgset_inspect (const struct imgset *set, size_t k);
/* The slices and maps of that object (gotmpl_type_nils' paths): a
 * template prints them [] and map[] when nil, as Docker's typed nils */
extern const char *const imgset_nils[];

#endif
