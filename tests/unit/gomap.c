/* unit tests: base/gomap, a JSON object's keys in Go's map order */
#include <stdlib.h>

#include "base/gomap.h"
#include "tap.h"

int
main (void)
{
	json_t *o = json_pack ("{s:i, s:i, s:i}", "80/tcp", 1, "443/tcp", 2, "53/udp", 3);
	json_t *s = gomap_sorted (o), *e = json_object (), *se = gomap_sorted (e);
	char *text = s ? json_dumps (s, JSON_COMPACT) : NULL;
	char *empty;

	is_str (text, "{\"443/tcp\":2,\"53/udp\":3,\"80/tcp\":1}", "keys sorted as Go's strings, values kept");
	ok (json_object_size (o) == 3, "the object itself untouched");
	empty = se ? json_dumps (se, JSON_COMPACT) : NULL;
	is_str (empty, "{}", "an empty object");
	free (text);
	free (empty);
	json_decref (s);
	json_decref (o);
	json_decref (e);
	json_decref (se);
	return tap_done ();
}
