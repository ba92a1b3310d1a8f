/* merge - mappings merge key by key; command, entrypoint and a
 * healthcheck's test are replaced; volumes merge by their target; other
 * sequences (ports, expose, dns, cap_add ...) append what is new */
#include <string.h>

#include "merge.h"

static void merge_object (json_t *base, const json_t *over);

static int
has_equal (const json_t *a, const json_t *v)
{
	size_t k;
	json_t *it;

	json_array_foreach (a, k, it) if (json_equal (it, v)) return 1;
	return 0;
}

static void
merge_volumes (json_t *base, const json_t *over)
{
	size_t k, j;
	json_t *it, *b;

	json_array_foreach (over, k, it)
	{
		const char *t = json_string_value (json_object_get (it, "target"));
		int done = 0;
		json_array_foreach (base, j,
		                    b) if (t && !strcmp (t, json_string_value (json_object_get (b, "target")) ?: ""))
		{
			json_array_set_new (base, j, json_deep_copy (it));
			done = 1;
		}
		if (!done)
			json_array_append_new (base, json_deep_copy (it));
	}
}

static void
merge_value (json_t *parent, const char *key, const json_t *over)
{
	json_t *b = json_object_get (parent, key);
	size_t k;
	json_t *it;

	if (json_is_object (b) && json_is_object (over)) {
		merge_object (b, over);
		return;
	}
	if (json_is_array (b) && json_is_array (over) && strcmp (key, "command") && strcmp (key, "entrypoint") &&
	    strcmp (key, "test")) {
		if (!strcmp (key, "volumes")) {
			merge_volumes (b, over);
			return;
		}
		json_array_foreach (over, k, it) if (!has_equal (b, it)) json_array_append_new (b, json_deep_copy (it));
		return;
	}
	json_object_set_new (parent, key, json_deep_copy (over));
}

static void
merge_object (json_t *base, const json_t *over)
{
	const char *k;
	json_t *v;

	json_object_foreach ((json_t *)over, k, v) merge_value (base, k, v);
}

void
merge_files (json_t *base, const json_t *over)
{
	merge_object (base, over);
}
