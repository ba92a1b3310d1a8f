/* gotmpl - TAP unit tests of lib/base/gotmpl.h: a table of templates, the
 * data they run over and what Go's text/template (with docker/cli's
 * functions) gives for them */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/gotmpl.h"
#include "tap.h"

static const char *doc =
    "{\"A\":\"x\",\"N\":80,\"F\":1.5,\"Big\":1000000.0,\"L\":[\"a\",\"b\"],\"M\":{\"k\":\"v\",\"a\":1},"
    "\"E\":\"\",\"Z\":null,\"T\":true,\"S\":{\"T\":\"deep\"},\"H\":\"<&>\",\"EL\":[],\"EM\":{},"
    "\"Labels\":\"com.x=1,b=2\",\"Nested\":[{\"Name\":\"n1\"},{\"Name\":\"n2\"}]}";

static int
method (json_t *recv, const char *name, json_t **args, size_t nargs, json_t **out, struct bx_err *e)
{
	(void)recv;
	if (strcmp (name, "Echo") || nargs != 1)
		return err_set (e, BX_FAIL, 0, "no method %s", name);
	*out = json_incref (args[0]);
	return 0;
}

static const char *
run (const char *tmpl, enum gotmpl_missing missing, const char *type)
{
	static char out[1024];
	struct gotmpl_opts o = {.missing = missing, .method = method, .type = type};
	struct bx_err e = {0};
	struct gotmpl *t;
	json_t *dot = json_loads (doc, 0, NULL);
	char *s = NULL;

	if (gotmpl_parse (tmpl, &t, &e) < 0) {
		snprintf (out, sizeof out, "PARSE %d %s", e.code, e.msg);
	} else {
		if (gotmpl_exec (t, dot, &o, &s, &e) < 0)
			snprintf (out, sizeof out, "EXEC %d %s", e.code, e.msg);
		else
			snprintf (out, sizeof out, "%s", s);
		gotmpl_free (t);
	}
	free (s);
	json_decref (dot);
	return out;
}

