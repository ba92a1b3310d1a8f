/* ociexec - `exec`: a process run in a running container's namespaces
 * and cgroup, from a process.json (--process) or the command line */
#ifndef BOX_OCIEXEC_H
#define BOX_OCIEXEC_H

#include "base/err.h"
#include "ocicli.h"

/* exec [--process F | --cwd --env --user --cap --tty ...] [--console-socket
 * S] [--pid-file F] [--detach] [--preserve-fds N] ID [ARGS...]: the
 * process's exit code (0 with --detach), or -1 with E */
int ociexec_exec (const struct ocicli *g, int argc, char **argv, struct bx_err *e);

#endif
