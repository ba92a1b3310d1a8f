#include "runtime/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"

#define HIERARCHY_ROOT "/sys/fs/cgroup"

static const char *const v1_ctrls[CGROUP_MAX_DIRS] = {"memory", "cpu", "pids", "devices", "freezer"};

/* $BOX_CGROUP2_ROOT, or NULL */
static const char *
test_root (void)
{
	const char *r = getenv ("BOX_CGROUP2_ROOT");

	return r && *r ? r : NULL;
}

int
cgroup_is_v2_host (void)
{
	struct stat st;

	/* cgroup2 at the top has cgroup.controllers; v1 has a tmpfs there */
	return stat (HIERARCHY_ROOT "/cgroup.controllers", &st) == 0;
}

/* the cgroup2 root, or NULL on a v1 host */
static const char *
v2_root (void)
{
	if (test_root ())
		return test_root ();
	return cgroup_is_v2_host () ? HIERARCHY_ROOT : NULL;
}

static int
set_dirs (struct cgroup *cg, const char *path, struct bx_err *e)
{
	const char *r = v2_root ();

	memset (cg, 0, sizeof *cg);
	for (size_t i = 0; i < CGROUP_MAX_DIRS; i++)
		cg->procs[i] = -1;
	cg->memdir = -1;
	while (*path == '/')
		path++;
	if (!*path || strstr (path, ".."))
		return err_set (e, BX_USAGE, 0, "cgroupsPath %s: not a relative path", path);
	cg->v2 = r != NULL;
	cg->n = r ? 1 : CGROUP_MAX_DIRS;
	for (size_t i = 0; i < cg->n; i++) {
		if (r)
			snprintf (cg->dir[i], sizeof cg->dir[i], "%s/%s", r, path);
		else
			snprintf (cg->dir[i], sizeof cg->dir[i], HIERARCHY_ROOT "/%s/%s", v1_ctrls[i], path);
	}
	cg->memdir = 0;
	return 0;
}

