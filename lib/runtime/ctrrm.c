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
#include <sys/file.h>
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
#include "runtime/event.h"
#include "runtime/ctrsig.h"
#include "runtime/freezer.h"
#include "runtime/idalloc.h"
#include "runtime/volume.h"

extern char **environ;

struct rm {
	int rootfd, dfd, flags;
	const char *id;
	char root[PATH_MAX];
	char dir[PATH_MAX + 96];
	char name[256]; /* "" when unknown */
	json_t *create;
};

/* --- facts the removal needs, read before anything goes ----------------- */

/* What a removal cannot read it does without: a container half made, or
 * whose files are damaged, must still go. Without create.json its name
 * is unknown, and every name link to it goes. */
static void
rm_load (struct rm *r)
{
	struct bx_err ign = {0};
	const char *n;

	r->create = ctr_create_read (r->dfd, &ign);
	n = json_string_value (json_object_get (r->create, "Name"));
	snprintf (r->name, sizeof r->name, "%s", n ? n + (n[0] == '/') : "");
}

static void
rm_free (struct rm *r)
{
	json_decref (r->create);
	if (r->dfd >= 0)
		close (r->dfd);
}

/* --- the container's life ------------------------------------------------ */

/* The caller holds the lock, so its own recording is not waited for. */
static int
kill_locked (const char *cgpath, const struct ctr_state *s, struct bx_err *e)
{
	_cleanup_close_ int pidfd = ctrsig_pidfd (s, e);

	if (pidfd < 0)
		return e->code == BX_CONFLICT ? 0 : -1;
	ctrsig_send (pidfd, cgpath, SIGKILL);
	ctrsig_exit_wait (pidfd, -1);
	return 0;
}

static int
check_running (struct rm *r, int force, struct bx_err *e)
{
	char cgpath[CGROUP_PATH_LEN];
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
	ctr_cgroup_path (r->create, r->id, cgpath);
	if (!force && freezer_is_frozen_cgroup (cgpath))
		return err_set (e, BX_CONFLICT, 0,
		                "You cannot remove a paused container %s. Unpause and then stop the container before "
		                "attempting removal or force remove",
		                r->id);
	if (!force)
		return err_set (
		    e, BX_CONFLICT, 0,
		    "You cannot remove a running container %s. Stop the container before attempting removal "
		    "or force remove",
		    r->id);
	/* Docker's rm -f kills it, and records so */
	event_ctr (r->rootfd, r->id, "kill", "signal", "9");
	if (r->flags & CTR_RM_LOCKED)
		return kill_locked (cgpath, &s, e);
	return ctrsig_stop (r->rootfd, r->dfd, r->id, SIGKILL, -1, e);
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
		                "You cannot remove a restarting container %s. Stop the container before attempting "
		                "removal or force remove",
		                r->id);
	memset (e, 0, sizeof *e);
	return lock_take_at (r->dfd, L_CTR_LOCK, LOCK_WAIT, e);
}

/* The directory was removed (or renamed away to be) by someone else
 * while we waited. */
static int
is_gone (struct rm *r)
{
	char path[CTR_ID_LEN + 16];
	struct stat st, here;

	snprintf (path, sizeof path, L_CONTAINERS "/%s", r->id);
	if (fstat (r->dfd, &st) < 0 || st.st_nlink == 0)
		return 1;
	return fstatat (r->rootfd, path, &here, AT_SYMLINK_NOFOLLOW) < 0 || here.st_ino != st.st_ino ||
	       here.st_dev != st.st_dev;
}

/* --- the network --------------------------------------------------------- */

static int root_of (int rootfd, char *buf, size_t len, struct bx_err *e);

