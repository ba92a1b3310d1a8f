/* shword - expand and split one Dockerfile word as buildkit's shell lexer does
 *
 * A transcription of the behaviour of moby/buildkit
 * frontend/dockerfile/shell/lex.go (the conformance cases in
 * shell/envVarTest and shell/wordsTest hold it), with two differences: each
 * nested ${...} collects its words in its own buffer (buildkit shares one
 * and loses the text before a ${X:-w} when splitting), and a replacement in
 * ${X/p/r} is literal (buildkit's regexp would expand "$1" in it). */
#include "dockerfile/shword.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "dockerfile/shpat.h"

/* the words of shword_split: white space outside quotes ends a word */
struct words {
	struct strbuf cur;
	char **v;
	size_t n, cap;
	bool oom;
};

static void
words_end (struct words *w)
{
	char **v;

	if (!w || w->cur.len == 0)
		return;
	if (w->n + 2 > w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		if (!(v = realloc (w->v, cap * sizeof *v))) {
			w->oom = true;
			return;
		}
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = steal_pointer (&w->cur.s);
	w->v[w->n] = NULL;
	w->cur = (struct strbuf){0};
}

static void
words_raw (struct words *w, const char *p, size_t n)
{
	if (w)
		strbuf_add (&w->cur, p, n);
}

/* text from a variable: its white space splits */
static void
words_text (struct words *w, const char *p, size_t n)
{
	size_t sp;

	if (!w)
		return;
	while (n > 0) {
		if ((sp = shword_space_len (p, n)) > 0) {
			words_end (w);
			p += sp, n -= sp;
		} else {
			strbuf_add (&w->cur, p, 1);
			p++, n--;
		}
	}
}

static void
words_free (struct words *w)
{
	shword_free (w->v);
	strbuf_free (&w->cur);
}

size_t
shword_space_len (const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	unsigned c;

	if (n == 0)
		return 0;
	if (u[0] && strchr ("\t\n\v\f\r ", u[0]))
		return 1;
	if (n >= 2 && u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0))
		return 2;
	if (n < 3 || (u[0] != 0xe1 && u[0] != 0xe2 && u[0] != 0xe3))
		return 0;
	c = (u[0] & 0x0f) << 12 | (u[1] & 0x3f) << 6 | (u[2] & 0x3f);
	if ((u[1] & 0xc0) != 0x80 || (u[2] & 0xc0) != 0x80)
		return 0;
	if (c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000)
		return 3;
	return 0;
}

/* one character of the input: its code (-1 at the end) and its bytes */
struct rune {
	int c;
	const char *p;
	size_t n;
};

struct lex {
	const struct shword *sh;
	const char *p, *end;
	bool raw_escapes; /* keep escape characters: the text of a pattern */
	struct bx_err *e;
};

static struct rune
lex_peek (const struct lex *l)
{
	struct rune r = {-1, l->p, 0};

	if (l->p < l->end) {
		r.n = strbuf_utf8_len (l->p, l->end - l->p);
		r.c = r.n == 1 ? (unsigned char)*l->p : 0x80; /* all that matters: not ASCII */
	}
	return r;
}

static struct rune
lex_next (struct lex *l)
{
	struct rune r = lex_peek (l);

	l->p += r.n;
	return r;
}

static int
lex_oom (struct lex *l)
{
	return err_set (l->e, BX_SYSTEM, ENOMEM, "expand");
}

/* the value of NAME, or NULL when unset */
static const char *
env_get (const struct shword *sh, const char *name)
{
	size_t len = strlen (name);

	for (size_t i = sh->nenv; i-- > 0;) {
		const char *kv = sh->env[i];
		if (strncmp (kv, name, len) == 0 && (kv[len] == '=' || kv[len] == '\0'))
			return kv[len] ? kv + len + 1 : kv + len;
	}
	return NULL;
}

static bool
is_special_param (int c)
{
	return c > 0 && strchr ("@*#?-$!0", c);
}

static bool
is_digit (int c)
{
	return c >= '0' && c <= '9';
}

