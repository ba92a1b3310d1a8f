#include "runtime/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/fdpass.h"
#include "base/cleanup.h"
#include "base/root.h"
#include "runtime/cgroup.h"
#include "runtime/pty.h"
#include "base/userns.h"

#define FD_PATH_LEN 32

/* openat2 (DIRFD, PATH, FLAGS) with RESOLVE_IN_ROOT; unlike base/tree's,
 * mounts (/dev, /proc of the rootfs) are crossed */
static int
open_in_root (int dirfd, const char *path, int flags)
{
	struct open_how how = {.flags = (unsigned)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT};

	while (*path == '/')
		path++;
	return (int)syscall (SYS_openat2, dirfd, *path ? path : ".", &how, sizeof how);
}

static const char *
fd_path (char buf[FD_PATH_LEN], int fd)
{
	snprintf (buf, FD_PATH_LEN, "/proc/self/fd/%d", fd);
	return buf;
}

/* one missing component BUF made inside the root: a directory, or an
 * empty file (FILE) */
static int
make_one (int rootfd, char *buf, int file)
{
	char *slash = strrchr (buf, '/');
	const char *name = slash ? slash + 1 : buf;
	int parent, r;

	if (slash)
		*slash = '\0';
	parent = open_in_root (rootfd, slash ? buf : ".", O_PATH | O_DIRECTORY);
	if (slash)
		*slash = '/';
	if (parent < 0)
		return -1;
	r = file ? mknodat (parent, name, S_IFREG | 0644, 0) : mkdirat (parent, name, 0755);
	close (parent);
	return r < 0 && errno != EEXIST ? -1 : 0;
}

/* make PATH's missing parents inside the root, then PATH itself: a
 * directory, or (DIR 0) an empty file; returns an O_PATH fd of it */
static int
make_in_root (int rootfd, const char *path, int dir)
{
	char buf[4096];
	size_t len;
	int fd;

	if ((fd = open_in_root (rootfd, path, O_PATH)) >= 0 || errno != ENOENT)
		return fd;
	while (*path == '/')
		path++;
	if ((len = (size_t)snprintf (buf, sizeof buf, "%s", path)) >= sizeof buf)
		return errno = ENAMETOOLONG, -1;
	for (size_t i = 1; i <= len; i++) {
		char save = buf[i];
		if (save != '/' && save != '\0')
			continue;
		buf[i] = '\0';
		if ((fd = open_in_root (rootfd, buf, O_PATH)) < 0 && errno == ENOENT &&
		    make_one (rootfd, buf, i == len && !dir) == 0)
			fd = open_in_root (rootfd, buf, O_PATH);
		buf[i] = save;
		if (fd < 0 || i == len)
			return fd;
		close (fd);
	}
	return -1;
}

static uint64_t
mount_attrs (unsigned long ms)
{
	uint64_t a = 0;

	a |= ms & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0;
	a |= ms & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0;
	a |= ms & MS_NODEV ? MOUNT_ATTR_NODEV : 0;
	a |= ms & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0;
	a |= ms & MS_NOATIME ? MOUNT_ATTR_NOATIME : 0;
	a |= ms & MS_STRICTATIME ? MOUNT_ATTR_STRICTATIME : 0;
	a |= ms & MS_NODIRATIME ? MOUNT_ATTR_NODIRATIME : 0;
	return a;
}

/* clone SRC's tree (REC: with its submounts), set its attributes, attach
 * it at TARGET (propagation is set once attached: a detached tree refuses it) */
