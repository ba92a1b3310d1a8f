/* ignore - .dockerignore, as Docker 20.10 reads and matches it
 *
 * The file (dockerignore.ReadAll): a leading UTF-8 BOM dropped, lines
 * starting with '#' skipped, blanks trimmed, '!' marking an exception,
 * each pattern cleaned as Go's filepath.Clean does and a leading '/'
 * dropped. A pattern (fileutils.PatternMatcher) is Go's filepath.Match
 * turned into a regexp: '*' and '?' stop at '/', "**" crosses any number
 * of directories, "[...]" a class, '\' escapes. A path is ignored when the
 * last pattern that matches it, or matches as many of its parent
 * directories as the pattern has parts, is not an exception. */
#ifndef DF_BUILD_IGNORE_H
#define DF_BUILD_IGNORE_H

#include <regex.h>
#include <stddef.h>

#include "base/err.h"

struct ignore_pat {
	char *text; /* cleaned, without its '!' */
	regex_t re;
	size_t ndirs; /* its '/'-separated parts */
	int exception;
};

struct ignore {
	struct ignore_pat *v;
	size_t n;
	int exceptions; /* some pattern is an exception */
};

/* Parse the LEN bytes of a .dockerignore TEXT into IG (free it with
 * ignore_free); a bad pattern is BX_USAGE, naming it. */
int ignore_parse (struct ignore *ig, const char *text, size_t len, struct bx_err *e);
void ignore_free (struct ignore *ig);
/* Go's filepath.Clean of the '/'-separated PATH, in place; an empty PATH
 * stays empty (Go gives ".", which would not fit). */
void ignore_clean (char *path);
/* 1 when PATH (relative to the context, cleaned) matches IG. */
int ignore_matches (const struct ignore *ig, const char *path);
/* 1 when PATH, relative to the context and cleaned, was sent: neither it
 * nor a directory above it ignored, but for a directory Docker's client
 * still walks because an exception names something below it (DIR: PATH is
 * a directory). */
int ignore_sent (const struct ignore *ig, const char *path, int dir);

#endif
