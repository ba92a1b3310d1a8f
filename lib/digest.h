/* digest - sha256 content digests ("sha256:<64 hex>") with libcrypto
 *
 * libcrypto's SHA256_Init/Update/Final, not EVP (nor the one-shot
 * SHA256 (), EVP inside): the same assembly without OpenSSL 3's provider
 * set-up, which cost img-fetch 0.5 MB of its peak RSS (whose target is half
 * of skopeo's). */
#ifndef BOX_DIGEST_H
#define BOX_DIGEST_H

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stddef.h>

#include "err.h"

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN) /* "sha256:" + hex */

struct digest_ctx {
	SHA256_CTX sha;
};

int digest_init (struct digest_ctx *c, struct bx_err *e);
void digest_update (struct digest_ctx *c, const void *buf, size_t len);
/* Finish into OUT ("sha256:hex", DIGEST_STR_LEN + 1 bytes) and free C. */
void digest_final (struct digest_ctx *c, char out[DIGEST_STR_LEN + 1]);
void digest_free (struct digest_ctx *c);
/* One-shot digest of a buffer. */
void digest_buf (const void *buf, size_t len, char out[DIGEST_STR_LEN + 1]);
/* Digest of the file DIRFD/PATH. */
int digest_file_at (int dirfd, const char *path, char out[DIGEST_STR_LEN + 1], struct bx_err *e);
/* True for a well-formed "sha256:<64 lowercase hex>". */
int digest_is_valid (const char *s);
/* True for a well-formed "algorithm:encoded" of any registered algorithm
 * the OCI image-spec names (sha256, sha512), by its grammar. */
int digest_is_wellformed (const char *s);
/* The hex part of a "sha256:hex" digest. */
const char *digest_hex (const char *digest);

#endif
