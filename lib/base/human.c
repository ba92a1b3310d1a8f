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

void
human_bytes (double bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
	size_t i = 0;

	while (bytes >= 1024.0 && i < sizeof units / sizeof *units - 1) {
		bytes /= 1024.0;
		i++;
	}
	snprintf (buf, len, "%.4g%s", bytes, units[i]);
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

int
human_go_duration_parse (const char *s, int64_t *ns)
{
	static const struct {
		const char *u;
		int64_t ns;
	} units[] = {{"ns", 1},       {"us", 1000},        {"\u00b5s", 1000},    {"\u03bcs", 1000},
	             {"ms", 1000000}, {"s", 1000000000LL}, {"m", 60000000000LL}, {"h", 3600000000000LL}};
	int neg = *s == '-';
	long double total = 0;

	if (*s == '-' || *s == '+')
		s++;
	if (!strcmp (s, "0"))
		return *ns = 0, 0;
	if (!*s)
		return -1;
	while (*s) {
		size_t k, best = 0, found = 0;
		char *end;
		long double v;
		/* digits and a '.', as Go: no exponent, no sign, no hex */
		end = (char *)s + strspn (s, "0123456789.");
		if (end == s || (end - s == 1 && *s == '.'))
			return -1;
		v = strtold (s, NULL);
		for (k = 0; k < sizeof units / sizeof *units; k++)
			if (!strncmp (end, units[k].u, strlen (units[k].u)) && strlen (units[k].u) > best)
				best = strlen (units[k].u), found = k + 1;
		if (!found)
			return -1;
		total += v * (long double)units[found - 1].ns;
		s = end + best;
	}
	if (total > (long double)INT64_MAX)
		return -1;
	*ns = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

/* V's digits after the point, PREC of them, trailing zeros dropped */
static void
go_fraction (char *buf, size_t len, uint64_t whole, uint64_t frac, int prec)
{
	char f[16];
	int n = snprintf (f, sizeof f, "%0*llu", prec, (unsigned long long)frac);

	while (n > 0 && f[n - 1] == '0')
		f[--n] = '\0';
	snprintf (buf, len, n ? "%llu.%s" : "%llu", (unsigned long long)whole, f);
}

void
human_go_duration (int64_t ns, char *buf, size_t len)
{
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	const char *sign = ns < 0 ? "-" : "";
	char num[48];

	if (!u)
		snprintf (buf, len, "0s");
	else if (u < 1000)
		snprintf (buf, len, "%s%lluns", sign, (unsigned long long)u);
	else if (u < 1000000) {
		go_fraction (num, sizeof num, u / 1000, u % 1000, 3);
		snprintf (buf, len, "%s%s\u00b5s", sign, num);
	} else if (u < 1000000000) {
		go_fraction (num, sizeof num, u / 1000000, u % 1000000, 6);
		snprintf (buf, len, "%s%sms", sign, num);
	} else {
		uint64_t s = u / 1000000000, h = s / 3600, m = s / 60 % 60;
		go_fraction (num, sizeof num, s % 60, u % 1000000000, 9);
		if (h)
			snprintf (buf, len, "%s%lluh%llum%ss", sign, (unsigned long long)h, (unsigned long long)m, num);
		else if (m)
			snprintf (buf, len, "%s%llum%ss", sign, (unsigned long long)m, num);
		else
			snprintf (buf, len, "%s%ss", sign, num);
	}
}

int
human_ram_parse (const char *s, int64_t *out, struct bx_err *e)
{
	const char *p = s;
	char *end;
	double v;
	int64_t mul = 1;

	if (!isdigit ((unsigned char)*p))
		goto bad;
	v = strtod (p, &end);
	p = end;
	if (*p == ' ')
		p++;
	if (*p && strchr ("kKmMgGtTpP", *p)) {
		const char *u = "kmgtp";
		for (int i = 0; u[i]; i++) {
			mul *= 1024;
			if (tolower ((unsigned char)*p) == u[i])
				break;
		}
		p++;
		if (*p == 'i' || *p == 'I')
			p++;
	}
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p || v * (double)mul > 9.2e18)
		goto bad;
	*out = (int64_t)(v * (double)mul);
	return 0;
bad:
	return err_set (e, BX_USAGE, 0, "invalid size: '%s'", s);
}
