#include "base/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"

int
hash_init (struct hash_ctx *c, struct bx_err *e)
{
	if (!SHA256_Init (&c->sha))
		return err_set (e, BX_SYSTEM, 0, "sha256 init");
	return 0;
}

void
hash_update (struct hash_ctx *c, const void *buf, size_t len)
{
	SHA256_Update (&c->sha, buf, len);
}

void
hash_final (struct hash_ctx *c, char out[DIGEST_STR_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256_Final (md, &c->sha);
	memcpy (out, "sha256:", 7);
	for (unsigned i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[DIGEST_STR_LEN] = '\0';
	hash_free (c);
}

void
hash_free (struct hash_ctx *c)
{
	memset (&c->sha, 0, sizeof c->sha);
}

void
hash_buf (const void *buf, size_t len, char out[DIGEST_STR_LEN + 1])
{
	struct hash_ctx c;

	/* not SHA256 (): in OpenSSL 3 it goes through EVP and its providers */
	SHA256_Init (&c.sha);
	hash_update (&c, buf, len);
	hash_final (&c, out);
}

int
hash_file_at (int dirfd, const char *path, char out[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	_cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
	struct hash_ctx c;
	char buf[65536];
	ssize_t n;

	if (fd < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "open %s", path);
	if (hash_init (&c, e) < 0)
		return -1;
	while ((n = read (fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hash_free (&c);
			return err_set (e, BX_SYSTEM, errno, "read %s", path);
		}
		hash_update (&c, buf, n);
	}
	hash_final (&c, out);
	return 0;
}