/* write VAL to DIR/FILE; O_CREAT lets a test directory stand in for cgroupfs */
static int
put (const char *dir, const char *file, const char *val, struct bx_err *e)
{
	char path[4200];
	_cleanup_close_ int fd = -1;
	size_t len = strlen (val);

	snprintf (path, sizeof path, "%s/%s", dir, file);
	if ((fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0 ||
	    write (fd, val, len) != (ssize_t)len)
		return err_set (e, BX_SYSTEM, errno, "cgroup %s", path);
	return 0;
}

static int
put_i64 (const char *dir, const char *file, int64_t v, struct bx_err *e)
{
	char buf[32];
	snprintf (buf, sizeof buf, "%" PRId64, v);
	return put (dir, file, buf, e);
}

static const char *const default_allow[] = {"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",  "c 1:9 rwm",
                                            "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm"};

static int
v1_devices (const char *dir, const struct cgroup_limits *r, struct bx_err *e)
{
	for (size_t i = 0; i < r->ndevrules; i++) {
		const struct cgroup_devrule *d = &r->devrules[i];
		char rule[64], maj[24] = "*", min[24] = "*";
		if (d->major >= 0)
			snprintf (maj, sizeof maj, "%ld", d->major);
		if (d->minor >= 0)
			snprintf (min, sizeof min, "%ld", d->minor);
		if (d->type == 'a')
			snprintf (rule, sizeof rule, "a");
		else
			snprintf (rule, sizeof rule, "%c %s:%s %s", d->type, maj, min, d->access);
		if (put (dir, d->allow ? "devices.allow" : "devices.deny", rule, e) < 0)
			return -1;
	}
	/* the devices every container has (runtime-spec "Default Devices"),
	 * its terminals and /dev/ptmx, as crun and runc allow them */
	for (size_t i = 0; i < sizeof default_allow / sizeof default_allow[0]; i++)
		if (put (dir, "devices.allow", default_allow[i], e) < 0)
			return -1;
	return 0;
}

static int
v1_limits (const struct cgroup *cg, const struct cgroup_limits *r, struct bx_err *e)
{
	if (r->memory >= 0 && put_i64 (cg->dir[0], "memory.limit_in_bytes", r->memory, e) < 0)
		return -1;
	/* memsw exists only with swap accounting; without swap it adds nothing */
	if (r->memory_swap > 0 && access (HIERARCHY_ROOT "/memory/memory.memsw.limit_in_bytes", F_OK) == 0 &&
	    put_i64 (cg->dir[0], "memory.memsw.limit_in_bytes", r->memory_swap, e) < 0)
		return -1;
	if (r->cpu_period && put_i64 (cg->dir[1], "cpu.cfs_period_us", (int64_t)r->cpu_period, e) < 0)
		return -1;
	if (r->cpu_quota > 0 && put_i64 (cg->dir[1], "cpu.cfs_quota_us", r->cpu_quota, e) < 0)
		return -1;
	if (r->cpu_shares && put_i64 (cg->dir[1], "cpu.shares", (int64_t)r->cpu_shares, e) < 0)
		return -1;
	if (r->pids > 0 && put_i64 (cg->dir[2], "pids.max", r->pids, e) < 0)
		return -1;
	return v1_devices (cg->dir[3], r, e);
}

static int
v2_limits (const char *dir, const struct cgroup_limits *r, struct bx_err *e)
{
	char buf[64];

	if (r->memory >= 0 && put_i64 (dir, "memory.max", r->memory, e) < 0)
		return -1;
	/* v2 counts swap apart: OCI's swap is memory + swap */
	if (r->memory_swap > 0 && r->memory >= 0 && r->memory_swap >= r->memory &&
	    put_i64 (dir, "memory.swap.max", r->memory_swap - r->memory, e) < 0)
		return -1;
	if (r->cpu_quota > 0 || r->cpu_period) {
		uint64_t period = r->cpu_period ? r->cpu_period : 100000;
		if (r->cpu_quota > 0)
			snprintf (buf, sizeof buf, "%" PRId64 " %" PRIu64, r->cpu_quota, period);
		else
			snprintf (buf, sizeof buf, "max %" PRIu64, period);
		if (put (dir, "cpu.max", buf, e) < 0)
			return -1;
	}
	/* the conversion crun and runc use: shares 2..262144 to weight 1..10000 */
	if (r->cpu_shares && put_i64 (dir, "cpu.weight", (int64_t)(1 + ((r->cpu_shares - 2) * 9999) / 262142), e) < 0)
		return -1;
	if (r->pids > 0 && put_i64 (dir, "pids.max", r->pids, e) < 0)
		return -1;
	return 0;
}

/* v2: every parent of PATH delegates the controllers to its children */
static int
v2_enable (const char *root, const char *path, struct bx_err *e)
{
	char dir[4096];
	const char *p = path;

	snprintf (dir, sizeof dir, "%s", root);
	while ((p = strchr (p, '/'))) {
		if (put (dir, "cgroup.subtree_control", "+memory +cpu +pids", e) < 0)
			return -1;
		snprintf (dir, sizeof dir, "%s/%.*s", root, (int)(p - path), path);
		if (mkdir (dir, 0755) < 0 && errno != EEXIST)
			return err_set (e, BX_SYSTEM, errno, "cgroup %s", dir);
		p++;
	}
	return put (dir, "cgroup.subtree_control", "+memory +cpu +pids", e);
}

/* v1: `tasks`, where a thread moving itself does not wait for an RCU
 * grace period as a move through cgroup.procs does */
static int
open_procs (struct cgroup *cg, struct bx_err *e)
{
	char path[4200];

	for (size_t i = 0; i < cg->n; i++) {
		snprintf (path, sizeof path, "%s/%s", cg->dir[i], cg->v2 ? "cgroup.procs" : "tasks");
		if ((cg->procs[i] = open (path, O_WRONLY | O_CLOEXEC)) < 0)
			return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "cgroup %s", path);
	}
	return 0;
}

void
cgroup_path (const char *id, char out[CGROUP_PATH_LEN])
{
	snprintf (out, CGROUP_PATH_LEN, "/box/%s", id);
}

int
cgroup_dir (const char *id, const char *ctrl, char *out, size_t len)
{
	char path[CGROUP_PATH_LEN];

	cgroup_path (id, path);
	return cgroup_dir_of (path, ctrl, out, len);
}

int
cgroup_dir_of (const char *path, const char *ctrl, char *out, size_t len)
{
	const char *r = v2_root ();

	while (*path == '/')
		path++;
	if (r)
		snprintf (out, len, "%s/%s", r, path);
	else
		snprintf (out, len, HIERARCHY_ROOT "/%s/%s", ctrl, path);
	return r != NULL;
}

int
cgroup_create (struct cgroup *cg, const char *path, const struct cgroup_limits *l, struct bx_err *e)
{
	if (set_dirs (cg, path, e) < 0)
		return -1;
	while (*path == '/')
		path++;
	if (cg->v2 && v2_enable (v2_root (), path, e) < 0)
		return -1;
	for (size_t i = 0; i < cg->n; i++)
		if (afile_mkdir_p_at (AT_FDCWD, cg->dir[i], 0755, e) < 0)
			return err_wrap (e, "cgroup");
	if ((cg->v2 ? v2_limits (cg->dir[0], l, e) : v1_limits (cg, l, e)) < 0)
		return -1;
	if (cg->v2 && test_root ())
		/* a test directory: no kernel file to write pids to */
		return put (cg->dir[0], "cgroup.procs", "", e) < 0 ? -1 : open_procs (cg, e);
	return open_procs (cg, e);
}

