/* bcache - the build cache's entries, build/cache/<key hex>: one per
 * built step, the image the step made from its parent (the config's
 * exact text, its layers), so that a later build with the same parent
 * and the same step takes it instead of running the step again.
 *
 * An entry is written whole under a temporary name and renamed; it is
 * not fsync'd: an entry a crash damaged or whose layers are gone reads as
 * a miss. Its layer blobs stay in the store while it names them
 * (store_gc marks them, bcache_mark); `df-prune` removes entries. */
#ifndef BOX_BCACHE_H
#define BOX_BCACHE_H

#include <jansson.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/err.h"

struct bcache_entry {
	char parent[DIGEST_STR_LEN + 1]; /* the image id the step ran on */
	char id[DIGEST_STR_LEN + 1];     /* the image id it made: the digest of config */
	char *config;                    /* the config's text, exactly */
	json_t *layers;                  /* the manifest's layer descriptors */
};

/* The entry KEY (64 hex); BX_NOTFOUND when there is none or it is
 * damaged. */
int bcache_get (int rootfd, const char *key, struct bcache_entry *en, struct bx_err *e);
/* Write EN as the entry KEY, replacing any. */
int bcache_put (int rootfd, const char *key, const struct bcache_entry *en, struct bx_err *e);
/* Remove the entry KEY (one found broken); gone already is no error. */
void bcache_drop (int rootfd, const char *key);
void bcache_entry_free (struct bcache_entry *en);

/* FN on each whole entry (a damaged one is skipped); FN's -1 stops. */
int bcache_each (int rootfd, int (*fn) (const struct bcache_entry *en, void *arg), void *arg, struct bx_err *e);
/* Add to LIVE (digest -> true) every layer blob an entry names. */
int bcache_mark (int rootfd, json_t *live, struct bx_err *e);

struct bcache_stats {
	size_t entries;
	uint64_t bytes; /* the entries' own size */
};
/* What a prune asks and tells: KEEP (NULL keeps nothing) is asked of
 * each entry or file the prune would remove, TYPE as BuildKit names its
 * records ("regular" an entry, "source.local" a context's file hashes),
 * with when it was last written and its bytes: 1 keeps it (docker
 * builder prune's filters, --keep-storage). REMOVED (may be NULL) hears
 * each removed entry's key. */
struct bcache_prune_cb {
	int (*keep) (const char *type, const char *name, int64_t mtime, uint64_t bytes, void *arg);
	void (*removed) (const char *key, void *arg);
	void *arg;
};

/* Remove the entries (ALL), or those that are dangling: not on the chain
 * of parents of an image id that IDS (id -> true) holds, and the damaged
 * ones; but those CB (may be NULL) keeps. With ALL the per-file digests
 * of the contexts (build/files/) go too. */
int bcache_prune (int rootfd, int all, json_t *ids, const struct bcache_prune_cb *cb, struct bcache_stats *st,
                  struct bx_err *e);

#endif
