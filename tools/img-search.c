/*
 * img-search - docker search: a registry's v1 search API
 *
 * usage:  img-search [--limit N] [--no-trunc] [--format FMT] [-f KEY=VALUE]... TERM
 * stdin:  unused
 * stdout: Docker's table (NAME DESCRIPTION STARS OFFICIAL AUTOMATED), or
 *         FMT rendered for each result
 * reads:  GET /v1/search?q=NAME&n=N of the registry TERM names
 *         ("host:5000/name"; else Docker Hub's index), plain http to
 *         the registries img-fetch(1) speaks plain http to
 * writes: nothing
 * exit:   0 ok, 1 a refused filter or limit, 2 usage, 5 the registry
 *         unreachable or failing
 *
 * The filters are dockerd's: stars=N (at least N), is-official=BOOL,
 * is-automated=BOOL, applied to what the registry answered.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/listfmt.h"
#include "base/strbuf.h"
#include "image/ref.h"
#include "image/registry.h"

#define DEF_TABLE "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}\t{{.IsAutomated}}"
#define INDEX_HOST "index.docker.io"
#define DESC_WIDTH 45

struct opts {
	long limit;
	int notrunc;
	const char *format, *term;
	long stars;              /* -1: no stars= filter */
	int official, automated; /* -1: no filter, else 0 or 1 */
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--limit N] [--no-trunc] [--format FMT] [-f KEY=VALUE]... TERM\n", bx_prog);
	exit (BX_USAGE);
}

/* A filter's name: stars, is-official or is-automated; NULL for another */
static const char *
search_filter_name (const char *kv)
{
	static const char *const names[] = {"stars", "is-official", "is-automated", NULL};
	size_t n = strcspn (kv, "=");

	for (int i = 0; names[i]; i++)
		if (strlen (names[i]) == n && !strncmp (kv, names[i], n))
			return names[i];
	return NULL;
}

/* A boolean filter's values (dockerd: one, exactly "true" or "false") */
static int
search_filter_bool (char **kv, int n, const char *name)
{
	const char *v = NULL;
	int bad = 0;

	for (int i = 0; i < n; i++) {
		if (search_filter_name (kv[i]) != name)
			continue;
		bad |= v && strcmp (v, kv[i] + strlen (name) + 1) != 0;
		v = kv[i] + strlen (name) + 1;
	}
	if (!v)
		return -1;
	if (bad || (strcmp (v, "true") && strcmp (v, "false"))) {
		char all[512] = "";
		for (int i = 0; i < n; i++)
			if (search_filter_name (kv[i]) == name)
				snprintf (all + strlen (all), sizeof all - strlen (all), "%s%s", *all ? " " : "",
				          kv[i] + strlen (name) + 1);
		err_die (BX_USAGE, "Invalid filter '%s=[%s]'", name, all);
	}
	return !strcmp (v, "true");
}

/* The filters, checked as dockerd checks them: the names first, then
 * the values; stars the highest given */
static void
search_filters (struct opts *o, char **kv, int n)
{
	char *end;

	for (int i = 0; i < n; i++)
		if (!search_filter_name (kv[i]))
			err_die (BX_USAGE, "Invalid filter '%.*s'", (int)strcspn (kv[i], "="), kv[i]);
	for (int i = 0; i < n; i++) {
		const char *v = kv[i] + 6;
		long stars;
		if (strncmp (kv[i], "stars=", 6))
			continue;
		stars = strtol (v, &end, 10);
		if (!*v || *end)
			err_die (BX_USAGE, "Invalid filter 'stars=%s'", v);
		if (stars > o->stars)
			o->stars = stars;
	}
	o->automated = search_filter_bool (kv, n, "is-automated");
	o->official = search_filter_bool (kv, n, "is-official");
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	enum { O_LIMIT = 256, O_NOTRUNC, O_FORMAT };
	static const struct option lo[] = {{"limit", required_argument, NULL, O_LIMIT},
	                                   {"no-trunc", no_argument, NULL, O_NOTRUNC},
	                                   {"format", required_argument, NULL, O_FORMAT},
	                                   {"filter", required_argument, NULL, 'f'},
	                                   {0, 0, 0, 0}};
	char *end, *filters[32];
	int c, nf = 0;

	while ((c = getopt_long (argc, argv, "f:", lo, NULL)) != -1) {
		switch (c) {
		case O_LIMIT:
			o->limit = strtol (optarg, &end, 10);
			if (!*optarg || *end)
				err_flag_value (optarg, "--limit", "strconv.ParseInt: parsing \"%s\": invalid syntax",
				                optarg);
			break;
		case O_NOTRUNC: o->notrunc = 1; break;
		case O_FORMAT: o->format = *optarg ? optarg : NULL; break;
		case 'f':
			if (!strchr (optarg, '=')) /* the docker client's own refusal */
				err_flag_value (optarg, "-f, --filter", "bad format of filter (expected name=value)");
			if (nf == 32)
				err_die (BX_USAGE, "too many filters");
			filters[nf++] = optarg;
			break;
		default: err_flag (argv); usage ();
		}
	}
	if (argc - optind != 1)
		usage ();
	o->term = argv[optind];
	search_filters (o, filters, nf);
	if (o->limit < 1 || o->limit > 100)
		err_die (BX_USAGE, "Limit %ld is outside the range of [1, 100]", o->limit);
}

static size_t
search_body (char *p, size_t size, size_t n, void *arg)
{
	struct strbuf *b = arg;

	strbuf_add (b, p, size * n);
	return b->oom ? 0 : size * n;
}

/* The registry's answer for TERM: its host (Docker's index when TERM
 * names none) and the name asked for */
