#include "volfilt.h"

#include <regex.h>
#include <string.h>

#include "base/cleanup.h"

static const char *const ls_keys[] = {"dangling", "name", "label", "driver"};
static const char *const prune_keys[] = {"label", "label!"};

static int
key_known (int which, const char *key)
{
	const char *const *keys = which == VOLFILT_LS ? ls_keys : prune_keys;
	size_t n = which == VOLFILT_LS ? sizeof ls_keys / sizeof *ls_keys : sizeof prune_keys / sizeof *prune_keys;

	for (size_t i = 0; i < n; i++)
		if (!strcmp (keys[i], key))
			return 1;
	return 0;
}

int
volfilt_add (struct volfilt *f, int which, const char *arg, struct bx_err *e)
{
	const char *eq = strchr (arg, '=');
	_cleanup_free_ char *key = eq ? strndup (arg, (size_t)(eq - arg)) : NULL;
	json_t *list;

	if (!eq)
		return err_set (e, BX_USAGE, 0, "bad format of filter (expected name=value)");
	if (!key)
		return err_set (e, BX_SYSTEM, ENOMEM, "--filter");
	if (!key_known (which, key))
		return err_set (e, BX_USAGE, 0, "Invalid filter '%s'", key);
	if (!strcmp (key, "dangling") && strcmp (eq + 1, "true") && strcmp (eq + 1, "1") && strcmp (eq + 1, "false") &&
	    strcmp (eq + 1, "0"))
		return err_set (e, BX_USAGE, 0, "Invalid filter 'dangling=[%s]'", eq + 1);
	if (!f->by)
		f->by = json_object ();
	if (!(list = json_object_get (f->by, key)))
		json_object_set_new (f->by, key, list = json_array ());
	json_array_append_new (list, json_string (eq + 1));
	return 0;
}

/* label=K or label=K=V against LABELS */
static int
label_matches (json_t *labels, const char *want)
{
	const char *eq = strchr (want, '='), *v;
	_cleanup_free_ char *key = strndup (want, eq ? (size_t)(eq - want) : strlen (want));

	v = key ? json_string_value (json_object_get (labels, key)) : NULL;
	return v && (!eq || !strcmp (v, eq + 1));
}

static int
regex_matches (const char *re, const char *s)
{
	regex_t r;
	int ok;

	if (regcomp (&r, re, REG_EXTENDED | REG_NOSUB))
		return 0;
	ok = regexec (&r, s, 0, NULL, 0) == 0;
	regfree (&r);
	return ok;
}

static int
one_matches (const char *key, const char *val, json_t *info, json_t *users)
{
	if (!strcmp (key, "dangling"))
		return (!strcmp (val, "true") || !strcmp (val, "1")) == !json_array_size (users);
	if (!strcmp (key, "name"))
		return regex_matches (val, json_string_value (json_object_get (info, "Name")));
	if (!strcmp (key, "driver"))
		return !strcmp (val, "local");
	return label_matches (json_object_get (info, "Labels"), val);
}

int
volfilt_match (const struct volfilt *f, json_t *info, json_t *users)
{
	const char *key;
	json_t *list, *v;
	size_t i;

	json_object_foreach (f->by, key, list)
	{
		int any = 0, all = 1;
		/* the daemon's MatchKVList: every label= must match, and a
		 * volume goes out only when it matches every label!= */
		if (!strcmp (key, "label") || !strcmp (key, "label!")) {
			json_array_foreach (list, i, v) all &=
			    label_matches (json_object_get (info, "Labels"), json_string_value (v));
			if (all == !strcmp (key, "label!"))
				return 0;
			continue;
		}
		json_array_foreach (list, i, v) any |= one_matches (key, json_string_value (v), info, users);
		if (!any)
			return 0;
	}
	return 1;
}

void
volfilt_free (struct volfilt *f)
{
	json_decref (f->by);
	f->by = NULL;
}
