/* sealexe - run a program from a sealed in-memory copy of itself
 *
 * A process that joins a container before it execs the payload shows its
 * binary to the container as /proc/PID/exe. Through it, container root can
 * reopen the host's file for writing once the process is gone and replace
 * the runtime every later command runs (CVE-2019-5736). The children that
 * join a container turn non-dumpable first, which closes /proc/PID/{exe,
 * fd,root} to every process without CAP_SYS_PTRACE; where one may hold it
 * (ctr-exec into a container whose bounding set has it) or where others
 * see the child (ctr-spawn with --pid host), the program re-execs itself
 * from a memfd sealed against writes first, as runc does, so that
 * /proc/PID/exe is never the file on disk.
 */
#ifndef BOX_SEALEXE_H
#define BOX_SEALEXE_H

#include "base/err.h"

/* Return 0 when the running binary is a sealed copy already; else copy
 * /proc/self/exe into a sealed memfd and exec it with ARGV and the same
 * environment, which does not return unless it fails (-1, E set). */
int sealexe_ensure (char *const *argv, struct bx_err *e);

#endif
