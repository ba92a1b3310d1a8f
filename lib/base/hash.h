/* hash - sha256 digests of content, with libcrypto
 *
 * libcrypto's SHA256_Init/Update/Final, not EVP (nor the one-shot
 * SHA256 (), EVP inside): the same assembly without OpenSSL 3's provider
 * set-up, which cost img-fetch 0.5 MB of its peak RSS (whose target is half
 * of skopeo's). Apart from lib/digest, so that a program which only reads
 * the store (ctr-create) does not load libcrypto: 0.5 ms of box run. */
#ifndef BOX_HASH_H
#define BOX_HASH_H

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stddef.h>

#include "base/digest.h"
#include "base/err.h"

struct hash_ctx {
	SHA256_CTX sha;
};

int hash_init (struct hash_ctx *c, struct bx_err *e);
void hash_update (struct hash_ctx *c, const void *buf, size_t len);
/* Finish into OUT ("sha256:hex", DIGEST_STR_LEN + 1 bytes) and free C. */
void hash_final (struct hash_ctx *c, char out[DIGEST_STR_LEN + 1]);
void hash_free (struct hash_ctx *c);
/* One-shot digest of a buffer. */
void hash_buf (const void *buf, size_t len, char out[DIGEST_STR_LEN + 1]);
/* Digest of the file DIRFD/PATH. */
int hash_file_at (int dirfd, const char *path, char out[DIGEST_STR_LEN + 1], struct bx_err *e);

#endif
