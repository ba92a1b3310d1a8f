/* holder - the user's namespace holder (holder.h) */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/idmap.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/subid.h"
#include "runtime/ctr.h"
#include "base/userns.h"

pid_t
holder_find (int rootfd)
{
	_cleanup_free_ char *buf = NULL;
	unsigned long long start = 0;
	struct bx_err ign = {0};
	int pid = 0;

	if (afile_slurp_at (rootfd, L_USERNS_HOLDER, &buf, NULL, &ign) < 0)
		return 0;
	if (sscanf (buf, "pid=%d\nstart=%llu", &pid, &start) != 2 || pid <= 0)
		return 0;
	/* a pid reused since by another process is not ours */
	return start && ctr_proc_start_time (pid) == start ? pid : 0;
}

/* 0 SELF (the user's uid or gid), then 1.. over the ranges of FILE that
 * name the user (NAME or uid ID) */
static int
map_of (const char *file, const char *name, unsigned id, unsigned self, struct idmap *m, struct bx_err *e)
{
	struct subid_ranges r;
	uint64_t next = 1;

	memset (m, 0, sizeof *m);
	if (subid_read (file, name, id, &r, e) < 0 || idmap_add (m, 0, self, 1, e) < 0)
		return -1;
	for (size_t k = 0; k < r.n && m->n < IDMAP_MAX; next += r.r[k].count, k++)
		if (idmap_add (m, next, r.r[k].start, r.r[k].count, e) < 0)
			return err_wrap (e, "%s", file);
	return 0;
}

/* the maps of the holder PID: 0 the user, 1.. the subordinate ranges
 * (base/userns writes them through newuidmap and newgidmap); without
 * ranges, the user alone, as Podman falls back with a warning */
static int
maps_write (pid_t pid, const char **warn, struct bx_err *e)
{
	struct passwd *pw = getpwuid (getuid ());
	const char *name = pw ? pw->pw_name : NULL;
	struct idmap u, g;
	struct userns_maps maps = {&u, &g};

	if (map_of (SUBID_UID_FILE, name, getuid (), getuid (), &u, e) < 0 ||
	    map_of (SUBID_GID_FILE, name, getuid (), getgid (), &g, e) < 0)
		return -1;
	if (u.n < 2 || g.n < 2) {
		*warn = "no subordinate ids for the user in /etc/subuid and /etc/subgid: containers get one uid";
		u.n = g.n = 1;
	}
	return userns_write_maps (pid, &maps, e);
}

/* the holder itself: a user namespace, mapped by its maker, then root in
 * it, a mount namespace of its own, and a wait for its end. What it
 * tells its maker through TO: its pid once unshared, then "ok" or the
 * errno of its failure. */
static void __attribute__ ((noreturn)) holder_run (int from, int to)
{
	pid_t self = getpid ();
	char go;
	int err = 0;

	if (unshare (CLONE_NEWUSER) < 0)
		self = -errno;
	if (write (to, &self, sizeof self) != sizeof self || self < 0 || read (from, &go, 1) != 1 || go != 'g')
		_exit (1);
	if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0 || unshare (CLONE_NEWNS) < 0)
		err = errno;
	if (write (to, &err, sizeof err) != sizeof err || err)
		_exit (1);
	/* nothing of its maker pinned: no fd, no directory, no terminal */
	close_range (0, ~0U, 0);
	if (chdir ("/") < 0)
		_exit (1);
	open ("/dev/null", O_RDWR);
	dup (0);
	dup (0);
	prctl (PR_SET_NAME, "box-userns");
	signal (SIGINT, SIG_IGN);
	signal (SIGHUP, SIG_IGN);
	for (;;)
		pause ();
}

/* make the holder: a grandchild, so that it belongs to no box invocation
 * (reparented to the subreaper or init) */
static pid_t
holder_make (const char **warn, struct bx_err *e)
{
	int down[2], up[2], err = 0, st;
	pid_t mid, pid = -1;
	ssize_t n;

	if (pipe2 (down, O_CLOEXEC) < 0 || pipe2 (up, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "pipe");
	if ((mid = fork ()) < 0)
		return err_set (e, BX_SYSTEM, errno, "fork");
	if (mid == 0) {
		setsid ();
		if (fork () == 0)
			holder_run (down[0], up[1]);
		_exit (0);
	}
	close (down[0]);
	close (up[1]);
	waitpid (mid, &st, 0);
	if ((n = read (up[0], &pid, sizeof pid)) != sizeof pid || pid < 0) {
		err_set (e, BX_SYSTEM, n == sizeof pid ? -pid : 0, "user namespace");
		goto out;
	}
	if (maps_write (pid, warn, e) < 0) {
		kill (pid, SIGKILL);
		goto out;
	}
	if (write (down[1], "g", 1) != 1 || read (up[0], &err, sizeof err) != sizeof err || err) {
		err_set (e, BX_SYSTEM, err, "user namespace: mount namespace");
		kill (pid, SIGKILL);
		goto out;
	}
	close (down[1]);
	close (up[0]);
	return pid;
out:
	close (down[1]);
	close (up[0]);
	return -1;
}

pid_t
holder_ensure (int rootfd, const char **warn, struct bx_err *e)
{
	_cleanup_close_ int lk = -1;
	char rec[64];
	pid_t pid;

	if ((pid = holder_find (rootfd)))
		return pid;
	if ((lk = lock_take_at (rootfd, L_USERNS_HOLDER_LOCK, LOCK_WAIT, e)) < 0)
		return -1;
	/* made by another box while this one waited */
	if ((pid = holder_find (rootfd)))
		return pid;
	if ((pid = holder_make (warn, e)) < 0)
		return -1;
	snprintf (rec, sizeof rec, "pid=%d\nstart=%llu\n", (int)pid, ctr_proc_start_time (pid));
	if (afile_replace_at (rootfd, L_USERNS_HOLDER, rec, strlen (rec), 0600, e) < 0) {
		kill (pid, SIGKILL);
		return -1;
	}
	return pid;
}

int
holder_join (pid_t pid, struct bx_err *e)
{
	static const char *const ns[] = {"user", "mnt"};
	char path[64], cwd[PATH_MAX];
	size_t k;

	/* joining a mount namespace moves the caller to its root: back to
	 * the same path there (the holder's mounts are the host's, as a
	 * slave), or `box build .` builds / */
	if (!getcwd (cwd, sizeof cwd))
		return err_set (e, BX_SYSTEM, errno, "current directory");
	for (k = 0; k < 2; k++) {
		_cleanup_close_ int fd = -1;

		snprintf (path, sizeof path, "/proc/%d/ns/%s", (int)pid, ns[k]);
		if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0 || setns (fd, 0) < 0)
			return err_set (e, BX_SYSTEM, errno, "join the user namespace: %s", path);
	}
	if (chdir (cwd) < 0)
		return err_set (e, BX_SYSTEM, errno, "current directory %s in the user's mount namespace", cwd);
	return 0;
}

int
holder_stop (int rootfd, struct bx_err *e)
{
	_cleanup_close_ int lk = -1;
	pid_t pid;

	if ((lk = lock_take_at (rootfd, L_USERNS_HOLDER_LOCK, LOCK_WAIT, e)) < 0)
		return -1;
	if ((pid = holder_find (rootfd)) && kill (pid, SIGKILL) < 0 && errno != ESRCH)
		return err_set (e, BX_SYSTEM, errno, "user namespace holder %d", (int)pid);
	if (unlinkat (rootfd, L_USERNS_HOLDER, 0) < 0 && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "%s", L_USERNS_HOLDER);
	return 0;
}
