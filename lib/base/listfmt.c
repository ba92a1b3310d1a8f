#include "base/listfmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

/* Go's text/tabwriter as docker/cli configures it */
#define TAB_MINWIDTH 10
#define TAB_PADDING 3

struct sbuf {
	char *p;
	size_t n, cap;
};

static int
sbuf_add (struct sbuf *b, const char *s, size_t len)
{
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;
		while (cap < b->n + len + 1)
			cap *= 2;
		if (!(p = realloc (b->p, cap)))
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy (b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
	return 0;
}

static int
sbuf_str (struct sbuf *b, const char *s)
{
	return sbuf_add (b, s, strlen (s));
}

char *
listfmt_json_dumps_go (json_t *v, size_t flags)
{
	_cleanup_free_ char *raw = json_dumps (v, flags | JSON_ENCODE_ANY);
	struct sbuf b = {0};

	if (!raw)
		return NULL;
	/* outside strings JSON has no <, > or &, so this touches only strings */
	for (const char *s = raw; *s; s++) {
		const char *esc = *s == '<' ? "\\u003c" : *s == '>' ? "\\u003e" : *s == '&' ? "\\u0026" : NULL;
		if (esc ? sbuf_str (&b, esc) < 0 : sbuf_add (&b, s, 1) < 0) {
			free (b.p);
			return NULL;
		}
	}
	return b.p ? b.p : strdup ("");
}

/* --- values, printed as Go's fmt prints decoded JSON ------------------- */

static int print_value (struct sbuf *b, json_t *v);

static int
cmp_str (const void *a, const void *b)
{
	return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static int
print_object (struct sbuf *b, json_t *v)
{
	_cleanup_free_ const char **keys = malloc ((json_object_size (v) + 1) * sizeof *keys);
	const char *k;
	json_t *x;
	size_t n = 0;

	if (!keys || sbuf_str (b, "map[") < 0)
		return -1;
	json_object_foreach (v, k, x) keys[n++] = k;
	qsort (keys, n, sizeof *keys, cmp_str);
	for (size_t i = 0; i < n; i++)
		if ((i && sbuf_str (b, " ") < 0) || sbuf_str (b, keys[i]) < 0 || sbuf_str (b, ":") < 0 ||
		    print_value (b, json_object_get (v, keys[i])) < 0)
			return -1;
	return sbuf_str (b, "]");
}

static int
print_value (struct sbuf *b, json_t *v)
{
	char num[64];
	size_t i;
	json_t *x;

	switch (v ? json_typeof (v) : JSON_NULL) {
	case JSON_STRING: return sbuf_add (b, json_string_value (v), json_string_length (v));
	case JSON_INTEGER: snprintf (num, sizeof num, "%lld", (long long)json_integer_value (v)); break;
	case JSON_REAL: snprintf (num, sizeof num, "%g", json_real_value (v)); break;
	case JSON_TRUE: return sbuf_str (b, "true");
	case JSON_FALSE: return sbuf_str (b, "false");
	case JSON_NULL: return sbuf_str (b, v ? "<nil>" : "<no value>");
	case JSON_OBJECT: return print_object (b, v);
	case JSON_ARRAY:
		if (sbuf_str (b, "[") < 0)
			return -1;
		json_array_foreach (v, i, x) if ((i && sbuf_str (b, " ") < 0) || print_value (b, x) < 0) return -1;
		return sbuf_str (b, "]");
	}
	return sbuf_str (b, num);
}

/* Go's truth: false, 0, nil, and empty strings, arrays and maps are false. */
static int
is_true (json_t *v)
{
	switch (v ? json_typeof (v) : JSON_NULL) {
	case JSON_STRING: return json_string_length (v) > 0;
	case JSON_INTEGER: return json_integer_value (v) != 0;
	case JSON_REAL: return json_real_value (v) != 0;
	case JSON_TRUE: return 1;
	case JSON_ARRAY: return json_array_size (v) > 0;
	case JSON_OBJECT: return json_object_size (v) > 0;
	default: return 0;
	}
}

/* --- templates -------------------------------------------------------- */

#define MAXWORDS 4

/* An action's words: ".A.B", "json", "\"literal\"" (quotes kept). */
struct action {
	char text[512]; /* as written, for messages */
	char buf[512];
	char *w[MAXWORDS];
	int n;
};

static int
split_action (const char *s, size_t len, struct action *a, struct bx_err *e)
{
	char *p = a->buf;

	if (len >= sizeof a->buf)
		return err_set (e, BX_USAGE, 0, "template: action too long");
	memcpy (a->buf, s, len);
	a->buf[len] = '\0';
	memcpy (a->text, a->buf, len + 1);
	a->n = 0;
	for (;;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			return 0;
		if (a->n == MAXWORDS)
			return err_set (e, BX_USAGE, 0, "template: {{%.*s}}: not implemented", (int)len, s);
		a->w[a->n++] = p;
		if (*p == '"') {
			char *q = strchr (p + 1, '"');
			if (!q)
				return err_set (e, BX_USAGE, 0, "template: {{%.*s}}: unterminated string", (int)len, s);
			p = q + 1;
		} else {
			while (*p && *p != ' ')
				p++;
		}
	}
}

/* The value of ARG: ".", ".A.B" (NULL when missing) or a "string". TMP
 * holds a made-up value the caller releases. */
static int
eval_arg (const char *arg, json_t *dot, json_t **out, json_t **tmp, struct bx_err *e)
{
	char key[256];

	if (arg[0] == '"') {
		*tmp = json_stringn (arg + 1, strlen (arg) - 2);
		*out = *tmp;
		return *tmp ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "template");
	}
	if (arg[0] != '.')
		return err_set (e, BX_USAGE, 0, "template: %s: not implemented", arg);
	*out = dot;
	for (const char *p = arg + 1; *p && *out;) {
		size_t n = strcspn (p, ".");
		if (n == 0 || n >= sizeof key)
			return err_set (e, BX_USAGE, 0, "template: %s: bad field name", arg);
		memcpy (key, p, n);
		key[n] = '\0';
		*out = json_object_get (*out, key);
		p += n + (p[n] == '.');
	}
	return 0;
}

static int
fn_case (struct sbuf *b, json_t *v, int upper)
{
	struct sbuf t = {0};
	int rc = print_value (&t, v);

	for (size_t i = 0; rc == 0 && i < t.n; i++)
		t.p[i] = upper ? toupper ((unsigned char)t.p[i]) : tolower ((unsigned char)t.p[i]);
	if (rc == 0 && t.n)
		rc = sbuf_add (b, t.p, t.n);
	free (t.p);
	return rc;
}

static int
fn_join (struct sbuf *b, json_t *list, json_t *sep)
{
	size_t i;
	json_t *x;

	if (!json_is_array (list))
		return print_value (b, list);
	json_array_foreach (list, i, x) if ((i && print_value (b, sep) < 0) || print_value (b, x) < 0) return -1;
	return 0;
}

/* docker/cli's json function encodes without HTML escapes; only {{json .}}
 * of a list's row (WHOLE) escapes, because the row's own MarshalJSON
 * (json.Marshal) did */
static char *
json_of (json_t *v, int whole)
{
	if (whole)
		return listfmt_json_dumps_go (v ? v : json_null (), JSON_COMPACT);
	return json_dumps (v ? v : json_null (), JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Run a pipeline of one function: print its result into B. */
static int
run_action (struct action *a, json_t *dot, int row, struct sbuf *b, struct bx_err *e)
{
	const char *fn = a->n > 1 ? a->w[0] : "";
	json_t *v[MAXWORDS] = {0}, *tmp[MAXWORDS] = {0};
	static const char *const known[] = {"json", "upper", "lower", "index", "join", NULL};
	int rc = 0, first = a->n > 1, ok = a->n == 1;
	_cleanup_free_ char *js = NULL;

	for (int i = 0; known[i]; i++)
		ok |= strcmp (fn, known[i]) == 0;
	if (!ok)
		return err_set (e, BX_USAGE, 0, "template: {{%s}}: not implemented", a->text);
	for (int i = first; i < a->n && rc == 0; i++)
		rc = eval_arg (a->w[i], dot, &v[i], &tmp[i], e);
	if (rc == 0) {
		if (a->n == 1)
			rc = print_value (b, v[0]);
		else if (strcmp (fn, "json") == 0 && a->n == 2)
			rc = (js = json_of (v[1], row && strcmp (a->w[1], ".") == 0)) ? sbuf_str (b, js) : -1;
		else if ((strcmp (fn, "upper") == 0 || strcmp (fn, "lower") == 0) && a->n == 2)
			rc = fn_case (b, v[1], fn[0] == 'u');
		else if (strcmp (fn, "index") == 0 && a->n == 3 && json_is_string (v[2]))
			rc = print_value (b, json_object_get (v[1], json_string_value (v[2])));
		else if (strcmp (fn, "join") == 0 && a->n == 3)
			rc = fn_join (b, v[1], v[2]);
		else
			rc = err_set (e, BX_USAGE, 0, "template: {{%s}}: not implemented", a->text);
		if (rc < 0 && !e->msg[0])
			err_set (e, BX_SYSTEM, ENOMEM, "template");
	}
	for (int i = 0; i < MAXWORDS; i++)
		json_decref (tmp[i]);
	return rc;
}

static int
is_word (const char *act, size_t n, const char *w)
{
	size_t wl = strlen (w);
	return n >= wl && memcmp (act, w, wl) == 0 && (n == wl || act[wl] == ' ');
}

/* Trimmed action text between "{{" at T+I and the next "}}"; END gets
 * the offset after "}}". */
static int
next_action (const char *t, size_t n, size_t i, const char **act, size_t *alen, size_t *end, struct bx_err *e)
{
	const char *close = memmem (t + i + 2, n - i - 2, "}}", 2);

	if (!close)
		return err_set (e, BX_USAGE, 0, "template: unclosed action");
	*act = t + i + 2;
	*alen = close - *act;
	while (*alen && **act == ' ')
		(*act)++, (*alen)--;
	while (*alen && (*act)[*alen - 1] == ' ')
		(*alen)--;
	*end = close + 2 - t;
	return 0;
}

/* From I (just after an {{if}}), find the matching {{else}} (ELSE_AT,
 * ELSE_END, 0 when none) and {{end}} (END_AT, END_END). */
static int
match_if (const char *t, size_t n, size_t i, size_t pos[4], struct bx_err *e)
{
	int depth = 0;
	const char *act, *p;
	size_t alen, end;

	pos[0] = pos[1] = 0;
	while ((p = memmem (t + i, n - i, "{{", 2))) {
		size_t at = p - t;
		if (next_action (t, n, at, &act, &alen, &end, e) < 0)
			return -1;
		if (is_word (act, alen, "if") || is_word (act, alen, "range") || is_word (act, alen, "with"))
			depth++;
		else if (is_word (act, alen, "end") && depth-- == 0) {
			pos[2] = at, pos[3] = end;
			return 0;
		} else if (is_word (act, alen, "else") && depth == 0)
			pos[0] = at, pos[1] = end;
		i = end;
	}
	return err_set (e, BX_USAGE, 0, "template: {{if}} without {{end}}");
}

static int render (const char *t, size_t n, json_t *dot, int row, struct sbuf *b, struct bx_err *e);

static int
render_if (const char *t, size_t n, size_t *i, struct action *a, json_t *dot, int row, struct sbuf *b, struct bx_err *e)
{
	size_t pos[4] = {0};
	json_t *v = NULL, *tmp = NULL;
	int truth;

	if (a->n != 2 || match_if (t, n, *i, pos, e) < 0 || eval_arg (a->w[1], dot, &v, &tmp, e) < 0)
		return e->msg[0] ? -1 : err_set (e, BX_USAGE, 0, "template: {{if}}: not implemented");
	truth = is_true (v);
	json_decref (tmp);
	if (truth && render (t + *i, (pos[0] ? pos[0] : pos[2]) - *i, dot, row, b, e) < 0)
		return -1;
	if (!truth && pos[0] && render (t + pos[1], pos[2] - pos[1], dot, row, b, e) < 0)
		return -1;
	*i = pos[3];
	return 0;
}

/* ROW: DOT is a list's row (see json_of) */
static int
render (const char *t, size_t n, json_t *dot, int row, struct sbuf *b, struct bx_err *e)
{
	size_t i = 0, alen, end;
	const char *p, *act;
	struct action a;

	while (i < n) {
		p = memmem (t + i, n - i, "{{", 2);
		if (sbuf_add (b, t + i, (p ? (size_t)(p - t) : n) - i) < 0)
			return err_set (e, BX_SYSTEM, ENOMEM, "template");
		if (!p)
			break;
		if (next_action (t, n, p - t, &act, &alen, &end, e) < 0 || split_action (act, alen, &a, e) < 0)
			return -1;
		i = end;
		if (a.n == 0)
			return err_set (e, BX_USAGE, 0, "template: empty action");
		if (strcmp (a.w[0], "if") == 0) {
			if (render_if (t, n, &i, &a, dot, row, b, e) < 0)
				return -1;
		} else if (strcmp (a.w[0], "else") == 0 || strcmp (a.w[0], "end") == 0) {
			return err_set (e, BX_USAGE, 0, "template: unexpected {{%s}}", a.w[0]);
		} else if (run_action (&a, dot, row, b, e) < 0) {
			return -1;
		}
	}
	return 0;
}

static int
render_text (const char *tmpl, json_t *dot, int row, char **out, struct bx_err *e)
{
	struct sbuf b = {0};

	e->msg[0] = '\0';
	if (render (tmpl, strlen (tmpl), dot, row, &b, e) < 0) {
		free (b.p);
		return -1;
	}
	*out = b.p ? b.p : strdup ("");
	return *out ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "template");
}

int
listfmt_render (const char *tmpl, json_t *dot, char **out, struct bx_err *e)
{
	return render_text (tmpl, dot, 0, out, e);
}

/* --- listings --------------------------------------------------------- */

/* Docker's preFormat: drop "table", trim blanks, turn \t and \n into
 * the characters. */
static char *
unescape (const char *s)
{
	size_t n;
	char *out, *o;

	while (*s == ' ')
		s++;
	n = strlen (s);
	while (n && s[n - 1] == ' ')
		n--;
	if (!(o = out = malloc (n + 1)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n')) {
			*o++ = s[++i] == 't' ? '\t' : '\n';
			continue;
		}
		*o++ = s[i];
	}
	*o = '\0';
	return out;
}

int
listfmt_init (struct listfmt *f, const char *format, const char *def, struct bx_err *e)
{
	memset (f, 0, sizeof *f);
	if (!format || strcmp (format, "table") == 0)
		format = def;
	if (strcmp (format, "json") == 0) {
		f->json = 1;
		return 0;
	}
	if (strncmp (format, "table", 5) == 0 && (format[5] == ' ' || format[5] == '\t')) {
		f->table = 1;
		format += 5;
	}
	if (!(f->tmpl = unescape (format)))
		return err_set (e, BX_SYSTEM, ENOMEM, "format");
	return 0;
}

static int
add_row (struct listfmt *f, char *s, struct bx_err *e)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		char **r = realloc (f->rows, cap * sizeof *r);
		if (!r) {
			free (s);
			return err_set (e, BX_SYSTEM, ENOMEM, "format");
		}
		f->rows = r;
		f->cap = cap;
	}
	f->rows[f->n++] = s;
	return 0;
}

