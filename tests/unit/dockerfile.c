/* dockerfile - TAP unit tests of lib/dockerfile/dockerfile.h, rendered with
 * df-build's ast module; then, when $CONFORMANCE is set, every case of
 * its dockerfile-parser/parser (README.md there): each
 * testfiles/CASE/Dockerfile rendered as buildkit's parse tree dump must equal
 * CASE/result byte for byte, testfiles-negative/CASE/Dockerfile must fail,
 * testfile-line/Dockerfile must give buildkit's line ranges. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "df-build/ast.h"
#include "dockerfile/dockerfile.h"
#include "tap.h"

/* TEXT parsed as NAME, dumped as buildkit's parser tests do; or "error: ..." */
static char *
render (const char *name, const char *text, size_t len)
{
	struct dockerfile *df = NULL;
	struct bx_err e = {0};
	char *out = NULL;
	size_t outlen;
	FILE *f;

	if (dockerfile_parse (name, text, len, &df, &e) < 0) {
		if (asprintf (&out, "error: %s", e.msg) < 0)
			out = NULL;
		return out;
	}
	if ((f = open_memstream (&out, &outlen))) {
		ast_print (f, df);
		fclose (f);
	}
	dockerfile_free (df);
	return out;
}

static void
parses_as (const char *text, const char *want, const char *what)
{
	_cleanup_free_ char *got = render ("Dockerfile", text, strlen (text));

	is_str (got, want, what);
}

/* LEN bytes of TEXT fail with BX_USAGE and a message naming MSGPART */
static void
refused_n (const char *text, size_t len, const char *msgpart)
{
	struct dockerfile *df = NULL;
	struct bx_err e = {0};
	int rc = dockerfile_parse ("Dockerfile", text, len, &df, &e);

	ok (rc < 0 && e.code == BX_USAGE && strstr (e.msg, msgpart), "refused: %s (%s)", msgpart, e.msg);
	dockerfile_free (rc < 0 ? NULL : df);
}

static void
refused (const char *text, const char *msgpart)
{
	refused_n (text, strlen (text), msgpart);
}

static void
test_forms (void)
{
	parses_as ("from alpine AS base\nRun echo \\\n  hi # not a comment\n# a comment\n\nCOPY --from=base "
	           "--chown=\"a b\" x y /z/\n",
	           "(from \"alpine\" \"AS\" \"base\")\n(run \"echo   hi # not a comment\")\n"
	           "(copy [\"--from=base\" \"--chown=a b\"] \"x\" \"y\" \"/z/\")\n",
	           "keywords, continuation, comments, flags");
	parses_as ("CMD [\"a\", \"b c\"]\nENTRYPOINT [\"x\"] y\nVOLUME [\"/v\"]\nSHELL [\"/bin/sh\", \"-c\"]\n",
	           "(cmd \"a\" \"b c\")\n(entrypoint \"[\\\"x\\\"] y\")\n(volume \"/v\")\n(shell \"/bin/sh\" \"-c\")\n",
	           "exec form, and what is not JSON");
	parses_as ("ENV A=1 B=\"2 3\" C=\nLABEL x y z\nARG V=1 W\n",
	           "(env \"A\" \"1\" \"=\" \"B\" \"\\\"2 3\\\"\" \"=\" \"C\" \"\" \"=\")\n(label \"x\" \"y z\" \"\")\n"
	           "(arg \"V=1\" \"W\")\n",
	           "ENV and LABEL triples, ARG words");
	parses_as (
	    "ONBUILD COPY --from=a b c\nHEALTHCHECK NONE\nSTOPSIGNAL  SIGKILL \nBOGUS x y\n",
	    "(onbuild (copy [\"--from=a\"] \"b\" \"c\"))\n(healthcheck \"NONE\")\n(stopsignal \"SIGKILL\")\n(bogus)\n",
	    "ONBUILD, HEALTHCHECK, a string, an unknown keyword");
	parses_as ("# syntax=docker/dockerfile:1\n# escape=`\nRUN a \\\nRUN b`\n c\n",
	           "(run \"a \\\\\")\n(run \"b c\")\n", "escape directive");
	parses_as ("\xef\xbb\xbf"
	           "FROM x\r\nRUN a\\\r\n b\r\n",
	           "(from \"x\")\n(run \"a b\")\n", "BOM and CRLF");
	parses_as ("RUN [\"\\u0000\\u00e9\\u00a0\\n\"]\n", "(run \"\\x00é\\u00a0\\n\")\n", "JSON escapes");
}

