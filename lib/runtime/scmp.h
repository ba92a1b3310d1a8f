/* scmp - an OCI linux.seccomp section compiled with libseccomp, cached,
 * and installed
 *
 * OCI semantics: defaultAction (and defaultErrnoRet), architectures, flags
 * (SCMP_ACT_NOTIFY adds NEW_LISTENER; scmp_install returns the fd), and
 * syscalls: names, action, errnoRet, args (index, value, valueTwo, op).
 * Names this libseccomp does not know are skipped, as runc and crun skip
 * them; everything else malformed is an error.
 *
 * Compiling Docker's profile takes libseccomp about 7 ms, more than the
 * rest of a container start, so the BPF program is kept in
 * $BOX_ROOT/cache/seccomp/<fnv64 of the JSON>, with the JSON text it came
 * from (compared whole: a hash collision cannot pick a wrong filter). */
#ifndef BOX_SCMP_H
#define BOX_SCMP_H

#include <linux/filter.h>

#include "base/err.h"

struct scmp_prog {
	struct sock_filter *insns; /* NULL: no filter */
	unsigned short len;
	unsigned flags; /* SECCOMP_FILTER_FLAG_*: the spec's flags, NEW_LISTENER for SCMP_ACT_NOTIFY */
	void *buf;      /* owned */
};

/* The program for SECCOMP (a json_t *, linux.seccomp; NULL: none), from
 * the cache below ROOTFD or compiled (and cached). */
int scmp_prepare (void *seccomp, int rootfd, struct scmp_prog *p, struct bx_err *e);
/* Install P into the calling thread (in the child, before exec); the
 * listener's fd when P notifies, else 0. */
int scmp_install (const struct scmp_prog *p, struct bx_err *e);
void scmp_free (struct scmp_prog *p);

#endif