/* ctr-net VERB ID on the state directory ROOT; 1: no ctr-net installed */
static int
run_net (const char *root, const char *verb, const char *id, struct bx_err *e)
{
	char *argv[] = {"ctr-net", (char *)verb, (char *)id, NULL};
	_cleanup_free_ char **env = NULL;
	char rootenv[PATH_MAX + 16];
	size_t n = 0, k = 0;
	int status, rc;
	pid_t pid;

	/* the tools read the state directory from BOX_ROOT, as under box */
	while (environ[n])
		n++;
	if (!(env = calloc (n + 2, sizeof *env)))
		return err_set (e, BX_SYSTEM, ENOMEM, "run ctr-net");
	snprintf (rootenv, sizeof rootenv, "BOX_ROOT=%s", root);
	env[k++] = rootenv;
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
		return err_set (e, BX_FAIL, 0, "ctr-net %s failed (status %d)", verb,
		                WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
	return 0;
}

/* whether ctr-net attached the container of DFD */
static int
is_attached (int dfd)
{
	return faccessat (dfd, L_NETWORK_JSON, F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
	       faccessat (dfd, L_NETNS, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static int
net_detach (struct rm *r, struct bx_err *e)
{
	char netns[PATH_MAX + 128];
	int rc;

	if (!is_attached (r->dfd))
		return 0;
	if ((rc = run_net (r->root, "detach", r->id, e)) <= 0)
		return rc;
	/* no ctr-net installed: nothing was attached by it, but a netns
	 * mount must not keep the directory */
	snprintf (netns, sizeof netns, "%s/" L_NETNS, r->dir);
	if (umount2 (netns, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "unmount %s", netns);
	return 0;
}

int
ctrrm_net_release (int rootfd, int dirfd, const char *id, struct bx_err *e)
{
	char root[PATH_MAX];

	if (!is_attached (dirfd))
		return 0;
	if (root_of (rootfd, root, sizeof root, e) < 0)
		return -1;
	return run_net (root, "release", id, e) < 0 ? -1 : 0;
}

/* --- volumes ------------------------------------------------------------- */

/* Anonymous volumes: the ones create.json mounts that no -v named. One
 * that another container uses stays (Docker's rm -v ignores "in use").
 * Run once the directory is retired: this container no longer counts. */
static int
volumes_remove (struct rm *r, struct bx_err *e)
{
	json_t *m;
	size_t i;

	json_array_foreach (json_object_get (r->create, "Mounts"), i, m)
	{
		const char *type = json_string_value (json_object_get (m, "Type"));
		const char *vol = json_string_value (json_object_get (m, "Name"));
		struct bx_err ve = {0};
		if (!type || strcmp (type, "volume") || !vol || !volume_is_anonymous (vol))
			continue;
		if (volume_remove (r->rootfd, vol, NULL, &ve) < 0 && ve.code != BX_CONFLICT && ve.code != BX_NOTFOUND) {
			*e = ve;
			return -1;
		}
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

/* Every link in names/ (NFD, left open) to ID. */
static int
unlink_all_to (int nfd, const char *id)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	int fd = dup (nfd), rc = 0;

	if (fd < 0 || !(d = fdopendir (fd))) {
		if (fd >= 0)
			close (fd);
		return -1;
	}
	while ((de = readdir (d)))
		if (de->d_name[0] != '.' && unlink_if_ours (nfd, de->d_name, id) < 0)
			rc = -1;
	return rc;
}

/* NAME's link, or (name unknown) every link to ID. */
static int
names_remove (struct rm *r, struct bx_err *e)
{
	_cleanup_close_ int nfd = openat (r->rootfd, L_NAMES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (nfd < 0)
		return 0;
	rc = r->name[0] ? unlink_if_ours (nfd, r->name, r->id) : unlink_all_to (nfd, r->id);
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

/* ROOT/containers/NAME/netns, a namespace bind-mounted by ctr-net: a
 * removal that got past ctr-net detach finds none */
static int
netns_unmount (const char *root, const char *name, struct bx_err *e)
{
	char netns[PATH_MAX + 128];

	snprintf (netns, sizeof netns, "%s/" L_CONTAINERS "/%s/" L_NETNS, root, name);
	if (umount2 (netns, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "unmount %s", netns);
	return 0;
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

/* containers/<id> becomes containers/<id>.tmp-PID, a name every reader
 * skips: a removal killed from here on leaves no half container to list,
 * only a leftover that ctrrm_sweep reaps (nothing is mounted in it now) */
static int
dir_retire (struct rm *r, char *tmp, size_t len, struct bx_err *e)
{
	char from[CTR_ID_LEN + 16], to[CTR_ID_LEN + 48];

	snprintf (from, sizeof from, L_CONTAINERS "/%s", r->id);
	snprintf (tmp, len, "%s.tmp-%d", r->id, (int)getpid ());
	snprintf (to, sizeof to, L_CONTAINERS "/%s", tmp);
	if (renameat (r->rootfd, from, r->rootfd, to) < 0)
		return err_set (e, BX_SYSTEM, errno, "rename %s", from);
	return 0;
}

/* HostConfig.CgroupParent of create.json C, NULL when none */
static const char *
cgroup_parent (json_t *c)
{
	return json_string_value (json_object_get (json_object_get (c, "HostConfig"), "CgroupParent"));
}

/* --userns=auto: a range of its own to give back */
static int
is_auto_userns (json_t *c)
{
	const char *m = json_string_value (json_object_get (json_object_get (c, "HostConfig"), "UsernsMode"));

	return m && !strncmp (m, "auto", 4);
}

static int
rm_steps (struct rm *r, struct bx_err *e)
{
	char tmp[CTR_ID_LEN + 32];

	if (net_detach (r, e) < 0)
		return err_wrap (e, "network");
	ctr_test_crash ("rm-detached");
	if (rootfs_unmount (r->root, r->id, e) < 0 || cgroup_remove_all (r->id, cgroup_parent (r->create), e) < 0)
		return -1;
	ctr_test_crash ("rm-unmounted");
	if (dir_retire (r, tmp, sizeof tmp, e) < 0)
		return -1;
	ctr_test_crash ("rm-retired");
	if (names_remove (r, e) < 0)
		return -1;
	ctr_test_crash ("rm-unnamed");
	if (dir_remove (r->rootfd, tmp, e) < 0)
		return -1;
	if (is_auto_userns (r->create) && idalloc_release (r->rootfd, r->id, e) < 0)
		return -1;
	return (r->flags & CTR_RM_VOLUMES) ? volumes_remove (r, e) : 0;
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

	if (root_of (rootfd, root, sizeof root, e) < 0 || rootfs_unmount (root, name, e) < 0 ||
	    netns_unmount (root, name, e) < 0)
		return -1;
	return dir_remove (rootfd, name, e);
}

/* --- what killed creators and removers left ------------------------------ */

/* The pid of NAME when it is "<id>.tmp-PID" (of ID, unless NULL); else 0. */
static pid_t
tmp_owner (const char *name, const char *id)
{
	char *end;
	long pid;

	if (strlen (name) <= CTR_ID_LEN + 5 || strncmp (name + CTR_ID_LEN, ".tmp-", 5) ||
	    strspn (name, "0123456789abcdef") != CTR_ID_LEN || (id && strncmp (name, id, CTR_ID_LEN)))
		return 0;
	pid = strtol (name + CTR_ID_LEN + 5, &end, 10);
	return *end || pid <= 0 ? 0 : (pid_t)pid;
}

/* a zombie is a dead worker whose parent has not reaped it yet */
static int
pid_alive (pid_t pid)
{
	return ctr_proc_start_time (pid) != 0;
}

static DIR *
containers_open (int rootfd)
{
	int fd = openat (rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir (fd);

	if (fd >= 0 && !d)
		close (fd);
	return d;
}

int
ctrrm_tmp_busy (int rootfd, const char *id)
{
	_cleanup_dir_ DIR *d = containers_open (rootfd);
	struct dirent *de;
	pid_t pid;

	while (d && (de = readdir (d)))
		if ((pid = tmp_owner (de->d_name, id)) && pid_alive (pid))
			return 1;
	return 0;
}

int
ctrrm_id_is_gone (int rootfd, const char *id)
{
	char dir[CTR_ID_LEN + 16];

	/* in this order: a creator renames its directory into place, and a
	 * remover out of it, while it lives */
	if (strlen (id) != CTR_ID_LEN || ctrrm_tmp_busy (rootfd, id))
		return 0;
	snprintf (dir, sizeof dir, L_CONTAINERS "/%s", id);
	return faccessat (rootfd, dir, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

/* containers/NAME of a dead process, and (NFD: names/, locked) its names */
static void
tmp_reap (int rootfd, int nfd, const char *name)
{
	struct bx_err ign = {0};
	char id[CTR_ID_LEN + 1];

	snprintf (id, sizeof id, "%.*s", CTR_ID_LEN, name);
	if (ctrrm_remove_dir (rootfd, name, &ign) < 0)
		return;
	cgroup_remove_all (id, NULL, &ign);
	if (nfd >= 0 && ctrrm_id_is_gone (rootfd, id))
		unlink_all_to (nfd, id);
}

/* Returns how many containers and live creators' directories there are. */
static size_t
sweep_tmp (int rootfd, int nfd)
{
	_cleanup_dir_ DIR *d = containers_open (rootfd);
	struct dirent *de;
	size_t n = 0;
	pid_t pid;

	while (d && (de = readdir (d))) {
		if (!(pid = tmp_owner (de->d_name, NULL)))
			n += strlen (de->d_name) == CTR_ID_LEN;
		else if (pid_alive (pid))
			n++;
		else
			tmp_reap (rootfd, nfd, de->d_name);
	}
	return n;
}

/* names/ (NFD, locked): links to a container that is gone. Every
 * container has one name, so while there are no more names than
 * containers (NCTR) none is looked at: ps reads no link per container */
static void
sweep_names (int rootfd, int nfd, size_t nctr)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	char id[CTR_ID_LEN + 2], dir[CTR_ID_LEN + 16];
	size_t names = 0;
	int fd = dup (nfd);

	if (fd < 0 || !(d = fdopendir (fd))) {
		if (fd >= 0)
			close (fd);
		return;
	}
	while ((de = readdir (d)))
		names += de->d_name[0] != '.';
	if (names <= nctr)
		return;
	rewinddir (d);
	while ((de = readdir (d))) {
		ssize_t n = readlinkat (nfd, de->d_name, id, sizeof id - 1);
		if (de->d_name[0] == '.' || n != CTR_ID_LEN)
			continue;
		id[n] = '\0';
		/* the common case, cheap: the container is there */
		snprintf (dir, sizeof dir, L_CONTAINERS "/%s", id);
		if (faccessat (rootfd, dir, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || !ctrrm_id_is_gone (rootfd, id))
			continue;
		unlink_if_ours (nfd, de->d_name, id);
	}
}

int
ctrrm_sweep (int rootfd, struct bx_err *e)
{
	_cleanup_close_ int nfd = openat (rootfd, L_NAMES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t nctr;

	if (nfd < 0 && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, L_NAMES);
	/* one sweep at a time, and none while a stale name is taken over */
	if (nfd >= 0 && flock (nfd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? 0 : err_set (e, BX_SYSTEM, errno, "lock " L_NAMES);
	nctr = sweep_tmp (rootfd, nfd);
	if (nfd >= 0)
		sweep_names (rootfd, nfd, nctr);
	return 0;
}

/* --- a container whose supervisor is gone -------------------------------- */

static int
auto_removes (int dfd)
{
	struct bx_err ign = {0};
	json_t *c = ctr_create_read (dfd, &ign);
	int yes = json_is_true (json_object_get (json_object_get (c, "HostConfig"), "AutoRemove"));

	json_decref (c);
	return yes;
}

/* the --cgroup-parent of the container in DIRFD (a static copy), or NULL */
static const char *
parent_at (int dirfd)
{
	static char buf[CGROUP_PATH_LEN];
	struct bx_err ign = {0};
	json_t *c = ctr_create_read (dirfd, &ign);
	const char *p = cgroup_parent (c);

	snprintf (buf, sizeof buf, "%s", p ? p : "");
	json_decref (c);
	return buf;
}

int
ctrrm_reap_lost (int rootfd, int dirfd, const char *id, struct ctr_state *s)
{
	_cleanup_close_ int lock = -1;
	struct ctr_state now;
	struct bx_err e = {0};

	if (!ctr_state_settle (s))
		return 0;
	/* held: the supervisor records the exit itself, or another finder does */
	if ((lock = lock_take_at (dirfd, L_CTR_LOCK, LOCK_TRY, &e)) < 0)
		return 0;
	/* under the lock the record may have moved on (started again) */
	if (ctr_state_read (dirfd, &now, &e) < 0)
		return 0;
	if (!ctr_state_settle (&now)) {
		*s = now;
		return 0;
	}
	now.pid = now.monitor = 0;
	now.pid_start = now.monitor_start = 0;
	/* what is left of it (a process of a shared pid namespace) goes too */
	cgroup_remove_all (id, parent_at (dirfd), &e);
	ctr_state_write (dirfd, &now, 1, &e);
	*s = now;
	/* --rm: what its supervisor would have done */
	if (auto_removes (dirfd) && ctrrm_remove (rootfd, id, CTR_RM_FORCE | CTR_RM_LOCKED, &e) == 0)
		return 1;
	ctrrm_net_release (rootfd, dirfd, id, &e);
	return 0;
}

/* Wait for the removers of ID at work in containers/<id>.tmp-PID: each
 * holds the container's lock until the directory is gone. */
static void
removers_wait (int rootfd, const char *id)
{
	_cleanup_dir_ DIR *d = containers_open (rootfd);
	struct dirent *de;
	char lock[CTR_ID_LEN + 64];
	pid_t pid;

	while (d && (de = readdir (d))) {
		int fd;
		if (!(pid = tmp_owner (de->d_name, id)) || !pid_alive (pid))
			continue;
		/* never O_CREAT: a file made in a directory being emptied would
		 * keep it */
		snprintf (lock, sizeof lock, L_CONTAINERS "/%s/" L_CTR_LOCK, de->d_name);
		if ((fd = openat (rootfd, lock, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		while (flock (fd, LOCK_SH) < 0 && errno == EINTR)
			;
		close (fd);
	}
}

/* Docker's destroy, with what create.json said */
static void
destroy_event (struct rm *r)
{
	struct event_attrs a = {.len = 0};

	event_attrs_ctr (&a, r->create);
	event_log (r->rootfd, "container", "destroy", r->id, &a);
}

/* containers/<id> is not there: removed already, being removed (waited
 * for), or left half made or half removed by a killed process (reaped).
 * 0 once its names are gone; 1 when it appeared meanwhile (a creator
 * finished): the removal starts again; BX_NOTFOUND while it is made. */
static int
absent (struct rm *r, struct bx_err *e)
{
	char path[CTR_ID_LEN + 16];

	memset (e, 0, sizeof *e);
	removers_wait (r->rootfd, r->id);
	ctrrm_sweep (r->rootfd, e);
	snprintf (path, sizeof path, L_CONTAINERS "/%s", r->id);
	if (faccessat (r->rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	if (!ctrrm_id_is_gone (r->rootfd, r->id))
		return err_set (e, BX_NOTFOUND, 0, "No such container: %s", r->id);
	return names_remove (r, e);
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
		if (e->code == BX_NOTFOUND && (rc = absent (&r, e)) > 0) {
			rm_free (&r);
			return ctrrm_remove (rootfd, id, flags, e);
		}
		goto out;
	}
	rm_load (&r);
	if (check_running (&r, flags & CTR_RM_FORCE, e) < 0)
		goto out;
	if (!(flags & CTR_RM_LOCKED) && (lock = take_lock (&r, e)) < 0) {
		if (e->sys == ENOENT && is_gone (&r))
			rc = names_remove (&r, e);
		goto out;
	}
	if (is_gone (&r))
		rc = names_remove (&r, e);
	/* started again while we waited for the lock: the same question again */
	else if ((flags & CTR_RM_LOCKED) || check_running (&r, 0, e) == 0)
		rc = rm_steps (&r, e);
	if (rc == 0 && r.create)
		destroy_event (&r);
out:
	rm_free (&r);
	return rc;
}
