/* listfmt, human: Docker's words for times and sizes, its tabwriter
 * alignment and the Go-template subset (TAP) */
#include <stdlib.h>

#include "base/human.h"
#include "base/listfmt.h"
#include "tap.h"

static void
durations (void)
{
	static const struct {
		long long secs;
		const char *want;
	} t[] = {
	    {0, "Less than a second"},    {1, "1 second"},
	    {59, "59 seconds"},           {60, "About a minute"},
	    {119, "About a minute"},      {120, "2 minutes"},
	    {3599, "59 minutes"},         {3600, "About an hour"},
	    {5399, "About an hour"},      {5400, "2 hours"},
	    {47 * 3600, "47 hours"},      {48 * 3600, "2 days"},
	    {13 * 86400, "13 days"},      {14 * 86400, "2 weeks"},
	    {59 * 86400, "8 weeks"},      {60 * 86400, "2 months"},
	    {729 * 86400LL, "24 months"}, {730 * 86400LL, "2 years"},
	    {-5, "Less than a second"},
	};
	char buf[64];

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		human_duration (t[i].secs, buf, sizeof buf);
		is_str (buf, t[i].want, "duration");
	}
}

static void
sizes (void)
{
	char buf[32];

	human_size (0, 3, buf, sizeof buf);
	is_str (buf, "0B", "0 bytes");
	human_size (999, 3, buf, sizeof buf);
	is_str (buf, "999B", "999 bytes");
	human_size (1035594, 3, buf, sizeof buf);
	is_str (buf, "1.04MB", "3 significant digits");
	human_size (1035594, 4, buf, sizeof buf);
	is_str (buf, "1.036MB", "4 significant digits");
	human_size (4260000, 3, buf, sizeof buf);
	is_str (buf, "4.26MB", "4.26MB");
	human_size (1500, 3, buf, sizeof buf);
	is_str (buf, "1.5kB", "trailing zeros dropped, lowercase k");
	human_size (999999, 3, buf, sizeof buf);
	is_str (buf, "1e+03kB", "Go's %g turns 999.999 into 1e+03 too");
	human_size (77e9, 3, buf, sizeof buf);
	is_str (buf, "77GB", "GB");
}

static void
times (void)
{
	int64_t t;
	char buf[64];

	ok (human_time_parse ("2024-01-01T00:00:00Z", &t) == 0 && t == 1704067200, "RFC 3339 UTC");
	ok (human_time_parse ("2024-01-01T02:00:00.123456789+02:00", &t) == 0 && t == 1704067200,
	    "fraction and offset");
	ok (human_time_parse ("2024-01-01", &t) < 0, "a date alone is refused");
	ok (human_time_parse ("2024-13-01T00:00:00Z", &t) < 0, "month 13 is refused");
	ok (human_time_parse ("2024-01-01T00:00:00", &t) < 0, "no zone is refused");
	ok (human_time_parse (NULL, &t) < 0, "NULL is refused");
	setenv ("TZ", "UTC", 1);
	human_time_go (1704067200, buf, sizeof buf);
	is_str (buf, "2024-01-01 00:00:00 +0000 UTC", "Go's time.String()");
}

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
	is_str (render ("{{.Missing}}|{{.Z}}", doc), "<no value>|<nil>", "missing and null");
	is_str (render ("{{json .L}} {{json .H}}", doc), "[\"a\",\"b\"] \"\\u003c\\u0026\\u003e\"",
	        "json, HTML-escaped");
	is_str (render ("{{upper .A}}{{lower \"Q\"}}", doc), "Xq", "upper, lower");
	is_str (render ("{{index .M \"k\"}} {{join .L \",\"}}", doc), "v a,b", "index, join");
	is_str (render ("{{if .E}}y{{else}}n{{end}}{{if .L}}{{if .A}}Y{{end}}{{end}}", doc), "nY", "if/else, nested");
	is_str (render ("{{.A | printf \"%s\"}}", doc), "ERR template: {{.A | printf \"%s\"}}: not implemented",
	        "pipelines refused");
	is_str (render ("{{range .L}}x{{end}}", doc), "ERR template: {{range .L}}: not implemented", "range refused");
	is_str (render ("{{if .A}}x", doc), "ERR template: {{if}} without {{end}}", "unclosed if");
	is_str (render ("{{end}}", doc), "ERR template: unexpected {{end}}", "stray end");
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

	is_str (table (NULL, rows), "COL A                B\na                    1\na-much-longer-cell   2\n",
	        "widest cell + 3");
	is_str (table ("table {{.B}}\\t{{.A}}", rows), "B         COL A\n1         a\n2         a-much-longer-cell\n",
	        "at least 10 wide; the last column unpadded");
	is_str (table ("{{.A}}={{.B}}", rows), "a=1\na-much-longer-cell=2\n", "no table: no header");
	is_str (table ("json", rows), "{\"A\":\"a\",\"B\":\"1\"}\n{\"A\":\"a-much-longer-cell\",\"B\":\"2\"}\n",
	        "json lines");
}

int
main (void)
{
	durations ();
	sizes ();
	times ();
	templates ();
	tables ();
	return tap_done ();
}