static void
test_fields (void)
{
	const char *text = "# syntax = docker/dockerfile:1.7\n\nFROM x\nRUN [\"a\"]\nRUN a \\\n\n  b\nONBUILD RUN c\n";
	struct dockerfile *df = NULL;
	struct bx_err e = {0};

	if (dockerfile_parse ("Dockerfile", text, strlen (text), &df, &e) < 0) {
		ok (0, "parse: %s", e.msg);
		return;
	}
	is_int (df->n, 4, "4 instructions");
	is_str (df->syntax, "docker/dockerfile:1.7", "syntax directive");
	is_int (df->escape, '\\', "default escape");
	ok (df->instrs[1].json && !df->instrs[2].json, "json told from shell form");
	is_int (df->instrs[2].start_line, 5, "RUN starts on line 5");
	is_int (df->instrs[2].end_line, 7, "RUN ends on line 7");
	is_str (df->instrs[2].original, "RUN a   b", "original text");
	ok (df->instrs[3].sub && df->instrs[3].sub->start_line == 8 && df->instrs[3].sub->end_line == 8,
	    "ONBUILD's instruction has its lines");
	ok (df->instrs[0].flags == NULL && df->instrs[0].nflags == 0, "no flags: NULL");
	dockerfile_free (df);
}

static void
test_refused (void)
{
	refused ("", "Dockerfile:1: file with no instructions");
	refused ("# only\n\n# comments\n", "Dockerfile:3: file with no instructions");
	refused ("FROM x\n\nENV PATH\n", "Dockerfile:3: ENV must have two arguments");
	refused ("FROM x\nLABEL a=1 b\n", "Dockerfile:2: syntax error - can't find = in \"b\"");
	refused ("FROM x\nCMD [\"a\", 1]\n", "Dockerfile:2: when using JSON array syntax");
	refused ("FROM x\nONBUILD CMD [[]]\n", "Dockerfile:2: when using JSON array syntax");
	refused ("FROM x\nRUN a \\\n  b\nonbuild  Onbuild RUN c\n", "Dockerfile:4: chaining ONBUILD");
	refused ("# escape=`\n# escape=`\nFROM x\n", "Dockerfile:2: only one escape parser directive");
	refused ("# escape=x\nFROM x\n", "Dockerfile:1: invalid escape token 'x'");
	refused_n ("FROM x\nRUN a\0b\n", 13, "Dockerfile:2: NUL byte");
}

/* TEXT's instruction I: its dump, then a line for each of its heredocs:
 * NAME, flags e (expand) and c (chomp), the content quoted */
static char *
render_heredocs (const char *text, size_t i)
{
	struct dockerfile *df = NULL;
	struct bx_err e = {0};
	char *out = NULL;
	size_t outlen;
	FILE *f;

	if (dockerfile_parse ("Dockerfile", text, strlen (text), &df, &e) < 0) {
		if (asprintf (&out, "error: %s", e.msg) < 0)
			out = NULL;
		return out;
	}
	if (i < df->n && (f = open_memstream (&out, &outlen))) {
		const struct df_instr *in = &df->instrs[i];
		ast_print_instr (f, in);
		fprintf (f, " [%d,%d]\n", in->start_line, in->end_line);
		for (size_t k = 0; k < in->nheredocs; k++) {
			fprintf (f, "%s %s%s ", in->heredocs[k].name, in->heredocs[k].expand ? "e" : "-",
			         in->heredocs[k].chomp ? "c" : "-");
			ast_quote (f, in->heredocs[k].content, in->heredocs[k].len);
			fputc ('\n', f);
		}
		fclose (f);
	}
	dockerfile_free (df);
	return out;
}