static json_t *
search_fetch (const struct opts *o, struct bx_err *e)
{
	const char *slash = strchr (o->term, '/'), *host = INDEX_HOST, *q = o->term;
	char hostbuf[256], url[2048];
	_cleanup_free_ char *eq = NULL;
	struct strbuf body = {0};
	json_t *doc = NULL;
	long status = 0;
	CURL *c;
	CURLcode rc;

	if (slash && ref_names_host (o->term, (size_t)(slash - o->term))) {
		snprintf (hostbuf, sizeof hostbuf, "%.*s", (int)(slash - o->term), o->term);
		host = hostbuf, q = slash + 1;
	}
	if (!(c = curl_easy_init ()) || !(eq = curl_easy_escape (c, q, 0))) {
		err_set (e, BX_SYSTEM, 0, "out of memory");
		goto out;
	}
	snprintf (url, sizeof url, "%s://%s/v1/search?q=%s&n=%ld",
	          registry_is_insecure (host, getenv ("BOX_INSECURE_REGISTRIES")) ? "http" : "https", host, eq,
	          o->limit);
	curl_easy_setopt (c, CURLOPT_URL, url);
	curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, search_body);
	curl_easy_setopt (c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt (c, CURLOPT_USERAGENT, "box");
	if ((rc = curl_easy_perform (c)) != CURLE_OK) {
		err_set (e, BX_SYSTEM, 0, "%s: %s", host, curl_easy_strerror (rc));
		goto out;
	}
	curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		err_set (e, BX_SYSTEM, 0, "Unexpected status code %ld", status);
	else if (!(doc = json_loadb (body.s ? body.s : "", body.len, 0, NULL)) ||
	         !json_is_array (json_object_get (doc, "results"))) {
		err_set (e, BX_SYSTEM, 0, "%s: the search answer is not JSON with results", host);
		json_decref (doc);
		doc = NULL;
	}
out:
	curl_free (eq);
	eq = NULL;
	if (c)
		curl_easy_cleanup (c);
	strbuf_free (&body);
	return doc;
}

/* Docker's formatter: newlines as blanks, at most 45 characters ("…"
 * the 45th) unless --no-trunc */
static char *
search_description (const char *s, int notrunc)
{
	char *d = strdup (s ? s : ""), *p;
	size_t runes = 0;

	if (!d)
		return NULL;
	for (p = d; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	for (p = d; *p; p++)
		runes += ((unsigned char)*p & 0xc0) != 0x80;
	if (notrunc || runes <= DESC_WIDTH)
		return d;
	runes = 0;
	for (p = d; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80 && ++runes == DESC_WIDTH)
			break;
	*p = '\0';
	p = NULL;
	if (asprintf (&p, "%s\u2026", d) < 0)
		p = NULL;
	free (d);
	return p;
}

static int
search_shown (const struct opts *o, json_t *r)
{
	json_int_t stars = json_integer_value (json_object_get (r, "star_count"));

	return (o->stars < 0 || stars >= o->stars) &&
	       (o->official < 0 || json_is_true (json_object_get (r, "is_official")) == o->official) &&
	       (o->automated < 0 || json_is_true (json_object_get (r, "is_automated")) == o->automated);
}

static json_t *
search_record (const struct opts *o, json_t *r)
{
	_cleanup_free_ char *desc =
	    search_description (json_string_value (json_object_get (r, "description")), o->notrunc);
	char stars[32];

	snprintf (stars, sizeof stars, "%lld", (long long)json_integer_value (json_object_get (r, "star_count")));
	return json_pack ("{s:s?,s:s,s:s,s:s,s:s}", "Name", json_string_value (json_object_get (r, "name")),
	                  "Description", desc ? desc : "", "StarCount", stars, "IsOfficial",
	                  json_is_true (json_object_get (r, "is_official")) ? "[OK]" : "", "IsAutomated",
	                  json_is_true (json_object_get (r, "is_automated")) ? "[OK]" : "");
}

static int
search_print (const struct opts *o, json_t *doc, struct bx_err *e)
{
	json_t *h = json_pack ("{s:s,s:s,s:s,s:s,s:s}", "Name", "NAME", "Description", "DESCRIPTION", "StarCount",
	                       "STARS", "IsOfficial", "OFFICIAL", "IsAutomated", "AUTOMATED");
	struct listfmt f;
	json_t *r;
	size_t i;
	int rc = listfmt_init (&f, o->format, DEF_TABLE, e);

	f.type = "*registry.searchContext"; /* an unknown field's error names it, as docker's */
	if (rc == 0)
		rc = listfmt_header (&f, h, e);
	json_array_foreach (json_object_get (doc, "results"), i, r)
	{
		json_t *rec;
		if (rc < 0 || !search_shown (o, r))
			continue;
		rec = search_record (o, r);
		rc = rec ? listfmt_row (&f, rec, e) : err_set (e, BX_SYSTEM, 0, "out of memory");
		json_decref (rec);
	}
	if (rc == 0)
		rc = listfmt_print (&f, stdout, e);
	listfmt_free (&f);
	json_decref (h);
	return rc;
}

int
main (int argc, char **argv)
{
	struct opts o = {.limit = 25, .stars = -1, .official = -1, .automated = -1};
	struct bx_err e = {0};
	json_t *doc;
	int rc;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	curl_global_init (CURL_GLOBAL_DEFAULT);
	if (!(doc = search_fetch (&o, &e)))
		return err_report (&e);
	rc = search_print (&o, doc, &e) < 0 ? err_report_tmpl (&e, "template parsing error", BX_FAIL) : 0;
	json_decref (doc);
	return rc;
}