/* template, what it gives over DOC */
static const char *const cases[][2] = {
    /* fields, dot, values as Go prints them */
    {"{{.A}}-{{ .S.T }}", "x-deep"},
    {"{{.N}} {{.F}} {{.Big}} {{.T}}", "80 1.5 1e+06 true"},
    {"{{.L}} {{.M}} {{.EL}} {{.EM}}", "[a b] map[a:1 k:v] [] map[]"},
    {"{{.Z}} {{.Nope}} {{.Nope.X}}", "<nil> <no value> <no value>"},
    {"{{.S}}", "map[T:deep]"},
    {"{{$.S}} {{with .S}}{{$.A}}{{end}}", "map[T:deep] x"},
    {"{{with .S}}{{.T}} {{$.A}}{{end}}", "deep x"},
    /* literals */
    {"{{\"q\\t\\\"\"}}{{`raw\\n`}} {{1}} {{1.0}} {{-2}} {{0x10}} {{'a'}} {{true}} {{nil | print}}",
     "q\t\"raw\\n 1 1 -2 16 97 true <nil>"},
    /* variables */
    {"{{$x := .A}}{{$x}}{{$x = \"y\"}}{{$x}}", "xy"},
    {"{{$v := .S}}{{$v.T}}", "deep"},
    /* if, else if, with, truth */
    {"{{if .E}}1{{else if .Z}}2{{else if .EL}}3{{else if .N}}4{{else}}5{{end}}", "4"},
    {"{{if not .EM}}empty{{end}}{{if and .A .N}} both{{end}}{{if or .E .Z}}{{else}} neither{{end}}",
     "empty both neither"},
    {"{{with .Nope}}y{{else}}n{{end}}{{with .L}}{{len .}}{{end}}", "n2"},
    {"{{and .A .E .N}}|{{or .E .N}}|{{and .A .N}}", "|80|80"},
    /* range */
    {"{{range .L}}<{{.}}>{{end}}", "<a><b>"},
    {"{{range $i, $v := .L}}{{$i}}={{$v}} {{end}}", "0=a 1=b "},
    {"{{range $k, $v := .M}}{{$k}}:{{$v}};{{end}}", "a:1;k:v;"},
    {"{{range $v := .M}}{{$v}}{{end}}", "1v"},
    {"{{range .EL}}x{{else}}none{{end}}{{range .Nope}}x{{else}} nil{{end}}", "none nil"},
    {"{{range .Nested}}{{.Name}},{{end}}", "n1,n2,"},
    {"{{range .L}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", "a"},
    {"{{range .L}}{{if eq . \"a\"}}{{continue}}{{end}}{{.}}{{end}}", "b"},
    {"{{range $i, $e := .L}}{{$e}}{{end}}{{$.A}}", "abx"},
    /* trim markers and comments */
    {"a  {{- .A -}}  b", "axb"},
    {"a {{/* hidden */}}b {{- /* trimmed */ -}} c", "a bc"},
    {"{{- .A}}\n", "x\n"},
    /* pipelines and parentheses */
    {"{{.A | printf \"%s!\"}}", "x!"},
    {"{{.N | printf \"%d-%s\" 7}}", "7-%!s(int=80)"},
    {"{{printf \"%s\" (index .M \"k\")}} {{(.S).T}} {{len (split \"a,b,c\" \",\")}}", "v deep 3"},
    /* printf */
    {"{{printf \"%5s|%-5s|%05d|%x|%X|%q|%t|%v|%.2f|%c\" \"ab\" \"cd\" 42 255 \"hi\" \"q\\\"\" true .L 3.14159 65}}",
     "   ab|cd   |00042|ff|6869|\"q\\\"\"|true|[a b]|3.14|A"},
    {"{{printf \"%d %s\" 1}}|{{printf \"%d\" 1 2}}|{{printf \"%d\" \"s\"}}",
     "1 %!s(MISSING)|1%!(EXTRA int=2)|%!d(string=s)"},
    {"{{printf \"%v %g %e\" .F 0.000001 1.5}}", "1.5 1e-06 1.500000e+00"},
    {"{{print \"a\" 1 2 \"b\"}}|{{println .A .N}}", "a1 2b|x 80\n"},
    /* comparisons */
    {"{{eq .N 80}} {{eq .A \"y\" \"x\"}} {{ne .A \"x\"}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2}}",
     "true true false true true true false"},
    {"{{if eq .Z nil}}isnil{{end}}", "isnil"},
    /* len, index, slice */
    {"{{len .A}} {{len .L}} {{len .M}} {{index .L 1}} {{index .M \"k\"}} {{index .M \"nope\"}}",
     "1 2 2 b v <no value>"},
    {"{{index .Nested 1 \"Name\"}} {{slice .L 1}} {{slice \"hello\" 1 3}} {{index \"abc\" 1}}", "n2 [b] el 98"},
    /* checked against the docker client here (its templates run without a daemon) */
    {"{{print \"a\" 1 2 \"b\"}}|{{println 1 2}}", "a1 2b|1 2\n"},
    {"{{1000000.0}} {{123456.0}} {{printf \"%5.1f|%-6d|%+d|%x|%08.3f\" 3.14159 42 5 \"hi\" 3.14159}}",
     "1e+06 123456   3.1|42    |+5|6869|0003.142"},
    {"{{html \"<&>'\\\"\"}} {{js \"a'b<=\"}} {{urlquery \"a b&c/\xc3\xa9\"}}",
     "&lt;&amp;&gt;&#39;&#34; a\\'b\\u003C\\u003D a+b%26c%2F%C3%A9"},
    {"{{printf \"%s\" 5}}|{{printf \"%s\" nil}}|{{and 1 0 2}}|{{or 0 \"\" 3}}|{{not 0}}",
     "%!s(int=5)|%!s(<nil>)|0|3|true"},
    {"{{range $i, $e := split \"a,b,c\" \",\"}}{{if eq $e \"b\"}}{{continue}}{{end}}{{$i}}{{$e}}{{end}}", "0a2c"},
    /* escapers */
    {"{{html .H}} {{js \"a'b<\"}} {{urlquery \"a b&c\"}}", "&lt;&amp;&gt; a\\'b\\u003C a+b%26c"},
    /* docker/cli's functions */
    {"{{json .L}} {{json .H}} {{json .Z}} {{json .N}}", "[\"a\",\"b\"] \"<&>\" null 80"},
    {"{{join .L \", \"}} {{split \"a:b\" \":\"}} {{title \"hello world-x o'neil\"}} {{lower \"AbC\"}} {{upper .A}}",
     "a, b [a b] Hello World-X O'Neil abc X"},
    {"[{{pad .A 2 1}}][{{pad .E 2 1}}] {{truncate \"abcdef\" 3}} {{truncate \"ab\" 3}}", "[  x ][] abc ab"},
    /* methods through the caller's hook */
    {"{{.Echo \"hi\"}} {{.S.Echo 1}}", "hi 1"},
    /* a set of templates */
    {"{{define \"T\"}}[{{.}}]{{end}}{{template \"T\" .A}}", "[x]"},
    {"{{template \"T\" .S}}{{define \"T\"}}{{.T}}{{$.T}}{{end}}", "deepdeep"},
    {"{{block \"B\" .A}}<{{.}}>{{end}}|{{template \"B\" .L}}", "<x>|<[a b]>"},
    {"{{template \"nope\"}}",
     "EXEC 1 template: :1:11: executing \"\" at <{{template \"nope\"}}>: template \"nope\" not defined"},
    {"{{define \"T\"}}a{{end}}{{define \"T\"}}b{{end}}",
     "PARSE 2 template: :1: template: multiple definition of template \"T\""},
    /* parse errors, worded as Go's */
    {"{{nope .A}}", "PARSE 2 template: :1: function \"nope\" not defined"},
    {"{{.A}", "PARSE 2 template: :1: bad character U+007D '}'"},
    {"{{.A", "PARSE 2 template: :1: unclosed action"},
    {"{{if .A}}x", "PARSE 2 template: :1: unexpected EOF"},
    {"x\n{{end}}", "PARSE 2 template: :2: unexpected {{end}}"},
    {"{{$y}}", "PARSE 2 template: :1: undefined variable \"$y\""},
    {"{{\"abc}}", "PARSE 2 template: :1: unterminated quoted string"},
    {"{{.A #}}", "PARSE 2 template: :1: unexpected \"#\" in operand"},
    {"{{.A \x01}}", "PARSE 2 template: :1: unrecognized character in action: U+0001 '\x01'"},
    {"{{break}}", "PARSE 2 template: :1: {{break}} outside {{range}}"},
    {"{{}}", "PARSE 2 template: :1: missing value for command"},
    {"{{define \"x\"}}{{end}}", ""},
    /* execution errors */
    {"{{.A.B}}", "EXEC 1 template: :1:4: executing \"\" at <.A.B>: can't evaluate field B in type interface {}"},
    {"{{.Z.B}}", "EXEC 1 template: :1:4: executing \"\" at <.Z.B>: nil pointer evaluating interface {}.B"},
    {"{{index .L 5}}",
     "EXEC 1 template: :1:2: executing \"\" at <index .L 5>: error calling index: index out of range: 5"},
    {"{{.A 1}}", "EXEC 1 template: :1:2: executing \"\" at <.A>: error calling A: no method A"},
    {"{{1 2}}", "EXEC 1 template: :1:2: executing \"\" at <1>: can't give argument to non-function 1"},
    {"{{lt .A 1}}",
     "EXEC 1 template: :1:2: executing \"\" at <lt .A 1>: error calling lt: incompatible types for comparison"},
};

