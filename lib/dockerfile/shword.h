/* shword - expand and split one Dockerfile word as buildkit's shell lexer does
 *
 * The rules of moby/buildkit frontend/dockerfile/shell: 'single' and "double"
 * quotes, the Dockerfile's escape character, $VAR, ${VAR}, ${VAR:-w},
 * ${VAR-w}, ${VAR:+w}, ${VAR+w}, ${VAR:?msg}, ${VAR?msg}, ${VAR#p},
 * ${VAR##p}, ${VAR%p}, ${VAR%%p}, ${VAR/p/r} and ${VAR//p/r}; positional and
 * special parameters ($1, $@, ...) are never set. Nothing is executed. */
#ifndef BOX_SHWORD_H
#define BOX_SHWORD_H

#include <stddef.h>

#include "base/err.h"

struct shword {
	int escape;             /* the Dockerfile's escape character: '\\' or '`' */
	const char *const *env; /* "KEY=VALUE", or "KEY" (set and empty); the last of a key wins */
	size_t nenv;
};

/* Expand WORD into *OUT (malloc'd): quotes removed, variables substituted.
 * Bad syntax or ${X?} of an unset X: BX_USAGE naming the word. */
int shword_expand (const struct shword *sh, const char *word, char **out, struct bx_err *e);
/* Expand WORD and split it into words at unquoted white space that is not
 * escaped (white space inside a variable's value splits too). *OUT is a
 * NULL-terminated malloc'd array of *N words: free it with shword_free. */
int shword_split (const struct shword *sh, const char *word, char ***out, size_t *n, struct bx_err *e);
void shword_free (char **words);

/* The length of the white-space character (Go's unicode.IsSpace, UTF-8)
 * at P, N bytes long at most; 0 when P does not start with one. */
size_t shword_space_len (const char *p, size_t n);

#endif
