/* yload - YAML to jansson: plain scalars typed by the YAML 1.2 core schema,
 * as Compose's go-yaml v3 reads them (8080:80 is a string, not YAML 1.1's
 * sexagesimal number) */
#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "yload.h"

struct yload_line_ent {
	const json_t *node;
	int line;
};

struct yload_lines {
	struct yload_line_ent *v;
	size_t n, cap;
};

static void
lines_add (struct yload_lines *l, const json_t *node, int line)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct yload_line_ent *v = realloc (l->v, cap * sizeof *v);
		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct yload_line_ent){node, line};
}

int
yload_line (const struct yload_lines *l, const json_t *node)
{
	for (size_t k = 0; l && k < l->n; k++)
		if (l->v[k].node == node)
			return l->v[k].line;
	return 0;
}

void
yload_lines_free (struct yload_lines *l)
{
	if (l)
		free (l->v);
	free (l);
}

static int
node_line (struct fy_node *n)
{
	struct fy_token *t = fy_node_get_scalar_token (n);
	const struct fy_mark *m;

	if (!t && fy_node_is_mapping (n)) {
		void *it = NULL;
		struct fy_node_pair *p = fy_node_mapping_iterate (n, &it);
		return p ? node_line (fy_node_pair_key (p)) : 0;
	}
	if (!t && fy_node_is_sequence (n)) {
		void *it = NULL;
		struct fy_node *c = fy_node_sequence_iterate (n, &it);
		return c ? node_line (c) : 0;
	}
	m = t ? fy_token_start_mark (t) : NULL;
	return m ? m->line + 1 : 0;
}

/* *V: the integer S spells, decimal, 0x hex or 0o octal */
static int
is_int (const char *s, long long *v)
{
	const char *d = s + (*s == '-' || *s == '+');
	int base = 10;
	char *end;

	if (!strncmp (s, "0x", 2) || !strncmp (s, "0o", 2)) {
		base = s[1] == 'x' ? 16 : 8;
		d = s + 2;
	}
	if (!*d || strspn (d, base == 16 ? "0123456789abcdefABCDEF" : "0123456789") != strlen (d))
		return 0;
	errno = 0;
	*v = strtoll (base == 10 ? s : d, &end, base);
	return !errno;
}

static int
is_float (const char *s)
{
	char *end;

	if (!*s || strspn (s, "+-.0123456789eE") != strlen (s) || !strpbrk (s, "0123456789"))
		return 0;
	errno = 0;
	strtod (s, &end);
	return *end == '\0' && !errno;
}

/* a plain scalar as YAML 1.2's core schema types it */
static json_t *
plain_scalar (const char *s)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};
	long long v;

	for (int k = 0; nulls[k]; k++)
		if (!strcmp (s, nulls[k]))
			return json_null ();
	for (int k = 0; trues[k]; k++)
		if (!strcmp (s, trues[k]))
			return json_true ();
	for (int k = 0; falses[k]; k++)
		if (!strcmp (s, falses[k]))
			return json_false ();
	if (is_int (s, &v))
		return json_integer (v);
	if (is_float (s))
		return json_real (strtod (s, NULL));
	return json_string (s);
}

static json_t *
scalar (struct fy_node *n)
{
	size_t len;
	const char *s = fy_node_get_scalar (n, &len);
	_cleanup_free_ char *z = strndup (s ? s : "", s ? len : 0);
	size_t tlen = 0;
	const char *tag = fy_node_get_tag (n, &tlen);

	if (!z)
		return NULL;
	if (tag && tlen && (!strncmp (tag, "!!str", tlen) || !strncmp (tag, "tag:yaml.org,2002:str", tlen)))
		return json_string (z);
	if (fy_node_get_style (n) != FYNS_PLAIN)
		return json_string (z);
	return plain_scalar (z);
}

static json_t *convert (struct fy_node *n, struct yload_lines *l, struct bx_err *e);

static json_t *
convert_mapping (struct fy_node *n, struct yload_lines *l, struct bx_err *e)
{
	json_t *o = json_object ();
	struct fy_node_pair *p;
	void *it = NULL;

	while (o && (p = fy_node_mapping_iterate (n, &it))) {
		struct fy_node *k = fy_node_pair_key (p);
		const char *ks;
		size_t klen;
		json_t *v;

		if (!k || !fy_node_is_scalar (k)) {
			json_decref (o);
			err_set (e, BX_USAGE, 0, "line %d: a mapping key must be a string", node_line (n));
			return NULL;
		}
		ks = fy_node_get_scalar (k, &klen);
		_cleanup_free_ char *key = strndup (ks, klen);
		if (!(v = convert (fy_node_pair_value (p), l, e))) {
			json_decref (o);
			return NULL;
		}
		lines_add (l, v, node_line (k));
		json_object_set_new (o, key, v);
	}
	return o;
}

static json_t *
convert (struct fy_node *n, struct yload_lines *l, struct bx_err *e)
{
	json_t *a;
	struct fy_node *c;
	void *it = NULL;

	if (!n)
		return json_null ();
	if (fy_node_is_mapping (n))
		return convert_mapping (n, l, e);
	if (!fy_node_is_sequence (n))
		return scalar (n);
	a = json_array ();
	while (a && (c = fy_node_sequence_iterate (n, &it))) {
		json_t *v = convert (c, l, e);
		if (!v) {
			json_decref (a);
			return NULL;
		}
		lines_add (l, v, node_line (c));
		json_array_append_new (a, v);
	}
	return a;
}

/* the first message libfyaml gives, kept for the error */
static void
diag_keep (struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	char *first = user;

	(void)diag;
	if (!*first)
		snprintf (first, 512, "%.*s", (int)strcspn (buf, "\n") < (int)len ? (int)strcspn (buf, "\n") : (int)len,
		          buf);
}

int
yload_file (const char *path, json_t **out, struct yload_lines **lines, struct bx_err *e)
{
	struct fy_diag_cfg dc;
	struct fy_diag *diag;
	struct fy_parse_cfg cfg = {.flags = FYPCF_DEFAULT_VERSION_1_2};
	struct fy_document *d;
	struct yload_lines *l = calloc (1, sizeof *l);
	char first[512] = "";
	json_t *j;

	fy_diag_cfg_default (&dc);
	dc.fp = NULL;
	dc.output_fn = diag_keep;
	dc.user = first;
	dc.colorize = false;
	dc.show_source = false;
	dc.show_type = false;
	dc.show_module = false;
	dc.show_position = true;
	if (!l || !(diag = fy_diag_create (&dc))) {
		free (l);
		return err_set (e, BX_SYSTEM, ENOMEM, "%s", path);
	}
	cfg.diag = diag;
	d = fy_document_build_from_file (&cfg, path);
	if (!d || fy_document_resolve (d) < 0) {
		err_set (e, BX_USAGE, 0, "%s", *first ? first : path);
		fy_document_destroy (d);
		fy_diag_destroy (diag);
		free (l);
		return -1;
	}
	j = convert (fy_document_root (d), l, e);
	fy_document_destroy (d);
	fy_diag_destroy (diag);
	if (!j) {
		free (l);
		return err_wrap (e, "%s", path);
	}
	*out = j;
	*lines = l;
	return 0;
}