static int
bind_tree (int srcdir, const char *src, int target, unsigned long flags, int rec)
{
	struct mount_attr attr = {.attr_set = mount_attrs (flags)};
	_cleanup_close_ int t = -1;
	unsigned r = rec ? AT_RECURSIVE : 0;

	t = open_tree (srcdir, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | r | (*src ? 0 : AT_EMPTY_PATH));
	if (t < 0)
		return -1;
	if (attr.attr_set && mount_setattr (t, "", AT_EMPTY_PATH | r, &attr, sizeof attr) < 0)
		return -1;
	return move_mount (t, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

static int
set_propagation (int rootfd, const struct op *o)
{
	char p[FD_PATH_LEN];
	_cleanup_close_ int fd = -1;

	if (!o->prop)
		return 0;
	/* the new mount: look the path up again */
	if ((fd = open_in_root (rootfd, o->dest, O_PATH)) < 0)
		return -1;
	return mount (NULL, fd_path (p, fd), NULL, o->prop | (o->rec ? MS_REC : 0), NULL);
}

/* O's attributes on the bind mount just made at its destination */
static int
bind_setattr (int rootfd, const struct op *o)
{
	struct mount_attr attr = {.attr_set = mount_attrs (o->flags)};
	_cleanup_close_ int fd = -1;

	/* the atime modes are one field: setting one means clearing it */
	if (o->flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
		attr.attr_clr = MOUNT_ATTR__ATIME;
	if (!attr.attr_set && !attr.attr_clr)
		return 0;
	/* the new mount: look the path up again */
	if ((fd = open_in_root (rootfd, o->dest, O_PATH)) < 0)
		return -1;
	return mount_setattr (fd, "", AT_EMPTY_PATH | (o->rec ? AT_RECURSIVE : 0), &attr, sizeof attr);
}

/* mount (2) MS_BIND, then the attributes on the new mount (move_mount
 * of a cloned tree onto the overlay root is refused with EINVAL) */
static int
bind_classic (int rootfd, const struct op *o, int target)
{
	char p[FD_PATH_LEN];

	if (mount (o->source, fd_path (p, target), NULL, MS_BIND | (o->rec ? MS_REC : 0), NULL) < 0)
		return -1;
	return bind_setattr (rootfd, o);
}

/* TREE (detached, made by the caller) attached at TARGET, then O's
 * attributes */
static int
bind_attach (int rootfd, const struct op *o, int tree, int target)
{
	if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -1;
	return bind_setattr (rootfd, o);
}

static int
op_bind (int rootfd, const struct op *o, int tree, struct bx_err *e)
{
	_cleanup_close_ int t = -1;
	struct stat st;

	if ((tree >= 0 ? fstat (tree, &st) : stat (o->source, &st)) < 0)
		return err_set (e, BX_USAGE, errno, "bind mount %s", o->source);
	if ((t = make_in_root (rootfd, o->dest, S_ISDIR (st.st_mode))) < 0)
		return err_set (e, BX_SYSTEM, errno, "mount %s", o->dest);
	if ((tree >= 0 ? bind_attach (rootfd, o, tree, t) : bind_classic (rootfd, o, t)) < 0)
		return err_set (e, BX_SYSTEM, errno, "bind mount %s on %s", o->source, o->dest);
	if (set_propagation (rootfd, o) < 0)
		return err_set (e, BX_SYSTEM, errno, "mount %s: propagation", o->dest);
	return 0;
}

/* A user namespace may mount sysfs only with a network namespace it
 * owns, mqueue only with an IPC one: otherwise the host's is bound, as
 * crun does (runc's rootless specs ask for the bind) */
static int
mount_or_bind_host (const struct spec *s, const struct op *o, int target)
{
	static const char *const host[][2] = {
	    {"sysfs", "/sys"}, {"mqueue", "/dev/mqueue"}, {"cgroup2", "/sys/fs/cgroup"}};
	char p[FD_PATH_LEN];

	if (mount (o->source ? o->source : o->fstype, fd_path (p, target), o->fstype, o->flags, o->data) == 0)
		return 0;
	if (errno != EPERM || !(s->userns || root_is_rootless ()))
		return -1;
	/* a host without it (no /dev/mqueue): the refusal is the answer */
	for (size_t i = 0; i < sizeof host / sizeof host[0]; i++)
		if (!strcmp (o->fstype, host[i][0]))
			return bind_tree (AT_FDCWD, host[i][1], target, o->flags, 1) == 0 ? 0 : (errno = EPERM, -1);
	return errno = EPERM, -1;
}

static int
op_mount (int rootfd, const struct spec *s, const struct op *o, struct bx_err *e)
{
	_cleanup_close_ int t = make_in_root (rootfd, o->dest, 1);

	if (t < 0)
		return err_set (e, BX_SYSTEM, errno, "mount %s", o->dest);
	if (mount_or_bind_host (s, o, t) < 0)
		return err_set (e, BX_SYSTEM, errno, "mount %s (%s)", o->dest, o->fstype);
	if (set_propagation (rootfd, o) < 0)
		return err_set (e, BX_SYSTEM, errno, "mount %s: propagation", o->dest);
	return 0;
}

/* DIRFD/NAME, a hierarchy just mounted over the directory T, replaced
 * by its cgroup SUB ("/box/<id>") */
static int
cgroup_v1_narrow (int dirfd, const char *name, int t, const char *sub)
{
	_cleanup_close_ int root = openat (dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int tree = -1;
	char p[FD_PATH_LEN];

	if (root < 0 || (tree = open_tree (root, sub + 1, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0 ||
	    umount2 (fd_path (p, root), MNT_DETACH) < 0)
		return -1;
	return move_mount (tree, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* one v1 hierarchy (CTRLS: "memory", "cpu,cpuacct", "name=systemd") mounted
 * in DIRFD under the name systemd gives it, each comounted controller a
 * link to it; SUB (the host's cgroup namespace): only that cgroup of it,
 * the container's own, as runc binds it then */
static int
cgroup_v1_mount (int dirfd, char *ctrls, const char *sub, unsigned long flags, struct bx_err *e)
{
	const char *name = !strncmp (ctrls, "name=", 5) ? ctrls + 5 : ctrls;
	_cleanup_close_ int t = -1;
	char p[FD_PATH_LEN];

	if (mkdirat (dirfd, name, 0755) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "cgroup %s", name);
	if ((t = openat (dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    mount ("cgroup", fd_path (p, t), "cgroup", flags, ctrls) < 0)
		return err_set (e, BX_SYSTEM, errno, "mount cgroup %s", ctrls);
	if (sub && strcmp (sub, "/") && cgroup_v1_narrow (dirfd, name, t, sub) < 0)
		return err_set (e, BX_SYSTEM, errno, "cgroup %s: %s", ctrls, sub);
	if (strchr (name, ','))
		for (char *c = strtok (ctrls, ","); c; c = strtok (NULL, ","))
			if (symlinkat (name, dirfd, c) < 0 && errno != EEXIST)
				return err_set (e, BX_SYSTEM, errno, "cgroup %s", c);
	return 0;
}

/* the v1 hierarchies this process is in, as /proc/self/cgroup lists them
 * ("4:memory:/path"; 0:: is cgroup2), each mounted again in DIRFD; in a
 * cgroup namespace of its own the container's cgroup is their root, in
 * the host's (SUB) each is narrowed to the container's cgroup. Not
 * mountinfo: the overlay's long options make reading it cost more than
 * all the mounts. */
static int
cgroup_v1_mounts (int dirfd, int sub, unsigned long flags, struct bx_err *e)
{
	_cleanup_close_ int fd = open ("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	char buf[4096], *line, *next;
	ssize_t n;

	if (fd < 0 || (n = read (fd, buf, sizeof buf - 1)) < 0)
		return err_set (e, BX_SYSTEM, errno, "/proc/self/cgroup");
	buf[n] = '\0';
	for (line = buf; *line; line = next) {
		char *ctrls = strchr (line, ':'), *end;
		if (!(next = strchr (line, '\n')))
			next = line + strlen (line);
		else
			*next++ = '\0';
		if (!ctrls || !(end = strchr (++ctrls, ':')) || end == ctrls)
			continue;
		*end = '\0';
		if (cgroup_v1_mount (dirfd, ctrls, sub ? end + 1 : NULL, flags, e) < 0)
			return -1;
	}
	return 0;
}

static int
op_cgroupfs (int rootfd, const struct spec *s, const struct op *o, struct bx_err *e)
{
	_cleanup_close_ int t = make_in_root (rootfd, o->dest, 1), d = -1;
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	char p[FD_PATH_LEN];
	unsigned long flags = o->flags & ~(unsigned long)MS_RDONLY;

	if (t < 0)
		return err_set (e, BX_SYSTEM, errno, "mount %s", o->dest);
	if (cgroup_is_v2_host ()) {
		struct op v2 = *o;
		v2.source = v2.fstype = "cgroup2";
		v2.data = NULL;
		if (mount_or_bind_host (s, &v2, t) < 0)
			return err_set (e, BX_SYSTEM, errno, "mount %s (cgroup2)", o->dest);
		return 0;
	}
	/* a user namespace without a cgroup namespace of its own may not
	 * mount the hierarchies: the host's are bound (runc's fallback); a
	 * rootless container is in the user's namespace */
	if ((s->userns || root_is_rootless ()) && !(s->clone_flags & CLONE_NEWCGROUP)) {
		if (bind_tree (AT_FDCWD, "/sys/fs/cgroup", t, o->flags, 1) < 0)
			return err_set (e, BX_SYSTEM, errno, "bind /sys/fs/cgroup on %s", o->dest);
		return 0;
	}
	if (mount ("cgroup", fd_path (p, t), "tmpfs", flags, "mode=755,size=1024k") < 0)
		return err_set (e, BX_SYSTEM, errno, "mount %s (tmpfs)", o->dest);
	if ((d = open_in_root (rootfd, o->dest, O_RDONLY | O_DIRECTORY)) < 0)
		return err_set (e, BX_SYSTEM, errno, "open %s", o->dest);
	/* the hierarchies exist with their superblock read-write: asking for
	 * ro there is EBUSY; the mounts are made read-only afterwards */
	if (cgroup_v1_mounts (d, !(s->clone_flags & CLONE_NEWCGROUP), flags, e) < 0)
		return err_wrap (e, "mount %s", o->dest);
	if (o->ro && mount_setattr (d, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof ro) < 0)
		return err_set (e, BX_SYSTEM, errno, "mount %s read-only", o->dest);
	return 0;
}

/* the parent directory of PATH inside the root (made when MAKE and
 * missing: /dev/net/tun), and PATH's last name */
static int
parent_in_root (int rootfd, const char *path, int make, const char **name)
{
	char buf[4096];
	char *slash;

	snprintf (buf, sizeof buf, "%s", path);
	if (!(slash = strrchr (buf, '/')))
		return errno = EINVAL, -1;
	*name = path + (slash - buf) + 1;
	*slash = '\0';
	if (make && buf[0])
		return make_in_root (rootfd, buf, 1);
	return open_in_root (rootfd, buf[0] ? buf : "/", O_PATH | O_DIRECTORY);
}

/* in a user namespace mknod is refused: the host's node is bound on an
 * empty file (runc's bindMountDeviceNode), owner and mode the host's */
static int
device_bind (int rootfd, const struct op *o, struct bx_err *e)
{
	_cleanup_close_ int t = make_in_root (rootfd, o->dest, 0);

	if (t < 0 || bind_tree (AT_FDCWD, o->dest, t, 0, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "device %s: bind the host's", o->dest);
	return 0;
}

static int
op_mknod (int rootfd, const struct spec *s, const struct op *o, struct bx_err *e)
{
	const char *name;
	_cleanup_close_ int d = -1;

	if (s->userns || root_is_rootless ())
		return device_bind (rootfd, o, e);
	if ((d = parent_in_root (rootfd, o->dest, 1, &name)) < 0)
		return err_set (e, BX_SYSTEM, errno, "device %s", o->dest);
	if (mknodat (d, name, o->mode, o->dev) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "mknod %s", o->dest);
	if (fchownat (d, name, o->uid, o->gid, AT_SYMLINK_NOFOLLOW) < 0 || fchmodat (d, name, o->mode & 07777, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "device %s", o->dest);
	return 0;
}

static int
op_symlink (int rootfd, const struct op *o, struct bx_err *e)
{
	const char *name;
	_cleanup_close_ int d = parent_in_root (rootfd, o->dest, 0, &name);

	if (d < 0 || (symlinkat (o->source, d, name) < 0 && errno != EEXIST))
		return err_set (e, BX_SYSTEM, errno, "symlink %s", o->dest);
	return 0;
}

/* by path: the fd of the slave belongs to the parent's mount namespace,
 * and a bind from there is refused */
/* runc's console: a pty of the container's devpts (its name means
 * something there), the master sent to whoever asked */
static int
console_make (int rootfd, const struct op *o, const struct mounts_oci *pv, struct bx_err *e)
{
	_cleanup_close_ int t = -1, master = -1;
	char dst[FD_PATH_LEN], src[FD_PATH_LEN], name[64];
	int slave;

	if (pty_open_at (rootfd, "dev/pts/ptmx", &master, &slave, name, sizeof name, e) < 0)
		return -1;
	*pv->console = slave;
	if ((t = make_in_root (rootfd, o->dest, 0)) < 0 ||
	    mount (fd_path (src, slave), fd_path (dst, t), NULL, MS_BIND, NULL) < 0)
		return err_set (e, BX_SYSTEM, errno, "console %s", o->dest);
	return fdpass_send (pv->console_sock, master, name, e);
}

static int
op_console (int rootfd, const struct op *o, const char *console, const struct mounts_oci *pv, struct bx_err *e)
{
	_cleanup_close_ int t = -1;
	char dst[FD_PATH_LEN];

	if (!console)
		return pv && pv->console_sock >= 0 ? console_make (rootfd, o, pv, e) : 0;
	if ((t = make_in_root (rootfd, o->dest, 0)) < 0 || mount (console, fd_path (dst, t), NULL, MS_BIND, NULL) < 0)
		return err_set (e, BX_SYSTEM, errno, "console %s", o->dest);
	return 0;
}

/* runc's trick: pivot_root (".", ".") stacks the old root on the new
 * one, and the detach removes it: no directory for it is needed. By fd:
 * the root of a user namespace may not be able to walk to it. */
static int
op_pivot (const struct spec *s, int rootfd, struct bx_err *e)
{
	if (fchdir (rootfd) < 0)
		return err_set (e, BX_SYSTEM, errno, "chdir %s", s->rootfs);
	if (syscall (SYS_pivot_root, ".", ".") < 0)
		return err_set (e, BX_SYSTEM, errno, "pivot_root %s", s->rootfs);
	if (umount2 (".", MNT_DETACH) < 0)
		return err_set (e, BX_SYSTEM, errno, "detach the old root");
	if (chdir ("/") < 0)
		return err_set (e, BX_SYSTEM, errno, "chdir /");
	return 0;
}

/* runc's --no-pivot: the root cannot be detached this way, so the host's
 * stays reachable to CAP_SYS_CHROOT; only for roots pivot_root refuses */
static int
op_move_root (const struct spec *s, int rootfd, struct bx_err *e)
{
	if (fchdir (rootfd) < 0)
		return err_set (e, BX_SYSTEM, errno, "chdir %s", s->rootfs);
	if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
		return err_set (e, BX_SYSTEM, errno, "move %s to /", s->rootfs);
	if (chroot (".") < 0 || chdir ("/") < 0)
		return err_set (e, BX_SYSTEM, errno, "chroot %s", s->rootfs);
	return 0;
}

/* without a mount namespace, runc's chroot: neither pivot_root nor a
 * move may touch the caller's root */
static int
op_chroot (const struct spec *s, int rootfd, struct bx_err *e)
{
	if (fchdir (rootfd) < 0 || chroot (".") < 0 || chdir ("/") < 0)
		return err_set (e, BX_SYSTEM, errno, "chroot %s", s->rootfs);
	return 0;
}

static int
pivot (const struct spec *s, int rootfd, const struct mounts_oci *pv, struct bx_err *e)
{
	if (pv && pv->before_pivot && pv->before_pivot (pv->arg, e) < 0)
		return -1;
	if (!s->mntns)
		return op_chroot (s, rootfd, e);
	return pv && pv->no_pivot ? op_move_root (s, rootfd, e) : op_pivot (s, rootfd, e);
}

static int
op_sysctl (const struct op *o, struct bx_err *e)
{
	char path[512];

	snprintf (path, sizeof path, "/proc/sys/%s", o->source);
	for (char *c = path + 10; *c; c++)
		if (*c == '.')
			*c = '/';
	if (afile_put (path, o->data, strlen (o->data)) < 0)
		return err_set (e, BX_SYSTEM, errno, "sysctl %s", o->source);
	return 0;
}

int
mounts_sysctl_by_parent (const struct spec *s, const struct op *o)
{
	int joined = 0;

	if (o->kind != OP_SYSCTL || !(s->clone_flags & CLONE_NEWUSER) || strncmp (o->source, "net.", 4) != 0)
		return 0;
	for (size_t i = 0; i < s->njoins; i++)
		joined |= s->joins[i].type == CLONE_NEWNET;
	return joined;
}

/* O written from outside the container's user namespace: the gids of
 * ping_group_range are read in the writer's, so they go through the
 * container's gid map */
static int
net_sysctl_outside (const struct spec *s, const struct op *o, struct bx_err *e)
{
	unsigned lo, hi;
	long long olo, ohi;
	char v[32];
	struct op x = *o;

	if (strcmp (o->source, "net.ipv4.ping_group_range") != 0 || sscanf (o->data, "%u %u", &lo, &hi) != 2 || lo > hi)
		return op_sysctl (o, e);
	olo = idmap_to_host (s->idmaps.gid, lo);
	ohi = idmap_to_host (s->idmaps.gid, hi);
	if (olo < 0 || ohi < 0 || ohi - olo != (long long)(hi - lo))
		return err_set (e, BX_USAGE, 0, "sysctl %s: %s: gids not mapped as one range", o->source, o->data);
	snprintf (v, sizeof v, "%lld %lld", (long long)olo, (long long)ohi);
	x.data = v;
	return op_sysctl (&x, e);
}

/* the parent's own network namespace back, or it would serve the
 * container's */
int
mounts_net_sysctls (const struct spec *s, pid_t pid, struct bx_err *e)
{
	_cleanup_close_ int own = -1, ns = -1;
	char path[64];
	size_t i = 0;
	int rc = 0;

	while (i < s->nops && !mounts_sysctl_by_parent (s, &s->ops[i]))
		i++;
	if (i == s->nops)
		return 0;
	snprintf (path, sizeof path, "/proc/%d/ns/net", (int)pid);
	if ((own = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0 ||
	    (ns = open (path, O_RDONLY | O_CLOEXEC)) < 0 || setns (ns, CLONE_NEWNET) < 0)
		return err_set (e, BX_SYSTEM, errno, "join %s", path);
	for (; rc == 0 && i < s->nops; i++)
		if (mounts_sysctl_by_parent (s, &s->ops[i]))
			rc = net_sysctl_outside (s, &s->ops[i], e);
	if (setns (own, CLONE_NEWNET) < 0)
		return err_set (e, BX_SYSTEM, errno, "back to the host's network namespace");
	return rc;
}

static int
op_mask (int rootfd, const struct op *o, struct bx_err *e)
{
	_cleanup_close_ int t = open_in_root (rootfd, o->dest, O_PATH);
	char p[FD_PATH_LEN];
	struct stat st;

	if (t < 0 && errno == ENOENT)
		return 0;
	if (t < 0 || fstat (t, &st) < 0)
		return err_set (e, BX_SYSTEM, errno, "mask %s", o->dest);
	if (S_ISDIR (st.st_mode) ? mount ("tmpfs", fd_path (p, t), "tmpfs", MS_RDONLY, "size=0k") < 0
	                         : bind_tree (AT_FDCWD, "/dev/null", t, MS_RDONLY, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "mask %s", o->dest);
	return 0;
}

static int
op_rdonly (int rootfd, const struct op *o, struct bx_err *e)
{
	_cleanup_close_ int t = open_in_root (rootfd, o->dest, O_PATH);

	if (t < 0 && errno == ENOENT)
		return 0;
	if (t < 0 || bind_tree (t, "", t, MS_RDONLY, 1) < 0)
		return err_set (e, BX_SYSTEM, errno, "read-only %s", o->dest);
	return 0;
}

static int
op_root_ro (struct bx_err *e)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

	if (mount_setattr (AT_FDCWD, "/", 0, &attr, sizeof attr) < 0)
		return err_set (e, BX_SYSTEM, errno, "root read-only");
	return 0;
}

static int
op_run (int rootfd, const struct spec *s, const struct op *o, const char *console, const struct mounts_oci *pv,
        int tree, struct bx_err *e)
{
	switch (o->kind) {
	case OP_MOUNT: return op_mount (rootfd, s, o, e);
	case OP_BIND: return op_bind (rootfd, o, tree, e);
	case OP_CGROUPFS: return op_cgroupfs (rootfd, s, o, e);
	case OP_MKNOD: return op_mknod (rootfd, s, o, e);
	case OP_SYMLINK: return op_symlink (rootfd, o, e);
	case OP_CONSOLE: return op_console (rootfd, o, console, pv, e);
	case OP_PIVOT: return pivot (s, rootfd, pv, e);
	case OP_SYSCTL: return mounts_sysctl_by_parent (s, o) ? 0 : op_sysctl (o, e);
	case OP_MASK: return op_mask (rootfd, o, e);
	case OP_RDONLY: return op_rdonly (rootfd, o, e);
	case OP_ROOT_RO: return op_root_ro (e);
	case OP_PROPAGATE:
		/* the others were set first (mounts_run); a shared root cannot
		 * be pivoted into, so shared comes now */
		if (o->prop == MS_SHARED && mount (NULL, "/", NULL, o->prop | (o->rec ? MS_REC : 0), NULL) < 0)
			return err_set (e, BX_SYSTEM, errno, "root propagation");
		return 0;
	}
	return err_set (e, BX_FAIL, 0, "setup step %d: not implemented", (int)o->kind);
}

int
mounts_root (const struct spec *s, struct bx_err *e)
{
	int rootfd;

	/* nothing done here may reach the host's mounts; without a mount
	 * namespace (the caller's mounts, as runc makes them) only the
	 * rootfs's bind is ours to change, and the caller removes it */
	if (s->mntns && mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_set (e, BX_SYSTEM, errno, "make / private");
	/* pivot_root needs a mount point; a copied rootfs is only a directory */
	if (mount (s->rootfs, s->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_set (e, BX_SYSTEM, errno, "bind %s", s->rootfs);
	if (!s->mntns && mount (NULL, s->rootfs, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_set (e, BX_SYSTEM, errno, "make %s private", s->rootfs);
	if ((rootfd = open (s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "open %s", s->rootfs);
	return rootfd;
}

int
mounts_run (const struct spec *s, int rootfd, const char *console, const struct mounts_oci *pv, const int *trees,
            struct bx_err *e)
{
	char p[FD_PATH_LEN];
	int r = 0;

	/* the root's propagation before the mounts, as runc sets it: a mount
	 * that asks for its own keeps it */
	for (size_t i = 0; i < s->nops; i++)
		if (s->ops[i].kind == OP_PROPAGATE && s->ops[i].prop != MS_SHARED &&
		    mount (NULL, fd_path (p, rootfd), NULL, s->ops[i].prop | (s->ops[i].rec ? MS_REC : 0), NULL) < 0) {
			close (rootfd);
			return err_set (e, BX_SYSTEM, errno, "root propagation");
		}
	for (size_t i = 0; i < s->nops && r == 0; i++) {
		r = op_run (rootfd, s, &s->ops[i], console, pv, trees ? trees[i] : -1, e);
		if (s->ops[i].kind == OP_PIVOT && r == 0) {
			close (rootfd);
			if ((rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
				r = err_set (e, BX_SYSTEM, errno, "open /");
		}
	}
	if (rootfd >= 0)
		close (rootfd);
	return r;
}

/* O's source cloned, detached, idmapped through USERNS when asked (the
 * submounts too with ridmap) */
static int
detached_tree (const struct op *o, int userns, struct bx_err *e)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	int t = open_tree (AT_FDCWD, o->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->rec ? AT_RECURSIVE : 0));

	if (t < 0)
		return err_set (e, BX_USAGE, errno, "bind mount %s", o->source);
	if (o->idmap &&
	    mount_setattr (t, "", AT_EMPTY_PATH | (o->idmap == 2 ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0) {
		close (t);
		return err_set (e, BX_SYSTEM, errno, "mount %s: idmap", o->dest);
	}
	return t;
}

static void
trees_free (int *trees, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (trees[i] >= 0)
			close (trees[i]);
	free (trees);
}

/* the idmapped binds, and in a user namespace all of them: a source the
 * container's root may not reach (a 0700 directory of the host's) is
 * still bound, as runc opens them on the host's side. Only root may
 * clone a tree: rootless, the child binds by path. */
static int
wants_tree (const struct spec *s, const struct op *o, int root)
{
	return o->kind == OP_BIND && (o->idmap || (s->userns && root));
}

int
mounts_trees_open (const struct spec *s, int **trees, struct bx_err *e)
{
	const struct idmap *last = NULL;
	int userns = -1, r = 0, root = s->userns && geteuid () == 0;
	size_t i;

	*trees = NULL;
	for (i = 0; i < s->nops && !wants_tree (s, &s->ops[i], root); i++)
		;
	if (i == s->nops)
		return 0;
	if (!(*trees = malloc (s->nops * sizeof **trees)))
		return err_set (e, BX_SYSTEM, errno, "bind mounts");
	for (i = 0; i < s->nops; i++)
		(*trees)[i] = -1;
	for (i = 0; i < s->nops && r == 0; i++) {
		const struct op *o = &s->ops[i];
		if (!wants_tree (s, o, root))
			continue;
		/* one namespace for the mounts that share the container's maps */
		if (o->idmap && o->idmaps.uid != last) {
			if (userns >= 0)
				close (userns);
			last = o->idmaps.uid;
			if ((userns = userns_open (&o->idmaps, e)) < 0) {
				r = err_wrap (e, "mount %s: idmap", o->dest);
				break;
			}
		}
		if (((*trees)[i] = detached_tree (o, userns, e)) < 0)
			r = -1;
	}
	if (userns >= 0)
		close (userns);
	if (r < 0) {
		trees_free (*trees, s->nops);
		*trees = NULL;
	}
	return r;
}

void
mounts_trees_close (int *trees, size_t n)
{
	if (trees)
		trees_free (trees, n);
}