int
listfmt_header (struct listfmt *f, json_t *headers, struct bx_err *e)
{
	char *s;

	if (!f->table)
		return 0;
	if (listfmt_render (f->tmpl, headers, &s, e) < 0)
		return -1;
	/* a field without a title prints as nothing, as in docker's header */
	for (char *p; (p = strstr (s, "<no value>"));)
		memmove (p, p + 10, strlen (p + 10) + 1);
	return add_row (f, s, e);
}

int
listfmt_row (struct listfmt *f, json_t *rec, struct bx_err *e)
{
	char *s;

	if (f->json) {
		if (!(s = listfmt_json_dumps_go (rec, JSON_COMPACT)))
			return err_set (e, BX_SYSTEM, ENOMEM, "format");
	} else if (render_text (f->tmpl, rec, 1, &s, e) < 0) {
		return -1;
	}
	return add_row (f, s, e);
}

/* The characters of S[0..LEN): text/tabwriter counts a UTF-8 sequence
 * ("…" of a truncated cell) as one. */
static size_t
runes (const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* The width of cell COL of LINE when a tab ends it; -1 otherwise. */
static long
cell_len (const char *line, size_t col)
{
	for (size_t c = 0; c < col; c++) {
		line = strchr (line, '\t');
		if (!line)
			return -1;
		line++;
	}
	const char *tab = strchr (line, '\t');
	return tab ? (long)runes (line, tab - line) : -1;
}

/* The width of column COL at LINE: the widest tab-terminated cell in the
 * block of adjacent lines that have one (text/tabwriter's rule). */
static size_t
col_width (char **lines, size_t n, size_t line, size_t col)
{
	size_t lo = line, hi = line, w = TAB_MINWIDTH;

	while (lo > 0 && cell_len (lines[lo - 1], col) >= 0)
		lo--;
	while (hi + 1 < n && cell_len (lines[hi + 1], col) >= 0)
		hi++;
	for (size_t i = lo; i <= hi; i++) {
		size_t len = (size_t)cell_len (lines[i], col) + TAB_PADDING;
		if (len > w)
			w = len;
	}
	return w;
}

static int
align (struct listfmt *f, struct sbuf *b)
{
	struct sbuf all = {0};
	_cleanup_free_ char **lines = NULL;
	size_t n = 0;
	char *save = NULL;

	for (size_t i = 0; i < f->n; i++)
		if (sbuf_str (&all, f->rows[i]) < 0 || sbuf_str (&all, "\n") < 0)
			goto oom;
	if (!all.p)
		return 0;
	if (!(lines = calloc (all.n + 1, sizeof *lines)))
		goto oom;
	for (char *l = strtok_r (all.p, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
		lines[n++] = l;
	for (size_t i = 0; i < n; i++) {
		size_t col = 0;
		for (char *s = lines[i], *tab; (tab = strchr (s, '\t')); s = tab + 1, col++) {
			size_t w = col_width (lines, n, i, col);
			if (sbuf_add (b, s, tab - s) < 0)
				goto oom;
			for (size_t k = runes (s, tab - s); k < w; k++)
				if (sbuf_add (b, " ", 1) < 0)
					goto oom;
			if (!strchr (tab + 1, '\t') && sbuf_str (b, tab + 1) < 0)
				goto oom;
		}
		if ((!strchr (lines[i], '\t') && sbuf_str (b, lines[i]) < 0) || sbuf_str (b, "\n") < 0)
			goto oom;
	}
	free (all.p);
	return 0;
oom:
	free (all.p);
	return -1;
}

const char *
listfmt_text (struct listfmt *f)
{
	struct sbuf b = {0};

	free (f->out);
	f->out = NULL;
	if (f->table) {
		if (align (f, &b) < 0) {
			free (b.p);
			return NULL;
		}
	} else {
		for (size_t i = 0; i < f->n; i++)
			if (sbuf_str (&b, f->rows[i]) < 0 || sbuf_str (&b, "\n") < 0) {
				free (b.p);
				return NULL;
			}
	}
	f->out = b.p ? b.p : strdup ("");
	f->outlen = f->out ? strlen (f->out) : 0;
	return f->out;
}

int
listfmt_inspect (json_t *all, const char *format, FILE *out, struct bx_err *e)
{
	json_t *o;
	size_t i;

	if (!format) {
		_cleanup_free_ char *s = listfmt_json_dumps_go (all, JSON_INDENT (4));
		if (!s)
			return err_set (e, BX_SYSTEM, 0, "out of memory");
		fprintf (out, "%s\n", s);
		return 0;
	}
	json_array_foreach (all, i, o)
	{
		_cleanup_free_ char *text = NULL;
		if (listfmt_render (format, o, &text, e) < 0)
			return -1;
		fprintf (out, "%s\n", text);
	}
	return 0;
}

int
listfmt_print (struct listfmt *f, FILE *out, struct bx_err *e)
{
	const char *text = listfmt_text (f);

	if (!text)
		return err_set (e, BX_SYSTEM, ENOMEM, "format");
	fputs (text, out);
	return 0;
}

void
listfmt_free (struct listfmt *f)
{
	for (size_t i = 0; i < f->n; i++)
		free (f->rows[i]);
	free (f->rows);
	free (f->tmpl);
	free (f->out);
	memset (f, 0, sizeof *f);
}
