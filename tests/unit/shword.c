/* shword - TAP unit tests of lib/dockerfile/shword.h: Dockerfile word expansion as
 * buildkit's shell lexer does it; then, when $CONFORMANCE is set, every line
 * of its dockerfile-parser/shell/envVarTest and wordsTest (README.md there) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "dockerfile/shword.h"
#include "tap.h"

static const char *const test_env[] = {
    "PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL=", "EMPTY", "P=/usr/local/lib/libfoo.so.1", "L=a.b.c"};

/* expands IN with escape character ESC and test_env: WANT */
static void
expand_esc (int esc, const char *in, const char *want)
{
	struct shword sh = {esc, test_env, sizeof test_env / sizeof *test_env};
	struct bx_err e = {0};
	_cleanup_free_ char *got = NULL;

	if (shword_expand (&sh, in, &got, &e) < 0)
		got = strdup (e.msg);
	is_str (got, want, in);
}

static void
expand (const char *in, const char *want)
{
	expand_esc ('\\', in, want);
}

/* IN is refused with BX_USAGE and a message naming MSGPART */
static void
refused (const char *in, const char *msgpart)
{
	struct shword sh = {'\\', test_env, sizeof test_env / sizeof *test_env};
	struct bx_err e = {0};
	_cleanup_free_ char *got = NULL;
	int rc = shword_expand (&sh, in, &got, &e);

	ok (rc == -1 && e.code == BX_USAGE && strstr (e.msg, msgpart), "refused: '%s' (%s)", in, e.msg);
}

/* the words of IN, joined with '|': WANT */
static void
split (const char *in, const char *want)
{
	struct shword sh = {'\\', test_env, sizeof test_env / sizeof *test_env};
	struct bx_err e = {0};
	char **w = NULL, got[512] = "";
	size_t n = 0;

	if (shword_split (&sh, in, &w, &n, &e) < 0)
		snprintf (got, sizeof got, "error: %s", e.msg);
	for (size_t i = 0; i < n; i++)
		snprintf (got + strlen (got), sizeof got - strlen (got), "%s%s", i ? "|" : "", w[i]);
	is_str (got, want, in);
	ok (!w || w[n] == NULL, "'%s': the array ends with NULL", in);
	shword_free (w);
}

static void
test_expand (void)
{
	expand ("a${PWD}b$SHELL", "a/homebbash");
	expand ("${EMPTY:-x}${EMPTY-y}", "x");
	expand ("${NULL+set}${NULL:+nonempty}${NOPE+no}", "set");
	expand ("${NOPE-d}${NOPE:-e}", "de");
	expand ("${NULL?}|${PWD:?x}", "|/home");
	expand ("$KOREAN/x", "한국어/x");
	expand ("'$PWD' \"$PWD\" \\$PWD", "$PWD /home $PWD");
	expand ("${P#*/}|${P##*/}|${P%.*}|${P%%.*}",
	        "usr/local/lib/libfoo.so.1|libfoo.so.1|/usr/local/lib/libfoo.so|/usr/local/lib/libfoo");
	expand ("${L/./-}|${L//./-}|${L//x/-}|${NOPE//a/b}", "a-b.c|a-b-c|a.b.c|");
	expand ("${L#\\*}|${L%c}|${L#?}", "a.b.c|a.b.|.b.c");
	expand ("${L/\\}/x}", "a.b.c");
	expand ("${KOREAN#?}|${KOREAN%?}|${KOREAN/국/-}", "국어|한국|한-어");
	expand ("${L//?/}|${L/#/x}|${L/*/}", "|a.b.c|");
	expand ("${L#**************************************************x}", "a.b.c");
	expand_esc ('`', "`$PWD\\x \"`\"\"", "$PWD\\x \"");
	expand_esc ('`', "a`", "a");
	refused ("${NOPE?}", "NOPE: is not allowed to be unset");
	refused ("${NULL:?}", "NULL: is not allowed to be empty");
	refused ("${NOPE:?say so}", "NOPE: say so");
	refused ("x${PWD:#x}", "unsupported modifier (:#)");
	refused ("${PWD=x}", "unsupported modifier (=)");
	refused ("${PWD:=x}", "unsupported modifier (:=)");
	refused ("${PWD", "missing '}'");
	refused ("${PWD:-x", "missing '}'");
	refused ("${PWD/x", "missing '/'");
	refused ("${L//}", "missing '/'");
	refused ("${L#\\x}", "invalid escape");
	refused ("${}", "bad substitution");
	refused ("${L//?/${L//?/${L//?/${L//?/${L//?/${L//?/${L//?/${L//?/${L//?/aaaaa}}}}}}}}}", "longer than");
	refused ("'abc", "single-quote");
	refused ("\"abc", "double-quote");
	refused ("he\\\\'llo", "word 'he\\\\'llo'");
}

