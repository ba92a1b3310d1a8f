#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

int
digest_init (struct digest_ctx *c, struct bx_err *e)
{
	if (!SHA256_Init (&c->sha))
		return err_set (e, BX_SYSTEM, 0, "sha256 init");
	return 0;
}

void
digest_update (struct digest_ctx *c, const void *buf, size_t len)
{
	SHA256_Update (&c->sha, buf, len);
}

void
digest_final (struct digest_ctx *c, char out[DIGEST_STR_LEN + 1])
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
	digest_free (c);
}

void
digest_free (struct digest_ctx *c)
{
	memset (&c->sha, 0, sizeof c->sha);
}

void
digest_buf (const void *buf, size_t len, char out[DIGEST_STR_LEN + 1])
{
	struct digest_ctx c;

	/* not SHA256 (): in OpenSSL 3 it goes through EVP and its providers */
	SHA256_Init (&c.sha);
	digest_update (&c, buf, len);
	digest_final (&c, out);
}

int
digest_file_at (int dirfd, const char *path, char out[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	_cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
	struct digest_ctx c;
	char buf[65536];
	ssize_t n;

	if (fd < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "open %s", path);
	if (digest_init (&c, e) < 0)
		return -1;
	while ((n = read (fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			digest_free (&c);
			return err_set (e, BX_SYSTEM, errno, "read %s", path);
		}
		digest_update (&c, buf, n);
	}
	digest_final (&c, out);
	return 0;
}

static int
is_lower_hex (const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
digest_is_valid (const char *s)
{
	return s && strncmp (s, "sha256:", 7) == 0 && strlen (s) == DIGEST_STR_LEN
	       && is_lower_hex (s + 7, DIGEST_HEX_LEN);
}

/* algorithm ::= component ([+._-] component)*, component ::= [a-z0-9]+,
 * encoded ::= [a-zA-Z0-9=_-]+ (image-spec descriptor.md "Digests") */
int
digest_is_wellformed (const char *s)
{
	const char *colon = s ? strchr (s, ':') : NULL;
	int need_comp = 1;

	if (!colon || colon == s || !colon[1])
		return 0;
	for (const char *p = s; p < colon; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			need_comp = 0;
		else if (strchr ("+._-", *p) && !need_comp)
			need_comp = 1;
		else
			return 0;
	}
	if (need_comp)
		return 0;
	for (const char *p = colon + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
		      || *p == '=' || *p == '_' || *p == '-'))
			return 0;
	if (strncmp (s, "sha256:", 7) == 0)
		return strlen (colon + 1) == 64 && is_lower_hex (colon + 1, 64);
	if (strncmp (s, "sha512:", 7) == 0)
		return strlen (colon + 1) == 128 && is_lower_hex (colon + 1, 128);
	return 1;
}

const char *
digest_hex (const char *digest)
{
	const char *c = strchr (digest, ':');
	return c ? c + 1 : digest;
}
