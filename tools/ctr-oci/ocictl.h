/* ocictl - the commands on a container made by `create`: start, state,
 * kill, delete, ps, list, as runc's */
#ifndef BOX_OCICTL_H
#define BOX_OCICTL_H

#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "ocicli.h"

/* Each takes the command's own arguments (ARGV[0] the command's name) and
 * returns 0, or -1 with E. */
int ocictl_start (const struct ocicli *g, int argc, char **argv, struct bx_err *e);
int ocictl_state (const struct ocicli *g, int argc, char **argv, struct bx_err *e);
int ocictl_kill (const struct ocicli *g, int argc, char **argv, struct bx_err *e);
int ocictl_delete (const struct ocicli *g, int argc, char **argv, struct bx_err *e);
int ocictl_ps (const struct ocicli *g, int argc, char **argv, struct bx_err *e);
/* pause ID, resume ID (ARGV[0] says which): the cgroup's freezer */
int ocictl_pause (const struct ocicli *g, int argc, char **argv, struct bx_err *e);
int ocictl_list (const struct ocicli *g, int argc, char **argv, struct bx_err *e);

#endif
