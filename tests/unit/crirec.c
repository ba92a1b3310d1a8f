/* unit tests: ctr-logs/crirec, reading one CRI log record */
#include <stdlib.h>
#include <string.h>

#include "ctr-logs/crirec.h"
#include "tap.h"

/* LINE in a block of its own size, as the fuzz target gives it */
static int
parse (const char *line, struct crirec *r, char **own)
{
	size_t n = strlen (line);

	*own = malloc (n ? n : 1);
	memcpy (*own, line, n);
	return crirec_parse (*own, n, r);
}

int
main (void)
{
	struct crirec r;
	char *own;

	ok (parse ("2026-11-29T03:34:45.123456789Z stdout F hello world", &r, &own) == 0 && r.tlen == 30 && !r.err &&
	        !r.partial && r.textlen == 11 && !memcmp (r.text, "hello world", 11),
	    "crirec: time, stream, tag, text");
	free (own);
	ok (parse ("T stderr P ", &r, &own) == 0 && r.err && r.partial && r.textlen == 0, "crirec: stderr, P, no text");
	free (own);
	ok (parse ("nospace", &r, &own) < 0, "crirec: one field is no record");
	free (own);
	ok (parse ("T stdout", &r, &own) < 0, "crirec: two fields are no record");
	free (own);
	/* fuzz/crilog's finding: the tag was read one byte past a record that
	 * ends at the space before it (fuzz/corpus/crilog/no-tag) */
	ok (parse ("T stdout ", &r, &own) == 0 && !r.partial && r.textlen == 0, "crirec: a record cut before its tag");
	free (own);
	return tap_done ();
}
