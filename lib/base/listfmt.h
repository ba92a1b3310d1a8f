/* listfmt - render records as Docker's --format does
 *
 * A record is a JSON object (one image row, one container...). FORMAT is
 * what the user gave --format:
 *   NULL, "table"      the tool's default table (DEF, a template)
 *   "table TEMPLATE"   a header line, then one line per record, aligned on
 *                      tabs like Go's text/tabwriter (minwidth 10, padding 3)
 *   "json"             one compact JSON object per line, keys sorted
 *   TEMPLATE           one rendering per record, then a newline
 * "\t" and "\n" written as two characters in FORMAT become tab and newline.
 *
 * Templates are Go's text/template (base/gotmpl.h). A row is one of
 * docker's formatter structs: a field it lacks is an error, and
 * {{.Label "k"}} is its label k (from "Labels"). A table's header is the
 * template over HEADERS, an unknown column titled by nothing.
 */
#ifndef BOX_LISTFMT_H
#define BOX_LISTFMT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"
#include "base/gotmpl.h"

struct gotmpl;

struct listfmt {
	int table, json;
	char *tmpl;       /* the template, escapes replaced */
	struct gotmpl *t; /* TMPL parsed */
	const char *type; /* the Go type a row's unknown field names, or NULL */
	char **rows;      /* rendered rows (table mode) */
	size_t n, cap;
	char *out; /* the text so far (non-table modes) */
	size_t outlen;
};

/* Parse FORMAT (see above); DEF is the default table's template. */
int listfmt_init (struct listfmt *f, const char *format, const char *def, struct bx_err *e);
/* Table mode: render HEADERS (field name -> column title) as the header. */
int listfmt_header (struct listfmt *f, json_t *headers, struct bx_err *e);
/* Render one record. */
int listfmt_row (struct listfmt *f, json_t *rec, struct bx_err *e);
/* The whole output (aligned in table mode); owned by F, valid until
 * listfmt_free. NULL when out of memory. */
const char *listfmt_text (struct listfmt *f);
/* Write the whole output to OUT; -1 (ENOMEM) when it cannot be made. */
int listfmt_print (struct listfmt *f, FILE *out, struct bx_err *e);
void listfmt_free (struct listfmt *f);

/* Render TMPL (escapes already replaced) against DOT into a malloc'd
 * string, for `inspect --format`: a missing key is an error, as docker
 * inspect's Option("missingkey=error"). */
int listfmt_render (const char *tmpl, json_t *dot, char **out, struct bx_err *e);
/* docker inspect's output, an object at a time: each rendered alone, as
 * docker's; one whose template fails adds nothing and its error is the
 * tool's to say then (docker says each in the objects' order), the
 * others are printed at the end. */
struct listfmt_insp {
	struct gotmpl *t; /* NULL: indented JSON */
	struct gotmpl_opts o;
	json_t *all; /* JSON: the objects */
	char *text;  /* a template: the renders so far, a line each */
	size_t len;
};
/* FORMAT NULL: JSON; else parsed now (a bad one BX_USAGE: docker inspect
 * refuses it before it looks for any object). TYPE: the Go type an
 * unknown field names ("types.Volume"); NULL: a map's words, docker's
 * fallback to the raw JSON. */
int listfmt_insp_init (struct listfmt_insp *in, const char *format, const char *type, struct bx_err *e);
/* O (taken) added; -1 when its template fails (E says why). */
int listfmt_insp_add (struct listfmt_insp *in, json_t *o, struct bx_err *e);
/* The output on OUT: the JSON array, or the renders; under box an empty
 * line when no render succeeded, as docker's. */
int listfmt_insp_print (struct listfmt_insp *in, FILE *out, struct bx_err *e);
void listfmt_insp_free (struct listfmt_insp *in);
/* docker ps's look for .Size before it lists: FORMAT exactly as given
 * (a "table " prefix and escapes left in) run once over REC as a row of
 * Go type TYPE, the output dropped. */
int listfmt_dry_run (const char *format, json_t *rec, const char *type, struct bx_err *e);
/* JSON as Go's encoding/json writes it: compact, keys sorted, <>& escaped
 * as \u003c \u003e \u0026. Malloc'd; NULL when out of memory. */
char *listfmt_json_dumps_go (json_t *v, size_t flags);

#endif
