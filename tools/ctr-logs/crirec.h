/* crirec - one record of a container's CRI log (containers/<id>/log), as
 * ctr-logs reads it: "TIME STREAM F|P TEXT" (ctr-spawn/crilog writes it).
 * The log is outside input to the reader: a record that does not have
 * its three fields is skipped, never read past. */
#ifndef BOX_CRIREC_H
#define BOX_CRIREC_H

#include <stddef.h>

struct crirec {
	const char *time, *text; /* point into the line */
	size_t tlen, textlen;
	int err, partial; /* stream stderr; tag P */
};

/* Split LINE (LEN bytes, no newline) into R; -1 when it has no stream. */
int crirec_parse (const char *line, size_t len, struct crirec *r);

#endif
