/* shpat - the patterns of ${X#p}, ${X%p} and ${X/p/r} in a Dockerfile word
 *
 * The rules of moby/buildkit frontend/dockerfile/shell/lex.go
 * (convertShellPatternToRegex, trimPrefix, trimSuffix): a match is the
 * shortest or longest one, as the regexp's lazy or greedy '*' would find it. */
#include "dockerfile/shpat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"

struct shpat_item {
	char kind; /* '*', '?', or 'l': the literal P, N bytes */
	const char *p;
	size_t n;
};

static bool
is_rune_start (const char *s, size_t i)
{
	return ((unsigned char)s[i] & 0xc0) != 0x80;
}

void
shpat_free (struct shpat *pt)
{
	free (pt->v);
	free (pt->cur);
	free (pt->next);
	*pt = (struct shpat){0};
}

int
shpat_compile (struct shpat *pt, const char *s, struct bx_err *e)
{
	size_t len = strlen (s);

	*pt = (struct shpat){calloc (len + 1, sizeof *pt->v), 0, calloc (len + 1, 1), calloc (len + 1, 1)};
	if (!pt->v || !pt->cur || !pt->next) {
		shpat_free (pt);
		return err_set (e, BX_SYSTEM, ENOMEM, "pattern");
	}
	for (const char *p = s; *p; p += pt->v[pt->n - 1].n) {
		if (*p == '\\' && p[1] && strchr ("}/", p[1]))
			p++;
		else if (*p == '\\' && (!p[1] || !strchr ("*?\\", p[1]))) {
			shpat_free (pt);
			return err_set (e, BX_USAGE, 0, "invalid pattern (%s) in substitution: invalid escape '\\%.1s'",
			                s, p + 1);
		} else if (*p == '\\')
			p++;
		else if (*p == '*' || *p == '?') {
			pt->v[pt->n++] = (struct shpat_item){*p, p, 1};
			continue;
		}
		pt->v[pt->n++] = (struct shpat_item){'l', p, strbuf_utf8_len (p, s + len - p)};
	}
	return 0;
}

/* a '*' also matches nothing: the states after it are alive too */
static void
closure (struct shpat *pt)
{
	for (size_t k = 0; k < pt->n; k++)
		pt->cur[k + 1] |= pt->cur[k] && pt->v[k].kind == '*';
}

/* from the states alive, over the character C (CN bytes): any left? */
static bool
step (struct shpat *pt, const char *c, size_t cn)
{
	bool alive = false, *t;

	memset (pt->next, 0, pt->n + 1);
	for (size_t k = 0; k < pt->n; k++) {
		const struct shpat_item *it = &pt->v[k];
		if (pt->cur[k] && (it->kind == 'l' ? cn == it->n && memcmp (c, it->p, cn) == 0 : *c != '\n'))
			pt->next[it->kind == '*' ? k : k + 1] = alive = true;
	}
	t = pt->cur, pt->cur = pt->next, pt->next = t;
	closure (pt);
	return alive;
}

/* the shortest (or LONGEST) END such that the pattern matches V[I, END) */
static bool
match_end (struct shpat *pt, const char *v, size_t n, size_t i, bool longest, size_t *end)
{
	bool found = false;

	memset (pt->cur, 0, pt->n + 1);
	pt->cur[0] = true;
	closure (pt);
	for (size_t j = i;; j += strbuf_utf8_len (v + j, n - j)) {
		if (pt->cur[pt->n]) {
			*end = j;
			found = true;
			if (!longest)
				break;
		}
		if (j == n || !step (pt, v + j, strbuf_utf8_len (v + j, n - j)))
			break;
	}
	return found;
}

void
shpat_trim (struct shpat *pt, const char *v, bool suffix, bool longest, size_t *from, size_t *len)
{
	size_t n = strlen (v), end;

	*from = 0;
	*len = n;
	if (!suffix) {
		*from = match_end (pt, v, n, 0, longest, &end) ? end : 0;
		*len = n - *from;
		return;
	}
	for (size_t k = 0; k <= n; k++) {
		size_t i = longest ? k : n - k; /* where the suffix starts */
		if ((i == n || is_rune_start (v, i)) && match_end (pt, v, n, i, true, &end) && end == n) {
			*len = i;
			return;
		}
	}
}

/* the leftmost, then longest, match in V at or after FROM: [*S, *E) */
static bool
find (struct shpat *pt, const char *v, size_t n, size_t from, size_t *s, size_t *e)
{
	for (size_t i = from; i <= n; i++) {
		if ((i == n || is_rune_start (v, i)) && match_end (pt, v, n, i, true, e)) {
			*s = i;
			return true;
		}
	}
	return false;
}

/* as Go's Regexp.ReplaceAllString: an empty match right after a match is
 * not replaced */
int
shpat_replace (struct shpat *pt, const char *v, const char *rep, bool all, char **out, struct bx_err *e)
{
	size_t n = strlen (v), rn = strlen (rep), pos = 0, last = 0, s, end, len;
	FILE *f = open_memstream (out, &len);
	bool first = true, failed;

	if (!f)
		return err_set (e, BX_SYSTEM, errno, "replace");
	while (pos <= n && (first || all) && find (pt, v, n, pos, &s, &end) && ftell (f) <= SHPAT_MAX) {
		fwrite (v + last, 1, s - last, f);
		if (end > last || s == 0)
			fwrite (rep, 1, rn, f);
		last = end;
		pos = end > pos ? end : pos + (pos < n ? strbuf_utf8_len (v + pos, n - pos) : 1);
		first = false;
	}
	fwrite (v + last, 1, n - last, f);
	failed = ferror (f) != 0;
	failed |= fclose (f) != 0;
	if (failed || len > SHPAT_MAX) {
		free (*out);
		*out = NULL;
		if (failed)
			return err_set (e, BX_SYSTEM, ENOMEM, "replace");
		return err_set (e, BX_USAGE, 0, "replacement longer than %d bytes", SHPAT_MAX);
	}
	return 0;
}
