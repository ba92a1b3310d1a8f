/* listfmt - TAP unit tests of lib/base/listfmt.h: Docker's tabwriter
 * alignment, templates as listings and inspect run them, and output written to the stream the
 * caller gives */
#include <stdio.h>
#include <stdlib.h>

#include "base/listfmt.h"
#include "tap.h"

static const char *
render (const char *tmpl, const char *json)
{
	static char out[512];
	struct bx_err e = {0};
	json_t *dot = json_loads (json, 0, NULL);
	char *s = NULL;

	if (listfmt_render (tmpl, dot, &s, &e) < 0)
		snprintf (out, sizeof out, "ERR %s", e.msg);
	else
		snprintf (out, sizeof out, "%s", s);
	free (s);
	json_decref (dot);
	return out;
}

static void
templates (void)
{
	const char *doc = "{\"A\":\"x\",\"N\":80,\"L\":[\"a\",\"b\"],\"M\":{\"k\":\"v\",\"a\":1},\"E\":\"\",\"Z\":null,"
	                  "\"S\":{\"T\":\"deep\"},\"H\":\"<&>\"}";

	is_str (render ("{{.A}}-{{ .S.T }}", doc), "x-deep", "fields and nested fields");
	is_str (render ("{{.N}} {{.L}} {{.M}}", doc), "80 [a b] map[a:1 k:v]", "Go's %v of numbers, lists, maps");
	is_str (render ("{{.Z}}", doc), "<nil>", "null");
	is_str (render ("{{.Missing}}", doc),
	        "ERR template: :1:2: executing \"\" at <.Missing>: map has no entry for key \"Missing\"",
	        "inspect: a missing key is docker's error");
	is_str (render ("{{json .L}} {{json .H}}", doc), "[\"a\",\"b\"] \"<&>\"", "json of a field: not HTML-escaped");
	is_str (render ("{{json .}}", "{\"H\":\"<&>\"}"), "{\"H\":\"<&>\"}",
	        "json of an inspected object: not escaped");
	is_str (render ("{{upper .A}}{{lower \"Q\"}}", doc), "Xq", "upper, lower");
	is_str (render ("{{index .M \"k\"}} {{join .L \",\"}}", doc), "v a,b", "index, join");
	is_str (render ("{{if .E}}y{{else}}n{{end}}{{if .L}}{{if .A}}Y{{end}}{{end}}", doc), "nY", "if/else, nested");
	is_str (render ("{{.A | printf \"%s!\"}}", doc), "x!", "pipelines");
	is_str (render ("{{range .L}}<{{.}}>{{end}}", doc), "<a><b>", "range");
	is_str (render ("{{if .A}}x", doc), "ERR template: :1: unexpected EOF", "unclosed if");
	is_str (render ("{{end}}", doc), "ERR template: :1: unexpected {{end}}", "stray end");
}

static const char *
table (const char *format, const char *rows[])
{
	static char out[1024];
	struct listfmt f;
	struct bx_err e = {0};
	json_t *h = json_pack ("{ss ss}", "A", "COL A", "B", "B");

	listfmt_init (&f, format, "table {{.A}}\\t{{.B}}", &e);
	listfmt_header (&f, h, &e);
	for (int i = 0; rows[i]; i++) {
		json_t *r = json_loads (rows[i], 0, NULL);
		listfmt_row (&f, r, &e);
		json_decref (r);
	}
	snprintf (out, sizeof out, "%s", listfmt_text (&f));
	listfmt_free (&f);
	json_decref (h);
	return out;
}

