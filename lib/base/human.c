#include "base/human.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
human_duration (int64_t secs, char *buf, size_t len)
{
	/* go-units rounds hours to the nearest before comparing */
	int64_t minutes = secs / 60, hours = (secs + 1800) / 3600;

	if (secs < 1)
		snprintf (buf, len, "Less than a second");
	else if (secs == 1)
		snprintf (buf, len, "1 second");
	else if (secs < 60)
		snprintf (buf, len, "%lld seconds", (long long)secs);
	else if (minutes == 1)
		snprintf (buf, len, "About a minute");
	else if (minutes < 60)
		snprintf (buf, len, "%lld minutes", (long long)minutes);
	else if (hours == 1)
		snprintf (buf, len, "About an hour");
	else if (hours < 48)
		snprintf (buf, len, "%lld hours", (long long)hours);
	else if (hours < 24 * 7 * 2)
		snprintf (buf, len, "%lld days", (long long)(hours / 24));
	else if (hours < 24 * 30 * 2)
		snprintf (buf, len, "%lld weeks", (long long)(hours / 24 / 7));
	else if (hours < 24 * 365 * 2)
		snprintf (buf, len, "%lld months", (long long)(hours / 24 / 30));
	else
		snprintf (buf, len, "%lld years", (long long)(secs / 3600 / 24 / 365));
}

void
human_size (double bytes, int prec, char *buf, size_t len)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
	size_t i = 0;

	while (bytes >= 1000.0 && i < sizeof units / sizeof *units - 1) {
		bytes /= 1000.0;
		i++;
	}
	snprintf (buf, len, "%.*g%s", prec, bytes, units[i]);
}

/* Parse N digits at *S into *OUT; advances *S. */
static int
digits (const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*s)++) {
		if (!isdigit ((unsigned char)**s))
			return -1;
		v = v * 10 + (**s - '0');
	}
	*out = v;
	return 0;
}

/* "Z", "z", "+hh:mm" or "-hh:mm": the offset east of UTC in seconds. */
static int
zone (const char *s, int64_t *off)
{
	int h, m, sign;

	if ((s[0] == 'Z' || s[0] == 'z') && !s[1]) {
		*off = 0;
		return 0;
	}
	if (s[0] != '+' && s[0] != '-')
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	s++;
	if (digits (&s, 2, &h) < 0 || *s++ != ':' || digits (&s, 2, &m) < 0 || *s)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	return 0;
}

int
human_time_parse (const char *s, int64_t *out)
{
	struct tm tm = {0};
	int64_t off;

	if (!s || digits (&s, 4, &tm.tm_year) < 0 || *s++ != '-' || digits (&s, 2, &tm.tm_mon) < 0 || *s++ != '-' ||
	    digits (&s, 2, &tm.tm_mday) < 0 || (*s != 'T' && *s != 't' && *s != ' '))
		return -1;
	s++;
	if (digits (&s, 2, &tm.tm_hour) < 0 || *s++ != ':' || digits (&s, 2, &tm.tm_min) < 0 || *s++ != ':' ||
	    digits (&s, 2, &tm.tm_sec) < 0)
		return -1;
	if (*s == '.') /* fractions of a second: Docker shows whole seconds */
		for (s++; isdigit ((unsigned char)*s); s++)
			;
	if (zone (s, &off) < 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (int64_t)timegm (&tm) - off;
	return 0;
}

void
human_time_go (int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r (&tt, &tm) || !strftime (buf, len, "%Y-%m-%d %H:%M:%S %z %Z", &tm))
		snprintf (buf, len, "%lld", (long long)t);
}
