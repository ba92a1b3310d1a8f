/* shpat - the patterns of ${X#p}, ${X%p} and ${X/p/r} in a Dockerfile word
 *
 * As buildkit's shell lexer turns them into a regexp: '*' is any text and
 * '?' one character (neither crosses a newline, as a regexp's '.'), '\'
 * quotes '*', '?' and '\' and is dropped before '}' and '/'; everything else
 * is literal (no [...] classes). Matching runs the pattern as an NFA, so no
 * pattern takes exponential time. */
#ifndef BOX_SHPAT_H
#define BOX_SHPAT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct shpat {
	struct shpat_item *v;
	size_t n;
	bool *cur, *next; /* the states alive while matching: n + 1 each */
};

/* Compile PATTERN into PT (free it with shpat_free); a bad escape is BX_USAGE. */
int shpat_compile (struct shpat *pt, const char *pattern, struct bx_err *e);
void shpat_free (struct shpat *pt);
/* ${X#p} ${X##p} ${X%p} ${X%%p}: what is left of V without its shortest (or
 * LONGEST) prefix (or SUFFIX) that matches is [*FROM, *FROM + *LEN). */
void shpat_trim (struct shpat *pt, const char *v, bool suffix, bool longest, size_t *from, size_t *len);
/* ${X/p/r} ${X//p/r}: V with its first (or ALL) matches replaced by REP
 * (literal) into *OUT, malloc'd. Nested replacements multiply lengths, so a
 * result past SHPAT_MAX bytes is refused (BX_USAGE). */
#define SHPAT_MAX (1 << 20)
int shpat_replace (struct shpat *pt, const char *v, const char *rep, bool all, char **out, struct bx_err *e);

#endif