static void
test_split (void)
{
	split ("a b\tc", "a|b|c");
	split ("  a\\ b 'c d' \"e $SHELL\"  ", "a b|c d|e bash");
	split ("x${NOPE:-p q}y", "xp|qy");
	split ("\"\" '' $NOPE", "");
	split ("a\xc2\xa0"
	       "b",
	       "a|b");
	split ("\"'\"", "'");
}

/* --- conformance: shell/envVarTest and shell/wordsTest ------------------ */

static char *
trim (char *s)
{
	char *end = s + strlen (s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* PLATFORM|input|expected: W lines are Windows' */
static void
env_var_line (char *line, int lineno)
{
	static const char *const env[] = {"PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL="};
	struct shword sh = {'\\', env, sizeof env / sizeof *env};
	char *f[3], *bar1 = strchr (line, '|'), *bar2 = bar1 ? strchr (bar1 + 1, '|') : NULL;
	struct bx_err e = {0};
	_cleanup_free_ char *got = NULL;
	int rc;

	if (!bar2 || strchr (bar2 + 1, '|')) {
		ok (0, "envVarTest:%d: not PLATFORM|input|expected", lineno);
		return;
	}
	*bar1 = *bar2 = '\0';
	f[0] = trim (line), f[1] = trim (bar1 + 1), f[2] = trim (bar2 + 1);
	if (strcmp (f[0], "W") == 0)
		return;
	rc = shword_expand (&sh, f[1], &got, &e);
	if (strcmp (f[2], "error") == 0)
		ok (rc < 0, "envVarTest:%d: '%s' fails (%s)", lineno, f[1], rc < 0 ? e.msg : got);
	else
		ok (rc == 0 && strcmp (got, f[2]) == 0, "envVarTest:%d: '%s' -> '%s' (%s)", lineno, f[1], f[2],
		    rc < 0 ? e.msg : got);
}

struct env_list {
	char *v[64];
	size_t n;
};

/* input | w1,w2,...: ENV k=v lines set variables for the lines after them */
static void
words_line (char *line, int lineno, struct env_list *env)
{
	struct shword sh = {'\\', (const char *const *)env->v, env->n};
	char *bar = strchr (line, '|'), *in, *want, got[1024] = "error";
	struct bx_err e = {0};
	char **w = NULL;
	size_t n = 0;

	if (!bar || strchr (bar + 1, '|')) {
		ok (0, "wordsTest:%d: not input | words", lineno);
		return;
	}
	*bar = '\0';
	in = trim (line);
	want = bar + 1 + strspn (bar + 1, " ");
	if (shword_split (&sh, in, &w, &n, &e) == 0) {
		got[0] = '\0';
		for (size_t i = 0; i < n; i++)
			snprintf (got + strlen (got), sizeof got - strlen (got), "%s%s", i ? "," : "", w[i]);
	}
	ok (strcmp (got, want) == 0, "wordsTest:%d: '%s' -> '%s' (%s)", lineno, in, want, n || !e.msg[0] ? got : e.msg);
	shword_free (w);
}

static void
run_file (const char *dir, const char *file)
{
	_cleanup_file_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	struct env_list env = {0};
	char path[4096];
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;

	snprintf (path, sizeof path, "%s/%s", dir, file);
	if (!(f = fopen (path, "re"))) {
		ok (0, "open %s", path);
		return;
	}
	while ((len = getline (&line, &cap, f)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		if (strcmp (file, "wordsTest") == 0 && strncmp (line, "ENV ", 4) == 0) {
			if (env.n < sizeof env.v / sizeof *env.v)
				env.v[env.n++] = strdup (line + 3 + strspn (line + 3, " "));
			continue;
		}
		if (strcmp (file, "envVarTest") == 0 && *trim (line) == '\0')
			continue;
		(strcmp (file, "wordsTest") == 0 ? words_line (line, lineno, &env) : env_var_line (line, lineno));
	}
	while (env.n > 0)
		free (env.v[--env.n]);
}

int
main (void)
{
	const char *c = getenv ("CONFORMANCE");
	char dir[4096];
	_cleanup_dir_ DIR *d = NULL;

	test_expand ();
	test_split ();
	if (c) {
		snprintf (dir, sizeof dir, "%s/dockerfile-parser/shell", c);
		if (!(d = opendir (dir)))
			printf ("# %s absent: conformance cases skipped\n", dir);
	}
	if (d) {
		run_file (dir, "envVarTest");
		run_file (dir, "wordsTest");
	}
	return tap_done ();
}
