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
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/tree.h"
#include "layers/overlay.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/ctrsig.h"
#include "runtime/volume.h"

extern char **environ;

struct rm {
	int rootfd, dfd, flags;
	const char *id;
	char root[PATH_MAX];
	char dir[PATH_MAX + 96];
	char name[256]; /* "" when unknown */
	json_t *create, *config;
};

/* --- facts the removal needs, read before anything goes ----------------- */

/* config.json, for the volumes it mounts; NULL when unreadable */
static json_t *
load_config (int dfd)
{
	_cleanup_free_ char *buf = NULL;
	struct bx_err ign;
	size_t len;

	if (afile_slurp_at (dfd, L_CONFIG, &buf, &len, &ign) < 0)
		return NULL;
	return json_loadb (buf, len, 0, NULL);
}

/* What a removal cannot read it does without: a container half made, or
 * whose files are damaged, must still go. Without create.json its name
 * is unknown, and every name link to it goes. */
static void
rm_load (struct rm *r)
{
	struct bx_err ign = {0};
	const char *n;

	r->create = ctr_create_read (r->dfd, &ign);
	r->config = load_config (r->dfd);
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
	_cleanup_close_ int pidfd = ctrsig_pidfd (s, e);

	if (pidfd < 0)
		return e->code == BX_CONFLICT ? 0 : -1;
	pidfd_send_signal (pidfd, SIGKILL, NULL, 0);
	ctrsig_exit_wait (pidfd, -1);
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
	return ctrsig_stop (r->dfd, SIGKILL, -1, e);
}

/* The container's lock. Held by a supervisor that is recording an exit
 * (a moment), or waiting to start the container again: Docker refuses to
 * remove a restarting container without -f rather than wait for it. */
static int
take_lock (struct rm *r, struct bx_err *e)
{
	int fd = lock_take_at (r->dfd, L_CTR_LOCK, LOCK_TRY, e);

	if (fd >= 0 || e->code != BX_CONFLICT)
		return fd;
	if (!(r->flags & CTR_RM_FORCE) && ctrsig_restarts (r->create))
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

/* --- volumes ------------------------------------------------------------- */

/* Anonymous volumes: the ones config.json mounts that no -v named. */
static int
volumes_remove (struct rm *r, struct bx_err *e)
{
	_cleanup_close_ int vfd = openat (r->rootfd, L_VOLUMES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char vol[256];
	json_t *m;
	size_t i;

	if (vfd < 0)
		return 0;
	json_array_foreach (json_object_get (r->config, "mounts"), i, m)
	{
		const char *src = json_string_value (json_object_get (m, "source"));
		if (!src || !volume_of_source (r->root, src, vol, sizeof vol) || !volume_is_anonymous (vol))
			continue;
		if (tree_remove_at (vfd, vol) < 0)
			return err_set (e, BX_SYSTEM, errno, "volume %.12s", vol);
	}
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

/* ROOT/containers/NAME/rootfs, when it is there */
static int
rootfs_unmount (const char *root, const char *name, struct bx_err *e)
{
	char rootfs[PATH_MAX + 128];

	snprintf (rootfs, sizeof rootfs, "%s/" L_CONTAINERS "/%s/" L_ROOTFS, root, name);
	if (access (rootfs, F_OK) < 0)
		return 0;
	return overlay_unmount (rootfs, e);
}

static int
dir_remove (int rootfd, const char *name, struct bx_err *e)
{
	char path[PATH_MAX];

	snprintf (path, sizeof path, L_CONTAINERS "/%s", name);
	if (tree_remove_at (rootfd, path) < 0)
		return err_set (e, BX_SYSTEM, errno, "remove %s", path);
	return 0;
}

static int
rm_steps (struct rm *r, struct bx_err *e)
{
	if (net_detach (r, e) < 0)
		return err_wrap (e, "network");
	if (rootfs_unmount (r->root, r->id, e) < 0 || cgroup_remove_all (r->id, e) < 0)
		return -1;
	if ((r->flags & CTR_RM_VOLUMES) && volumes_remove (r, e) < 0)
		return -1;
	if (dir_remove (r->rootfd, r->id, e) < 0)
		return -1;
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
ctrrm_remove_dir (int rootfd, const char *name, struct bx_err *e)
{
	char root[PATH_MAX];

	if (root_of (rootfd, root, sizeof root, e) < 0 || rootfs_unmount (root, name, e) < 0)
		return -1;
	return dir_remove (rootfd, name, e);
}

int
ctrrm_remove (int rootfd, const char *id, int flags, struct bx_err *e)
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
