/* pfilter - TAP unit tests of lib/base/pfilter.h: the prune filters'
 * keys, until= as the daemon reads it, label= and label!= as MatchKVList */
#include <jansson.h>
#include <time.h>

#include "base/pfilter.h"
#include "tap.h"

static void
keys (void)
{
	static const char *const accepted[] = {"label", "label!", "until", NULL};
	struct pfilter f = {0};
	struct bx_err e = {0};
	const char *v[4];

	ok (pfilter_add (&f, "nope", &e) < 0 && e.code == BX_USAGE, "no '=': refused");
	is_str (e.msg, "bad format of filter (expected name=value)", "the CLI's words");
	ok (pfilter_add (&f, "label=a=1", &e) == 0 && pfilter_add (&f, "label!=b", &e) == 0, "label=, label!=");
	ok (pfilter_check (&f, accepted, &e) == 0, "accepted keys pass");
	is_int (pfilter_get (&f, "label", v, 4), 1, "label= once (label!= is its own key)");
	is_str (v[0], "a=1", "its value");
	ok (pfilter_add (&f, "labels=x", &e) == 0 && pfilter_check (&f, accepted, &e) < 0, "an unknown key");
	is_str (e.msg, "Invalid filter 'labels'", "the daemon's words");
}

static void
untils (void)
{
	struct pfilter f = {0};
	struct bx_err e = {0};
	int64_t t, now = (int64_t)time (NULL);
	int set;

	ok (pfilter_until (&f, &t, &set, &e) == 0 && !set, "none");
	ok (pfilter_time_parse ("1h30m", &t, &e) == 0 && t >= now - 5400 && t <= now - 5399 + 1, "a duration ago");
	ok (pfilter_time_parse ("1600000000", &t, &e) == 0 && t == 1600000000, "a Unix time");
	ok (pfilter_time_parse ("1600000000.5", &t, &e) == 0 && t == 1600000000, "with a fraction");
	ok (pfilter_time_parse ("0", &t, &e) == 0 && t == 0, "0 is the epoch");
	ok (pfilter_time_parse ("2020-09-13T12:26:40Z", &t, &e) == 0 && t == 1600000000, "RFC 3339");
	ok (pfilter_time_parse ("2020-09-13", &t, &e) == 0, "a date");
	ok (pfilter_time_parse ("x", &t, &e) < 0, "not a time");
	is_str (e.msg, "failed to parse value as time or duration: \"x\"", "the daemon's words");
	ok (pfilter_time_parse ("2020-13-45", &t, &e) < 0, "a bad date");
	pfilter_add (&f, "until=10m", &e);
	pfilter_add (&f, "until=1h", &e);
	ok (pfilter_until (&f, &t, &set, &e) < 0, "two until=");
	is_str (e.msg, "more than one until filter specified", "the daemon's words");
}

static void
durations (void)
{
	struct bx_err e = {0};
	int64_t ns;

	ok (pfilter_duration_parse ("1h30m", &ns, &e) == 0 && ns == 5400000000000LL, "1h30m");
	ok (pfilter_duration_parse ("-1.5s", &ns, &e) == 0 && ns == -1500000000LL, "-1.5s");
	ok (pfilter_duration_parse ("0", &ns, &e) == 0 && ns == 0, "0");
	ok (pfilter_duration_parse ("x", &ns, &e) < 0, "x");
	is_str (e.msg, "time: invalid duration \"x\"", "Go's words");
	ok (pfilter_duration_parse ("10", &ns, &e) < 0, "10");
	is_str (e.msg, "time: missing unit in duration \"10\"", "Go's words");
	ok (pfilter_duration_parse ("2020-01-01", &ns, &e) < 0, "a date");
	is_str (e.msg, "time: unknown unit \"-\" in duration \"2020-01-01\"", "Go's words");
	ok (pfilter_duration_parse ("", &ns, &e) < 0, "empty");
	is_str (e.msg, "time: invalid duration \"\"", "Go's words");
}

static int
match (const char *labels, const char *a, const char *b)
{
	struct pfilter f = {0};
	struct bx_err e = {0};
	json_t *l = labels ? json_loads (labels, 0, NULL) : NULL;
	int r;

	if (a)
		pfilter_add (&f, a, &e);
	if (b)
		pfilter_add (&f, b, &e);
	r = pfilter_labels_match (&f, l);
	json_decref (l);
	return r;
}

static void
labels (void)
{
	ok (match (NULL, NULL, NULL), "no filter: all pass");
	ok (match ("{\"a\":\"1\"}", "label=a", NULL), "label=K");
	ok (match ("{\"a\":\"1\"}", "label=a=1", NULL), "label=K=V");
	ok (!match ("{\"a\":\"1\"}", "label=a=2", NULL), "label=K=V, another value");
	ok (!match (NULL, "label=a", NULL), "label= and no labels");
	ok (!match ("{\"a\":\"1\"}", "label=a", "label=b"), "label= each must match");
	ok (!match ("{\"a\":\"1\"}", "label!=a", NULL), "label!= excludes");
	ok (match (NULL, "label!=a", NULL), "label!= and no labels");
	ok (match ("{\"a\":\"1\"}", "label!=a", "label!=b"), "label!= excludes only when all match");
	ok (!match ("{\"a\":\"1\",\"b\":\"2\"}", "label!=a", "label!=b=2"), "all of label!= match");
}

int
main (void)
{
	keys ();
	untils ();
	durations ();
	labels ();
	return tap_done ();
}