static void
heredocs_as (const char *text, size_t i, const char *want, const char *what)
{
	_cleanup_free_ char *got = render_heredocs (text, i);

	is_str (got, want, what);
}

static void
test_heredocs (void)
{
	heredocs_as ("FROM x\nRUN <<EOF\n# not a comment\necho a \\\n\n  EOF\nEOF\nRUN b\n", 1,
	             "run \"<<EOF\" [2,7]\nEOF e- \"# not a comment\\necho a \\\\\\n\\n  EOF\\n\"\n",
	             "RUN <<EOF: a raw body, its lines in the range");
	heredocs_as ("FROM x\nRUN <<EOF\nEOF\nRUN b\n", 2, "run \"b\" [4,4]\n",
	             "the next instruction after the terminator");
	heredocs_as ("FROM x\nCOPY --chmod=644 <<-\"A\" 3<<'B' <<C /dst/\n\tone\n\t\tA\n\tA\ntwo\nB\n$x\nC\n", 1,
	             "copy [\"--chmod=644\"] \"<<-\\\"A\\\"\" \"3<<'B'\" \"<<C\" \"/dst/\" [2,9]\n"
	             "A -c \"one\\n\"\nB -- \"\\tA\\ntwo\\n\"\nC e- \"$x\\n\"\n",
	             "COPY with three heredocs: <<- (its tabs only), quoted names, a descriptor");
	heredocs_as ("FROM x\nADD <<\"E\"OF /a\nbody\r\nEOF\r\n", 1,
	             "add \"<<\\\"E\\\"OF\" \"/a\" [2,4]\nEOF -- \"body\\r\\n\"\n",
	             "ADD: a partly quoted name, CRLF kept in the body");
	heredocs_as ("FROM x\nONBUILD RUN <<EOF\nx\nEOF\n", 1, "onbuild (run \"<<EOF\") [2,4]\nEOF e- \"x\\n\"\n",
	             "ONBUILD RUN <<EOF");
	heredocs_as ("FROM x\nRUN <<EOF \\\n  && cat\nhi\nEOF\n", 1, "run \"<<EOF   && cat\" [2,5]\nEOF e- \"hi\\n\"\n",
	             "a continued line names the heredoc; its body follows the last line");
	heredocs_as ("FROM x\nRUN 3<<E <<  F\nE\nF\n", 1, "run \"3<<E <<  F\" [2,4]\nE e- \"\"\nF e- \"\"\n",
	             "empty bodies, blanks after <<");
	parses_as ("FROM x\nRUN [\"<<EOF\"]\nUSER <<EOF\nRUN \"<<EOF\" a<<EOF <<EOF<<x\nEOF\n",
	           "(from \"x\")\n(run \"<<EOF\")\n(user \"<<EOF\")\n(run \"\\\"<<EOF\\\" a<<EOF <<EOF<<x\")\n(eof)\n",
	           "no heredoc: exec form, USER, quoted or glued words");
	refused ("FROM x\nRUN <<A <<B\nA\nbody\n", "Dockerfile:2: unterminated heredoc B");
	refused ("FROM x\nRUN <<-EOF\n EOF\n", "Dockerfile:2: unterminated heredoc EOF");
}

/* --- conformance --------------------------------------------------------- */

static char *
slurp (int dirfd, const char *path, size_t *len)
{
	struct bx_err e = {0};
	char *buf = NULL;

	if (afile_slurp_at (dirfd, path, &buf, len, &e) < 0)
		printf ("# %s\n", e.msg);
	return buf;
}