/* Go's unicode.IsLetter, approximated: any non-ASCII character counts */
static bool
is_name_char (int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit (c) || c == '_' || c >= 0x80;
}

/* a name after '$': digits ($1, $001), one special character, or a word */
static void
lex_name (struct lex *l, struct strbuf *name)
{
	struct rune r = lex_peek (l);

	if (is_digit (r.c)) {
		while (is_digit (lex_peek (l).c))
			strbuf_add (name, lex_next (l).p, 1);
		return;
	}
	if (is_special_param (r.c)) {
		strbuf_add (name, lex_next (l).p, 1);
		return;
	}
	while (is_name_char ((r = lex_peek (l)).c) && !shword_space_len (r.p, r.n)) {
		lex_next (l);
		strbuf_add (name, r.p, r.n);
	}
}

static int lex_until (struct lex *l, int stop, bool raw_escapes, struct strbuf *res, struct words *w);

static int
lex_single_quote (struct lex *l, struct strbuf *out)
{
	struct rune r;

	lex_next (l);
	while ((r = lex_next (l)).c != '\'') {
		if (r.c < 0)
			return err_set (l->e, BX_USAGE, 0,
			                "unexpected end of statement while looking for matching single-quote");
		strbuf_add (out, r.p, r.n);
	}
	return 0;
}

static int lex_dollar (struct lex *l, struct strbuf *out);

/* inside "...", the escape character escapes only '"', '$' and itself */
static int
lex_double_quote (struct lex *l, struct strbuf *out)
{
	struct rune r;

	lex_next (l);
	for (;;) {
		r = lex_peek (l);
		if (r.c < 0)
			return err_set (l->e, BX_USAGE, 0,
			                "unexpected end of statement while looking for matching double-quote");
		if (r.c == '"') {
			lex_next (l);
			return 0;
		}
		if (r.c == '$') {
			if (lex_dollar (l, out) < 0)
				return -1;
			continue;
		}
		lex_next (l);
		if (r.c == l->sh->escape) {
			int c = lex_peek (l).c;
			if (l->raw_escapes)
				strbuf_add (out, r.p, r.n);
			if (c < 0)
				continue;
			if (c == '"' || c == '$' || c == l->sh->escape)
				r = lex_next (l);
		}
		strbuf_add (out, r.p, r.n);
	}
}

/* ${NAME} text up to the closing STOP; the end of input there is a missing STOP */
static int
lex_operand (struct lex *l, int stop, bool raw_escapes, struct strbuf *out)
{
	if (lex_until (l, stop, raw_escapes, out, NULL) == 0)
		return 0;
	if (l->p == l->end && stop == '}')
		return err_set (l->e, BX_USAGE, 0, "syntax error: missing '}'");
	if (l->p == l->end)
		return err_set (l->e, BX_USAGE, 0, "syntax error: missing '%c' in ${}", stop);
	return -1;
}

static int
unsupported (struct lex *l, bool colon, struct rune op)
{
	return err_set (l->e, BX_USAGE, 0, "unsupported modifier (%s%.*s) in substitution", colon ? ":" : "", (int)op.n,
	                op.p);
}

/* ${NAME-w} ${NAME+w} ${NAME?w}, with ':' an empty value counts as unset */
static int
lex_default (struct lex *l, const char *name, bool colon, struct rune op, const char *word, struct strbuf *out)
{
	const char *v = env_get (l->sh, name);
	bool unset = !v || (colon && !*v);

	switch (op.c) {
	case '-': strbuf_add (out, unset ? word : v, strlen (unset ? word : v)); return 0;
	case '+': strbuf_add (out, unset ? "" : word, unset ? 0 : strlen (word)); return 0;
	case '?':
		if (unset)
			return err_set (l->e, BX_USAGE, 0, "%s: %s", name,
			                *word ? word
			                : v   ? "is not allowed to be empty"
			                      : "is not allowed to be unset");
		strbuf_add (out, v, strlen (v));
		return 0;
	}
	return unsupported (l, colon, op);
}

