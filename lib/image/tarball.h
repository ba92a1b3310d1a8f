/* tarball - image archives (docker save, OCI archive) read and written with
 * libarchive
 *
 * Reading stages the archive: each regular file is written into a staging
 * directory under a made-up name while its sha256 is computed, and its
 * archive path is kept in a table with the digest; symlinks and hardlinks
 * are kept as table entries too and followed on lookup, confined to the
 * archive (a link may not point outside it). Nothing is extracted under
 * its own name, so hostile paths ("../x", "/etc/x") go nowhere.
 */
#ifndef BOX_TARBALL_H
#define BOX_TARBALL_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/digest.h"
#include "base/err.h"

struct tarball {
	int stage;     /* the staging directory, borrowed */
	json_t *files; /* path -> {"f": staged name, "digest", "size"} | {"link": target} */
};

/* Read the archive on FD (tar, possibly gzip/xz/bzip2/zstd-compressed as
 * a whole) into STAGE. BX_USAGE for input that is no tar or is cut short. */
int tarball_read (struct tarball *t, int fd, int stage, struct bx_err *e);
void tarball_free (struct tarball *t);
/* Find PATH ("./" and "//" allowed), following links; the staged file's
 * name in the stage, its digest and size. BX_NOTFOUND when absent. */
int tarball_lookup (const struct tarball *t, const char *path, const char **staged, const char **digest, uint64_t *size,
                    struct bx_err *e);

/* Writing an archive: pax-restricted tar (plain ustar for short names),
 * entries owned by 0:0 with mtime 0 so equal input gives equal bytes. */
struct tarball_writer {
	void *a; /* struct archive * */
};
int tarball_writer_open (struct tarball_writer *w, int fd, struct bx_err *e);
int tarball_add_dir (struct tarball_writer *w, const char *name, struct bx_err *e);
int tarball_add_buf (struct tarball_writer *w, const char *name, const void *buf, size_t len, struct bx_err *e);
/* Copy all of the regular file FD (from offset 0) as NAME. */
int tarball_add_fd (struct tarball_writer *w, const char *name, int fd, struct bx_err *e);
/* Finish the archive (end blocks) and free W; call once even on errors. */
int tarball_writer_close (struct tarball_writer *w, struct bx_err *e);

/* Decompress (gzip, zstd, or none) the stream on IN into OUT while
 * computing the sha256 of the result (a layer's diff_id). */
int tarball_decompress (int in, int out, char diff_id[DIGEST_STR_LEN + 1], uint64_t *size, struct bx_err *e);
/* Gzip all of the regular file IN (from offset 0) into OUT; DIGEST and
 * SIZE those of the result (a plain layer as a push sends it). */
int tarball_gzip (int in, int out, char digest[DIGEST_STR_LEN + 1], uint64_t *size, struct bx_err *e);
/* Only the diff_id of the stream on IN, nothing written. */
int tarball_diff_id (int in, char diff_id[DIGEST_STR_LEN + 1], struct bx_err *e);

#endif
