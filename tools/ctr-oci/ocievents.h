/* ocievents - `events`: a container's figures (runc's stats document)
 * once (--stats) or every --interval, and its OOM kills, until it stops */
#ifndef BOX_OCIEVENTS_H
#define BOX_OCIEVENTS_H

#include "base/err.h"
#include "ocicli.h"

int ocievents_events (const struct ocicli *g, int argc, char **argv, struct bx_err *e);

#endif
