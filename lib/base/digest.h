/* digest - content digests as strings ("sha256:<64 hex>"): checked and
 * taken apart; lib/hash computes them (and is what needs libcrypto) */
#ifndef BOX_DIGEST_H
#define BOX_DIGEST_H

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN) /* "sha256:" + hex */

/* True for a well-formed "sha256:<64 lowercase hex>". */
int digest_is_valid (const char *s);
/* True for a well-formed "algorithm:encoded" of any registered algorithm
 * the OCI image-spec names (sha256, sha512), by its grammar. */
int digest_is_wellformed (const char *s);
/* True for exactly DIGEST_HEX_LEN lowercase hex digits: a blob's or a
 * cache key's file name. */
int digest_is_hex (const char *s);
/* The hex part of a "sha256:hex" digest. */
const char *digest_hex (const char *digest);

#endif
