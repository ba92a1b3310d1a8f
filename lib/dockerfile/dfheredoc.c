/* dfheredoc - the here-documents of a Dockerfile instruction (RUN <<EOF)
 *
 * Buildkit's lexer expands "$VAR" in the words it looks at with unset
 * variables kept as written: here nothing is expanded, which gives the same
 * words. */
#include "dockerfile/dfheredoc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "dockerfile/shword.h"

static bool
is_space (char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* the quoted part at *P (its quote included) into W; false if unterminated */
static bool
raw_quoted (const char **p, struct strbuf *w)
{
	const char *s = *p, q = *s;

	for (s++; *s && *s != q; s++)
		if (q == '"' && *s == '\\' && s[1])
			s++;
	if (!*s)
		return false;
	strbuf_add (w, *p, s + 1 - *p);
	*p = s + 1;
	return true;
}

/* The next word at *P into W, its quotes and escapes kept, "<<" with the
 * blanks after it: 1, 0 at the end, -1 for an unterminated quote (then
 * buildkit's lexer gives no words). */
static int
raw_word (const char **p, struct strbuf *w)
{
	const char *s = *p;
	size_t k;

	while (*s && (k = shword_space_len (s, strlen (s))) > 0)
		s += k;
	if (!*s)
		return 0;
	w->len = 0;
	strbuf_add (w, "", 0);
	while (*s && shword_space_len (s, strlen (s)) == 0) {
		if (*s == '\'' || *s == '"') {
			if (!raw_quoted (&s, w))
				return -1;
			continue;
		}
		k = *s == '\\' && s[1] ? 2 : 1;
		if (s[0] == '<' && s[1] == '<')
			for (k = 2; s[k] == ' ' || s[k] == '\t'; k++)
				;
		strbuf_add (w, s, k);
		s += k;
	}
	*p = s;
	return 1;
}

/* REST, a heredoc's word, with its quotes and escapes removed into W: false
 * if it is more than one word */
static bool
unquote (const char *rest, struct strbuf *w)
{
	char q = 0;

	w->len = 0;
	strbuf_add (w, "", 0);
	for (const char *s = rest; *s; s++) {
		if (!q && (*s == '\'' || *s == '"'))
			q = *s;
		else if (q && *s == q)
			q = 0;
		else if (!q && is_space (*s))
			return false;
		else if (*s == '\\' && s[1] && (!q || (q == '"' && strchr ("\"$\\", s[1]))))
			strbuf_add (w, ++s, 1);
		else
			strbuf_add (w, s, 1);
	}
	return true;
}

static size_t
quotes (const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\'' || *s == '"';
	return n;
}

/* WORD as [digits]<<[-][space]REST: the heredoc, or false */
static bool
heredoc_word (const char *word, struct strbuf *name, struct df_heredoc *h)
{
	const char *s = word + strspn (word, "0123456789");

	if (s[0] != '<' || s[1] != '<')
		return false;
	s += 2;
	h->chomp = *s == '-';
	s += h->chomp;
	while (is_space (*s))
		s++;
	if (!*s || strchr (s, '<') || !unquote (s, name) || name->oom)
		return false;
	h->expand = quotes (s) == quotes (name->s);
	return true;
}

static bool
push (struct df_heredoc **out, size_t *n, struct df_heredoc *h, const char *name)
{
	struct df_heredoc *v = realloc (*out, (*n + 1) * sizeof *v);

	if (v)
		*out = v;
	if (!v || !(h->name = strdup (name)))
		return false;
	v[(*n)++] = *h;
	return true;
}

int
dfheredoc_find (const char *line, struct df_heredoc **out, size_t *n, struct bx_err *e)
{
	struct strbuf w = {0}, name = {0};
	struct df_heredoc h;
	int rc;

	*out = NULL, *n = 0;
	while ((rc = raw_word (&line, &w)) > 0) {
		h = (struct df_heredoc){0};
		if (w.oom || (heredoc_word (w.s, &name, &h) && !push (out, n, &h, name.s)) || name.oom)
			break;
	}
	free (w.s);
	free (name.s);
	if (rc != 0) {
		dfheredoc_free (*out, *n);
		*out = NULL, *n = 0;
	}
	return rc > 0 ? err_set (e, BX_SYSTEM, ENOMEM, "heredoc") : 0;
}

bool
dfheredoc_ends (const struct df_heredoc *h, const char *s, size_t n)
{
	if (h->chomp)
		while (n > 0 && *s == '\t')
			s++, n--;
	return n == strlen (h->name) && memcmp (s, h->name, n) == 0;
}

int
dfheredoc_add (struct df_heredoc *h, const char *s, size_t raw, struct bx_err *e)
{
	char *v;

	if (h->chomp)
		while (raw > 0 && *s == '\t')
			s++, raw--;
	if (!(v = realloc (h->content, h->len + raw + 1)))
		return err_set (e, BX_SYSTEM, ENOMEM, "heredoc");
	memcpy (v + h->len, s, raw);
	h->len += raw;
	v[h->len] = '\0';
	h->content = v;
	return 0;
}

void
dfheredoc_free (struct df_heredoc *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free (v[i].name);
		free (v[i].content);
	}
	free (v);
}
