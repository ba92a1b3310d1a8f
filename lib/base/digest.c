#include "base/digest.h"

#include <string.h>

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
	return s && strncmp (s, "sha256:", 7) == 0 && strlen (s) == DIGEST_STR_LEN &&
	       is_lower_hex (s + 7, DIGEST_HEX_LEN);
}

int
digest_is_hex (const char *s)
{
	return strlen (s) == DIGEST_HEX_LEN && is_lower_hex (s, DIGEST_HEX_LEN);
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
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '=' ||
		      *p == '_' || *p == '-'))
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
