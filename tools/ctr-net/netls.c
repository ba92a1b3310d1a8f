#include "netls.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/human.h"

static const char *const keys[] = {"driver", "id", "label", "name", "scope", "type"};

int
netls_add (struct netls *f, const char *arg, struct bx_err *e)
{
	char *eq;
	size_t i;

	if (f->n == NETLS_MAX)
		return err_set (e, BX_USAGE, 0, "too many filters");
	if (snprintf (f->buf[f->n], sizeof f->buf[0], "%s", arg) >= (int)sizeof f->buf[0] ||
	    !(eq = strchr (f->buf[f->n], '=')))
		return err_set (e, BX_USAGE, 0, "bad format of filter (expected name=value)");
	*eq = 0;
	for (i = 0; i < sizeof keys / sizeof *keys && strcmp (keys[i], f->buf[f->n]); i++)
		;
	if (i == sizeof keys / sizeof *keys)
		return err_set (e, BX_USAGE, 0, "invalid filter '%s'", f->buf[f->n]);
	f->key[f->n] = f->buf[f->n];
	f->val[f->n++] = eq + 1;
	return 0;
}

/* Docker's until=: a Unix time, an RFC 3339 time, or a Go duration ago */
static int
until_parse (const char *v, int64_t *out, struct bx_err *e)
{
	char *end;
	double secs = strtod (v, &end);
	int64_t ns;

	if (end != v && !*end)
		return *out = (int64_t)secs, 0;
	if (human_time_parse (v, out) == 0)
		return 0;
	if (human_go_duration_parse (v, &ns) == 0)
		return *out = (int64_t)time (NULL) - ns / 1000000000, 0;
	return err_set (e, BX_FAIL, 0, "failed to parse value as time or duration: \"%s\"", v);
}

int
netls_prune_add (struct netls *f, const char *arg, struct bx_err *e)
{
	const char *eq = strchr (arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : 0;

	if (!eq)
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--filter\" flag: bad format of filter (expected "
		                "name=value)",
		                arg);
	if (klen == 5 && !strncmp (arg, "until", 5))
		return until_parse (eq + 1, &f->until, e);
	if (f->n == NETLS_MAX)
		return err_set (e, BX_USAGE, 0, "too many filters");
	if (!(klen == 5 && !strncmp (arg, "label", 5)) && !(klen == 6 && !strncmp (arg, "label!", 6)))
		return err_set (e, BX_FAIL, 0, "Invalid filter '%.*s'", (int)klen, arg);
	snprintf (f->buf[f->n], sizeof f->buf[0], "%.*s", (int)klen, arg);
	f->key[f->n] = f->buf[f->n];
	f->val[f->n++] = eq + 1;
	return 0;
}

static bool
has_label (const struct net *n, const char *want)
{
	json_t *labels = json_object_get (n->config, "Labels");
	const char *eq = strchr (want, '='), *v;
	char key[256];

	snprintf (key, sizeof key, "%.*s", eq ? (int)(eq - want) : (int)strlen (want), want);
	v = json_string_value (json_object_get (labels, key));
	return v && (!eq || !strcmp (v, eq + 1));
}

static bool
one_matches (const char *key, const char *val, const struct net *n)
{
	if (!strcmp (key, "driver"))
		return !strcmp (n->driver, val);
	if (!strcmp (key, "id"))
		return !strncmp (n->id, val, strlen (val));
	if (!strcmp (key, "label"))
		return has_label (n, val);
	if (!strcmp (key, "label!"))
		return !has_label (n, val);
	if (!strcmp (key, "name"))
		return strstr (n->name, val) != NULL;
	if (!strcmp (key, "scope"))
		return !strcmp (val, "local");
	return !strcmp (val, net_is_predefined (n->name) ? "builtin" : "custom");
}

/* made before F's until= */
static bool
made_before (const struct netls *f, const struct net *n)
{
	const char *created = json_string_value (json_object_get (n->config, "Created"));
	int64_t t;

	return !f->until || (created && human_time_parse (created, &t) == 0 && t < f->until);
}

bool
netls_match (const struct netls *f, const struct net *n)
{
	if (!made_before (f, n))
		return false;
	for (int i = 0; i < f->n; i++) {
		bool any = false, seen = false;
		/* each key once: its values are alternatives */
		for (int j = 0; j < i && !seen; j++)
			seen = !strcmp (f->key[j], f->key[i]);
		if (seen)
			continue;
		for (int j = i; j < f->n && !any; j++)
			any = !strcmp (f->key[j], f->key[i]) && one_matches (f->key[j], f->val[j], n);
		if (!any)
			return false;
	}
	return true;
}
