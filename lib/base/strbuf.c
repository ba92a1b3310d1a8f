#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>

void
strbuf_add (struct strbuf *b, const char *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		char *s;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(s = realloc (b->s, cap))) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	if (n)
		memcpy (b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
strbuf_free (struct strbuf *b)
{
	free (b->s);
	*b = (struct strbuf){0};
}

size_t
strbuf_utf8_len (const char *p, size_t n)
{
	unsigned char c = (unsigned char)*p;
	size_t want = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

	if (want > n)
		return 1;
	for (size_t i = 1; i < want; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			return 1;
	return want;
}

size_t
strbuf_utf8_runes (const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}
