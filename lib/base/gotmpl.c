#include "base/gotmpl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"

/* --- text buffers ----------------------------------------------------- */

struct buf {
	char *p;
	size_t n, cap;
	int oom;
};

static void
buf_add (struct buf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;
		while (cap < b->n + len + 1)
			cap *= 2;
		if (!(p = realloc (b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (len)
		memcpy (b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void
buf_str (struct buf *b, const char *s)
{
	buf_add (b, s, strlen (s));
}

static void __attribute__ ((format (printf, 2, 3))) buf_fmt (struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start (ap, fmt);
	n = vsnprintf (tmp, sizeof tmp, fmt, ap);
	va_end (ap);
	buf_add (b, tmp, n < 0 ? 0 : (size_t)n >= sizeof tmp ? sizeof tmp - 1 : (size_t)n);
}

/* --- values as Go's fmt prints them ----------------------------------- */

/* Go's %v of a float64: strconv's 'g' with the shortest digits, which
 * turns to %e from an exponent of 6 or below -4 */
static void
print_float (struct buf *b, double d)
{
	char tmp[64];
	int prec = 1, exp;

	if (isinf (d) || isnan (d)) {
		buf_str (b, isnan (d) ? "NaN" : d > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (; prec < 17; prec++) {
		snprintf (tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (strtod (tmp, NULL) == d)
			break;
	}
	snprintf (tmp, sizeof tmp, "%.*e", prec - 1, d);
	exp = atoi (strchr (tmp, 'e') + 1);
	if (exp < -4 || exp >= 6) {
		buf_str (b, tmp);
		return;
	}
	snprintf (tmp, sizeof tmp, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
	buf_str (b, tmp);
}

static int
cmp_str (const void *a, const void *b)
{
	return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* The keys of object V, sorted; NULL when out of memory. */
static const char **
sorted_keys (json_t *v, size_t *n)
{
	const char **keys = malloc ((json_object_size (v) + 1) * sizeof *keys);
	const char *k;
	json_t *x;

	*n = 0;
	if (!keys)
		return NULL;
	json_object_foreach (v, k, x) keys[(*n)++] = k;
	if (*n)
		qsort (keys, *n, sizeof *keys, cmp_str);
	return keys;
}

static void
print_value (struct buf *b, json_t *v)
{
	size_t i, n;
	json_t *x;

	switch (v ? json_typeof (v) : JSON_NULL) {
	case JSON_STRING: buf_add (b, json_string_value (v), json_string_length (v)); break;
	case JSON_INTEGER: buf_fmt (b, "%lld", (long long)json_integer_value (v)); break;
	case JSON_REAL: print_float (b, json_real_value (v)); break;
	case JSON_TRUE: buf_str (b, "true"); break;
	case JSON_FALSE: buf_str (b, "false"); break;
	case JSON_NULL: buf_str (b, v ? "<nil>" : "<no value>"); break;
	case JSON_ARRAY:
		buf_str (b, "[");
		json_array_foreach (v, i, x)
		{
			if (i)
				buf_str (b, " ");
			print_value (b, x);
		}
		buf_str (b, "]");
		break;
	case JSON_OBJECT: {
		_cleanup_free_ const char **keys = sorted_keys (v, &n);
		if (!keys) {
			b->oom = 1;
			return;
		}
		buf_str (b, "map[");
		for (i = 0; i < n; i++) {
			if (i)
				buf_str (b, " ");
			buf_str (b, keys[i]);
			buf_str (b, ":");
			print_value (b, json_object_get (v, keys[i]));
		}
		buf_str (b, "]");
	}
	}
}

char *
gotmpl_sprint (json_t *v)
{
	struct buf b = {0};

	print_value (&b, v);
	if (b.oom) {
		free (b.p);
		return NULL;
	}
	return b.p ? b.p : strdup ("");
}

/* --- typed nils -------------------------------------------------------- */

/* The one nil list and the one nil map: empty (so printed [] and map[],
 * false, of length 0) and told apart from their kind by address. They
 * live as long as the program. */
static json_t *nil_list, *nil_map;

static json_t *
typed_nil (int map)
{
	json_t **v = map ? &nil_map : &nil_list;

	if (!*v)
		*v = map ? json_object () : json_array ();
	return json_incref (*v);
}

/* Make DOC's null at PATH (segments, N of them) the typed nil MAP says */
static void
type_nil_at (json_t *doc, const char *path, int map)
{
	const char *dot = strchr (path, '.');
	size_t len = dot ? (size_t)(dot - path) : strlen (path);
	const char *k;
	json_t *v;

	if (!json_is_object (doc))
		return;
	if (len == 1 && *path == '*') {
		if (dot)
			json_object_foreach (doc, k, v) type_nil_at (v, dot + 1, map);
		return;
	}
	v = json_object_getn (doc, path, len);
	if (dot)
		type_nil_at (v, dot + 1, map);
	else if (json_is_null (v))
		json_object_setn_new (doc, path, len, typed_nil (map));
}

void
gotmpl_type_nils (json_t *doc, const char *const *paths)
{
	char p[256];

	for (; *paths; paths++) {
		size_t n = strlen (*paths);
		int map = n > 2 && !strcmp (*paths + n - 2, "{}");
		if (n < 3 || n - 2 >= sizeof p || (!map && strcmp (*paths + n - 2, "[]")))
			continue;
		memcpy (p, *paths, n - 2);
		p[n - 2] = '\0';
		type_nil_at (doc, p, map);
	}
}

/* V as encoding/json writes it: a typed nil is null. A new reference. */
static json_t *
json_untyped (json_t *v)
{
	json_t *c, *x;
	const char *k;
	size_t i;

	if (v && (v == nil_list || v == nil_map))
		return json_null ();
	if ((!nil_list && !nil_map) || !(json_is_object (v) || json_is_array (v)))
		return json_incref (v);
	if (!(c = json_is_object (v) ? json_object () : json_array ()))
		return NULL;
	if (json_is_object (v))
		json_object_foreach (v, k, x) json_object_set_new (c, k, json_untyped (x));
	else
		json_array_foreach (v, i, x) json_array_append_new (c, json_untyped (x));
	return c;
}

/* Go's name of the type of a decoded JSON value */
static const char *
go_type (json_t *v)
{
	switch (v ? json_typeof (v) : JSON_NULL) {
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int";
	case JSON_REAL: return "float64";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	case JSON_ARRAY: return "[]interface {}";
	case JSON_OBJECT: return "map[string]interface {}";
	default: return "<nil>";
	}
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

/* --- the lexer -------------------------------------------------------- */

enum tok_type {
	T_EOF,
	T_TEXT,
	T_LEFT,
	T_RIGHT,
	T_FIELD,
	T_VAR,
	T_IDENT,
	T_STRING,
	T_RAW,
	T_CHAR,
	T_NUMBER,
	T_BOOL,
	T_NIL,
	T_DOT,
	T_PIPE,
	T_LPAREN,
	T_RPAREN,
	T_DECLARE,
	T_ASSIGN,
	T_COMMA,
	T_CHARTOK, /* any other printable character */
};

struct tok {
	enum tok_type type;
	const char *s;
	size_t len, pos;
	int spaced; /* blanks before it */
};

struct lexer {
	const char *t;
	size_t n;
	struct tok *toks;
	size_t ntok, cap;
	struct bx_err *e;
	/* a lexing error, reported when the parser reaches it (as Go's
	 * lexer, which runs behind the parser) */
	char errmsg[128];
	size_t errpos;
};

static int
line_of (const char *t, size_t pos)
{
	int line = 1;
	for (size_t i = 0; i < pos; i++)
		line += t[i] == '\n';
	return line;
}

static int
lex_emit (struct lexer *l, enum tok_type type, size_t start, size_t end, int spaced)
{
	if (l->ntok == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct tok *p = realloc (l->toks, cap * sizeof *p);
		if (!p)
			return err_set (l->e, BX_SYSTEM, ENOMEM, "template");
		l->toks = p;
		l->cap = cap;
	}
	l->toks[l->ntok++] = (struct tok){type, l->t + start, end - start, start, spaced};
	return 0;
}

static int
is_blank (char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_alnum (char c)
{
	return isalnum ((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* " -}}" or "}}" at J: the length of the right delimiter, 0 if none */
static size_t
right_delim (const char *t, size_t n, size_t j, int *trim)
{
	*trim = 0;
	if (j + 4 <= n && is_blank (t[j]) && t[j + 1] == '-' && t[j + 2] == '}' && t[j + 3] == '}')
		return *trim = 1, 4;
	return j + 2 <= n && t[j] == '}' && t[j + 1] == '}' ? 2 : 0;
}

static int
lex_err (struct lexer *l, size_t pos, const char *msg)
{
	snprintf (l->errmsg, sizeof l->errmsg, "%s", msg);
	l->errpos = pos;
	return -1;
}

static int
lex_quoted (struct lexer *l, size_t *j, char q)
{
	size_t k = *j + 1;
	while (k < l->n && l->t[k] != q) {
		if (q != '`' && l->t[k] == '\\' && k + 1 < l->n)
			k++;
		if (q != '`' && l->t[k] == '\n')
			break;
		k++;
	}
	if (k >= l->n || l->t[k] != q)
		return lex_err (l, *j, q == '`' ? "unterminated raw quoted string" : "unterminated quoted string");
	*j = k + 1;
	return 0;
}

/* The inside of an action from J; J ends after the right delimiter. */
static int
lex_action (struct lexer *l, size_t *jp, int *trim)
{
	size_t j = *jp, d, start;
	int spaced = 0, parens = 0;
	const char *t = l->t;

	for (;;) {
		if ((d = right_delim (t, l->n, j, trim)) && parens == 0) {
			*jp = j + d;
			return lex_emit (l, T_RIGHT, j, j + d, spaced);
		}
		if (j >= l->n)
			return lex_err (l, j, "unclosed action");
		start = j;
		char c = t[j];
		enum tok_type type;
		if (is_blank (c)) {
			if (c == '\n' || c == '\r')
				return lex_err (l, j, "unclosed action");
			j++;
			spaced = 1;
			continue;
		}
		if (c == '"' || c == '`' || c == '\'') {
			if (lex_quoted (l, &j, c) < 0)
				return -1;
			type = c == '"' ? T_STRING : c == '`' ? T_RAW : T_CHAR;
		} else if (c == ':' && j + 1 < l->n && t[j + 1] == '=') {
			j += 2;
			type = T_DECLARE;
		} else if (c == '=' || c == '|' || c == ',' || c == '(' || c == ')') {
			j++;
			type = c == '='   ? T_ASSIGN
			       : c == '|' ? T_PIPE
			       : c == ',' ? T_COMMA
			       : c == '(' ? T_LPAREN
			                  : T_RPAREN;
			if (c == '(')
				parens++;
			if (c == ')' && --parens < 0)
				return lex_err (l, start, "unexpected right paren");
		} else if ((c == '.' || c == '$') && !(c == '.' && j + 1 < l->n && isdigit ((unsigned char)t[j + 1]))) {
			j++;
			while (j < l->n && is_alnum (t[j]))
				j++;
			type = c == '$' ? T_VAR : j - start == 1 ? T_DOT : T_FIELD;
		} else if (isdigit ((unsigned char)c) || ((c == '-' || c == '+' || c == '.') && j + 1 < l->n &&
		                                          (isdigit ((unsigned char)t[j + 1]) || t[j + 1] == '.'))) {
			j++;
			while (j < l->n && (is_alnum (t[j]) || t[j] == '.' ||
			                    ((t[j] == '+' || t[j] == '-') && strchr ("eEpP", t[j - 1]))))
				j++;
			type = T_NUMBER;
		} else if (is_alnum (c)) {
			while (j < l->n && is_alnum (t[j]))
				j++;
			type = T_IDENT;
			if ((j - start == 4 && !memcmp (t + start, "true", 4)) ||
			    (j - start == 5 && !memcmp (t + start, "false", 5)))
				type = T_BOOL;
			else if (j - start == 3 && !memcmp (t + start, "nil", 3))
				type = T_NIL;
		} else if (c == '}') {
			return lex_err (l, j, "bad character U+007D '}'");
		} else if (c > ' ' && c < 0x7f) {
			j++;
			type = T_CHARTOK;
		} else {
			char msg[64];
			snprintf (msg, sizeof msg, "unrecognized character in action: U+%04X '%c'", (unsigned char)c,
			          c);
			return lex_err (l, j, msg);
		}
		if (lex_emit (l, type, start, j, spaced) < 0)
			return -1;
		spaced = 0;
	}
}

static int
lex (struct lexer *l)
{
	size_t i = 0;
	int trim_next = 0;

	while (i <= l->n) {
		const char *p = memmem (l->t + i, l->n - i, "{{", 2);
		size_t at = p ? (size_t)(p - l->t) : l->n, end = at, j;
		int trim;
		if (trim_next)
			while (i < at && is_blank (l->t[i]))
				i++;
		if (p && at + 3 < l->n && l->t[at + 2] == '-' && is_blank (l->t[at + 3]))
			while (end > i && is_blank (l->t[end - 1]))
				end--;
		if (end > i && lex_emit (l, T_TEXT, i, end, 0) < 0)
			return -1;
		if (!p)
			break;
		j = at + 2 + (l->t[at + 2] == '-' && at + 3 < l->n && is_blank (l->t[at + 3]) ? 2 : 0);
		if (j + 1 < l->n && l->t[j] == '/' && l->t[j + 1] == '*') {
			const char *c = memmem (l->t + j + 2, l->n - j - 2, "*/", 2);
			if (!c)
				return lex_err (l, at, "unclosed comment");
			j = c + 2 - l->t;
			if (!(end = right_delim (l->t, l->n, j, &trim)))
				return lex_err (l, at, "comment ends before closing delimiter");
			i = j + end;
			trim_next = trim;
			continue;
		}
		if (lex_emit (l, T_LEFT, at, at + 2, 0) < 0 || lex_action (l, &j, &trim) < 0)
			return -1;
		i = j;
		trim_next = trim;
	}
	return lex_emit (l, T_EOF, l->n, l->n, 0);
}

/* --- the tree ---------------------------------------------------------- */

enum node_kind {
	N_TEXT,
	N_ACTION,
	N_IF,
	N_RANGE,
	N_WITH,
	N_BREAK,
	N_CONTINUE,
	N_TEMPLATE, /* names[0] the template, pipe (or NULL) its dot */
	/* operands */
	N_FIELD, /* .A.B: names */
	N_VAR,   /* $x.A: names[0] the variable, then fields */
	N_CHAIN, /* (pipe).A: pipe, names */
	N_DOT,
	N_CONST, /* nil, bool, number, string: val */
	N_FUNC,  /* names[0] */
	N_PAREN, /* (pipe) */
};

struct pipe;

struct node {
	enum node_kind kind;
	size_t pos, len; /* its text, for messages */
	size_t at;       /* where Go places it: a chain's second field */
	char *text;      /* N_TEXT */
	size_t textlen;
	json_t *val;
	char **names;
	size_t nnames;
	struct pipe *pipe;
	struct node *list, *elselist; /* control: first node of each */
	struct node *next;
};

struct cmd {
	struct node **args;
	size_t nargs;
	size_t pos, len;
};

struct pipe {
	char *decl[2];
	int ndecl, assign;
	struct cmd **cmds;
	size_t ncmds;
};

/* {{define "name"}} and {{block}}: a template of the set */
struct def {
	const char *name;
	struct node *list;
};

struct gotmpl {
	char *name; /* the top template's, as Go's template.New (NAME) */
	char *src;
	struct node *root;
	struct def *defs;
	size_t ndefs;
	void **mem; /* every allocation of the tree */
	size_t nmem, capmem;
	json_t *consts;
};

/* --- the parser -------------------------------------------------------- */

struct parser {
	struct gotmpl *t;
	struct lexer *l;
	struct tok *toks;
	size_t i;
	const char **vars; /* in scope */
	size_t nvars, capvars;
	int loops;
	struct bx_err *e;
};

static void *
p_alloc (struct parser *p, size_t size)
{
	struct gotmpl *t = p->t;
	void *m;

	if (t->nmem == t->capmem) {
		size_t cap = t->capmem ? t->capmem * 2 : 64;
		void **mem = realloc (t->mem, cap * sizeof *mem);
		if (!mem)
			return NULL;
		t->mem = mem;
		t->capmem = cap;
	}
	if (!(m = calloc (1, size ? size : 1)))
		return NULL;
	return t->mem[t->nmem++] = m;
}

static int
p_oom (struct parser *p)
{
	return err_set (p->e, BX_SYSTEM, ENOMEM, "template");
}

static int __attribute__ ((format (printf, 3, 4))) p_err (struct parser *p, struct tok *k, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start (ap, fmt);
	vsnprintf (msg, sizeof msg, fmt, ap);
	va_end (ap);
	if (p->l->errmsg[0] && k->type == T_EOF)
		return err_set (p->e, BX_USAGE, 0, "template: %s:%d: %s", p->t->name, line_of (p->t->src, p->l->errpos),
		                p->l->errmsg);
	return err_set (p->e, BX_USAGE, 0, "template: %s:%d: %s", p->t->name, line_of (p->t->src, k->pos), msg);
}

static struct tok *
peek (struct parser *p)
{
	return &p->toks[p->i];
}

static struct tok *
next (struct parser *p)
{
	struct tok *k = &p->toks[p->i];
	if (k->type != T_EOF)
		p->i++;
	return k;
}

static int
tok_is (struct tok *k, const char *word)
{
	return k->type == T_IDENT && k->len == strlen (word) && !memcmp (k->s, word, k->len);
}

static char *
p_strndup (struct parser *p, const char *s, size_t n)
{
	char *d = p_alloc (p, n + 1);
	if (d)
		memcpy (d, s, n);
	return d;
}

/* ".A.B" → names A, B appended to N */
static int
add_fields (struct parser *p, struct node *n, const char *s, size_t len)
{
	size_t count = n->nnames;
	char **names;

	for (size_t i = 1; i < len; i++)
		count += s[i] == '.';
	count += len > 1;
	if (!(names = p_alloc (p, (count + 1) * sizeof *names)))
		return p_oom (p);
	if (n->nnames)
		memcpy (names, n->names, n->nnames * sizeof *names);
	n->names = names;
	for (size_t i = 0; i < len;) {
		size_t k = i + 1;
		while (k < len && s[k] != '.')
			k++;
		if (!(names[n->nnames++] = p_strndup (p, s + i + 1, k - i - 1)))
			return p_oom (p);
		i = k;
	}
	return 0;
}

static struct node *
new_node (struct parser *p, enum node_kind kind, struct tok *k)
{
	struct node *n = p_alloc (p, sizeof *n);
	if (n) {
		n->kind = kind;
		n->at = n->pos = k->pos;
		n->len = k->len;
	}
	return n;
}

static const char *const funcs[] = {"and",    "or",      "not",   "len",      "index",    "slice", "print",
                                    "printf", "println", "eq",    "ne",       "lt",       "le",    "gt",
                                    "ge",     "html",    "js",    "urlquery", "json",     "split", "join",
                                    "title",  "lower",   "upper", "pad",      "truncate", "call",  NULL};

static int
unquote (struct parser *p, struct tok *k, struct buf *b)
{
	if (k->type == T_RAW) {
		buf_add (b, k->s + 1, k->len - 2);
		return 0;
	}
	for (size_t i = 1; i + 1 < k->len; i++) {
		char c = k->s[i];
		if (c != '\\') {
			buf_add (b, &c, 1);
			continue;
		}
		c = k->s[++i];
		const char *esc = strchr ("n\nt\tr\ra\ab\bf\fv\v\\\\\"\"''", c);
		if (esc && (esc - "n\nt\tr\ra\ab\bf\fv\v\\\\\"\"''") % 2 == 0) {
			buf_add (b, esc + 1, 1);
		} else if (c == 'x' && i + 2 < k->len) {
			char hex[3] = {k->s[i + 1], k->s[i + 2], 0};
			char v = (char)strtol (hex, NULL, 16);
			buf_add (b, &v, 1);
			i += 2;
		} else {
			return p_err (p, k, "invalid syntax");
		}
	}
	return 0;
}

static int
const_node (struct parser *p, struct tok *k, struct node **out)
{
	struct node *n = new_node (p, N_CONST, k);
	_cleanup_free_ char *s = NULL;

	if (!n)
		return p_oom (p);
	if (k->type == T_NIL) {
		n->val = json_null ();
	} else if (k->type == T_BOOL) {
		n->val = json_boolean (k->s[0] == 't');
	} else if (k->type == T_NUMBER) {
		char *end;
		if (!(s = strndup (k->s, k->len)))
			return p_oom (p);
		long long v = strtoll (s, &end, 0);
		if (*end == '\0' && errno != ERANGE) {
			n->val = json_integer (v);
		} else {
			double d = strtod (s, &end);
			if (*end)
				return p_err (p, k, "bad number syntax: \"%s\"", s);
			n->val = json_real (d);
		}
	} else if (k->type == T_CHAR) {
		struct buf b = {0};
		if (unquote (p, k, &b) < 0)
			return free (b.p), -1;
		n->val = json_integer (b.p ? (unsigned char)b.p[0] : 0);
		free (b.p);
	} else {
		struct buf b = {0};
		if (unquote (p, k, &b) < 0)
			return free (b.p), -1;
		n->val = json_stringn (b.p ? b.p : "", b.n);
		free (b.p);
	}
	if (!n->val || json_array_append_new (p->t->consts, n->val) < 0)
		return p_oom (p);
	*out = n;
	return 0;
}

static int parse_pipe (struct parser *p, struct pipe **out, enum tok_type end, int decl_ok);

static int
var_known (struct parser *p, const char *name, size_t len)
{
	for (size_t i = p->nvars; i-- > 0;)
		if (strlen (p->vars[i]) == len && !memcmp (p->vars[i], name, len))
			return 1;
	return 0;
}

static int
push_var (struct parser *p, const char *name)
{
	if (p->nvars == p->capvars) {
		size_t cap = p->capvars ? p->capvars * 2 : 16;
		const char **v = realloc (p->vars, cap * sizeof *v);
		if (!v)
			return p_oom (p);
		p->vars = v;
		p->capvars = cap;
	}
	p->vars[p->nvars++] = name;
	return 0;
}

/* One operand: a term and the fields after it (".A" of "(x).A", "$v.A"). */
static int
parse_operand (struct parser *p, struct node **out)
{
	struct tok *k = next (p);
	struct node *n = NULL;

	switch (k->type) {
	case T_FIELD:
		if (!(n = new_node (p, N_FIELD, k)) || add_fields (p, n, k->s, k->len) < 0)
			return n ? -1 : p_oom (p);
		break;
	case T_VAR:
		if (!var_known (p, k->s, k->len))
			return p_err (p, k, "undefined variable \"%.*s\"", (int)k->len, k->s);
		if (!(n = new_node (p, N_VAR, k)) || !(n->names = p_alloc (p, sizeof *n->names)) ||
		    !(n->names[0] = p_strndup (p, k->s, k->len)))
			return p_oom (p);
		n->nnames = 1;
		break;
	case T_DOT:
		if (!(n = new_node (p, N_DOT, k)))
			return p_oom (p);
		break;
	case T_IDENT: {
		int known = 0;
		for (int i = 0; funcs[i]; i++)
			known |= tok_is (k, funcs[i]);
		if (!known)
			return p_err (p, k, "function \"%.*s\" not defined", (int)k->len, k->s);
		if (!(n = new_node (p, N_FUNC, k)) || !(n->names = p_alloc (p, sizeof *n->names)) ||
		    !(n->names[0] = p_strndup (p, k->s, k->len)))
			return p_oom (p);
		n->nnames = 1;
		break;
	}
	case T_LPAREN:
		if (!(n = new_node (p, N_PAREN, k)))
			return p_oom (p);
		if (parse_pipe (p, &n->pipe, T_RPAREN, 0) < 0)
			return -1;
		n->len = p->toks[p->i - 1].pos + 1 - n->pos;
		break;
	case T_NIL:
	case T_BOOL:
	case T_NUMBER:
	case T_STRING:
	case T_RAW:
	case T_CHAR:
		if (const_node (p, k, &n) < 0)
			return -1;
		break;
	default: return p_err (p, k, "unexpected \"%.*s\" in operand", (int)k->len, k->s);
	}
	for (int chained = 0; peek (p)->type == T_FIELD && !peek (p)->spaced; chained = 1) {
		k = next (p);
		if (n->kind == N_FUNC || n->kind == N_CONST || n->kind == N_DOT)
			return p_err (p, k, "unexpected . after term \"%.*s\"", (int)n->len, p->t->src + n->pos);
		if (!chained)
			n->at = k->pos;
		if (n->kind == N_PAREN)
			n->kind = N_CHAIN;
		if (add_fields (p, n, k->s, k->len) < 0)
			return -1;
		n->len = k->pos + k->len - n->pos;
	}
	*out = n;
	return 0;
}

static int
parse_cmd (struct parser *p, struct cmd **out, enum tok_type end)
{
	struct cmd *c = p_alloc (p, sizeof *c);
	size_t cap = 0;

	if (!c)
		return p_oom (p);
	c->pos = peek (p)->pos;
	for (;;) {
		struct tok *k = peek (p);
		if (k->type == end || k->type == T_PIPE) {
			if (c->nargs == 0)
				return p_err (p, k, "missing value for command");
			break;
		}
		if (k->type == T_RIGHT || k->type == T_RPAREN || k->type == T_EOF)
			return p_err (p, k, "unexpected \"%.*s\" in operand", (int)k->len, k->s);
		if (c->nargs == cap) {
			struct node **a = p_alloc (p, (cap = cap ? cap * 2 : 4) * sizeof *a);
			if (!a)
				return p_oom (p);
			if (c->nargs)
				memcpy (a, c->args, c->nargs * sizeof *a);
			c->args = a;
		}
		if (parse_operand (p, &c->args[c->nargs]) < 0)
			return -1;
		c->nargs++;
	}
	c->len = p->toks[p->i - 1].pos + p->toks[p->i - 1].len - c->pos;
	*out = c;
	return 0;
}

/* A pipeline up to END (consumed): [$x[, $y] :=|=] cmd | cmd ... */
static int
parse_pipe (struct parser *p, struct pipe **out, enum tok_type end, int decl_ok)
{
	struct pipe *pp = p_alloc (p, sizeof *pp);
	size_t cap = 0, i = p->i;

	if (!pp)
		return p_oom (p);
	/* declarations */
	if (p->toks[i].type == T_VAR && (p->toks[i + 1].type == T_DECLARE || p->toks[i + 1].type == T_ASSIGN ||
	                                 (decl_ok && p->toks[i + 1].type == T_COMMA && p->toks[i + 2].type == T_VAR &&
	                                  (p->toks[i + 3].type == T_DECLARE || p->toks[i + 3].type == T_ASSIGN)))) {
		int two = p->toks[i + 1].type == T_COMMA;
		struct tok *op = &p->toks[i + (two ? 3 : 1)];
		pp->assign = op->type == T_ASSIGN;
		pp->ndecl = two ? 2 : 1;
		for (int d = 0; d < pp->ndecl; d++) {
			struct tok *v = &p->toks[i + 2 * d];
			if (!(pp->decl[d] = p_strndup (p, v->s, v->len)))
				return p_oom (p);
			if (pp->assign && !var_known (p, v->s, v->len))
				return p_err (p, v, "undefined variable \"%.*s\"", (int)v->len, v->s);
		}
		p->i = op - p->toks + 1;
	}
	for (;;) {
		if (pp->ncmds == cap) {
			struct cmd **c = p_alloc (p, (cap = cap ? cap * 2 : 4) * sizeof *c);
			if (!c)
				return p_oom (p);
			if (pp->ncmds)
				memcpy (c, pp->cmds, pp->ncmds * sizeof *c);
			pp->cmds = c;
		}
		if (peek (p)->type == end && pp->ncmds == 0)
			return p_err (p, peek (p), "missing value for command");
		if (parse_cmd (p, &pp->cmds[pp->ncmds++], end) < 0)
			return -1;
		if (next (p)->type == end)
			break;
	}
	/* a declared variable is visible after its declaration */
	if (!pp->assign)
		for (int d = 0; d < pp->ndecl; d++)
			if (push_var (p, pp->decl[d]) < 0)
				return -1;
	*out = pp;
	return 0;
}

static int parse_list (struct parser *p, struct node **first, struct tok **stop);

/* {{if|with|range pipe}} list [{{else [if|with ...]}} list] {{end}} */
static int
parse_control (struct parser *p, enum node_kind kind, struct tok *kw, struct node **out)
{
	struct node *n = new_node (p, kind, kw);
	struct tok *stop;
	size_t mark = p->nvars;

	if (!n)
		return p_oom (p);
	if (parse_pipe (p, &n->pipe, T_RIGHT, kind == N_RANGE) < 0)
		return -1;
	p->loops += kind == N_RANGE;
	if (parse_list (p, &n->list, &stop) < 0)
		return -1;
	p->loops -= kind == N_RANGE;
	if (!stop)
		return p_err (p, peek (p), "unexpected EOF");
	if (tok_is (stop, "else")) {
		struct tok *k = next (p);
		if ((tok_is (k, "if") && kind == N_IF) || (tok_is (k, "with") && kind == N_WITH)) {
			/* {{else if}}: an {{if}} in the else list, ending at our {{end}} */
			p->nvars = mark;
			if (parse_control (p, kind, k, &n->elselist) < 0)
				return -1;
			p->nvars = mark;
			*out = n;
			return 0;
		}
		if (k->type != T_RIGHT)
			return p_err (p, k, "unexpected %.*s in else", (int)k->len, k->s);
		p->nvars = mark;
		if (parse_list (p, &n->elselist, &stop) < 0)
			return -1;
		if (!stop || !tok_is (stop, "end"))
			return p_err (p, stop ? stop : kw, "expected end; found %s", stop ? "else" : "EOF");
	}
	if (next (p)->type != T_RIGHT)
		return p_err (p, stop, "unexpected %.*s in end", (int)p->toks[p->i - 1].len, p->toks[p->i - 1].s);
	p->nvars = mark;
	*out = n;
	return 0;
}

static int parse_named (struct parser *p, struct tok *left, struct tok *kw, struct node **out);

static int
parse_action (struct parser *p, struct node **out, struct tok **stop)
{
	struct tok *left = next (p), *k = peek (p);
	struct node *n;

	*out = NULL;
	if (tok_is (k, "end") || tok_is (k, "else")) {
		next (p);
		*stop = k;
		return 0;
	}
	if (tok_is (k, "if") || tok_is (k, "range") || tok_is (k, "with")) {
		next (p);
		return parse_control (p, k->s[0] == 'i' ? N_IF : k->s[0] == 'r' ? N_RANGE : N_WITH, k, out);
	}
	if (tok_is (k, "break") || tok_is (k, "continue")) {
		next (p);
		if (!p->loops)
			return p_err (p, k, "{{%.*s}} outside {{range}}", (int)k->len, k->s);
		if (next (p)->type != T_RIGHT)
			return p_err (p, k, "unexpected %.*s in {{%.*s}}", (int)p->toks[p->i - 1].len,
			              p->toks[p->i - 1].s, (int)k->len, k->s);
		return (*out = new_node (p, k->s[0] == 'b' ? N_BREAK : N_CONTINUE, k)) ? 0 : p_oom (p);
	}
	if (tok_is (k, "define") || tok_is (k, "template") || tok_is (k, "block")) {
		next (p);
		return parse_named (p, left, k, out);
	}
	if (k->type == T_RIGHT)
		return p_err (p, k, "missing value for command");
	if (!(n = new_node (p, N_ACTION, left)))
		return p_oom (p);
	if (parse_pipe (p, &n->pipe, T_RIGHT, 0) < 0)
		return -1;
	*out = n;
	return 0;
}

/* The body of {{define}} or {{block}} NAME, up to its {{end}}: a scope of
 * its own, where only $ is known */
static int
parse_def (struct parser *p, struct tok *kw, const char *name)
{
	size_t mark = p->nvars, i;
	int loops = p->loops;
	struct tok *stop;
	struct node *list;
	struct def *defs;

	p->nvars = 1;
	p->loops = 0;
	if (parse_list (p, &list, &stop) < 0)
		return -1;
	p->nvars = mark;
	p->loops = loops;
	if (!stop || !tok_is (stop, "end"))
		return p_err (p, stop ? stop : peek (p), "unexpected %s in define clause", stop ? "{{else}}" : "EOF");
	if (next (p)->type != T_RIGHT)
		return p_err (p, stop, "unexpected %.*s in end", (int)p->toks[p->i - 1].len, p->toks[p->i - 1].s);
	for (i = 0; i < p->t->ndefs && strcmp (p->t->defs[i].name, name); i++)
		;
	if (i < p->t->ndefs && p->t->defs[i].list && list)
		return p_err (p, kw, "template: multiple definition of template \"%s\"", name);
	if (i == p->t->ndefs) {
		/* the set's allocations live as long as the tree */
		if (!(defs = p_alloc (p, (i + 1) * sizeof *defs)))
			return p_oom (p);
		if (i)
			memcpy (defs, p->t->defs, i * sizeof *defs);
		p->t->defs = defs;
		p->t->ndefs++;
		defs[i].name = name;
	}
	if (list)
		p->t->defs[i].list = list;
	return 0;
}

/* {{define "name"}}, {{template "name" [pipe]}}, {{block "name" pipe}}:
 * LEFT the action's {{, KW its keyword */
static int
parse_named (struct parser *p, struct tok *left, struct tok *kw, struct node **out)
{
	struct tok *k = next (p);
	struct buf b = {0};
	struct node *n;
	char *name;

	if (k->type != T_STRING && k->type != T_RAW)
		return p_err (p, k, "unexpected \"%.*s\" in %.*s clause", (int)k->len, k->s, (int)kw->len, kw->s);
	if (unquote (p, k, &b) < 0 || !(name = p_strndup (p, b.p ? b.p : "", b.n))) {
		free (b.p);
		return b.oom || !p->e->msg[0] ? p_oom (p) : -1;
	}
	free (b.p);
	if (tok_is (kw, "define")) {
		if (next (p)->type != T_RIGHT)
			return p_err (p, k, "unexpected %.*s in define clause", (int)p->toks[p->i - 1].len,
			              p->toks[p->i - 1].s);
		return parse_def (p, kw, name);
	}
	if (!(n = new_node (p, N_TEMPLATE, left)) || !(n->names = p_alloc (p, sizeof *n->names)))
		return p_oom (p);
	n->names[0] = name;
	n->nnames = 1;
	n->at = k->pos;
	if (peek (p)->type == T_RIGHT && kw->s[0] == 't')
		next (p);
	else if (parse_pipe (p, &n->pipe, T_RIGHT, 0) < 0)
		return -1;
	/* the action's whole text, {{ to }}, names it in messages */
	n->len = p->toks[p->i - 1].pos + p->toks[p->i - 1].len - n->pos;
	if (kw->s[0] == 'b' && parse_def (p, kw, name) < 0)
		return -1;
	*out = n;
	return 0;
}

/* Nodes up to {{end}}, {{else}} (*STOP the keyword) or the end (NULL). */
static int
parse_list (struct parser *p, struct node **first, struct tok **stop)
{
	struct node **tail = first, *n;

	*stop = NULL;
	for (;;) {
		struct tok *k = peek (p);
		if (k->type == T_EOF)
			return 0;
		if (k->type == T_TEXT) {
			next (p);
			if (!(n = new_node (p, N_TEXT, k)))
				return p_oom (p);
			n->text = (char *)k->s;
			n->textlen = k->len;
		} else if (parse_action (p, &n, stop) < 0) {
			return -1;
		} else if (*stop) {
			return 0;
		} else if (!n) {
			continue;
		}
		*tail = n;
		tail = &n->next;
	}
}

void
gotmpl_free (struct gotmpl *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nmem; i++)
		free (t->mem[i]);
	free (t->mem);
	json_decref (t->consts);
	free (t->src);
	free (t->name);
	free (t);
}

int
gotmpl_parse (const char *text, struct gotmpl **out, struct bx_err *e)
{
	return gotmpl_parse_named ("", text, out, e);
}

int
gotmpl_parse_named (const char *name, const char *text, struct gotmpl **out, struct bx_err *e)
{
	struct gotmpl *t = calloc (1, sizeof *t);
	struct lexer l = {.e = e};
	struct parser p = {.t = t, .l = &l, .e = e};
	struct tok *stop = NULL;
	int rc;

	if (!t || !(t->name = strdup (name)) || !(t->src = strdup (text)) || !(t->consts = json_array ())) {
		gotmpl_free (t);
		return err_set (e, BX_SYSTEM, ENOMEM, "template");
	}
	l.t = t->src;
	l.n = strlen (t->src);
	/* on an error the tokens so far end with EOF, and the parser names it */
	rc = lex (&l) < 0 && !l.errmsg[0] ? -1 : 0;
	if (rc == 0 && l.errmsg[0])
		rc = lex_emit (&l, T_EOF, l.errpos, l.errpos, 0);
	p.toks = l.toks;
	if (rc == 0)
		rc = push_var (&p, "$");
	if (rc == 0)
		rc = parse_list (&p, &t->root, &stop);
	if (rc == 0 && stop)
		rc = p_err (&p, stop, "unexpected {{%.*s}}", (int)stop->len, stop->s);
	if (rc == 0 && l.errmsg[0])
		rc = p_err (&p, peek (&p), "%s", l.errmsg);
	/* text nodes point into the tokens' source, which T keeps */
	free (l.toks);
	free (p.vars);
	if (rc < 0) {
		gotmpl_free (t);
		return -1;
	}
	*out = t;
	return 0;
}

/* --- execution --------------------------------------------------------- */

struct var {
	const char *name;
	json_t *v;
};

struct state {
	const struct gotmpl *t;
	const struct gotmpl_opts *o;
	const char *name; /* the template running: "" the top one */
	int depth;        /* of {{template}} calls */
	json_t *top;
	struct buf out;
	struct var *vars;
	size_t nvars, capvars;
	int jump; /* 1 break, 2 continue */
	struct bx_err *e;
};

/* Go's "template: :1:2: executing "" at <.Nope>: ..." for the text at
 * POS, LEN */
static int __attribute__ ((format (printf, 3, 4))) x_err (struct state *s, const struct node *n, const char *fmt, ...)
{
	size_t pos = n->at;
	char msg[256];
	const char *src = s->t->src, *nl;
	va_list ap;

	if (s->e->msg[0])
		return -1;
	va_start (ap, fmt);
	vsnprintf (msg, sizeof msg, fmt, ap);
	va_end (ap);
	for (nl = src + pos; nl > src && nl[-1] != '\n'; nl--)
		;
	return err_set (s->e, BX_FAIL, 0, "template: %s:%d:%zu: executing \"%s\" at <%.*s>: %s", s->t->name,
	                line_of (src, pos), (size_t)(src + pos - nl), s->name, (int)n->len, src + n->pos, msg);
}

static int
x_oom (struct state *s)
{
	return err_set (s->e, BX_SYSTEM, ENOMEM, "template");
}

static int
push (struct state *s, const char *name, json_t *v)
{
	if (s->nvars == s->capvars) {
		size_t cap = s->capvars ? s->capvars * 2 : 16;
		struct var *p = realloc (s->vars, cap * sizeof *p);
		if (!p)
			return x_oom (s);
		s->vars = p;
		s->capvars = cap;
	}
	s->vars[s->nvars++] = (struct var){name, json_incref (v)};
	return 0;
}

static void
pop_to (struct state *s, size_t mark)
{
	while (s->nvars > mark)
		json_decref (s->vars[--s->nvars].v);
}

static struct var *
find_var (struct state *s, const char *name)
{
	for (size_t i = s->nvars; i-- > 0;)
		if (!strcmp (s->vars[i].name, name))
			return &s->vars[i];
	return NULL;
}

/* The Go type of RECV when the caller named it: the top value's or one
 * of its members'; NULL otherwise */
static const char *
struct_type (const struct state *s, json_t *recv)
{
	if (!s->o)
		return NULL;
	if (recv == s->top)
		return s->o->type;
	for (const char *const *m = s->o->member_types; m && m[0] && m[1]; m += 2)
		if (recv == json_object_get (s->top, m[0]))
			return m[1];
	return NULL;
}

/* Field NAME of RECV; with ARGS, a method. *OUT is a new reference or
 * NULL (no value). */
static int
eval_field (struct state *s, const struct node *n, json_t *recv, const char *name, json_t **args, size_t nargs,
            json_t **out)
{
	json_t *v;

	*out = NULL;
	if (nargs) {
		if (s->o && s->o->method && s->o->method (recv, name, args, nargs, out, s->e) < 0) {
			char msg[sizeof s->e->msg];
			memcpy (msg, s->e->msg, sizeof msg);
			s->e->msg[0] = '\0';
			return x_err (s, n, "error calling %s: %s", name, msg);
		}
		if (s->o && s->o->method)
			return 0;
		return x_err (s, n, "can't evaluate field %s in type %s", name,
		              struct_type (s, recv) ? struct_type (s, recv) : go_type (recv));
	}
	if (!recv) {
		if (s->o && s->o->missing == GOTMPL_MISSING_ERROR)
			return x_err (s, n, "nil data; no entry for key \"%s\"", name);
		return 0;
	}
	if (json_is_null (recv))
		return x_err (s, n, "nil pointer evaluating interface {}.%s", name);
	/* a formatter's field has its Go type; a decoded JSON value is an
	 * interface {} (docker inspect's) */
	if (!json_is_object (recv))
		return x_err (s, n, "can't evaluate field %s in type %s", name,
		              s->o && s->o->type ? go_type (recv) : "interface {}");
	if ((v = json_object_get (recv, name))) {
		*out = json_incref (v);
		return 0;
	}
	if (struct_type (s, recv) && s->o->missing != GOTMPL_MISSING_EMPTY)
		return x_err (s, n, "can't evaluate field %s in type %s", name, struct_type (s, recv));
	switch (s->o ? s->o->missing : GOTMPL_MISSING_NOVALUE) {
	case GOTMPL_MISSING_ERROR: return x_err (s, n, "map has no entry for key \"%s\"", name);
	case GOTMPL_MISSING_EMPTY: return (*out = json_string ("")) ? 0 : x_oom (s);
	default: return 0;
	}
}

/* The fields of N from NAMES[FIRST] on, over RECV (a borrowed reference);
 * ARGS go to the last. */
static int
eval_chain (struct state *s, const struct node *n, size_t first, json_t *recv, json_t **args, size_t nargs,
            json_t **out)
{
	json_t *cur = json_incref (recv), *v;

	for (size_t i = first; i < n->nnames; i++) {
		int last = i + 1 == n->nnames;
		int rc = eval_field (s, n, cur, n->names[i], last ? args : NULL, last ? nargs : 0, &v);
		json_decref (cur);
		if (rc < 0)
			return -1;
		cur = v;
	}
	*out = cur;
	return 0;
}

static int eval_pipe (struct state *s, json_t *dot, const struct pipe *pp, json_t **out);
static int eval_arg (struct state *s, json_t *dot, const struct node *n, json_t **out);

struct fn {
	const char *name;
	int (*call) (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out);
	int min, max; /* arguments; max -1: any */
};

static int
fn_ret_str (struct state *s, struct buf *b, json_t **out)
{
	if (b->oom || !(*out = json_stringn (b->p ? b->p : "", b->n))) {
		free (b->p);
		return x_oom (s);
	}
	free (b->p);
	return 0;
}

/* the text of V: a string as is, anything else as Go prints it */
static void
text_of (struct buf *b, json_t *v)
{
	print_value (b, v);
}

static int
fn_and_or (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	int is_or = at->names[0][0] == 'o';
	size_t i = 0;

	(void)s;
	while (i + 1 < n && is_true (a[i]) != is_or)
		i++;
	*out = json_incref (a[i]);
	return 0;
}

static int
fn_not (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	(void)at, (void)n;
	return (*out = json_boolean (!is_true (a[0]))) ? 0 : x_oom (s);
}

static int
fn_len (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	long long len;

	(void)n;
	if (json_is_string (a[0]))
		len = (long long)json_string_length (a[0]);
	else if (json_is_array (a[0]))
		len = (long long)json_array_size (a[0]);
	else if (json_is_object (a[0]))
		len = (long long)json_object_size (a[0]);
	else
		return x_err (s, at, "error calling len: len of %s%s", a[0] ? "type " : "",
		              a[0] ? go_type (a[0]) : "nil pointer");
	return (*out = json_integer (len)) ? 0 : x_oom (s);
}

static int
fn_index (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	json_t *cur = a[0];

	for (size_t i = 1; i < n; i++) {
		if (json_is_string (cur) && json_is_integer (a[i])) {
			long long k = json_integer_value (a[i]);
			if (k < 0 || (size_t)k >= json_string_length (cur))
				return x_err (s, at, "error calling index: index out of range: %lld", k);
			/* a string's element is a byte, an integer */
			*out = json_integer ((unsigned char)json_string_value (cur)[k]);
			return *out ? 0 : x_oom (s);
		} else if (json_is_object (cur) && json_is_string (a[i])) {
			cur = json_object_get (cur, json_string_value (a[i]));
		} else if (json_is_array (cur) && json_is_integer (a[i])) {
			long long k = json_integer_value (a[i]);
			if (k < 0 || (size_t)k >= json_array_size (cur))
				return x_err (s, at, "error calling index: index out of range: %lld", k);
			cur = json_array_get (cur, k);
		} else if (!cur || json_is_null (cur)) {
			return x_err (s, at, "error calling index: index of untyped nil");
		} else {
			return x_err (s, at, "error calling index: cannot index slice/array with type %s",
			              go_type (a[i]));
		}
		if (!cur)
			break;
	}
	*out = json_incref (cur);
	return 0;
}

static int
fn_slice (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	long long idx[2] = {0, -1}, len;

	if (json_is_string (a[0]))
		len = (long long)json_string_length (a[0]);
	else if (json_is_array (a[0]))
		len = (long long)json_array_size (a[0]);
	else
		return x_err (s, at, "error calling slice: can't slice item of type %s", go_type (a[0]));
	idx[1] = len;
	for (size_t i = 1; i < n && i < 3; i++) {
		if (!json_is_integer (a[i]))
			return x_err (s, at, "error calling slice: cannot index slice/array with type %s",
			              go_type (a[i]));
		idx[i - 1] = json_integer_value (a[i]);
	}
	if (n > 3)
		return x_err (s, at, "error calling slice: too many slice indexes: %zu", n - 1);
	if (idx[0] < 0 || idx[1] > len || idx[0] > idx[1])
		return x_err (s, at, "error calling slice: index out of range: %lld", idx[1] > len ? idx[1] : idx[0]);
	if (json_is_string (a[0]))
		*out = json_stringn (json_string_value (a[0]) + idx[0], idx[1] - idx[0]);
	else if ((*out = json_array ()))
		for (long long i = idx[0]; i < idx[1]; i++)
			json_array_append (*out, json_array_get (a[0], i));
	return *out ? 0 : x_oom (s);
}

static int
fn_print (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	struct buf b = {0};
	int ln = !strcmp (at->names[0], "println");

	for (size_t i = 0; i < n; i++) {
		/* Sprint: a blank between operands when neither is a string */
		if (i && (ln || (!json_is_string (a[i - 1]) && !json_is_string (a[i]))))
			buf_str (&b, " ");
		print_value (&b, a[i]);
	}
	if (ln)
		buf_str (&b, "\n");
	return fn_ret_str (s, &b, out);
}

/* Go's strconv.Quote, for %q */
static void
quote (struct buf *b, const char *p, size_t n)
{
	buf_str (b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		const char *esc = c == '"'    ? "\\\""
		                  : c == '\\' ? "\\\\"
		                  : c == '\n' ? "\\n"
		                  : c == '\t' ? "\\t"
		                  : c == '\r' ? "\\r"
		                              : NULL;
		if (esc)
			buf_str (b, esc);
		else if (c < 0x20 || c == 0x7f)
			buf_fmt (b, "\\x%02x", c);
		else
			buf_add (b, (const char *)&c, 1);
	}
	buf_str (b, "\"");
}

/* pad TEXT to WIDTH runes as fmt does: blanks, zeros or on the right */
static void
pad_to (struct buf *b, const char *text, size_t len, int width, int minus, int zero)
{
	size_t r = strbuf_utf8_runes (text, len), skip = 0;

	if (!minus && zero && len && (text[0] == '-' || text[0] == '+')) {
		buf_add (b, text, 1);
		skip = 1;
	}
	for (; !minus && width > 0 && r < (size_t)width; r++)
		buf_str (b, zero ? "0" : " ");
	buf_add (b, text + skip, len - skip);
	for (; minus && width > 0 && r < (size_t)width; r++)
		buf_str (b, " ");
}

/* one %verb of printf on V into B */
static void
format_one (struct buf *b, const char *flags, int width, int prec, char verb, json_t *v)
{
	struct buf t = {0};
	char cfmt[32];
	int minus = strchr (flags, '-') != NULL, zero = strchr (flags, '0') != NULL;
	int is_int = json_is_integer (v), is_real = json_is_real (v), is_str = json_is_string (v);
	long long iv = is_int ? json_integer_value (v) : 0;

	switch (verb) {
	case 'v':
		if (is_real && prec >= 0)
			goto g;
		print_value (&t, v);
		if (prec >= 0 && is_str)
			t.n = t.n < (size_t)prec ? t.n : (size_t)prec;
		break;
	case 's':
		if (!is_str && (is_int || is_real || json_is_boolean (v) || !v || json_is_null (v)))
			goto bad;
		print_value (&t, v);
		if (prec >= 0 && t.n > (size_t)prec)
			t.n = prec;
		break;
	case 'q':
		if (!is_str)
			goto bad;
		quote (&t, json_string_value (v), json_string_length (v));
		break;
	case 'd':
	case 'x':
	case 'X':
	case 'o':
	case 'b':
	case 'c':
		if (is_str && (verb == 'x' || verb == 'X')) {
			for (size_t i = 0; i < json_string_length (v); i++)
				buf_fmt (&t, verb == 'x' ? "%02x" : "%02X", (unsigned char)json_string_value (v)[i]);
			break;
		}
		if (!is_int)
			goto bad;
		if (verb == 'c') {
			char u[5] = {0};
			unsigned long c = (unsigned long)iv;
			if (c < 0x80)
				u[0] = c;
			else if (c < 0x800)
				u[0] = 0xc0 | c >> 6, u[1] = 0x80 | (c & 0x3f);
			else
				u[0] = 0xe0 | c >> 12, u[1] = 0x80 | ((c >> 6) & 0x3f), u[2] = 0x80 | (c & 0x3f);
			buf_str (&t, u);
			break;
		}
		if (verb == 'b') {
			char bits[70];
			int k = 69;
			unsigned long long u = iv < 0 ? -(unsigned long long)iv : (unsigned long long)iv;
			bits[k] = '\0';
			do
				bits[--k] = '0' + (u & 1);
			while (u >>= 1);
			if (iv < 0)
				bits[--k] = '-';
			buf_str (&t, bits + k);
			break;
		}
		snprintf (cfmt, sizeof cfmt, "%%%s%s.%dll%c", strchr (flags, '+') ? "+" : "",
		          strchr (flags, '#') ? "#" : "", prec < 0 ? 1 : prec, verb == 'd' ? 'd' : verb);
		if (verb != 'd' && iv < 0) {
			buf_str (&t, "-");
			iv = -iv;
		}
		buf_fmt (&t, cfmt, iv);
		break;
	case 'f':
	case 'F':
	case 'e':
	case 'E':
	case 'g':
	case 'G':
	g:
		if (!is_real)
			goto bad;
		if ((verb == 'g' || verb == 'v') && prec < 0) {
			print_float (&t, json_real_value (v));
			break;
		}
		snprintf (cfmt, sizeof cfmt, "%%%s.%d%c", strchr (flags, '+') ? "+" : "", prec < 0 ? 6 : prec,
		          verb == 'v' ? 'g' : verb);
		buf_fmt (&t, cfmt, json_real_value (v));
		break;
	case 't':
		if (!json_is_boolean (v))
			goto bad;
		print_value (&t, v);
		break;
	case 'T': buf_str (&t, go_type (v)); break;
	default:
	bad:
		buf_fmt (b, "%%!%c(", verb);
		if (v && !json_is_null (v)) {
			buf_str (b, go_type (v));
			buf_str (b, "=");
		}
		print_value (b, v && !json_is_null (v) ? v : json_null ());
		buf_str (b, ")");
		free (t.p);
		return;
	}
	pad_to (b, t.p ? t.p : "", t.n, width, minus,
	        zero && !minus && (is_int || is_real) && verb != 's' && verb != 'q' && verb != 'v');
	free (t.p);
}

static int
fn_printf (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	struct buf b = {0};
	const char *f;
	size_t arg = 1;

	if (!json_is_string (a[0]))
		return x_err (s, at, "wrong type for value; expected string; got %s", go_type (a[0]));
	f = json_string_value (a[0]);
	for (const char *p = f; *p; p++) {
		char flags[8] = {0};
		int nf = 0, width = -1, prec = -1;
		if (*p != '%') {
			buf_add (&b, p, 1);
			continue;
		}
		p++;
		while (*p && strchr ("-+# 0", *p) && nf < 7)
			flags[nf++] = *p++;
		if (*p == '*') {
			width = arg < n && json_is_integer (a[arg]) ? (int)json_integer_value (a[arg]) : 0;
			arg++, p++;
		}
		while (isdigit ((unsigned char)*p))
			width = (width < 0 ? 0 : width) * 10 + (*p++ - '0');
		if (*p == '.') {
			prec = 0;
			for (p++; isdigit ((unsigned char)*p);)
				prec = prec * 10 + (*p++ - '0');
		}
		if (!*p) {
			buf_str (&b, "%!(NOVERB)");
			break;
		}
		if (*p == '%') {
			buf_str (&b, "%");
			continue;
		}
		if (arg >= n) {
			buf_fmt (&b, "%%!%c(MISSING)", *p);
			continue;
		}
		if (width < 0 && strchr (flags, '-'))
			width = 0;
		format_one (&b, flags, width, prec, *p, a[arg++]);
	}
	if (arg < n) {
		buf_str (&b, "%!(EXTRA ");
		for (size_t i = arg; i < n; i++) {
			if (i > arg)
				buf_str (&b, ", ");
			buf_fmt (&b, "%s=", go_type (a[i]));
			print_value (&b, a[i]);
		}
		buf_str (&b, ")");
	}
	return fn_ret_str (s, &b, out);
}

/* -1, 0, 1; 2 when A and B cannot be compared */
static int
compare (json_t *a, json_t *b)
{
	if (json_is_number (a) && json_is_number (b)) {
		if (json_is_integer (a) && json_is_integer (b))
			return (json_integer_value (a) > json_integer_value (b)) -
			       (json_integer_value (a) < json_integer_value (b));
		return (json_number_value (a) > json_number_value (b)) -
		       (json_number_value (a) < json_number_value (b));
	}
	if (json_is_string (a) && json_is_string (b)) {
		int c = strcmp (json_string_value (a), json_string_value (b));
		return (c > 0) - (c < 0);
	}
	if (json_is_boolean (a) && json_is_boolean (b))
		return json_is_true (a) == json_is_true (b) ? 0 : 3;
	return 2;
}

static int
fn_compare (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	const char *op = at->names[0];
	int r = 0;

	if (!strcmp (op, "eq")) {
		for (size_t i = 1; i < n && !r; i++) {
			int c = compare (a[0], a[i]);
			if (c == 2 && (!a[0] || !a[i] || json_is_null (a[0]) || json_is_null (a[i]) ||
			               json_typeof (a[0]) == json_typeof (a[i])))
				r = json_equal (a[0], a[i]) || (!a[0] && !a[i]);
			else if (c == 2)
				return x_err (s, at, "error calling eq: incompatible types for comparison");
			else
				r = c == 0;
		}
		return (*out = json_boolean (r)) ? 0 : x_oom (s);
	}
	if (n != 2)
		return x_err (s, at, "wrong number of args for %s: want 2 got %zu", op, n);
	int c = compare (a[0], a[1]);
	if (c == 2 || (c == 3 && strcmp (op, "ne")))
		return x_err (s, at, "error calling %s: %s", op,
		              compare (a[0], a[0]) == 2 || compare (a[1], a[1]) == 2
		                  ? "invalid type for comparison"
		                  : "incompatible types for comparison");
	if (!strcmp (op, "ne"))
		r = c != 0;
	else if (!strcmp (op, "lt"))
		r = c < 0;
	else if (!strcmp (op, "le"))
		r = c <= 0;
	else if (!strcmp (op, "gt"))
		r = c > 0;
	else
		r = c >= 0;
	return (*out = json_boolean (r)) ? 0 : x_oom (s);
}

/* html, js, urlquery: Go's escapers over the Sprint of the arguments */
static int
fn_escape (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	struct buf in = {0}, b = {0};
	char kind = at->names[0][0];

	for (size_t i = 0; i < n; i++) {
		if (i && !json_is_string (a[i - 1]) && !json_is_string (a[i]))
			buf_str (&in, " ");
		print_value (&in, a[i]);
	}
	for (size_t i = 0; i < in.n; i++) {
		unsigned char c = in.p[i];
		if (kind == 'h') {
			const char *e = c == '<'    ? "&lt;"
			                : c == '>'  ? "&gt;"
			                : c == '&'  ? "&amp;"
			                : c == '\'' ? "&#39;"
			                : c == '"'  ? "&#34;"
			                : c == 0    ? "\xef\xbf\xbd"
			                            : NULL;
			e ? buf_str (&b, e) : buf_add (&b, (char *)&c, 1);
		} else if (kind == 'j') {
			if (c == '\\' || c == '\'' || c == '"')
				buf_fmt (&b, "\\%c", c);
			else if (c == '<' || c == '>' || c == '&' || c == '=' || c < 0x20)
				buf_fmt (&b, "\\u%04X", c);
			else
				buf_add (&b, (char *)&c, 1);
		} else {
			if (isalnum (c) || c == '-' || c == '_' || c == '.' || c == '~')
				buf_add (&b, (char *)&c, 1);
			else if (c == ' ')
				buf_str (&b, "+");
			else
				buf_fmt (&b, "%%%02X", c);
		}
	}
	free (in.p);
	return fn_ret_str (s, &b, out);
}

/* docker/cli's json: encoding/json without HTML escapes, except for a
 * listing's row, whose MarshalJSON escaped */
static int
fn_json (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	json_t *v = a[0] ? json_untyped (a[0]) : json_null ();
	char *js = v ? json_dumps (v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	struct buf b = {0};

	(void)at, (void)n;
	json_decref (v);
	if (!js)
		return x_oom (s);
	if (s->o && s->o->json_escape && a[0] == s->top) {
		for (const char *p = js; *p; p++) {
			const char *esc = *p == '<' ? "\\u003c" : *p == '>' ? "\\u003e" : *p == '&' ? "\\u0026" : NULL;
			esc ? buf_str (&b, esc) : buf_add (&b, p, 1);
		}
		free (js);
		return fn_ret_str (s, &b, out);
	}
	*out = json_string (js);
	free (js);
	return *out ? 0 : x_oom (s);
}

static int
fn_split (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	struct buf str = {0}, sep = {0};
	int rc = 0;

	(void)at, (void)n;
	text_of (&str, a[0]);
	text_of (&sep, a[1]);
	if (!(*out = json_array ()))
		rc = x_oom (s);
	for (size_t i = 0; rc == 0 && str.p && i <= str.n;) {
		const char *hit = sep.n ? memmem (str.p + i, str.n - i, sep.p, sep.n) : NULL;
		size_t len = sep.n ? (hit ? (size_t)(hit - str.p) - i : str.n - i) : 1;
		if (!sep.n) {
			while (i + len < str.n && ((unsigned char)str.p[i + len] & 0xc0) == 0x80)
				len++;
			if (i == str.n)
				break;
		}
		if (json_array_append_new (*out, json_stringn (str.p + i, len)) < 0)
			rc = x_oom (s);
		i += len + sep.n;
		if (sep.n && !hit)
			break;
	}
	if (rc == 0 && !str.p && sep.n && json_array_append_new (*out, json_string ("")) < 0)
		rc = x_oom (s);
	free (str.p);
	free (sep.p);
	return rc;
}

static int
fn_join (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	struct buf b = {0};
	size_t i;
	json_t *x;

	(void)n;
	if (!json_is_array (a[0]))
		return x_err (s, at, "wrong type for value; expected []string; got %s", go_type (a[0]));
	json_array_foreach (a[0], i, x)
	{
		if (i)
			text_of (&b, a[1]);
		text_of (&b, x);
	}
	return fn_ret_str (s, &b, out);
}

static int
fn_case (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	struct buf b = {0};
	char kind = at->names[0][0];
	int word = 0;

	(void)n;
	text_of (&b, a[0]);
	for (size_t i = 0; i < b.n; i++) {
		unsigned char c = b.p[i];
		if (kind == 'u' || (kind == 't' && !word))
			b.p[i] = toupper (c);
		else if (kind == 'l')
			b.p[i] = tolower (c);
		/* strings.Title: letters, digits and _ continue a word */
		word = isalnum (c) || c == '_' || c >= 0x80;
	}
	return fn_ret_str (s, &b, out);
}

static int
fn_pad_trunc (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	struct buf t = {0}, b = {0};
	int pad = at->names[0][0] == 'p';

	text_of (&t, a[0]);
	for (size_t i = 1; i < n; i++)
		if (!json_is_integer (a[i])) {
			free (t.p);
			return x_err (s, at, "wrong type for value; expected int; got %s", go_type (a[i]));
		}
	if (pad && t.n) {
		for (long long i = 0; i < json_integer_value (a[1]); i++)
			buf_str (&b, " ");
		buf_add (&b, t.p, t.n);
		for (long long i = 0; i < json_integer_value (a[2]); i++)
			buf_str (&b, " ");
	} else if (!pad) {
		long long len = json_integer_value (a[1]);
		buf_add (&b, t.p ? t.p : "", len >= 0 && (size_t)len < t.n ? (size_t)len : t.n);
	}
	free (t.p);
	return fn_ret_str (s, &b, out);
}

static int
fn_call (struct state *s, const struct node *at, json_t **a, size_t n, json_t **out)
{
	(void)a, (void)n, (void)out;
	return x_err (s, at, "error calling call: non-function of type %s", go_type (a[0]));
}

static const struct fn fns[] = {
    {"and", fn_and_or, 1, -1},   {"or", fn_and_or, 1, -1},         {"not", fn_not, 1, 1},
    {"len", fn_len, 1, 1},       {"index", fn_index, 1, -1},       {"slice", fn_slice, 1, -1},
    {"print", fn_print, 0, -1},  {"println", fn_print, 0, -1},     {"printf", fn_printf, 1, -1},
    {"eq", fn_compare, 1, -1},   {"ne", fn_compare, 2, 2},         {"lt", fn_compare, 2, 2},
    {"le", fn_compare, 2, 2},    {"gt", fn_compare, 2, 2},         {"ge", fn_compare, 2, 2},
    {"html", fn_escape, 0, -1},  {"js", fn_escape, 0, -1},         {"urlquery", fn_escape, 0, -1},
    {"json", fn_json, 1, 1},     {"split", fn_split, 2, 2},        {"join", fn_join, 2, 2},
    {"title", fn_case, 1, 1},    {"lower", fn_case, 1, 1},         {"upper", fn_case, 1, 1},
    {"pad", fn_pad_trunc, 3, 3}, {"truncate", fn_pad_trunc, 2, 2}, {"call", fn_call, 1, -1},
};

static int
is_header_fn (const char *name)
{
	static const char *const names[] = {"json",  "split", "join",     "title", "lower",
	                                    "upper", "pad",   "truncate", NULL};
	for (int i = 0; names[i]; i++)
		if (!strcmp (names[i], name))
			return 1;
	return 0;
}

static void
release (json_t **a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref (a[i]);
}

/* Command C over DOT; FINAL (borrowed, HAS_FINAL) is the previous
 * command's value, its last argument. */
static int
eval_cmd (struct state *s, json_t *dot, const struct cmd *c, json_t *final, int has_final, json_t **out)
{
	const struct node *first = c->args[0];
	size_t n = c->nargs - 1 + (has_final != 0);
	_cleanup_free_ json_t **a = calloc (n + 1, sizeof *a);
	int rc = 0;

	*out = NULL;
	if (!a)
		return x_oom (s);
	if (first->kind != N_FUNC && first->kind != N_FIELD && first->kind != N_VAR && first->kind != N_CHAIN && n > 0)
		return x_err (s, first, "can't give argument to non-function %.*s", (int)first->len,
		              s->t->src + first->pos);
	for (size_t i = 1; i < c->nargs && rc == 0; i++)
		rc = eval_arg (s, dot, c->args[i], &a[i - 1]);
	if (has_final)
		a[n - 1] = json_incref (final);
	if (rc == 0) {
		switch (first->kind) {
		case N_FUNC: {
			const struct fn *f = NULL;
			/* Go places a call's errors at the whole command: <index .L 9> */
			struct node call = *first;
			call.pos = c->pos, call.len = c->len;
			for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
				if (!strcmp (fns[i].name, first->names[0]))
					f = &fns[i];
			if (s->o && s->o->header && n && is_header_fn (first->names[0]))
				*out = json_incref (a[0]);
			else if ((int)n < f->min || (f->max >= 0 && (int)n > f->max))
				rc = x_err (s, &call, "wrong number of args for %s: want %s%d got %zu", f->name,
				            f->max < 0 ? "at least " : "", f->max < 0 ? f->min : f->max, n);
			else
				rc = f->call (s, &call, a, n, out);
			break;
		}
		case N_FIELD: rc = eval_chain (s, first, 0, dot, a, n, out); break;
		case N_VAR: {
			struct var *v = find_var (s, first->names[0]);
			rc = eval_chain (s, first, 1, v ? v->v : NULL, a, n, out);
			break;
		}
		case N_CHAIN: {
			json_t *recv;
			if ((rc = eval_pipe (s, dot, first->pipe, &recv)) == 0)
				rc = eval_chain (s, first, 0, recv, a, n, out);
			json_decref (recv);
			break;
		}
		default: rc = eval_arg (s, dot, first, out);
		}
	}
	release (a, n);
	return rc;
}

/* An argument: a field, variable, constant or parenthesised pipeline. */
static int
eval_arg (struct state *s, json_t *dot, const struct node *n, json_t **out)
{
	switch (n->kind) {
	case N_DOT: *out = json_incref (dot); return 0;
	case N_CONST: *out = json_incref (n->val); return 0;
	case N_PAREN: return eval_pipe (s, dot, n->pipe, out);
	case N_FUNC: {
		/* a function as an argument is called without arguments */
		struct cmd c = {(struct node **)&n, 1, n->pos, n->len};
		return eval_cmd (s, dot, &c, NULL, 0, out);
	}
	default: {
		struct cmd c = {(struct node **)&n, 1, n->pos, n->len};
		return eval_cmd (s, dot, &c, NULL, 0, out);
	}
	}
}

static int
eval_pipe (struct state *s, json_t *dot, const struct pipe *pp, json_t **out)
{
	json_t *v = NULL;

	*out = NULL;
	for (size_t i = 0; i < pp->ncmds; i++) {
		json_t *prev = v;
		int rc = eval_cmd (s, dot, pp->cmds[i], prev, i > 0, &v);
		json_decref (prev);
		if (rc < 0)
			return -1;
	}
	/* Go turns a nil interface{} result into no value */
	if (v && json_is_null (v) && pp->ncmds && pp->cmds[pp->ncmds - 1]->args[0]->kind == N_FUNC &&
	    !strcmp (pp->cmds[pp->ncmds - 1]->args[0]->names[0], "index")) {
		json_decref (v);
		v = NULL;
	}
	for (int d = 0; d < pp->ndecl; d++) {
		if (pp->assign) {
			struct var *x = find_var (s, pp->decl[d]);
			json_decref (x->v);
			x->v = json_incref (v);
		} else if (push (s, pp->decl[d], v) < 0) {
			json_decref (v);
			return -1;
		}
	}
	*out = v;
	return 0;
}

static int walk (struct state *s, json_t *dot, const struct node *n);

/* One turn of range: KEY (given up here) and X into the pipeline's
 * variables, then the body over X; the variables dropped after. */
static int
range_turn (struct state *s, const struct node *n, size_t mark, json_t *key, json_t *x)
{
	const struct pipe *pp = n->pipe;
	int rc = 0;

	if (pp->ndecl == 2 ? push (s, pp->decl[0], key) < 0 || push (s, pp->decl[1], x) < 0
	                   : pp->ndecl == 1 && push (s, pp->decl[0], x) < 0)
		rc = -1;
	json_decref (key);
	if (rc == 0)
		rc = walk (s, x, n->list);
	pop_to (s, mark);
	return rc;
}

static int
walk_range (struct state *s, json_t *dot, const struct node *n, json_t *v)
{
	const struct pipe *pp = n->pipe;
	size_t mark = s->nvars, count = 0, i;
	int rc = 0;
	json_t *x;

	/* the pipeline pushed its variables with the whole value: drop them */
	if (!pp->assign)
		pop_to (s, mark - pp->ndecl), mark -= pp->ndecl;
	if (json_is_array (v)) {
		count = json_array_size (v);
		json_array_foreach (v, i, x)
		{
			if ((rc = range_turn (s, n, mark, json_integer ((json_int_t)i), x)) < 0 || s->jump == 1)
				break;
			s->jump = 0;
		}
	} else if (json_is_object (v)) {
		_cleanup_free_ const char **keys = sorted_keys (v, &count);
		if (!keys)
			return x_oom (s);
		for (i = 0; i < count; i++) {
			x = json_object_get (v, keys[i]);
			if ((rc = range_turn (s, n, mark, json_string (keys[i]), x)) < 0 || s->jump == 1)
				break;
			s->jump = 0;
		}
	} else if (v && !json_is_null (v)) {
		return x_err (s, n, "range can't iterate over %s", go_type (v));
	}
	s->jump = 0;
	if (rc == 0 && count == 0 && n->elselist)
		rc = walk (s, dot, n->elselist);
	return rc;
}

/* {{template "name" pipe}}: its body over the pipe's value, where $ is
 * that value and no variable of ours is seen (Go's depth limit too) */
static int
walk_template (struct state *s, json_t *dot, const struct node *n)
{
	const char *outer = s->name;
	size_t i, mark = s->nvars;
	json_t *v = NULL;
	int rc;

	for (i = 0; i < s->t->ndefs && strcmp (s->t->defs[i].name, n->names[0]); i++)
		;
	if (i == s->t->ndefs)
		return x_err (s, n, "template \"%s\" not defined", n->names[0]);
	if (s->depth >= 10000)
		return x_err (s, n, "exceeded maximum template depth (%d)", 100000);
	if (n->pipe && eval_pipe (s, dot, n->pipe, &v) < 0)
		return -1;
	if (push (s, "$", v) < 0) {
		json_decref (v);
		return -1;
	}
	s->name = n->names[0];
	s->depth++;
	rc = walk (s, v ? v : json_null (), s->t->defs[i].list);
	s->depth--;
	s->name = outer;
	pop_to (s, mark);
	json_decref (v);
	return rc;
}

static int
walk_one (struct state *s, json_t *dot, const struct node *n)
{
	json_t *v = NULL;
	size_t mark = s->nvars;
	int rc = 0;

	switch (n->kind) {
	case N_TEXT: buf_add (&s->out, n->text, n->textlen); return s->out.oom ? x_oom (s) : 0;
	case N_BREAK: s->jump = 1; return 0;
	case N_CONTINUE: s->jump = 2; return 0;
	case N_ACTION:
		if (eval_pipe (s, dot, n->pipe, &v) < 0)
			return -1;
		if (n->pipe->ndecl == 0)
			print_value (&s->out, v);
		json_decref (v);
		return s->out.oom ? x_oom (s) : 0;
	case N_IF:
	case N_WITH:
		if (eval_pipe (s, dot, n->pipe, &v) < 0)
			return -1;
		if (is_true (v))
			rc = walk (s, n->kind == N_WITH ? v : dot, n->list);
		else if (n->elselist)
			rc = walk (s, dot, n->elselist);
		break;
	case N_RANGE:
		if (eval_pipe (s, dot, n->pipe, &v) < 0)
			return -1;
		rc = walk_range (s, dot, n, v);
		break;
	case N_TEMPLATE: return walk_template (s, dot, n);
	default: break;
	}
	json_decref (v);
	pop_to (s, mark);
	return rc;
}

static int
walk (struct state *s, json_t *dot, const struct node *n)
{
	for (; n && !s->jump; n = n->next)
		if (walk_one (s, dot, n) < 0)
			return -1;
	return 0;
}

/* T over DOT into *OUT; on failure *OUT is what came before the error
 * when PARTIAL, else nothing */
static int
exec_into (const struct gotmpl *t, json_t *dot, const struct gotmpl_opts *o, char **out, int partial, struct bx_err *e)
{
	struct state s = {.t = t, .o = o, .name = t->name, .top = dot, .e = e};
	int rc;

	e->msg[0] = '\0';
	rc = push (&s, "$", dot);
	if (rc == 0)
		rc = walk (&s, dot, t->root);
	pop_to (&s, 0);
	free (s.vars);
	if (s.out.oom) {
		free (s.out.p);
		return x_oom (&s);
	}
	if (rc < 0 && !partial) {
		free (s.out.p);
		return -1;
	}
	*out = s.out.p ? s.out.p : strdup ("");
	if (!*out)
		return err_set (e, BX_SYSTEM, ENOMEM, "template");
	return rc;
}

int
gotmpl_exec (const struct gotmpl *t, json_t *dot, const struct gotmpl_opts *o, char **out, struct bx_err *e)
{
	return exec_into (t, dot, o, out, 0, e);
}

int
gotmpl_exec_partial (const struct gotmpl *t, json_t *dot, const struct gotmpl_opts *o, char **out, struct bx_err *e)
{
	return exec_into (t, dot, o, out, 1, e);
}
