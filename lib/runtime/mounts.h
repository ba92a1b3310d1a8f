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

/* The root made private, the rootfs bound on itself (pivot_root needs a
 * mount point): an O_PATH fd of it, or -1. Done before the child becomes
 * root of its user namespace, which may not walk to the rootfs. Without
 * a mount namespace (S->mntns 0) the mounts are made in the caller's,
 * under the rootfs's bind, and the root is entered with chroot, as runc
 * does: the caller detaches the bind (umount2 MNT_DETACH of the rootfs)
 * when the container is gone. */
int mounts_root (const struct spec *s, struct bx_err *e);

/* Run S->ops against ROOTFD (mounts_root's, closed here): the steps up to
 * OP_PIVOT, pivot_root, then the rest. CONSOLE: the path of the
 * terminal's slave for OP_CONSOLE, or NULL. The caller is in its cgroup
 * and cgroup namespace already: OP_CGROUPFS shows what it sees. TREES:
 * mounts_trees_open's, or NULL. In a user namespace (S->userns) devices
 * are the host's bound (mknod is refused there), and a sysfs, mqueue or
 * cgroup file system the namespaces do not allow is the host's bound, as
 * runc and crun do. */
int mounts_run (const struct spec *s, int rootfd, const char *console, const struct mounts_oci *pv, const int *trees,
                struct bx_err *e);

/* The bind mounts of S made detached by the caller, in the initial user
 * namespace: the idmapped ones (only there may the host's file systems
 * be idmapped), and with a user namespace all of them (their sources may
 * be out of its root's reach). *TREES gets an fd per step (-1 for the
 * others), or NULL when there are none; mounts_run attaches them. */
int mounts_trees_open (const struct spec *s, int **trees, struct bx_err *e);
void mounts_trees_close (int *trees, size_t n);

/* True for a sysctl O of S that the parent writes (mounts_net_sysctls):
 * a net.* key, with a user namespace of the container's own and a
 * network namespace joined by path, which the host's user namespace owns
 * (ctr-net's): from inside, the container's root may not write it. */
int mounts_sysctl_by_parent (const struct spec *s, const struct op *o);
/* Those sysctls, written by the caller into PID's network namespace. */
int mounts_net_sysctls (const struct spec *s, pid_t pid, struct bx_err *e);

#endif
