/* unpack - extract one layer blob into a directory, safely, in one pass
 *
 * The blob (gzip, zstd, xz, bzip2 or plain tar: the content decides, as
 * Docker's does) is decompressed by one libarchive reader; the tar bytes it
 * yields are hashed into the diff_id while a second reader parses them, so
 * nothing is read twice and nothing goes to a temporary file.
 *
 * Every path is looked up by the kernel inside the target directory
 * (openat2 RESOLVE_IN_ROOT): "..", absolute names, symlinks and hardlinks
 * cannot reach outside it. Names that climb above the root are refused.
 *
 * The directory keeps the layer's own content only; OCI whiteouts become
 * what overlayfs reads: ".wh.NAME" a 0:0 character device NAME,
 * ".wh..wh..opq" the xattr OPAQUE_XATTR=y on its directory.
 */
#ifndef BOX_UNPACK_H
#define BOX_UNPACK_H

#include <stdint.h>

#include "base/digest.h"
#include "base/err.h"

#define OVL_OPAQUE_TRUSTED "trusted.overlay.opaque"
#define OVL_OPAQUE_USER "user.overlay.opaque" /* overlayfs "userxattr", rootless */

struct unpack_opts {
	int rootless;             /* skip device nodes; owners we may not set stay ours */
	const char *opaque_xattr; /* OVL_OPAQUE_TRUSTED or OVL_OPAQUE_USER */
};

struct unpack_stats {
	uint64_t entries; /* tar entries applied */
	uint64_t skipped; /* device nodes left out (rootless) */
	uint64_t bytes;   /* uncompressed tar size */
};

/* Extract the blob read from BLOBFD into the directory DIRFD; DIFFID gets
 * the sha256 of the uncompressed tar. Errors name the entry. */
int unpack_layer (int blobfd, int dirfd, const struct unpack_opts *o, char diffid[DIGEST_STR_LEN + 1],
                  struct unpack_stats *st, struct bx_err *e);

#endif