/* ${NAME#p} ${NAME##p} ${NAME%p} ${NAME%%p} */
static int
lex_trim (struct lex *l, const char *name, struct rune op, const char *word, struct strbuf *out)
{
	const char *v = env_get (l->sh, name);
	bool longest = word[0] == op.c;
	struct shpat pt;
	size_t from, len;

	if (shpat_compile (&pt, longest ? word + 1 : word, l->e) < 0)
		return -1;
	v = v ? v : "";
	shpat_trim (&pt, v, op.c == '%', longest, &from, &len);
	shpat_free (&pt);
	strbuf_add (out, v + from, len);
	return 0;
}

/* after "${NAME" and one of "-+?#%", or ':' and one of "-+?" */
static int
lex_modifier (struct lex *l, const char *name, bool colon, struct rune op, struct strbuf *out)
{
	bool pattern = op.c == '#' || op.c == '%';
	struct strbuf w = {0};
	int rc;

	if (colon && pattern)
		return unsupported (l, colon, op);
	if (lex_operand (l, '}', pattern, &w) < 0) {
		strbuf_free (&w);
		return -1;
	}
	strbuf_add (&w, "", 0);
	if (w.oom)
		rc = lex_oom (l);
	else if (pattern)
		rc = lex_trim (l, name, op, w.s, out);
	else
		rc = lex_default (l, name, colon, op, w.s, out);
	strbuf_free (&w);
	return rc;
}

/* ${NAME/p/r} and ${NAME//p/r} */
static int
lex_replace (struct lex *l, const char *name, struct strbuf *out)
{
	bool all = lex_peek (l).c == '/';
	struct strbuf pat = {0}, rep = {0};
	const char *v = env_get (l->sh, name);
	char *res = NULL;
	struct shpat pt;
	int rc = -1;

	if (all)
		lex_next (l);
	if (lex_operand (l, '/', true, &pat) < 0 || lex_operand (l, '}', true, &rep) < 0)
		goto out;
	strbuf_add (&pat, "", 0);
	strbuf_add (&rep, "", 0);
	if (pat.oom || rep.oom)
		rc = lex_oom (l);
	else if ((rc = shpat_compile (&pt, pat.s, l->e)) == 0) {
		rc = shpat_replace (&pt, v ? v : "", rep.s, all, &res, l->e);
		shpat_free (&pt);
		strbuf_add (out, res, res ? strlen (res) : 0);
		free (res);
	}
out:
	strbuf_free (&pat);
	strbuf_free (&rep);
	return rc;
}

/* after "${" */
static int
lex_braced (struct lex *l, struct strbuf *out)
{
	struct strbuf name = {0};
	struct rune r = lex_peek (l);
	bool colon = false;
	int rc;

	if (r.c < 0)
		return err_set (l->e, BX_USAGE, 0, "syntax error: missing '}'");
	if (r.c == '{' || r.c == '}' || r.c == ':')
		return err_set (l->e, BX_USAGE, 0, "syntax error: bad substitution");
	lex_name (l, &name);
	strbuf_add (&name, "", 0);
	if (name.oom) {
		strbuf_free (&name);
		return lex_oom (l);
	}
	r = lex_next (l);
	if (r.c == ':') {
		colon = true;
		r = lex_next (l);
	}
	if (r.c == '}' && !colon) {
		const char *v = env_get (l->sh, name.s);
		strbuf_add (out, v ? v : "", v ? strlen (v) : 0);
		rc = 0;
	} else if (r.c == '/' && !colon)
		rc = lex_replace (l, name.s, out);
	else if (r.c < 0 && !colon)
		rc = err_set (l->e, BX_USAGE, 0, "syntax error: missing '}'");
	else if (colon || (r.c > 0 && strchr ("-+?#%", r.c)))
		rc = lex_modifier (l, name.s, colon, r, out);
	else
		rc = unsupported (l, colon, r);
	strbuf_free (&name);
	return rc;
}

