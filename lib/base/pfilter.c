#include "base/pfilter.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/human.h"

/* the key of ARG: its length */
static size_t
key_len (const char *arg)
{
	return strcspn (arg, "=");
}

static int
key_is (const char *arg, const char *key)
{
	size_t n = key_len (arg);

	return n == strlen (key) && !strncmp (arg, key, n);
}

int
pfilter_add (struct pfilter *f, const char *arg, struct bx_err *e)
{
	if (!strchr (arg, '='))
		return err_set (e, BX_USAGE, 0, "bad format of filter (expected name=value)");
	if (f->n == PFILTER_MAX)
		return err_set (e, BX_USAGE, 0, "too many filters");
	f->arg[f->n++] = arg;
	return 0;
}

int
pfilter_check (const struct pfilter *f, const char *const *keys, struct bx_err *e)
{
	for (int i = 0; i < f->n; i++) {
		const char *const *k = keys;
		while (*k && !key_is (f->arg[i], *k))
			k++;
		if (!*k)
			return err_set (e, BX_FAIL, 0, "Invalid filter '%.*s'", (int)key_len (f->arg[i]), f->arg[i]);
	}
	return 0;
}

int
pfilter_get (const struct pfilter *f, const char *key, const char **v, int n)
{
	int got = 0;

	for (int i = 0; i < f->n; i++)
		if (key_is (f->arg[i], key)) {
			if (got < n)
				v[got] = f->arg[i] + key_len (f->arg[i]) + 1;
			got++;
		}
	return got;
}

int
pfilter_has (const struct pfilter *f, const char *key)
{
	return pfilter_get (f, key, NULL, 0) > 0;
}

static const char *
digits_skip (const char *s)
{
	while (isdigit ((unsigned char)*s))
		s++;
	return s;
}

/* Go's reading of a duration's syntax, for its error words */
static int
duration_syntax (const char *orig, struct bx_err *e)
{
	static const char *const units[] = {"ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h", NULL};
	const char *s = orig + (*orig == '-' || *orig == '+');

	if (!strcmp (s, "0"))
		return 0;
	if (!*s)
		return err_set (e, BX_FAIL, 0, "time: invalid duration \"%s\"", orig);
	while (*s) {
		const char *num = s, *u;
		size_t ulen;
		if (*s != '.' && !isdigit ((unsigned char)*s))
			return err_set (e, BX_FAIL, 0, "time: invalid duration \"%s\"", orig);
		s = digits_skip (s);
		if (*s == '.')
			s = digits_skip (s + 1);
		if (s - num == 1 && *num == '.')
			return err_set (e, BX_FAIL, 0, "time: invalid duration \"%s\"", orig);
		for (u = s; *s && *s != '.' && !isdigit ((unsigned char)*s); s++)
			;
		ulen = (size_t)(s - u);
		if (!ulen)
			return err_set (e, BX_FAIL, 0, "time: missing unit in duration \"%s\"", orig);
		for (int i = 0;; i++) {
			if (!units[i])
				return err_set (e, BX_FAIL, 0, "time: unknown unit \"%.*s\" in duration \"%s\"",
				                (int)ulen, u, orig);
			if (strlen (units[i]) == ulen && !strncmp (units[i], u, ulen))
				break;
		}
	}
	return 0;
}

int
pfilter_duration_parse (const char *v, int64_t *ns, struct bx_err *e)
{
	if (duration_syntax (v, e) < 0)
		return -1;
	if (human_go_duration_parse (v, ns) < 0)
		return err_set (e, BX_FAIL, 0, "time: invalid duration \"%s\"", v);
	return 0;
}

/* "2006-01-02", a date alone: midnight, local time as Docker reads it */
static int
date_parse (const char *v, int64_t *t)
{
	struct tm tm = {0};
	char *end = strptime (v, "%Y-%m-%d", &tm);

	if (!end || *end)
		return -1;
	tm.tm_isdst = -1;
	*t = (int64_t)mktime (&tm);
	return 0;
}

int
pfilter_time_parse (const char *v, int64_t *t, struct bx_err *e)
{
	char *end;
	double secs;
	int64_t ns;

	if (strcmp (v, "0") && human_go_duration_parse (v, &ns) == 0)
		return *t = (int64_t)time (NULL) - ns / 1000000000, 0;
	if (human_time_parse (v, t) == 0 || date_parse (v, t) == 0)
		return 0;
	errno = 0;
	secs = strtod (v, &end);
	if (end != v && !*end && !strchr (v, '-') && errno == 0)
		return *t = (int64_t)secs, 0;
	return err_set (e, BX_FAIL, 0, "failed to parse value as time or duration: \"%s\"", v);
}

int
pfilter_until (const struct pfilter *f, int64_t *until, int *set, struct bx_err *e)
{
	const char *v[2];
	int n = pfilter_get (f, "until", v, 2);

	*until = 0;
	*set = n > 0;
	if (n > 1)
		return err_set (e, BX_FAIL, 0, "more than one until filter specified");
	return n ? pfilter_time_parse (v[0], until, e) : 0;
}

/* label=K or label=K=V: is it in LABELS? */
static int
has_label (json_t *labels, const char *want)
{
	size_t klen = key_len (want);
	char key[512];
	const char *v;

	if (klen >= sizeof key)
		return 0;
	memcpy (key, want, klen);
	key[klen] = '\0';
	v = json_string_value (json_object_get (labels, key));
	return v && (!want[klen] || !strcmp (v, want + klen + 1));
}

/* MatchKVList: no value of KEY, true; no labels, false; else all match */
static int
all_match (const struct pfilter *f, const char *key, json_t *labels, int *any)
{
	const char *v[PFILTER_MAX];
	int n = pfilter_get (f, key, v, PFILTER_MAX);

	*any = n > 0;
	if (!n)
		return 1;
	if (!json_object_size (labels))
		return 0;
	for (int i = 0; i < n; i++)
		if (!has_label (labels, v[i]))
			return 0;
	return 1;
}

int
pfilter_labels_match (const struct pfilter *f, json_t *labels)
{
	int any;

	if (!all_match (f, "label", labels, &any))
		return 0;
	return !(all_match (f, "label!", labels, &any) && any);
}
