/* dockerfile - parse a Dockerfile into instructions, as buildkit's parser does
 *
 * The behaviour of moby/buildkit frontend/dockerfile/parser (parser.go,
 * line_parsers.go, split_command.go), which the conformance cases in
 * dockerfile-parser/parser hold, with these differences: a NUL byte in the
 * file is refused; --flags are split at ASCII white space and their bytes
 * kept (buildkit reads each byte as a Latin-1 character there); a JSON array
 * must be valid UTF-8 to be the exec form; lines have no length limit; a
 * <<- here-document's body is kept without its leading tabs (buildkit's
 * builder strips them later). */
#include "dockerfile/dockerfile.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "dockerfile/shword.h"

struct parser {
	const char *name;
	const char *p, *end; /* the input not read yet */
	int line;            /* lines read */
	bool directives_done;
	bool seen_escape;
	struct dockerfile *df;
	struct bx_err *e;
};

static int
oom (struct parser *ps)
{
	return err_set (ps->e, BX_SYSTEM, ENOMEM, "parse");
}

/* the next line: *N bytes without its '\n' and the '\r's before it, *RAW
 * with them; false at the end */
static bool
next_line (struct parser *ps, const char **s, size_t *n, size_t *raw)
{
	const char *eol;

	if (ps->p >= ps->end)
		return false;
	eol = memchr (ps->p, '\n', ps->end - ps->p);
	*s = ps->p;
	*n = (eol ? eol : ps->end) - ps->p;
	*raw = *n + (eol != NULL);
	ps->p += *raw;
	ps->line++;
	while (*n > 0 && (*s)[*n - 1] == '\r')
		--*n;
	return true;
}

static size_t
space_run (const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n && (k = shword_space_len (s + i, n - i)) > 0)
		i += k;
	return i;
}

/* Go's strings.TrimSpace */
static void
trim_space (const char **s, size_t *n)
{
	size_t k = space_run (*s, *n);

	*s += k, *n -= k;
	while (*n > 0) {
		size_t back = 1;
		while (back < *n && back < 3 && ((unsigned char)(*s)[*n - back] & 0xc0) == 0x80)
			back++;
		if (shword_space_len (*s + *n - back, back) != back)
			return;
		*n -= back;
	}
}

static bool
is_comment (const char *s, size_t n)
{
	size_t k = space_run (s, n);
	return k < n && s[k] == '#';
}