static void
tables (void)
{
	const char *rows[] = {"{\"A\":\"a\",\"B\":\"1\"}", "{\"A\":\"a-much-longer-cell\",\"B\":\"2\"}", NULL};

	{
		const char *html[] = {"{\"A\":\"<&>\",\"B\":\"\"}", NULL};
		is_str (table ("{{json .}}|{{json .A}}", html),
		        "{\"A\":\"\\u003c\\u0026\\u003e\",\"B\":\"\"}|\"<&>\"\n",
		        "{{json .}} of a row HTML-escaped, as its MarshalJSON; a field not");
	}
	is_str (table (NULL, rows), "COL A                B\na                    1\na-much-longer-cell   2\n",
	        "widest cell + 3");
	is_str (table ("table {{.B}}\\t{{.A}}", rows), "B         COL A\n1         a\n2         a-much-longer-cell\n",
	        "at least 10 wide; the last column unpadded");
	is_str (table ("{{.A}}={{.B}}", rows), "a=1\na-much-longer-cell=2\n", "no table: no header");
	is_str (table ("json", rows), "{\"A\":\"a\",\"B\":\"1\"}\n{\"A\":\"a-much-longer-cell\",\"B\":\"2\"}\n",
	        "json lines");
}

/* "RC TEXT": listfmt_insp over DOCS (a JSON array) with FORMAT: the
 * return of the last call that failed (else 0), what it printed, then
 * the failures' messages, "|" before each */
static const char *
inspect (const char *docs, const char *format, const char *type)
{
	static char out[1024];
	struct listfmt_insp in;
	struct bx_err e = {0};
	json_t *all = json_loads (docs, 0, NULL), *o;
	char *text = NULL, errs[512] = "";
	size_t len = 0, i;
	FILE *f = open_memstream (&text, &len);
	int rc = listfmt_insp_init (&in, format, type, &e);

	if (rc == 0) {
		json_array_foreach (all, i, o)
		{
			if (listfmt_insp_add (&in, json_incref (o), &e) < 0) {
				rc = -1;
				snprintf (errs + strlen (errs), sizeof errs - strlen (errs), "|%s", e.msg);
			}
		}
		listfmt_insp_print (&in, f, &e);
		listfmt_insp_free (&in);
	} else
		snprintf (errs, sizeof errs, "|%s", e.msg);
	fclose (f);
	snprintf (out, sizeof out, "%d %s%s", rc, text, errs);
	free (text);
	json_decref (all);
	return out;
}

static void
streams (void)
{
	json_t *row = json_pack ("{ss}", "A", "a");
	struct listfmt f;
	struct bx_err e = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream (&text, &len);

	listfmt_init (&f, "{{.A}}", NULL, &e);
	listfmt_row (&f, row, &e);
	json_decref (row);
	ok (listfmt_print (&f, mem, &e) == 0, "print: 0");
	fclose (mem);
	is_str (text, "a\n", "print: the text on the stream given");
	free (text);
	listfmt_free (&f);
	is_str (inspect ("[{\"A\":\"x\"}]", NULL, NULL), "0 [\n    {\n        \"A\": \"x\"\n    }\n]\n",
	        "inspect: indented JSON");
	is_str (inspect ("[{\"A\":\"x\"},{\"A\":\"y\"}]", "{{.A}}", NULL), "0 x\ny\n", "inspect: a line per object");
	is_str (inspect ("[{\"A\":\"x\"}]", "{{range .A}}", NULL), "-1 |template: :1: unexpected EOF",
	        "inspect: a bad template fails at once, prints nothing");
	is_str (inspect ("[{\"B\":\"y\"},{\"A\":\"x\"},{\"C\":\"z\"}]", "{{.A}}", NULL),
	        "-1 x\n|template: :1:2: executing \"\" at <.A>: map has no entry for key \"A\""
	        "|template: :1:2: executing \"\" at <.A>: map has no entry for key \"A\"",
	        "inspect: an object whose render fails adds nothing, the others are printed");
	is_str (inspect ("[{\"B\":\"y\"}]", "<{{.B}}{{.A}}>", "types.Volume"),
	        "-1 |template: :1:9: executing \"\" at <.A>: can't evaluate field A in type types.Volume",
	        "inspect: none of a failed render, a struct's words");
}

int
main (void)
{
	templates ();
	tables ();
	streams ();
	return tap_done ();
}
