/* mounts - a container's file systems: the setup steps of a spec, run in
 * the child, in its own mount namespace, before the payload starts
 *
 * Every target is looked up inside the root filesystem (openat2
 * RESOLVE_IN_ROOT), so an image's symbolic links cannot send a mount
 * outside it; missing targets are made (directories, or an empty file when
 * a file is bound). A read-only bind is made read-only (mount_setattr,
 * recursively for rbind) before anything of the container runs. */
#ifndef BOX_MOUNTS_H
#define BOX_MOUNTS_H

#include "base/err.h"
#include "runtime/ocispec.h"

/* what an OCI runtime asks of the mounts (NULL: nothing) */
struct mounts_oci {
	int (*before_pivot) (void *arg, struct bx_err *e); /* NULL: none */
	void *arg;
	int no_pivot; /* move the root over / and chroot: a root on ramfs cannot pivot */
	/* >= 0: the terminal is made in the container's devpts, its master
	 * sent over this socket (fdpass_send), its slave left in *console */
	int console_sock;
	int *console;
};

/* Run S->ops: the root made private, the rootfs bound on itself, the steps
 * up to OP_PIVOT against it, pivot_root, then the rest. CONSOLE: the
 * path of the terminal's slave for OP_CONSOLE, or NULL. The caller is in
 * its cgroup and cgroup namespace already: OP_CGROUPFS shows what it sees. */
int mounts_run (const struct spec *s, const char *console, const struct mounts_oci *pv, struct bx_err *e);

#endif
