/* scmp - an OCI linux.seccomp section compiled with libseccomp and loaded
 *
 * OCI semantics: defaultAction (and defaultErrnoRet), architectures,
 * flags, and syscalls: names, action, errnoRet, args (index, value,
 * valueTwo, op). Names this libseccomp does not know are skipped, as runc
 * and crun skip them; everything else malformed is an error. */
#ifndef BOX_SCMP_H
#define BOX_SCMP_H

#include "err.h"

/* Build the filter of SECCOMP (a json_t *, the linux.seccomp object) and
 * load it into the calling thread; NULL: nothing to do. */
int scmp_load (void *seccomp, struct bx_err *e);

#endif
