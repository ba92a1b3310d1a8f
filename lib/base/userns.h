/* userns - a user namespace's uid and gid maps, written from outside it
 *
 * The maps of a process's new user namespace can only be written by a
 * process outside it, once: its parent does it before the child goes on.
 * As root in the initial namespace the maps go straight to
 * /proc/PID/uid_map and gid_map; anyone else goes through newuidmap and
 * newgidmap (Debian's uidmap, setuid root, checking /etc/subuid and
 * /etc/subgid), as runc, crun and Podman do. */
#ifndef BOX_USERNS_H
#define BOX_USERNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/idmap.h"

/* a namespace's two maps (NULL: not given) */
struct userns_maps {
	const struct idmap *uid, *gid;
};

/* Write M to PID's uid_map and gid_map. Without the privilege to write
 * them ourselves (not root), a map of our own uid and gid alone is
 * written after setgroups "deny", as the kernel then demands (runc does
 * the same, and newgidmap would deny it too); any other map goes through
 * newuidmap and newgidmap (found in PATH). Errors name the file or the
 * program. */
int userns_write_maps (pid_t pid, const struct userns_maps *m, struct bx_err *e);

/* An O_CLOEXEC fd of a user namespace with M's maps and no process in
 * it (for mount_setattr's MOUNT_ATTR_IDMAP): a child made in it holds it
 * while the maps are written, then ends, as crun does; -1 on error. */
int userns_open (const struct userns_maps *m, struct bx_err *e);

#endif
