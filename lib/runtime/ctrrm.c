#include "runtime/ctrrm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "layers/overlay.h"
#include "runtime/ctr.h"
#include "runtime/ctrsig.h"

#define CGROUP_FS "/sys/fs/cgroup"
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

extern char **environ;

struct rm {
	int rootfd, dfd, flags;
	const char *id;
	char root[PATH_MAX];
	char dir[PATH_MAX + 96];
	char name[256]; /* "" when unknown */
	json_t *create, *config;
};

/* --- the directory tree ------------------------------------------------- */

static int rm_tree_at (int dirfd, const char *name, dev_t dev, struct bx_err *e);

static int
rm_entries (int fd, dev_t dev, const char *name, struct bx_err *e)
{
	_cleanup_dir_ DIR *d = fdopendir (fd);
	struct dirent *de;

	if (!d) {
		close (fd);
		return err_set (e, BX_SYSTEM, errno, "%s", name);
	}
	while ((errno = 0, de = readdir (d))) {
		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
			continue;
		if (de->d_type != DT_DIR && (unlinkat (dirfd (d), de->d_name, 0) == 0 || errno == ENOENT))
			continue;
		if (de->d_type != DT_DIR && errno != EISDIR && errno != EPERM)
			return err_set (e, BX_SYSTEM, errno, "remove %s/%s", name, de->d_name);
		if (rm_tree_at (dirfd (d), de->d_name, dev, e) < 0)
			return err_wrap (e, "%s", name);
	}
	return errno ? err_set (e, BX_SYSTEM, errno, "read %s", name) : 0;
}

/* rm -rf that never leaves DEV: a mount still inside is an error, not a
 * tree to empty (the image's layers under an overlay, a bind's source). */
static int
rm_tree_at (int dirfd, const char *name, dev_t dev, struct bx_err *e)
{
	struct stat st;
	int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "open %s", name);
	if (fstat (fd, &st) < 0 || st.st_dev != dev) {
		close (fd);
		return err_set (e, BX_SYSTEM, errno ? errno : EBUSY, "%s: still a mount point", name);
	}
	if (rm_entries (fd, dev, name, e) < 0)
		return -1;
	if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "remove %s", name);
	return 0;
}

static int
rm_tree (int dirfd, const char *name, struct bx_err *e)
{
	struct stat st;

	if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "%s", name);
	return rm_tree_at (dirfd, name, st.st_dev, e);
}

/* --- facts the removal needs, read before anything goes ----------------- */

static json_t *
load_json (int dfd, const char *name)
{
	_cleanup_free_ char *buf = NULL;
	struct bx_err ign;
	size_t len;

	if (afile_slurp_at (dfd, name, &buf, &len, &ign) < 0)
		return NULL;
	return json_loadb (buf, len, 0, NULL);
}

static void
rm_load (struct rm *r)
{
	const char *n;

	r->create = load_json (r->dfd, L_CREATE_JSON);
	r->config = load_json (r->dfd, L_CONFIG);
	n = json_string_value (json_object_get (r->create, "Name"));
	snprintf (r->name, sizeof r->name, "%s", n ? n + (n[0] == '/') : "");
}

static void
rm_free (struct rm *r)
{
	json_decref (r->create);
	json_decref (r->config);
	if (r->dfd >= 0)
		close (r->dfd);
}

/* --- the container's life ------------------------------------------------ */

/* The caller holds the lock, so its own recording is not waited for. */
static int
kill_locked (const struct ctr_state *s, struct bx_err *e)
{
	_cleanup_close_ int pidfd = ctr_pidfd (s, e);

	if (pidfd < 0)
		return e->code == BX_CONFLICT ? 0 : -1;
	pidfd_send_signal (pidfd, SIGKILL, NULL, 0);
	ctr_exit_wait (pidfd, -1);
	return 0;
}