static void
conf_case (int dirfd, const char *name)
{
	char df[512], res[512];
	size_t dlen, rlen;
	_cleanup_free_ char *text = NULL, *want = NULL, *got = NULL;

	snprintf (df, sizeof df, "parser/testfiles/%s/Dockerfile", name);
	snprintf (res, sizeof res, "parser/testfiles/%s/result", name);
	if (!(text = slurp (dirfd, df, &dlen)) || !(want = slurp (dirfd, res, &rlen))) {
		ok (0, "testfiles/%s: unreadable", name);
		return;
	}
	got = render (name, text, dlen);
	is_str (got, want, df);
}

static void
conf_negative (int dirfd, const char *name)
{
	char path[512];
	size_t len;
	_cleanup_free_ char *text = NULL;
	struct dockerfile *df = NULL;
	struct bx_err e = {0};
	int rc;

	snprintf (path, sizeof path, "parser/testfiles-negative/%s/Dockerfile", name);
	if (!(text = slurp (dirfd, path, &len))) {
		ok (0, "testfiles-negative/%s: unreadable", name);
		return;
	}
	rc = dockerfile_parse (path, text, len, &df, &e);
	ok (rc < 0 && e.code == BX_USAGE, "%s fails: %s", path, rc < 0 ? e.msg : "parsed");
	if (rc == 0)
		dockerfile_free (df);
}

static void
conf_lines (int dirfd)
{
	static const int want[][2] = {{5, 5}, {11, 12}, {17, 31}};
	const char *path = "parser/testfile-line/Dockerfile";
	_cleanup_free_ char *text = NULL;
	struct dockerfile *df = NULL;
	struct bx_err e = {0};
	size_t len;

	if (!(text = slurp (dirfd, path, &len)) || dockerfile_parse (path, text, len, &df, &e) < 0) {
		ok (0, "%s: %s", path, e.msg);
		return;
	}
	is_int (df->n, 3, "testfile-line: 3 instructions");
	for (size_t i = 0; i < 3 && i < df->n; i++)
		ok (df->instrs[i].start_line == want[i][0] && df->instrs[i].end_line == want[i][1],
		    "testfile-line: instruction %zu on lines [%d,%d], want [%d,%d]", i + 1, df->instrs[i].start_line,
		    df->instrs[i].end_line, want[i][0], want[i][1]);
	dockerfile_free (df);
}

static int
cmp_names (const struct dirent **a, const struct dirent **b)
{
	return strcmp ((*a)->d_name, (*b)->d_name);
}

static int
not_dot (const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* every case directory under DIR/SUB, in order */
static void
conf_each (int dirfd, const char *dir, const char *sub, void (*fn) (int, const char *))
{
	struct dirent **names;
	char path[4096];
	int n;

	snprintf (path, sizeof path, "%s/%s", dir, sub);
	if ((n = scandir (path, &names, not_dot, cmp_names)) < 0) {
		ok (0, "%s: unreadable", path);
		return;
	}
	for (int i = 0; i < n; i++) {
		fn (dirfd, names[i]->d_name);
		free (names[i]);
	}
	free (names);
}

int
main (void)
{
	const char *c = getenv ("CONFORMANCE");
	char dir[4096];
	_cleanup_close_ int dirfd = -1;

	test_forms ();
	test_fields ();
	test_refused ();
	test_heredocs ();
	if (c) {
		snprintf (dir, sizeof dir, "%s/dockerfile-parser", c);
		if ((dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			printf ("# %s absent: conformance cases skipped\n", dir);
	}
	if (dirfd >= 0) {
		conf_each (dirfd, dir, "parser/testfiles", conf_case);
		conf_each (dirfd, dir, "parser/testfiles-negative", conf_negative);
		conf_lines (dirfd);
	}
	return tap_done ();
}
