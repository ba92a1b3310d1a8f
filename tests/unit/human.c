/* human - TAP unit tests of lib/base/human.h: Docker's words for durations
 * and sizes, RFC 3339 times read and Go's time.String() written */
#include <stdlib.h>

#include "base/human.h"
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

int
main (void)
{
	durations ();
	sizes ();
	times ();
	return tap_done ();
}
