/* strbuf - a growing NUL-terminated string; running out of memory is
 * remembered (OOM) rather than reported at each append, and checked once */
#ifndef BOX_STRBUF_H
#define BOX_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s; /* NULL until the first append */
	size_t len, cap;
	bool oom;
};

/* Append N bytes of P (N may be 0: the string then exists, empty). */
void strbuf_add (struct strbuf *b, const char *p, size_t n);
void strbuf_free (struct strbuf *b);

/* The length of the UTF-8 character at P (N bytes left): 1 when invalid. */
size_t strbuf_utf8_len (const char *p, size_t n);
/* The characters of S[0..LEN) as Go counts runes (text/tabwriter, fmt
 * padding): every byte that does not continue a UTF-8 sequence. */
size_t strbuf_utf8_runes (const char *s, size_t len);

#endif