/* $NAME or ${...}; a '$' that starts no name stays */
static int
lex_dollar (struct lex *l, struct strbuf *out)
{
	struct strbuf name = {0};
	const char *v;

	lex_next (l);
	if (lex_peek (l).c == '{') {
		lex_next (l);
		return lex_braced (l, out);
	}
	lex_name (l, &name);
	strbuf_add (&name, "", 0);
	if (name.oom) {
		strbuf_free (&name);
		return lex_oom (l);
	}
	if (name.len == 0)
		strbuf_add (out, "$", 1);
	else if ((v = env_get (l->sh, name.s)))
		strbuf_add (out, v, strlen (v));
	strbuf_free (&name);
	return 0;
}

/* the text up to STOP (-1: the end) into RES, and its words into W (or NULL) */
static int
lex_until (struct lex *l, int stop, bool raw_escapes, struct strbuf *res, struct words *w)
{
	bool saved = l->raw_escapes;
	struct rune r;
	int rc = 0;

	l->raw_escapes = raw_escapes;
	while ((r = lex_peek (l)).c >= 0 && r.c != stop) {
		if (r.c == '$' || r.c == '\'' || r.c == '"') {
			struct strbuf tmp = {0};
			rc = r.c == '$'    ? lex_dollar (l, &tmp)
			     : r.c == '\'' ? lex_single_quote (l, &tmp)
			                   : lex_double_quote (l, &tmp);
			strbuf_add (res, tmp.s, tmp.len);
			res->oom |= tmp.oom;
			(r.c == '$' ? words_text : words_raw) (w, tmp.s, tmp.len);
			strbuf_free (&tmp);
			if (rc < 0)
				break;
			continue;
		}
		lex_next (l);
		if (r.c == l->sh->escape) {
			if (l->raw_escapes) {
				words_raw (w, r.p, r.n);
				strbuf_add (res, r.p, r.n);
			}
			if ((r = lex_next (l)).c < 0)
				break;
			words_raw (w, r.p, r.n);
		} else
			words_text (w, r.p, r.n);
		strbuf_add (res, r.p, r.n);
	}
	l->raw_escapes = saved;
	if (rc < 0)
		return -1;
	if (stop >= 0 && lex_next (l).c != stop)
		return err_set (l->e, BX_USAGE, 0, "unexpected end of statement while looking for matching %c", stop);
	words_end (w);
	return 0;
}

static int
lex_run (const struct shword *sh, const char *word, struct strbuf *res, struct words *w, struct bx_err *e)
{
	struct lex l = {sh, word, word + strlen (word), false, e};

	if (lex_until (&l, -1, false, res, w) < 0)
		return err_wrap (e, "word '%s'", word);
	strbuf_add (res, "", 0);
	if (res->oom || (w && (w->oom || w->cur.oom)))
		return err_set (e, BX_SYSTEM, ENOMEM, "word '%s'", word);
	return 0;
}

int
shword_expand (const struct shword *sh, const char *word, char **out, struct bx_err *e)
{
	struct strbuf res = {0};

	if (lex_run (sh, word, &res, NULL, e) < 0) {
		strbuf_free (&res);
		return -1;
	}
	*out = res.s;
	return 0;
}

int
shword_split (const struct shword *sh, const char *word, char ***out, size_t *n, struct bx_err *e)
{
	struct strbuf res = {0};
	struct words w = {0};
	int rc = lex_run (sh, word, &res, &w, e);

	strbuf_free (&res);
	if (rc == 0 && !w.v && !(w.v = calloc (1, sizeof *w.v)))
		rc = err_set (e, BX_SYSTEM, ENOMEM, "word '%s'", word);
	if (rc < 0) {
		words_free (&w);
		return -1;
	}
	strbuf_free (&w.cur); /* an empty word left by "" or '' */
	*out = w.v;
	*n = w.n;
	return 0;
}

void
shword_free (char **words)
{
	if (!words)
		return;
	for (char **p = words; *p; p++)
		free (*p);
	free (words);
}
