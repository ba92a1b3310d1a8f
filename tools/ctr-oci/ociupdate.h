/* ociupdate - `update`: a container's cgroup limits changed while it
 * runs, from a runtime-spec resources document or runc's flags */
#ifndef BOX_OCIUPDATE_H
#define BOX_OCIUPDATE_H

#include "base/err.h"
#include "ocicli.h"

/* update [--resources FILE|-] [--memory N --cpu-quota N ...] ID */
int ociupdate_update (const struct ocicli *g, int argc, char **argv, struct bx_err *e);

#endif
