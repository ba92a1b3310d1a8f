#include "crirec.h"

#include <string.h>

int
crirec_parse (const char *line, size_t len, struct crirec *r)
{
	const char *end = line + len, *sp1 = memchr (line, ' ', len), *sp2, *sp3;

	if (!sp1 || !(sp2 = memchr (sp1 + 1, ' ', (size_t)(end - sp1 - 1))))
		return -1;
	sp3 = memchr (sp2 + 1, ' ', (size_t)(end - sp2 - 1));
	r->time = line;
	r->tlen = (size_t)(sp1 - line);
	r->err = (size_t)(sp2 - sp1 - 1) == 6 && !memcmp (sp1 + 1, "stderr", 6);
	/* a record may end at the space before its tag */
	r->partial = sp2 + 1 < end && sp2[1] == 'P';
	r->text = sp3 ? sp3 + 1 : end;
	r->textlen = sp3 ? (size_t)(end - sp3 - 1) : 0;
	return 0;
}
