/* idmount - idmapped mounts: a tree whose owners are shown shifted by a
 * user namespace's mappings (mount_setattr MOUNT_ATTR_IDMAP)
 *
 * A remapped container's layers stay shared: each is mounted idmapped
 * under its overlay, so an id N on disk shows as the host id that the
 * container's N maps to, without a copy per range. The user namespace
 * that carries the mapping (base/userns's userns_open) is made before
 * the container exists.
 */
#ifndef BOX_IDMOUNT_H
#define BOX_IDMOUNT_H

#include "base/err.h"

/* A detached clone (O_CLOEXEC fd) of the mount of PATH's tree, shown
 * through USERNS's mappings. BX_FAIL where idmapped mounts cannot be
 * had (the kernel or file system has none; rootless, the host's file
 * system is not the user's namespace's to idmap): the caller's cue for
 * the chowned copies. */
int idmount_clone (const char *path, int userns, struct bx_err *e);

#endif