/* TMPL over a document whose nulls at PATHS are Go's nil slices and maps */
static const char *
run_typed (const char *tmpl, const char *data, const char *const *paths)
{
	static char out[1024];
	struct gotmpl_opts o = {.missing = GOTMPL_MISSING_ERROR};
	struct bx_err e = {0};
	struct gotmpl *t = NULL;
	json_t *dot = json_loads (data, 0, NULL);
	char *s = NULL;

	gotmpl_type_nils (dot, paths);
	if (gotmpl_parse (tmpl, &t, &e) < 0 || gotmpl_exec (t, dot, &o, &s, &e) < 0)
		snprintf (out, sizeof out, "ERR %s", e.msg);
	else
		snprintf (out, sizeof out, "%s", s);
	gotmpl_free (t);
	free (s);
	json_decref (dot);
	return out;
}

static void
typed_nils (void)
{
	static const char *const paths[] = {"C.Cmd[]", "C.Labels{}", "Z[]", "N.*.Aliases[]", "Nope.X[]", NULL};
	const char *data = "{\"C\":{\"Cmd\":null,\"Labels\":null,\"Env\":null},\"Z\":[\"a\"],"
	                   "\"N\":{\"b\":{\"Aliases\":null},\"c\":{\"Aliases\":[\"x\"]}}}";

	is_str (run_typed ("{{.C.Cmd}} {{.C.Labels}} {{.C.Env}} {{.Z}}", data, paths), "[] map[] <nil> [a]",
	        "typed nils print [] and map[], an untyped null <nil>");
	is_str (run_typed ("{{len .C.Cmd}} {{if .C.Labels}}y{{else}}n{{end}}{{range .C.Cmd}}x{{end}}", data, paths),
	        "0 n", "a typed nil is empty and false");
	is_str (run_typed ("{{json .C.Cmd}} {{json .C}}", data, paths),
	        "null {\"Cmd\":null,\"Labels\":null,\"Env\":null}", "json gives null for a typed nil, nested too");
	is_str (run_typed ("{{range $k, $v := .N}}{{$k}}:{{$v.Aliases}} {{end}}", data, paths), "b:[] c:[x] ",
	        "* types every member of a map");
}

int
main (void)
{
	typed_nils ();
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		is_str (run (cases[i][0], GOTMPL_MISSING_NOVALUE, NULL), cases[i][1], cases[i][0]);
	/* docker inspect: Option("missingkey=error") */
	is_str (run ("{{.Nope}}", GOTMPL_MISSING_ERROR, NULL),
	        "EXEC 1 template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\"",
	        "missingkey=error: docker inspect's wording");
	is_str (run ("a\n {{.S.Nope}}", GOTMPL_MISSING_ERROR, NULL),
	        "EXEC 1 template: :2:5: executing \"\" at <.S.Nope>: map has no entry for key \"Nope\"",
	        "missingkey=error: line and column of a nested field");
	/* docker ps --format: a formatter struct */
	is_str (run ("{{.Nope}}", GOTMPL_MISSING_ERROR, "*formatter.containerContext"),
	        "EXEC 1 template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type "
	        "*formatter.containerContext",
	        "a row's unknown field: docker ps's wording");
	is_str (run ("{{.Nope}}|{{.A}}", GOTMPL_MISSING_EMPTY, NULL), "|x", "a header's unknown column is empty");
	return tap_done ();
}