int
cgroup_open (struct cgroup *cg, const char *path, struct bx_err *e)
{
	if (set_dirs (cg, path, e) < 0)
		return -1;
	return open_procs (cg, e);
}

int
cgroup_enter (const struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->procs[i] >= 0 && write (cg->procs[i], "0", 1) != 1)
			return -1;
	return 0;
}

/* the value of KEY in a "key value" lines file */
static long
keyed (const char *path, const char *key)
{
	_cleanup_file_ FILE *f = fopen (path, "re");
	char k[64];
	long v;

	while (f && fscanf (f, "%63s %ld", k, &v) == 2)
		if (!strcmp (k, key))
			return v;
	return 0;
}

long
cgroup_oom_kills (const struct cgroup *cg)
{
	char path[4200];

	if (cg->memdir < 0 || !cg->n)
		return 0;
	snprintf (path, sizeof path, "%s/%s", cg->dir[cg->memdir], cg->v2 ? "memory.events" : "memory.oom_control");
	return keyed (path, "oom_kill");
}

void
cgroup_close (struct cgroup *cg)
{
	for (size_t i = 0; i < CGROUP_MAX_DIRS; i++)
		if (cg->procs[i] >= 0) {
			close (cg->procs[i]);
			cg->procs[i] = -1;
		}
}

/* rmdir, waiting up to 1 s while the last tasks are being released */
static int
remove_dir (const char *dir)
{
	struct timespec ts = {0, 1000000};

	for (int i = 0; i < 1000; i++) {
		if (rmdir (dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		nanosleep (&ts, NULL);
	}
	return -1;
}

int
cgroup_destroy (struct cgroup *cg, struct bx_err *e)
{
	int r = 0;

	cgroup_close (cg);
	for (size_t i = 0; i < cg->n; i++)
		if (remove_dir (cg->dir[i]) < 0 && r == 0)
			r = err_set (e, BX_SYSTEM, errno, "remove cgroup %s", cg->dir[i]);
	cg->n = 0;
	return r;
}

/* SIGKILL each process in CG, and wait for its end */
static void
kill_procs (const char *cg)
{
	char path[PATH_MAX + 32];
	_cleanup_file_ FILE *f = NULL;
	int pid;

	snprintf (path, sizeof path, "%s/cgroup.procs", cg);
	if (!(f = fopen (path, "re")))
		return;
	while (fscanf (f, "%d", &pid) == 1) {
		struct pollfd p = {.fd = pidfd_open (pid, 0), .events = POLLIN};
		if (p.fd < 0)
			continue;
		pidfd_send_signal (p.fd, SIGKILL, NULL, 0);
		while (poll (&p, 1, -1) < 0 && errno == EINTR)
			;
		close (p.fd);
	}
}

/* ROOT's cgroup PATH, with what is left in it */
static int
remove_one (const char *root, const char *path, struct bx_err *e)
{
	char cg[PATH_MAX];

	snprintf (cg, sizeof cg, "%s%s", root, path);
	if (rmdir (cg) == 0 || errno == ENOENT || errno == ENOTDIR)
		return 0;
	if (errno != EBUSY)
		return err_set (e, BX_SYSTEM, errno, "remove cgroup %s", cg);
	/* processes left behind (an exec outlived the container): they go too */
	kill_procs (cg);
	if (rmdir (cg) < 0 && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "remove cgroup %s", cg);
	return 0;
}

int
cgroup_remove_all (const char *id, struct bx_err *e)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	char path[CGROUP_PATH_LEN], root[PATH_MAX];

	cgroup_path (id, path);
	if (test_root () && remove_one (test_root (), path, e) < 0)
		return -1;
	if (cgroup_is_v2_host ())
		return remove_one (HIERARCHY_ROOT, path, e);
	if (!(d = opendir (HIERARCHY_ROOT)))
		return 0;
	/* every v1 hierarchy (and a hybrid unified one); links such as cpu ->
	 * cpu,cpuacct name the same directory twice */
	while ((de = readdir (d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		snprintf (root, sizeof root, HIERARCHY_ROOT "/%s", de->d_name);
		if (remove_one (root, path, e) < 0)
			return -1;
	}
	return 0;
}
