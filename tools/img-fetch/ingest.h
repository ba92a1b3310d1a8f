/* ingest - blobs being fetched: $BOX_ROOT/tmp/ingest/<hex>
 *
 * A blob is fetched into tmp/ingest/<hex> while its writer holds an flock
 * on that file; an interrupted fetch leaves the file for the next one to
 * resume (Range request). Once checked and fsync'd, the file is renamed
 * into images/blobs/ (same file system), still under the lock, so a
 * waiter that then gets the lock finds the path gone and the blob stored.
 *
 * Deadlock: take several ingest locks in ascending digest order only.
 *
 * Bounded: a partial blob whose lock is free has no writer left (a pull
 * that failed or was killed). The next pull resumes those it needs and
 * removes the others (ingest_sweep) before it fetches, and a pull that
 * fails for want of space removes its own: the partials on disk are at
 * most those of the pulls running and of the last one that failed.
 */
#ifndef BOX_INGEST_H
#define BOX_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/store.h"

/* Create if needed and open tmp/ingest/ under ROOTFD; a dirfd. */
int ingest_dir_open (int rootfd, struct bx_err *e);
/* Open (creating) and lock the ingest file of DIGEST, waiting while
 * another process fetches it. Returns the locked read-write fd, whose
 * content is a prefix of the blob; or, when the blob is in the store by
 * then, removes the ingest file, sets *STORED and returns -1 (E unset). */
int ingest_open (int dirfd, const struct store *s, const char *digest, int *stored, struct bx_err *e);
/* Move the checked, fsync'd ingest file of DIGEST into the store. */
int ingest_commit (int dirfd, const struct store *s, const char *digest, struct bx_err *e);
/* Remove the ingest file of DIGEST, FD (its lock held by the caller),
 * unless it is in the store already. */
void ingest_discard (int dirfd, const char *digest, int fd);
/* Remove every ingest file no process holds, but those of the NKEEP
 * digests in KEEP (a pull's own, to resume); *FREED (may be NULL) gets
 * the bytes of disk they held. */
int ingest_sweep (int dirfd, const char *const *keep, size_t nkeep, uint64_t *freed, struct bx_err *e);

#endif
