/* fuzz/regauth - libFuzzer target for what a registry says about
 * authorisation (lib/image/registry): WWW-Authenticate challenges, a token
 * server's answer and error bodies. Any input is refused or parsed, never
 * a crash; a challenge's scheme is lowercase; a token accepted is one that
 * can go into an Authorization header as it is (no spaces, no control
 * characters: a token with CR LF would add headers of the server's choice
 * to every request we send the registry). */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/registry.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
terminated (const char *s, size_t cap)
{
	if (!memchr (s, '\0', cap))
		abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	struct registry_challenge c;
	char *s, *t, out[256];

	if (size > 16384 || !(s = strndup ((const char *)data, size)))
		return 0;
	if (registry_challenge_parse (s, &c) == 0) {
		terminated (c.scheme, sizeof c.scheme);
		terminated (c.realm, sizeof c.realm);
		terminated (c.service, sizeof c.service);
		terminated (c.scope, sizeof c.scope);
		terminated (c.error, sizeof c.error);
		for (const char *p = c.scheme; *p; p++)
			if (isupper ((unsigned char)*p))
				abort ();
	}
	free (s);
	if ((t = registry_token_parse ((const char *)data, size))) {
		if (!*t)
			abort ();
		for (const char *p = t; *p; p++)
			if ((unsigned char)*p <= ' ' || *p == 0x7f)
				abort ();
		free (t);
	}
	registry_error_text ((const char *)data, size, "fallback", out, sizeof out);
	terminated (out, sizeof out);
	return 0;
}
