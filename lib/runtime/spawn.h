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

/* the points of a start where an OCI runtime's caller steps in */
enum spawn_stage {
	SPAWN_BEFORE_PIVOT, /* in the child: mounts made, root not yet pivoted (createContainer hooks) */
	SPAWN_BEFORE_EXEC   /* in the child: released by `start`, payload not yet executed (startContainer) */
};

/* What an OCI runtime adds to a start (NULL for box's own): the child
 * stops twice, once for its parent and once for a later `start`. */
struct spawn_oci {
	/* in the parent, once the child has its namespaces and before it
	 * mounts anything (createRuntime hooks; uid maps) */
	int (*created) (pid_t pid, void *arg, struct bx_err *e);
	/* in the child, at each spawn_stage */
	int (*stage) (enum spawn_stage st, void *arg, struct bx_err *e);
	/* in the child, the seccomp listener of a filter that notifies */
	int (*listener) (int fd, void *arg, struct bx_err *e);
	void *arg;
	/* an O_PATH fd of a FIFO: the child reports success once set up, then
	 * blocks opening it for writing until `start` reads it; -1: exec at once */
	int start_fifo;
	int preserve_fds; /* fds 3 .. 3+N-1 are the payload's too */
	/* >= 0, with a terminal: the child makes its pty in the container's
	 * devpts and sends the master over this unix socket (fdpass_send) */
	int console_sock;
	int no_pivot; /* MS_MOVE + chroot instead of pivot_root (a ramfs root) */
};

/* what the child is handed besides the spec */
struct spawn_io {
	int in, out, err;               /* the payload's stdin, stdout, stderr */
	int console;                    /* a pty slave: controlling terminal and /dev/console; -1: none */
	char console_path[64];          /* its name, /dev/pts/N */
	int detached;                   /* outlives its parent: no PR_SET_PDEATHSIG */
	const struct scmp_prog *filter; /* S's seccomp filter, compiled (scmp_prepare) */
	const struct spawn_oci *oci;    /* NULL: none */
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
