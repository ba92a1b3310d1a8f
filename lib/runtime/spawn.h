/* spawn - start a container's first process, or a process inside a
 * running container, and know whether its payload was executed
 *
 * The child reports a failure before exec through a CLOEXEC pipe (its
 * exit code and one message line); EOF without a report means execve
 * succeeded. Exit codes as Docker's: 125 setup failed, 126 the payload
 * cannot be executed, 127 not found. */
#ifndef BOX_SPAWN_H
#define BOX_SPAWN_H

#include <sys/types.h>

#include "base/err.h"
#include "runtime/cgroup.h"
#include "runtime/ocispec.h"
#include "runtime/scmp.h"

enum { SPAWN_FAILED = 125, SPAWN_NOEXEC = 126, SPAWN_NOTFOUND = 127 };

/* what the child is handed besides the spec */
struct spawn_io {
	int in, out, err;               /* the payload's stdin, stdout, stderr */
	int console;                    /* a pty slave: controlling terminal and /dev/console; -1: none */
	char console_path[64];          /* its name, /dev/pts/N */
	int detached;                   /* outlives its parent: no PR_SET_PDEATHSIG */
	const struct scmp_prog *filter; /* S's seccomp filter, compiled (scmp_prepare) */
};

/* Clone the container's first process into new namespaces (S->clone_flags,
 * joining S->joins), in CG, with S's mounts, identity and payload.
 * CLONE_PARENT_TOO: the child becomes a child of our parent (the -d
 * supervisor), not ours. Returns its pid once the payload runs; on failure
 * -1 with E->code 125, 126 or 127 and, in *PID, the child to reap (or 0). */
pid_t spawn_container (const struct spec *s, const struct cgroup *cg, const struct spawn_io *io, int clone_parent_too,
                       pid_t *failed, struct bx_err *e);

/* Clone a process that joins the namespaces of the process behind PIDFD
 * (NSFLAGS: the CLONE_NEW* to join), enters CG, then runs S's payload in
 * S->cwd with S's identity, capabilities, no_new_privs and seccomp.
 * Returns as spawn_container does. */
pid_t spawn_exec (const struct spec *s, int pidfd, int nsflags, const struct cgroup *cg, const struct spawn_io *io,
                  pid_t *failed, struct bx_err *e);

/* The exit code of a wait status: the code, or 128 + the signal. */
int spawn_exit_code (int status);

#endif
