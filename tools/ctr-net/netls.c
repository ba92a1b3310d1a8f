#include "netls.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (!strcmp (key, "name"))
		return strstr (n->name, val) != NULL;
	if (!strcmp (key, "scope"))
		return !strcmp (val, "local");
	return !strcmp (val, net_is_predefined (n->name) ? "builtin" : "custom");
}

bool
netls_match (const struct netls *f, const struct net *n)
{
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