static int
check_running (struct rm *r, int force, struct bx_err *e)
{
	struct ctr_state s;
	int fd;

	/* first the marker: a supervisor waiting to restart the container
	 * (state exited, lock held) must give up rather than start it again */
	if (force && !(r->flags & CTR_RM_LOCKED) &&
	    (fd = openat (r->dfd, L_STOPPED, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close (fd);
	if (ctr_state_read (r->dfd, &s, e) < 0) {
		if (e->code != BX_NOTFOUND)
			return -1;
		return 0; /* never started, or half made by ctr-create */
	}
	ctr_state_settle (&s);
	if (strcmp (s.status, "running"))
		return 0;
	if (!force)
		return err_set (e, BX_CONFLICT, 0,
		                "cannot remove container \"/%s\": container is running: stop the container before "
		                "removing or force remove",
		                r->name[0] ? r->name : r->id);
	if (r->flags & CTR_RM_LOCKED)
		return kill_locked (&s, e);
	return ctr_stop (r->dfd, SIGKILL, -1, e);
}

/* The container's lock. Held by a supervisor that is recording an exit
 * (a moment), or waiting to start the container again: Docker refuses to
 * remove a restarting container without -f rather than wait for it. */
static int
take_lock (struct rm *r, struct bx_err *e)
{
	json_t *hc = json_object_get (r->create, "HostConfig");
	const char *p = json_string_value (json_object_get (json_object_get (hc, "RestartPolicy"), "Name"));
	int fd = lock_take_at (r->dfd, L_CTR_LOCK, LOCK_TRY, e);

	if (fd >= 0 || e->code != BX_CONFLICT)
		return fd;
	if (!(r->flags & CTR_RM_FORCE) && p && *p && strcmp (p, "no"))
		return err_set (e, BX_CONFLICT, 0,
		                "cannot remove container \"/%s\": container is restarting: stop the container before "
		                "removing or force remove",
		                r->name[0] ? r->name : r->id);
	memset (e, 0, sizeof *e);
	return lock_take_at (r->dfd, L_CTR_LOCK, LOCK_WAIT, e);
}

/* The directory was removed by someone else while we waited. */
static int
is_gone (int dfd)
{
	struct stat st;

	return fstat (dfd, &st) == 0 && st.st_nlink == 0;
}

/* --- the network --------------------------------------------------------- */

static int
run_net_detach (struct rm *r, struct bx_err *e)
{
	char *argv[] = {"ctr-net", "detach", (char *)r->id, NULL};
	_cleanup_free_ char **env = NULL;
	char root[PATH_MAX + 16];
	size_t n = 0, k = 0;
	int status, rc;
	pid_t pid;

	/* the tools read the state directory from BOX_ROOT, as under box */
	while (environ[n])
		n++;
	if (!(env = calloc (n + 2, sizeof *env)))
		return err_set (e, BX_SYSTEM, ENOMEM, "run ctr-net");
	snprintf (root, sizeof root, "BOX_ROOT=%s", r->root);
	env[k++] = root;
	for (size_t i = 0; i < n; i++)
		if (strncmp (environ[i], "BOX_ROOT=", 9))
			env[k++] = environ[i];
	rc = posix_spawnp (&pid, argv[0], NULL, NULL, argv, env);
	if (rc == ENOENT)
		return 1;
	if (rc)
		return err_set (e, BX_SYSTEM, rc, "run ctr-net");
	while (waitpid (pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "wait for ctr-net");
	if (!WIFEXITED (status) || WEXITSTATUS (status))
		return err_set (e, BX_FAIL, 0, "ctr-net detach failed (status %d)",
		                WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
	return 0;
}

static int
net_detach (struct rm *r, struct bx_err *e)
{
	char netns[PATH_MAX + 128];
	int rc;

	if (faccessat (r->dfd, L_NETWORK_JSON, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
	    faccessat (r->dfd, L_NETNS, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if ((rc = run_net_detach (r, e)) <= 0)
		return rc;
	/* no ctr-net installed: nothing was attached by it, but a netns
	 * mount must not keep the directory */
	snprintf (netns, sizeof netns, "%s/" L_NETNS, r->dir);
	if (umount2 (netns, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "unmount %s", netns);
	return 0;
}

/* --- cgroups ------------------------------------------------------------- */

static int
cgroup_kill_procs (const char *cg)
{
	char path[PATH_MAX + 32];
	_cleanup_file_ FILE *f = NULL;
	int pid;

	snprintf (path, sizeof path, "%s/cgroup.procs", cg);
	if (!(f = fopen (path, "re")))
		return 0;
	while (fscanf (f, "%d", &pid) == 1) {
		int fd = pidfd_open (pid, 0);
		if (fd < 0)
			continue;
		pidfd_send_signal (fd, SIGKILL, NULL, 0);
		ctr_exit_wait (fd, -1);
		close (fd);
	}
	return 0;
}

static int
cgroup_remove (const char *base, const char *id, struct bx_err *e)
{
	char cg[PATH_MAX];

	snprintf (cg, sizeof cg, "%s/box/%s", base, id);
	if (rmdir (cg) == 0 || errno == ENOENT || errno == ENOTDIR)
		return 0;
	if (errno != EBUSY)
		return err_set (e, BX_SYSTEM, errno, "remove cgroup %s", cg);
	/* processes left behind (an exec outlived the container): they go too */
	cgroup_kill_procs (cg);
	if (rmdir (cg) < 0 && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "remove cgroup %s", cg);
	return 0;
}

static int
cgroups_remove (const char *id, struct bx_err *e)
{
	const char *v2 = getenv ("BOX_CGROUP2_ROOT");
	_cleanup_dir_ DIR *d = NULL;
	struct statfs sf;
	struct dirent *de;
	char base[PATH_MAX];

	if (v2 && *v2 && cgroup_remove (v2, id, e) < 0)
		return -1;
	if (statfs (CGROUP_FS, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return cgroup_remove (CGROUP_FS, id, e);
	if (!(d = opendir (CGROUP_FS)))
		return 0;
	/* every v1 hierarchy (and a hybrid unified one); links such as cpu ->
	 * cpu,cpuacct name the same directory twice */
	while ((de = readdir (d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		snprintf (base, sizeof base, CGROUP_FS "/%s", de->d_name);
		if (cgroup_remove (base, id, e) < 0)
			return -1;
	}
	return 0;
}

/* --- volumes ------------------------------------------------------------- */

static int
is_hex64 (const char *s, size_t n)
{
	return n == CTR_ID_LEN && strspn (s, "0123456789abcdef") >= n;
}

/* Anonymous volumes: volumes/<64 hex>/_data mounts that no -v named. */
static int
volumes_remove (struct rm *r, struct bx_err *e)
{
	char prefix[PATH_MAX + 16], vol[CTR_ID_LEN + 16];
	json_t *m;
	size_t i, pl;
	int vfd;

	pl = (size_t)snprintf (prefix, sizeof prefix, "%s/" L_VOLUMES "/", r->root);
	if ((vfd = openat (r->rootfd, L_VOLUMES, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	json_array_foreach (json_object_get (r->config, "mounts"), i, m)
	{
		const char *src = json_string_value (json_object_get (m, "source")), *slash;
		if (!src || strncmp (src, prefix, pl) || !(slash = strchr (src + pl, '/')) ||
		    strcmp (slash, "/_data") || !is_hex64 (src + pl, (size_t)(slash - src - pl)))
			continue;
		snprintf (vol, sizeof vol, "%.*s", CTR_ID_LEN, src + pl);
		if (rm_tree (vfd, vol, e) < 0) {
			close (vfd);
			return err_wrap (e, "volume %.12s", vol);
		}
	}
	close (vfd);
	return 0;
}

/* --- names --------------------------------------------------------------- */

static int
unlink_if_ours (int nfd, const char *name, const char *id)
{
	char target[CTR_ID_LEN + 2];
	ssize_t n = readlinkat (nfd, name, target, sizeof target);

	if (n == CTR_ID_LEN && !memcmp (target, id, CTR_ID_LEN))
		return unlinkat (nfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	return 0;
}

/* NAME's link, or (name unknown) every link to ID. */
static int
names_remove (struct rm *r, struct bx_err *e)
{
	int nfd = openat (r->rootfd, L_NAMES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	int rc = 0;

	if (nfd < 0)
		return 0;
	if (r->name[0]) {
		rc = unlink_if_ours (nfd, r->name, r->id);
		close (nfd);
	} else if ((d = fdopendir (nfd))) {
		while ((de = readdir (d)))
			if (de->d_name[0] != '.' && unlink_if_ours (dirfd (d), de->d_name, r->id) < 0)
				rc = -1;
	} else
		close (nfd);
	return rc < 0 ? err_set (e, BX_SYSTEM, errno, "remove its name") : 0;
}

/* --- the whole removal --------------------------------------------------- */

static int
rm_steps (struct rm *r, struct bx_err *e)
{
	char rootfs[PATH_MAX + 128], path[CTR_ID_LEN + 16];
	int cfd;

	if (net_detach (r, e) < 0)
		return err_wrap (e, "network");
	snprintf (rootfs, sizeof rootfs, "%s/" L_ROOTFS, r->dir);
	if ((access (rootfs, F_OK) == 0 && overlay_unmount (rootfs, e) < 0) || cgroups_remove (r->id, e) < 0)
		return -1;
	if ((r->flags & CTR_RM_VOLUMES) && volumes_remove (r, e) < 0)
		return -1;
	if ((cfd = openat (r->rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, L_CONTAINERS);
	snprintf (path, sizeof path, "%s", r->id);
	if (rm_tree (cfd, path, e) < 0) {
		close (cfd);
		return -1;
	}
	close (cfd);
	return names_remove (r, e);
}

static int
root_of (int rootfd, char *buf, size_t len, struct bx_err *e)
{
	char proc[64];
	ssize_t n;

	snprintf (proc, sizeof proc, "/proc/self/fd/%d", rootfd);
	if ((n = readlink (proc, buf, len - 1)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", proc);
	buf[n] = '\0';
	return 0;
}

int
ctr_remove (int rootfd, const char *id, int flags, struct bx_err *e)
{
	struct rm r = {.rootfd = rootfd, .dfd = -1, .flags = flags, .id = id};
	_cleanup_close_ int lock = -1;
	int rc = -1;

	if (root_of (rootfd, r.root, sizeof r.root, e) < 0)
		return -1;
	snprintf (r.dir, sizeof r.dir, "%s/" L_CONTAINERS "/%s", r.root, id);
	if ((r.dfd = ctr_open (rootfd, id, e)) < 0) {
		/* an earlier removal got as far as the directory */
		if (e->code == BX_NOTFOUND)
			rc = names_remove (&r, e);
		goto out;
	}
	rm_load (&r);
	if (check_running (&r, flags & CTR_RM_FORCE, e) < 0)
		goto out;
	if (!(flags & CTR_RM_LOCKED) && (lock = take_lock (&r, e)) < 0) {
		if (e->sys == ENOENT && is_gone (r.dfd))
			rc = names_remove (&r, e);
		goto out;
	}
	if (is_gone (r.dfd))
		rc = names_remove (&r, e);
	/* started again while we waited for the lock: the same question again */
	else if ((flags & CTR_RM_LOCKED) || check_running (&r, 0, e) == 0)
		rc = rm_steps (&r, e);
out:
	rm_free (&r);
	return rc;
}
