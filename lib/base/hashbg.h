/* hashbg - sha256 of files while they are written, on another core
 *
 * A blob arrives on the fetching thread (libcurl's callbacks) and is written
 * to its file there; one worker thread reads back what was written (pread,
 * from the page cache) and hashes it. Hashing is 40% of a pull's CPU: on
 * two cores it now runs beside the receiving instead of after each read.
 * One thread and one 32 KiB buffer for all files: a few KB of RSS.
 *
 * The fetching thread owns each struct hashbg_file; it tells the worker how
 * far the file is written and asks for the digest of all of it. */
#ifndef BOX_HASHBG_H
#define BOX_HASHBG_H

#include <stdint.h>

#include "base/err.h"
#include "base/hash.h"

struct hashbg;

struct hashbg_file {
	struct hashbg *w; /* NULL: not added */
	struct hashbg_file *next;
	int fd;
	int busy;        /* the worker is reading and hashing a piece */
	int err;         /* errno of a failed read, 0 */
	int64_t written; /* bytes in FD, as the owner said last */
	int64_t hashed;  /* of them, hashed */
	struct hash_ctx ctx;
};

/* Start the worker. */
int hashbg_start (struct hashbg **w, struct bx_err *e);
/* Stop and free it (NULL is fine); every file must have been dropped. */
void hashbg_stop (struct hashbg *w);

/* Hash FD from its start, as hashbg_wrote says it grows. */
void hashbg_add (struct hashbg *w, struct hashbg_file *f, int fd);
/* FD holds WRITTEN bytes now. */
void hashbg_wrote (struct hashbg_file *f, int64_t written);
/* FD was emptied: start over. */
void hashbg_reset (struct hashbg_file *f);
/* Wait until all written is hashed; OUT gets its digest ("sha256:hex").
 * The file stays added (a reset may follow). */
int hashbg_digest (struct hashbg_file *f, char out[DIGEST_STR_LEN + 1], struct bx_err *e);
/* Take F out (not added: nothing to do). */
void hashbg_drop (struct hashbg_file *f);

#endif
