/* ignore - TAP unit tests of tools/df-build/ignore.h: .dockerignore read
 * and matched as Docker 20.10 does (dockerignore.ReadAll, moby's
 * fileutils.PatternMatcher and the client's walk of the context) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "df-build/ignore.h"
#include "tap.h"

static void
clean (const char *in, const char *want)
{
	_cleanup_free_ char *p = strdup (in);

	ignore_clean (p);
	is_str (p, want, in);
}

/* with the .dockerignore TEXT, PATH (a file, or a directory when DIR) is
 * sent (1) or not (0) */
static void
sent (const char *text, const char *path, int dir, int want)
{
	struct ignore ig;
	struct bx_err e = {0};
	char name[256];

	snprintf (name, sizeof name, "%s: %s", text, path);
	for (char *c = name; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = '|';
	if (ignore_parse (&ig, text, strlen (text), &e) < 0) {
		ok (0, "%s: %s", name, e.msg);
		return;
	}
	is_int (ignore_sent (&ig, path, dir), want, name);
	ignore_free (&ig);
}

static void
refused (const char *text, const char *msg)
{
	struct ignore ig;
	struct bx_err e = {0};

	ok (ignore_parse (&ig, text, strlen (text), &e) < 0 && e.code == BX_USAGE, "%s refused", text);
	is_str (e.msg, msg, text);
}

int
main (void)
{
	clean ("a/b/../c", "a/c");
	clean ("./a//b/", "a/b");
	clean ("../../a/..", "../..");
	clean ("/../a", "/a");
	clean ("", ""); /* Go gives ".", which would not fit in place */
	clean ("a/..", ".");

	/* Go's filepath.Match: '*' and '?' stop at '/' */
	sent ("*.txt", "a.txt", 0, 0);
	sent ("*.txt", "d/a.txt", 0, 1);
	sent ("a?c", "abc", 0, 0);
	sent ("a?c", "a/c", 0, 1);
	sent ("[a-c]x", "bx", 0, 0);
	sent ("[^a-c]x", "bx", 0, 1);
	sent ("a\\*b", "a*b", 0, 0);
	sent ("a\\*b", "axb", 0, 1);
	sent ("a.b", "axb", 0, 1);
	/* "**" crosses directories, any number of them, none too */
	sent ("**/*.log", "x.log", 0, 0);
	sent ("**/*.log", "a/b/x.log", 0, 0);
	sent ("a/**/z", "a/z", 0, 0);
	sent ("a/**/z", "a/b/c/z", 0, 0);
	sent ("a/**", "a/b/c", 0, 0);
	sent ("**", "anything/at/all", 0, 0);
	/* a pattern matching a parent directory ignores what is inside */
	sent ("dir", "dir/sub/f", 0, 0);
	sent ("dir", "dir", 1, 0);
	sent ("d*", "dir/f", 0, 0);
	/* **\/x matches the directory, and Docker's walk skips what is in it */
	sent ("**/node_modules", "a/node_modules/m/index.js", 0, 0);
	/* '!' exceptions: the last match wins */
	sent ("*.md\n!README.md", "README.md", 0, 1);
	sent ("*.md\n!README.md", "CHANGES.md", 0, 0);
	sent ("!README.md\n*.md", "README.md", 0, 0);
	/* an ignored directory an exception reaches into is walked */
	sent ("docs\n!docs/keep.md", "docs/keep.md", 0, 1);
	sent ("docs\n!docs/keep.md", "docs/other.md", 0, 0);
	sent ("docs\n!docs/keep.md", "docs", 1, 1);
	/* the walk takes the exception's text literally: docs/a is skipped */
	sent ("docs\n!docs/*/keep", "docs/a/keep", 0, 0);
	/* one it does not reach into is skipped whole */
	sent ("docs\n!other/keep.md", "docs", 1, 0);
	sent ("**/docs\n!keep", "a/docs/x", 0, 0);
	/* comments, blanks, a BOM, leading '/' and "./" */
	sent ("# a.txt\n  \n", "a.txt", 0, 1);
	sent ("\xef\xbb\xbf"
	      "a.txt",
	      "a.txt", 0, 0);
	sent ("/a.txt", "a.txt", 0, 0);
	sent ("./a/../b.txt", "b.txt", 0, 0);
	sent ("  b.txt  \r", "b.txt", 0, 0);
	sent ("! b.txt\nb.txt\n!b.txt", "b.txt", 0, 1);
	sent ("", "x", 0, 1);
	refused ("!", ".dockerignore: illegal exclusion pattern: \"!\"");
	refused ("a[", ".dockerignore: a[: syntax error in pattern");
	return tap_done ();
}
