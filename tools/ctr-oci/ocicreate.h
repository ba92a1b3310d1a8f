/* ocicreate - `create` and `run`: a bundle's container set up, its
 * process left waiting for `start` (create) or started and waited for
 * (run), as runc does it */
#ifndef BOX_OCICREATE_H
#define BOX_OCICREATE_H

#include <stddef.h>

#include "base/err.h"
#include "ocicli.h"

/* create [--bundle DIR] [--pid-file F] [--console-socket S] [--no-pivot]
 * [--no-new-keyring] [--preserve-fds N] ID: 0, or -1 with E */
int ocicreate_create (const struct ocicli *g, int argc, char **argv, struct bx_err *e);
/* run [create's flags] [--detach] [--keep] ID: the container's exit code
 * (0 with --detach), or -1 with E */
int ocicreate_run (const struct ocicli *g, int argc, char **argv, struct bx_err *e);

/* The cgroup path CONFIG (config.json's cgroupsPath; NULL: none) names
 * for container ID, in OUT: systemd's "slice:prefix:name" form mapped to
 * the cgroupfs path systemd would use when SYSTEMD. */
void ocicreate_cgroup_path (const char *config, const char *id, int systemd, char *out, size_t len);

#endif
