#include "base/listfmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/gotmpl.h"

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

/* --- templates -------------------------------------------------------- */

/* docker/cli's Label methods: .Label "k" of a row is its label k ("" when
 * absent), whether Labels is docker's "k=v,k2=v2" or an object */
static int
row_method (json_t *recv, const char *name, json_t **args, size_t nargs, json_t **out, struct bx_err *e)
{
	json_t *labels = json_object_get (recv, "Labels");
	const char *key = nargs == 1 ? json_string_value (args[0]) : NULL;

	if (strcmp (name, "Label") || !key)
		return err_set (e, BX_FAIL, 0, "can't evaluate field %s", name);
	if (json_is_object (labels)) {
		json_t *v = json_object_get (labels, key);
		*out = json_string (json_is_string (v) ? json_string_value (v) : "");
	} else {
		const char *s = json_is_string (labels) ? json_string_value (labels) : "";
		size_t kl = strlen (key);
		*out = NULL;
		for (const char *p = s; *p && !*out; p += strcspn (p, ","), p += *p == ',') {
			size_t len = strcspn (p, ",");
			if (len > kl && p[kl] == '=' && !strncmp (p, key, kl))
				*out = json_stringn (p + kl + 1, len - kl - 1);
		}
		if (!*out)
			*out = json_string ("");
	}
	return *out ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "template");
}

/* docker's header of .Label "a.b-c": the key's last part, - and _ as
 * blanks */
static int
header_method (json_t *recv, const char *name, json_t **args, size_t nargs, json_t **out, struct bx_err *e)
{
	const char *key = nargs == 1 ? json_string_value (args[0]) : NULL, *dot;
	char *s;

	(void)recv;
	if (strcmp (name, "Label") || !key)
		return err_set (e, BX_FAIL, 0, "can't evaluate field %s", name);
	if ((dot = strrchr (key, '.')))
		key = dot + 1;
	if (!(s = strdup (key)))
		return err_set (e, BX_SYSTEM, ENOMEM, "template");
	for (char *p = s; *p; p++)
		*p = *p == '-' || *p == '_' ? ' ' : *p;
	*out = json_string (s);
	free (s);
	return *out ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "template");
}

static int
render_with (const char *tmpl, json_t *dot, const struct gotmpl_opts *o, char **out, struct bx_err *e)
{
	struct gotmpl *t;
	int rc;

	e->msg[0] = '\0';
	if (gotmpl_parse (tmpl, &t, e) < 0)
		return -1;
	rc = gotmpl_exec (t, dot, o, out, e);
	gotmpl_free (t);
	return rc;
}

int
listfmt_render (const char *tmpl, json_t *dot, char **out, struct bx_err *e)
{
	static const struct gotmpl_opts o = {.missing = GOTMPL_MISSING_ERROR};
	return render_with (tmpl, dot, &o, out, e);
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
	return gotmpl_parse (f->tmpl, &f->t, e);
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
	/* a field without a title prints as nothing, as in docker's header */
	static const struct gotmpl_opts o = {.missing = GOTMPL_MISSING_EMPTY, .method = header_method, .header = 1};
	char *s;

	if (!f->table)
		return 0;
	if (gotmpl_exec (f->t, headers, &o, &s, e) < 0)
		return -1;
	return add_row (f, s, e);
}

int
listfmt_row (struct listfmt *f, json_t *rec, struct bx_err *e)
{
	/* a row is one of docker's formatter structs: no field is optional */
	struct gotmpl_opts o = {
	    .missing = GOTMPL_MISSING_ERROR, .method = row_method, .type = f->type, .json_escape = 1};
	char *s;

	if (f->json) {
		if (!(s = listfmt_json_dumps_go (rec, JSON_COMPACT)))
			return err_set (e, BX_SYSTEM, ENOMEM, "format");
	} else if (gotmpl_exec (f->t, rec, &o, &s, e) < 0) {
		return -1;
	}
	return add_row (f, s, e);
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
	return tab ? (long)strbuf_utf8_runes (line, tab - line) : -1;
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
			for (size_t k = strbuf_utf8_runes (s, tab - s); k < w; k++)
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
listfmt_insp_init (struct listfmt_insp *in, const char *format, const char *type, struct bx_err *e)
{
	*in = (struct listfmt_insp){.o = {.missing = GOTMPL_MISSING_ERROR, .type = type}};
	if (!format) {
		in->all = json_array ();
		return in->all ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "inspect");
	}
	return gotmpl_parse (format, &in->t, e);
}

int
listfmt_insp_add (struct listfmt_insp *in, json_t *o, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	char *p;
	size_t n;

	if (!in->t)
		return json_array_append_new (in->all, o) == 0 ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "inspect");
	if (gotmpl_exec (in->t, o, &in->o, &text, e) < 0) {
		json_decref (o);
		return -1;
	}
	json_decref (o);
	n = strlen (text);
	if (!(p = realloc (in->text, in->len + n + 2)))
		return err_set (e, BX_SYSTEM, ENOMEM, "inspect");
	in->text = p;
	memcpy (p + in->len, text, n);
	in->len += n;
	p[in->len++] = '\n';
	p[in->len] = '\0';
	return 0;
}

int
listfmt_insp_print (struct listfmt_insp *in, FILE *out, struct bx_err *e)
{
	_cleanup_free_ char *s = NULL;

	if (in->t) {
		/* docker inspect's buffer, flushed: a line when it is empty */
		if (in->len || err_docker ())
			fputs (in->len ? in->text : "\n", out);
		return 0;
	}
	if (!(s = listfmt_json_dumps_go (in->all, JSON_INDENT (4))))
		return err_set (e, BX_SYSTEM, ENOMEM, "inspect");
	fprintf (out, "%s\n", s);
	return 0;
}

void
listfmt_insp_free (struct listfmt_insp *in)
{
	gotmpl_free (in->t);
	json_decref (in->all);
	free (in->text);
}

int
listfmt_dry_run (const char *format, json_t *rec, const char *type, struct bx_err *e)
{
	const struct gotmpl_opts o = {.missing = GOTMPL_MISSING_ERROR, .method = row_method, .type = type};
	struct gotmpl *t;
	char *s = NULL;
	int rc;

	if (gotmpl_parse (format, &t, e) < 0)
		return -1;
	rc = gotmpl_exec (t, rec, &o, &s, e);
	free (s);
	gotmpl_free (t);
	return rc;
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
	gotmpl_free (f->t);
	free (f->out);
	memset (f, 0, sizeof *f);
}
