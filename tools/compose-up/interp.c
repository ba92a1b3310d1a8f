/* interp - ${...} expansion; the text of a default is expanded only when
 * it is used, as Compose does (an unused ${X:?} inside it is no error) */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "interp.h"

static int expand (const char *s, size_t len, const json_t *vars, struct strbuf *b, struct bx_err *e);

static size_t
name_len (const char *s, size_t len)
{
	size_t n = 0;

	if (!len || !(isalpha ((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	while (n < len && (isalnum ((unsigned char)s[n]) || s[n] == '_'))
		n++;
	return n;
}

static const char *
lookup (const json_t *vars, const char *name, size_t n)
{
	char key[256];

	if (n >= sizeof key)
		return NULL;
	memcpy (key, name, n);
	key[n] = '\0';
	return json_string_value (json_object_get (vars, key));
}

static void
warn_unset (const char *name, size_t n)
{
	fprintf (stderr, "WARN: The \"%.*s\" variable is not set. Defaulting to a blank string.\n", (int)n, name);
}

/* the length of ${...} at S (S[0] is '$', S[1] '{'), nested braces counted; 0 unterminated */
static size_t
brace_len (const char *s, size_t len)
{
	int depth = 0;

	for (size_t k = 1; k < len; k++) {
		if (s[k] == '{')
			depth++;
		else if (s[k] == '}' && --depth == 0)
			return k + 1;
	}
	return 0;
}

/* ${NAME OP WORD} with its inside IN of N bytes */
static int
expand_braced (const char *in, size_t n, const json_t *vars, struct strbuf *b, struct bx_err *e)
{
	size_t nl = name_len (in, n);
	const char *v = lookup (vars, in, nl), *op = in + nl, *word;
	int colon = nl < n && *op == ':', set, empty;
	char o;

	if (!nl || (nl < n && !strchr (":-?+", *op)) || (colon && nl + 1 >= n))
		return err_set (e, BX_USAGE, 0, "invalid interpolation format for \"${%.*s}\"", (int)n, in);
	if (nl == n) {
		if (!v)
			warn_unset (in, nl);
		strbuf_add (b, v ? v : "", v ? strlen (v) : 0);
		return 0;
	}
	o = op[colon];
	if (!strchr ("-?+", o))
		return err_set (e, BX_USAGE, 0, "invalid interpolation format for \"${%.*s}\"", (int)n, in);
	word = op + colon + 1;
	set = v != NULL;
	empty = !set || (colon && !*v);
	size_t wl = n - (size_t)(word - in);
	if (o == '-')
		return empty ? expand (word, wl, vars, b, e) : (strbuf_add (b, v, strlen (v)), 0);
	if (o == '+')
		return empty ? (strbuf_add (b, "", 0), 0) : expand (word, wl, vars, b, e);
	if (!empty) {
		strbuf_add (b, v, strlen (v));
		return 0;
	}
	struct strbuf msg = {0};
	if (expand (word, wl, vars, &msg, e) < 0)
		return -1;
	err_set (e, BX_USAGE, 0, "required variable %.*s is missing a value%s%s", (int)nl, in, msg.len ? ": " : "",
	         msg.s ? msg.s : "");
	strbuf_free (&msg);
	return -1;
}

static int
expand (const char *s, size_t len, const json_t *vars, struct strbuf *b, struct bx_err *e)
{
	size_t k = 0;

	strbuf_add (b, "", 0);
	while (k < len) {
		size_t start = k, n;
		while (k < len && s[k] != '$')
			k++;
		strbuf_add (b, s + start, k - start);
		if (k >= len)
			break;
		if (k + 1 < len && s[k + 1] == '$') {
			strbuf_add (b, "$", 1);
			k += 2;
		} else if (k + 1 < len && s[k + 1] == '{') {
			if (!(n = brace_len (s + k, len - k)))
				return err_set (e, BX_USAGE, 0, "invalid interpolation format for \"%.*s\"",
				                (int)(len - k), s + k);
			if (expand_braced (s + k + 2, n - 3, vars, b, e) < 0)
				return -1;
			k += n;
		} else if ((n = name_len (s + k + 1, len - k - 1))) {
			const char *v = lookup (vars, s + k + 1, n);
			if (!v)
				warn_unset (s + k + 1, n);
			strbuf_add (b, v ? v : "", v ? strlen (v) : 0);
			k += 1 + n;
		} else {
			/* a lone $ stays, as in Compose */
			strbuf_add (b, "$", 1);
			k++;
		}
	}
	return 0;
}

int
interp_string (const char *s, const json_t *vars, char **out, struct bx_err *e)
{
	struct strbuf b = {0};

	if (expand (s, strlen (s), vars, &b, e) < 0) {
		strbuf_free (&b);
		return -1;
	}
	if (b.oom) {
		strbuf_free (&b);
		return err_set (e, BX_SYSTEM, 12, "interpolation");
	}
	*out = b.s;
	return 0;
}