static bool
is_blank (char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static int
directive_set (struct parser *ps, const char *key, const char *v, size_t n)
{
	char **slot = strcmp (key, "syntax") == 0  ? &ps->df->syntax
	              : strcmp (key, "check") == 0 ? &ps->df->check
	                                           : NULL;

	if (!slot && strcmp (key, "escape") != 0) {
		ps->directives_done = true;
		return 0;
	}
	if (slot ? *slot != NULL : ps->seen_escape)
		return err_set (ps->e, BX_USAGE, 0, "only one %s parser directive can be used", key);
	if (slot)
		return (*slot = strndup (v, n)) ? 0 : oom (ps);
	if (n != 1 || (*v != '`' && *v != '\\'))
		return err_set (ps->e, BX_USAGE, 0, "invalid escape token '%.*s' does not match ` or \\", (int)n, v);
	ps->seen_escape = true;
	ps->df->escape = *v;
	return 0;
}

/* "# key = value" before anything else: escape, syntax and check */
static int
directive (struct parser *ps, const char *s, size_t n)
{
	static const char sp[] = " \t\n\f\r";
	size_t i = 1, k, v;
	char key[8];

	if (ps->directives_done)
		return 0;
	ps->directives_done = true;
	if (n == 0 || s[0] != '#')
		return 0;
	while (i < n && strchr (sp, s[i]))
		i++;
	for (k = i; k < n && ((unsigned)((s[k] | 0x20) - 'a') < 26 || (k > i && (unsigned)(s[k] - '0') < 10)); k++)
		;
	if (k == i || k - i >= sizeof key)
		return 0;
	for (size_t j = i; j < k; j++)
		key[j - i] = s[j] | 0x20;
	key[k - i] = '\0';
	while (k < n && strchr (sp, s[k]))
		k++;
	if (k == n || s[k] != '=')
		return 0;
	for (k++; k < n && strchr (sp, s[k]); k++)
		;
	for (v = n; v > k && strchr (sp, s[v - 1]); v--)
		;
	if (v == k)
		return 0;
	ps->directives_done = false;
	return directive_set (ps, key, s + k, v - k);
}

/* A line ending in the escape character (blanks after it allowed) goes on
 * on the next line, unless that character is itself escaped: drop it. */
static bool
continued (const struct parser *ps, const char *s, size_t *n)
{
	size_t k = *n;

	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	if (k == 0 || s[k - 1] != ps->df->escape || (k >= 2 && s[k - 2] == ps->df->escape))
		return false;
	*n = k - 1;
	return true;
}

/* --- instructions ------------------------------------------------------- */

static int
arg_push (struct parser *ps, struct df_instr *in, const char *s, size_t n)
{
	struct df_arg *v = realloc (in->args, (in->nargs + 1) * sizeof *v);
	char *copy = malloc (n + 1);

	if (v)
		in->args = v;
	if (!v || !copy) {
		free (copy);
		return oom (ps);
	}
	memcpy (copy, s, n);
	copy[n] = '\0';
	in->args[in->nargs++] = (struct df_arg){copy, n};
	return 0;
}

static int
flag_push (struct parser *ps, struct df_instr *in, const char *s, size_t n)
{
	char **v = realloc (in->flags, (in->nflags + 2) * sizeof *v);

	if (v)
		in->flags = v;
	if (!v || !(v[in->nflags] = strndup (s, n)))
		return oom (ps);
	v[++in->nflags] = NULL;
	return 0;
}

/* Leading "--name[=value]" words (quotes removed, '\' escapes) up to the
 * first other word or a "--" that ends them: their text is removed from *REST. */
static int
split_flags (struct parser *ps, struct df_instr *in, const char **rest)
{
	const char *p = *rest;
	struct strbuf w = {0};
	int rc = 0;

	for (;;) {
		char quote = 0;
		while (is_blank (*p) || *p == '\n')
			p++;
		if (p[0] != '-' || p[1] != '-')
			break;
		w.len = 0;
		strbuf_add (&w, "", 0);
		for (; *p && (quote || !(is_blank (*p) || *p == '\n')); p++) {
			if (!quote && (*p == '\'' || *p == '"'))
				quote = *p;
			else if (quote && *p == quote)
				quote = 0;
			else if (*p == '\\' && !p[1])
				quote = 0;
			else
				strbuf_add (&w, *p == '\\' ? ++p : p, 1);
		}
		if (w.oom || (strcmp (w.s, "--") != 0 && flag_push (ps, in, w.s, w.len) < 0)) {
			rc = w.oom ? oom (ps) : -1;
			break;
		}
		if (strcmp (w.s, "--") == 0 && *p)
			break;
	}
	free (w.s);
	*rest = p;
	return rc;
}

/* Go's parseWords: words split at white space outside quotes, the quotes
 * and escape characters kept; into OUT's arguments */
static int
split_words (struct parser *ps, const char *s, struct df_instr *out)
{
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	size_t n = strlen (s), pos = 0, sp;
	struct strbuf w = {0};
	bool blank_ok = false;
	char quote = 0;
	int rc = 0;

	strbuf_add (&w, "", 0);
	while (rc == 0 && !w.oom) {
		sp = shword_space_len (s + pos, n - pos);
		if (phase == SPACES && (pos == n || sp > 0)) {
			if (pos == n)
				break;
			pos += sp;
			continue;
		}
		if (phase == SPACES)
			phase = WORD;
		if (pos == n || (phase == WORD && sp > 0)) {
			if (blank_ok || w.len > 0)
				rc = arg_push (ps, out, w.s, w.len);
			if (pos == n)
				break;
			w.len = 0, blank_ok = false, phase = SPACES, pos += sp;
			continue;
		}
		if (phase == WORD && (s[pos] == '\'' || s[pos] == '"'))
			quote = s[pos], blank_ok = true, phase = QUOTE;
		else if (phase == QUOTE && s[pos] == quote)
			phase = WORD;
		else if (s[pos] == ps->df->escape && (phase == WORD || quote != '\'')) {
			if (pos + 1 == n) {
				pos++, phase = WORD;
				continue;
			}
			strbuf_add (&w, s + pos++, 1);
		}
		strbuf_add (&w, s + pos++, 1);
	}
	free (w.s);
	return w.oom ? oom (ps) : rc;
}

static void
instr_clear (struct df_instr *in)
{
	free (in->keyword);
	for (size_t i = 0; i < in->nflags; i++)
		free (in->flags[i]);
	free (in->flags);
	for (size_t i = 0; i < in->nargs; i++)
		free (in->args[i].s);
	free (in->args);
	if (in->sub) {
		instr_clear (in->sub);
		free (in->sub);
	}
	free (in->original);
	dfheredoc_free (in->heredocs, in->nheredocs);
	*in = (struct df_instr){0};
}

#define BLANKS " \t\v\f\r"

static int
push_pair (struct parser *ps, struct df_instr *in, const char *k, size_t kn, const char *v, const char *sep)
{
	if (arg_push (ps, in, k, kn) < 0 || arg_push (ps, in, v, strlen (v)) < 0 ||
	    arg_push (ps, in, sep, strlen (sep)) < 0)
		return -1;
	return 0;
}

/* ENV and LABEL: KEY=value pairs, or "KEY the value" (the old form, told by
 * a first word without '=') */
static int
parse_pairs (struct parser *ps, struct df_instr *in, const char *rest)
{
	struct df_instr w = {0};
	size_t k = strcspn (rest, BLANKS);
	int rc = split_words (ps, rest, &w);
	bool old = rc == 0 && w.nargs > 0 && !strchr (w.args[0].s, '=');

	if (old && rest[k])
		rc = push_pair (ps, in, rest, k, rest + k + strspn (rest + k, BLANKS), "");
	else if (old)
		rc = err_set (ps->e, BX_USAGE, 0, "%s must have two arguments", *in->keyword == 'e' ? "ENV" : "LABEL");
	for (size_t i = 0; !old && rc == 0 && i < w.nargs; i++) {
		const char *word = w.args[i].s, *eq = strchr (word, '=');
		if (!eq)
			rc = err_set (ps->e, BX_USAGE, 0,
			              "syntax error - can't find = in \"%s\": must be of the form name=value", word);
		else
			rc = push_pair (ps, in, word, eq - word, eq + 1, "=");
	}
	instr_clear (&w);
	return rc;
}

/* FROM, EXPOSE, and ADD, COPY, VOLUME when not JSON: split at blanks */
static int
parse_fields (struct parser *ps, struct df_instr *in, const char *rest)
{
	while (*rest) {
		size_t k = strcspn (rest, BLANKS);
		if (arg_push (ps, in, rest, k) < 0)
			return -1;
		rest += k + strspn (rest + k, BLANKS);
	}
	return 0;
}

/* MAINTAINER, STOPSIGNAL, USER, WORKDIR: the rest of the line */
static int
parse_string (struct parser *ps, struct df_instr *in, const char *rest)
{
	return *rest ? arg_push (ps, in, rest, strlen (rest)) : 0;
}

/* 1: REST is a JSON array of strings, now IN's arguments; 0: it is not JSON
 * (so the shell form); -1: a JSON array with something else in it */
static int
parse_json (struct parser *ps, struct df_instr *in, const char *rest)
{
	json_t *a, *v;
	json_error_t je;
	size_t i;
	int rc = 1;

	rest += space_run (rest, strlen (rest));
	if (*rest != '[' || !(a = json_loads (rest, JSON_ALLOW_NUL, &je)))
		return 0;
	json_array_foreach (a, i, v)
	{
		if (!json_is_string (v)) {
			rc = err_set (ps->e, BX_USAGE, 0,
			              "when using JSON array syntax, arrays must be comprised of strings only");
			break;
		}
	}
	json_array_foreach (a, i, v)
	{
		if (rc == 1 && arg_push (ps, in, json_string_value (v), json_string_length (v)) < 0)
			rc = -1;
	}
	json_decref (a);
	in->json = rc == 1;
	return rc;
}

/* CMD, ENTRYPOINT, RUN, SHELL: exec form, or the line as one argument */
static int
parse_cmd (struct parser *ps, struct df_instr *in, const char *rest)
{
	int rc = *rest ? parse_json (ps, in, rest) : 1;

	return rc == 0 ? parse_string (ps, in, rest) : rc < 0 ? -1 : 0;
}

/* ADD, COPY, VOLUME: exec form, or the line split at blanks */
static int
parse_list (struct parser *ps, struct df_instr *in, const char *rest)
{
	int rc = parse_json (ps, in, rest);

	return rc == 0 ? parse_fields (ps, in, rest) : rc < 0 ? -1 : 0;
}

/* ARG: words, quotes kept */
static int
parse_arg (struct parser *ps, struct df_instr *in, const char *rest)
{
	return split_words (ps, rest, in);
}

/* HEALTHCHECK: a type (CMD, NONE), then the command as CMD's */
static int
parse_health (struct parser *ps, struct df_instr *in, const char *rest)
{
	size_t k = strcspn (rest, BLANKS "\n");

	if (k == 0)
		return 0;
	if (arg_push (ps, in, rest, k) < 0)
		return -1;
	return parse_cmd (ps, in, rest + k + strspn (rest + k, BLANKS "\n"));
}

static int instr_parse (struct parser *ps, const char *text, size_t len, struct df_instr *in);

/* ONBUILD: the instruction it holds. Buildkit's builder refuses a chain
 * (ONBUILD ONBUILD ...); refusing it here keeps the recursion one deep. */
static int
parse_onbuild (struct parser *ps, struct df_instr *in, const char *rest)
{
	if (!*rest)
		return 0;
	if (strncasecmp (rest, "onbuild", 7) == 0 && (!rest[7] || is_blank (rest[7])))
		return err_set (ps->e, BX_USAGE, 0, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if (!(in->sub = calloc (1, sizeof *in->sub)))
		return oom (ps);
	return instr_parse (ps, rest, strlen (rest), in->sub);
}

static const struct {
	const char *keyword;
	int (*parse) (struct parser *ps, struct df_instr *in, const char *rest);
} parsers[] = {
    {"add", parse_list},      {"arg", parse_arg},           {"cmd", parse_cmd},
    {"copy", parse_list},     {"entrypoint", parse_cmd},    {"env", parse_pairs},
    {"expose", parse_fields}, {"from", parse_fields},       {"healthcheck", parse_health},
    {"label", parse_pairs},   {"maintainer", parse_string}, {"onbuild", parse_onbuild},
    {"run", parse_cmd},       {"shell", parse_cmd},         {"stopsignal", parse_string},
    {"user", parse_string},   {"volume", parse_list},       {"workdir", parse_string},
};

/* one instruction: KEYWORD [--flag...] arguments */
static int
instr_parse (struct parser *ps, const char *text, size_t len, struct df_instr *in)
{
	const char *s = text, *rest;
	size_t n = len, k, rn;
	_cleanup_free_ char *args = NULL, *tail = NULL;

	if (!(in->original = strndup (text, len)))
		return oom (ps);
	trim_space (&s, &n);
	for (k = 0; k < n && !is_blank (s[k]); k++)
		;
	if (!(in->keyword = strndup (s, k)))
		return oom (ps);
	for (char *p = in->keyword; *p; p++)
		*p = *p >= 'A' && *p <= 'Z' ? *p + 'a' - 'A' : *p;
	while (k < n && is_blank (s[k]))
		k++;
	if (!(tail = strndup (s + k, n - k)))
		return oom (ps);
	rest = tail;
	if (split_flags (ps, in, &rest) < 0)
		return -1;
	rn = strlen (rest);
	trim_space (&rest, &rn);
	if (!(args = strndup (rest, rn)))
		return oom (ps);
	for (size_t i = 0; i < sizeof parsers / sizeof *parsers; i++)
		if (strcmp (in->keyword, parsers[i].keyword) == 0)
			return parsers[i].parse (ps, in, args);
	return 0;
}

/* --- the file ------------------------------------------------------------ */

static int
located (struct parser *ps, int line)
{
	if (ps->e->code != BX_SYSTEM)
		ps->e->code = BX_USAGE;
	return err_wrap (ps->e, "%s:%d", ps->name, line);
}

static bool
takes_heredocs (const struct df_instr *in)
{
	if (in->sub)
		in = in->sub;
	return !in->json && (strcmp (in->keyword, "run") == 0 || strcmp (in->keyword, "copy") == 0 ||
	                     strcmp (in->keyword, "add") == 0);
}

/* the bodies of IN's here-documents, the lines after it: raw, up to their
 * terminators */
static int
read_heredocs (struct parser *ps, struct df_instr *in, const char *text)
{
	const char *s;
	size_t n, raw;

	if (!takes_heredocs (in) || !strstr (text, "<<"))
		return 0;
	if (dfheredoc_find (text, &in->heredocs, &in->nheredocs, ps->e) < 0)
		return -1;
	for (size_t i = 0; i < in->nheredocs; i++) {
		struct df_heredoc *h = &in->heredocs[i];
		for (;;) {
			if (!next_line (ps, &s, &n, &raw))
				return err_set (ps->e, BX_USAGE, 0, "unterminated heredoc %s", h->name);
			if (dfheredoc_ends (h, s, n))
				break;
			if (dfheredoc_add (h, s, raw, ps->e) < 0)
				return -1;
		}
		if (!h->content && dfheredoc_add (h, "", 0, ps->e) < 0)
			return -1;
	}
	return 0;
}

static int
instr_add (struct parser *ps, const char *text, size_t len, int start)
{
	struct dockerfile *df = ps->df;
	struct df_instr *v = realloc (df->instrs, (df->n + 1) * sizeof *v), *in;

	if (!v)
		return oom (ps);
	df->instrs = v;
	in = &v[df->n++];
	*in = (struct df_instr){.start_line = start};
	if (instr_parse (ps, text, len, in) < 0 || read_heredocs (ps, in, in->original) < 0)
		return located (ps, start);
	in->end_line = ps->line;
	if (in->sub) {
		in->sub->start_line = start;
		in->sub->end_line = in->end_line;
	}
	return 0;
}

/* one logical line into TEXT: a first line and the lines it continues on
 * (comments and blank lines there skipped); 1, or 0 at the end, -1 on error */
static int
logical_line (struct parser *ps, struct strbuf *text, int *start)
{
	const char *s;
	size_t n, raw, k;
	bool more;

	do {
		if (!next_line (ps, &s, &n, &raw))
			return 0;
		*start = ps->line;
		k = space_run (s, n);
		s += k, n -= k;
		if (directive (ps, s, n) < 0)
			return located (ps, *start);
		if (n > 0 && s[0] == '#')
			n = 0;
		more = continued (ps, s, &n);
	} while (!more && n == 0);
	text->len = 0;
	strbuf_add (text, s, n);
	while (more && next_line (ps, &s, &n, &raw)) {
		if (is_comment (s, n) || space_run (s, n) == n)
			continue;
		more = continued (ps, s, &n);
		strbuf_add (text, s, n);
	}
	return text->oom ? oom (ps) : 1;
}

static int
parse_lines (struct parser *ps)
{
	struct strbuf text = {0};
	int start = 0, rc;

	while ((rc = logical_line (ps, &text, &start)) > 0)
		if (instr_add (ps, text.s, text.len, start) < 0) {
			rc = -1;
			break;
		}
	free (text.s);
	if (rc == 0 && ps->df->n == 0)
		rc =
		    err_set (ps->e, BX_USAGE, 0, "%s:%d: file with no instructions", ps->name, ps->line ? ps->line : 1);
	return rc;
}

int
dockerfile_parse (const char *name, const char *buf, size_t len, struct dockerfile **out, struct bx_err *e)
{
	struct parser ps = {.name = name, .p = buf, .end = buf + len, .e = e};
	const char *nul = memchr (buf, '\0', len);
	int line = 1;

	if (nul) {
		for (const char *p = buf; p < nul; p++)
			line += *p == '\n';
		return err_set (e, BX_USAGE, 0, "%s:%d: NUL byte in line", name, line);
	}
	if (!(ps.df = calloc (1, sizeof *ps.df)))
		return err_set (e, BX_SYSTEM, ENOMEM, "%s", name);
	ps.df->escape = '\\';
	if (len >= 3 && memcmp (buf, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3;
	if (parse_lines (&ps) < 0) {
		dockerfile_free (ps.df);
		return -1;
	}
	*out = ps.df;
	return 0;
}

void
dockerfile_free (struct dockerfile *df)
{
	if (!df)
		return;
	for (size_t i = 0; i < df->n; i++)
		instr_clear (&df->instrs[i]);
	free (df->instrs);
	free (df->syntax);
	free (df->check);
	free (df);
}
