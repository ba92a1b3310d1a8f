/* store - the image store: an OCI image layout at $BOX_ROOT/images
 *
 * Blobs are content-addressed files in images/blobs/sha256/, written under
 * a temporary name and renamed once their digest is checked, so a blob that
 * exists is whole. index.json lists one descriptor per tag (annotation
 * org.opencontainers.image.ref.name = the full reference); it is rewritten
 * atomically while images/lock is held.
 */
#ifndef BOX_STORE_H
#define BOX_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/err.h"

struct store {
	int root;  /* $BOX_ROOT, borrowed */
	int dir;   /* images/ */
	int blobs; /* images/blobs/sha256/ */
};

/* Open the store, creating an empty layout when there is none. */
int store_open (struct store *s, int rootfd, struct bx_err *e);
void store_close (struct store *s);

int store_has_blob (const struct store *s, const char *digest);
/* Open a blob for reading; BX_NOTFOUND when absent. */
int store_blob_open (const struct store *s, const char *digest, struct bx_err *e);
/* Read a whole blob. A blob's name is its digest, checked once, on the way
 * in (store_blob_put and store_blob_commit_at callers); readers trust it,
 * as containerd's content store does. */
int store_blob_read (const struct store *s, const char *digest, char **buf, size_t *len, struct bx_err *e);
/* Add BUF, already checked to hold DIGEST, as a blob. Present blobs are
 * not rewritten. */
int store_blob_put (const struct store *s, const char *digest, const void *buf, size_t len, struct bx_err *e);
/* Move the file DIRFD/PATH (already checked to hold DIGEST, and fsync'd)
 * into the store. */
int store_blob_commit_at (const struct store *s, int dirfd, const char *path, const char *digest, struct bx_err *e);

/* index.json, read without the lock (it is only ever replaced whole). */
int store_index_load (const struct store *s, json_t **index, struct bx_err *e);
/* Under images/lock: load index.json, let FN change it, write it back. */
int store_index_update (const struct store *s, int (*fn) (json_t *index, void *arg, struct bx_err *e), void *arg,
                        struct bx_err *e);
/* Point the tag FULLREF at a descriptor. DESC is borrowed; its
 * annotations gain the ref name. The tag's old target, when no other
 * entry names it, stays untagged ("<none>"), as Docker keeps it. */
int store_tag_set (const struct store *s, const char *fullref, json_t *desc, struct bx_err *e);
/* Keep DESC (an image manifest's descriptor, borrowed) in index.json
 * without a tag, like Docker's "<none>" images, unless an entry for its
 * digest is there already. store_tag_set drops such an entry when the
 * image gets a tag. */
int store_untagged_add (const struct store *s, json_t *desc, struct bx_err *e);
/* Remove the tag FULLREF; BX_NOTFOUND when it is not there. */
int store_tag_remove (const struct store *s, const char *fullref, struct bx_err *e);

/* An image as the store resolves it: the tag's (or digest's) descriptor,
 * its manifest and its config, all owned by the struct. */
struct image {
	json_t *desc; /* the index.json entry */
	json_t *manifest;
	json_t *config;
	char ref[512]; /* the entry's ref name, or "" when untagged */
	char manifest_digest[DIGEST_STR_LEN + 1];
	char config_digest[DIGEST_STR_LEN + 1]; /* Docker's image id */
};

/* Find NAME as img-list does (lib/image/imgset.c holds the lookup, so
 * every tool agrees): a full image id or manifest digest, a reference
 * ("busybox", "host:5000/a:t", "a@sha256:.."), an image id's unique
 * prefix. BX_NOTFOUND, or BX_USAGE for an ambiguous prefix or a malformed
 * name. Only the entries the lookup needs are read. */
int store_image_load (const struct store *s, const char *name, struct image *img, struct bx_err *e);
/* IMG from the index.json entry DESC (borrowed): its manifest (an image
 * index resolves to this machine's platform, else its first manifest;
 * manifest_digest is then the chosen one's) and its config. On failure
 * IMG still owns what was read: store_image_free it. */
int store_entry_load (const struct store *s, json_t *desc, struct image *img, struct bx_err *e);
void store_image_free (struct image *img);

/* --- removal and garbage collection (img-list rm) --- */

/* Inside a store_index_update callback: what store_tag_set does. */
int store_index_tag (json_t *index, const char *fullref, json_t *desc, struct bx_err *e);

/* Hold the returned fd (a shared flock on images/gc.lock) from the first
 * blob added or found present until the tag that reaches it is in
 * index.json: store_gc leaves the store alone meanwhile, so it never
 * removes a blob a pull is about to tag. close() releases it. */
int store_pin (const struct store *s, struct bx_err *e);
/* Tests only: when BOX_TEST_STOP_BEFORE_TAG is set, stop this process
 * (SIGSTOP) where a writer has stored its blobs and not yet tagged them,
 * so that a test can run gc in that window and then SIGCONT it. */
void store_test_stop_before_tag (void);

struct gc_stats {
	size_t blobs;    /* blobs removed */
	uint64_t bytes;  /* their size */
	size_t tmpfiles; /* temporary files of dead processes removed */
};

/* Remove the blobs no index.json entry reaches (entry -> manifest or index
 * -> child manifests, config, layers; the ANN_REPO_DIGEST blob too) nor
 * an entry of the build cache (image/bcache.h), and the "*.tmp-<pid>" files of dead processes in images/ and its blobs.
 * Holds images/gc.lock (exclusive, LOCK_TRY or LOCK_WAIT as FLAGS says),
 * then images/lock. BX_CONFLICT, nothing removed, when LOCK_TRY finds a
 * pin held. ON_BLOB (may be NULL) hears each removed digest. */
int store_gc (const struct store *s, int flags, void (*on_blob) (const char *digest, void *arg), void *arg,
              struct gc_stats *st, struct bx_err *e);

#endif
