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
#include "base/root.h"
#include "runtime/devcg.h"

#define HIERARCHY_ROOT "/sys/fs/cgroup"

/* the v1 hierarchies a container has a cgroup in, in dir[] order; the
 * last, systemd's named one (no controller), where the host has it, as
 * runc puts a container in each hierarchy: in the host's cgroup
 * namespace its /proc/self/cgroup names the container's cgroup there too */
enum { MEM, CPU, PIDS, DEV, CPUSET, BLKIO, FREEZER, CPUACCT, SYSTEMD };
static const char *const v1_ctrls[CGROUP_MAX_DIRS] = {"memory", "cpu",     "pids",    "devices", "cpuset",
                                                      "blkio",  "freezer", "cpuacct", "systemd"};

/* whether the host has systemd's named v1 hierarchy (asked once) */
static int
has_systemd_hierarchy (void)
{
	static int known = -1;

	if (known < 0)
		known = access (HIERARCHY_ROOT "/systemd/tasks", F_OK) == 0;
	return known;
}

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

/* where the cgroup2 hierarchy is mounted for a rootless box:
 * $BOX_CGROUP2_MOUNT (a hybrid host's /sys/fs/cgroup/unified, a test's
 * mount), else /sys/fs/cgroup on a v2 host; NULL on a v1 host */
static const char *
v2_mount (void)
{
	const char *m = getenv ("BOX_CGROUP2_MOUNT");

	if (m && *m)
		return m;
	return cgroup_is_v2_host () ? HIERARCHY_ROOT : NULL;
}

/* DIR is the user's to delegate from: it may move processes into it and
 * enable controllers below it (the files systemd's Delegate= chowns) */
static int
is_delegated (const char *dir)
{
	char f[PATH_MAX + 32];

	snprintf (f, sizeof f, "%s/cgroup.procs", dir);
	if (access (f, W_OK) < 0)
		return 0;
	snprintf (f, sizeof f, "%s/cgroup.subtree_control", dir);
	return access (f, W_OK) == 0;
}

/* rootless: the cgroup2 subtree delegated to the user, as systemd
 * delegates user@UID.service: from the user's own cgroup
 * (/proc/self/cgroup's "0::/PATH") up, the highest the user may delegate
 * from, so that the containers sit beside the user's processes (their
 * common parent is the user's: moving a process needs that), not under
 * them (a cgroup with processes enables no controller); or NULL */
static const char *
delegated_root (void)
{
	static char dir[PATH_MAX];
	static int done;
	_cleanup_file_ FILE *f = NULL;
	const char *m;
	char line[PATH_MAX - 64], up[PATH_MAX], *slash;
	size_t top;

	if (done++)
		return *dir ? dir : NULL;
	if (!(m = v2_mount ()) || !(f = fopen ("/proc/self/cgroup", "re")))
		return NULL;
	top = strlen (m);
	while (fgets (line, sizeof line, f)) {
		line[strcspn (line, "\n")] = '\0';
		/* the root cgroup is no one's delegation */
		if (strncmp (line, "0::/", 4) || !line[4])
			continue;
		snprintf (up, sizeof up, "%s%s", m, line + 3);
		while (is_delegated (up)) {
			snprintf (dir, sizeof dir, "%s", up);
			if (!(slash = strrchr (up, '/')) || (size_t)(slash - up) <= top)
				break;
			*slash = '\0';
		}
	}
	return *dir ? dir : NULL;
}

int
cgroup_is_none (void)
{
	return root_is_rootless () && !test_root () && !delegated_root ();
}

/* the cgroup2 root, or NULL on a v1 host (and rootless without one) */
static const char *
v2_root (void)
{
	if (test_root ())
		return test_root ();
	if (root_is_rootless ())
		return delegated_root ();
	return cgroup_is_v2_host () ? HIERARCHY_ROOT : NULL;
}

void
cgroup_limits_init (struct cgroup_limits *l)
{
	*l = (struct cgroup_limits){.memory = -1,
	                            .memory_swap = -1,
	                            .cpu_quota = -1,
	                            .pids = -1,
	                            .memory_reservation = -1,
	                            .swappiness = -1,
	                            .rt_period = -1,
	                            .rt_runtime = -1};
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
	cg->n = r ? 1 : cgroup_is_none () ? 0 : has_systemd_hierarchy () ? CGROUP_MAX_DIRS : SYSTEMD;
	for (size_t i = 0; i < cg->n; i++) {
		if (r)
			snprintf (cg->dir[i], sizeof cg->dir[i], "%s/%s", r, path);
		else
			snprintf (cg->dir[i], sizeof cg->dir[i], HIERARCHY_ROOT "/%s/%s", v1_ctrls[i], path);
	}
	cg->memdir = cg->n ? 0 : -1;
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

/* DIR/FILE's first line into BUF; its length, -1 when unreadable */
static ssize_t
get (const char *dir, const char *file, char *buf, size_t size)
{
	char path[4200];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf (path, sizeof path, "%s/%s", dir, file);
	if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0 || (n = read (fd, buf, size - 1)) < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn (buf, "\n")] = '\0';
	return (ssize_t)strlen (buf);
}

static int64_t
get_i64 (const char *dir, const char *file)
{
	char buf[32];

	return get (dir, file, buf, sizeof buf) > 0 ? strtoll (buf, NULL, 10) : 0;
}

/* --- what the host can apply --- */

/* the Docker flags, their file under v1, and the words of Docker's warning */
static const struct v1_need {
	const char *flag, *ctrl, *file, *alt, *why;
} v1_needs[] = {
    {"--memory-reservation", "memory", "memory.soft_limit_in_bytes", NULL, "memory soft limit capabilities"},
    {"--memory-swappiness", "memory", "memory.swappiness", NULL, "memory swappiness capabilities"},
    {"--oom-kill-disable", "memory", "memory.oom_control", NULL, "OomKillDisable"},
    {"--cpuset-cpus", "cpuset", "cpuset.cpus", NULL, "cpuset"},
    {"--cpuset-mems", "cpuset", "cpuset.mems", NULL, "cpuset"},
    {"--cpu-rt-period", "cpu", "cpu.rt_period_us", NULL, "CPU real-time scheduler"},
    {"--cpu-rt-runtime", "cpu", "cpu.rt_runtime_us", NULL, "CPU real-time scheduler"},
    {"--blkio-weight", "blkio", "blkio.weight", "blkio.bfq.weight", "Block I/O weight"},
    {"--blkio-weight-device", "blkio", "blkio.weight_device", "blkio.bfq.weight_device", "Block I/O weight_device"},
    {"--device-read-bps", "blkio", "blkio.throttle.read_bps_device", NULL, "BPS Block I/O read limit"},
    {"--device-write-bps", "blkio", "blkio.throttle.write_bps_device", NULL, "BPS Block I/O write limit"},
    {"--device-read-iops", "blkio", "blkio.throttle.read_iops_device", NULL, "IOPS Block read limit"},
    {"--device-write-iops", "blkio", "blkio.throttle.write_iops_device", NULL, "IOPS Block write limit"},
};

enum {
	N_RESERVATION,
	N_SWAPPINESS,
	N_OOM,
	N_CPUS,
	N_MEMS,
	N_RT_PERIOD,
	N_RT_RUNTIME,
	N_WEIGHT,
	N_WEIGHT_DEV,
	N_RBPS,
	N_WBPS,
	N_RIOPS,
	N_WIOPS,
	N_NEEDS
};

/* which of v1_needs L asks for, in SET */
static void
needs_of (const struct cgroup_limits *l, int set[N_NEEDS])
{
	memset (set, 0, N_NEEDS * sizeof *set);
	set[N_RESERVATION] = l->memory_reservation >= 0;
	set[N_SWAPPINESS] = l->swappiness >= 0;
	set[N_OOM] = l->oom_kill_disable;
	set[N_CPUS] = l->cpuset_cpus != NULL;
	set[N_MEMS] = l->cpuset_mems != NULL;
	set[N_RT_PERIOD] = l->rt_period >= 0;
	set[N_RT_RUNTIME] = l->rt_runtime >= 0;
	set[N_WEIGHT] = l->blkio_weight > 0;
	for (size_t i = 0; i < l->nblkdevs; i++)
		set[N_WEIGHT_DEV + l->blkdevs[i].kind] = 1;
}

size_t
cgroup_limits_flags (const struct cgroup_limits *l, const char **flags, size_t max)
{
	int set[N_NEEDS];
	size_t n = 0;

	needs_of (l, set);
#define FLAG(cond, name)                                                                                               \
	do {                                                                                                           \
		if ((cond) && n < max)                                                                                 \
			flags[n++] = (name);                                                                           \
	} while (0)
	/* as the flags land in the resources: -m alone gives a swap limit of
	 * twice it, --cpus a quota over a period of 100000 */
	FLAG (l->memory >= 0, "--memory");
	FLAG (l->memory_swap >= 0 && l->memory_swap != 2 * l->memory, "--memory-swap");
	FLAG (l->cpu_quota >= 0 && l->cpu_period == 100000, "--cpus");
	FLAG (l->cpu_quota >= 0 && l->cpu_period != 100000, "--cpu-quota");
	FLAG (l->cpu_period && l->cpu_period != 100000, "--cpu-period");
	FLAG (l->cpu_shares, "--cpu-shares");
	FLAG (l->pids > 0, "--pids-limit");
	for (int i = 0; i < N_NEEDS; i++)
		FLAG (set[i], v1_needs[i].flag);
#undef FLAG
	return n;
}

/* FILE in the hierarchy's root, or (a file the root lacks) in box/ */
static int
v1_has (const char *ctrl, const char *file)
{
	char path[512];

	snprintf (path, sizeof path, HIERARCHY_ROOT "/%s/%s", ctrl, file);
	if (access (path, F_OK) == 0)
		return 1;
	snprintf (path, sizeof path, HIERARCHY_ROOT "/%s/box/%s", ctrl, file);
	return access (path, F_OK) == 0;
}

/* a CPU or memory node list ("0-3,8") as a bit set; -1 when malformed */
static int
list_bits (const char *s, uint64_t bits[16])
{
	memset (bits, 0, 16 * sizeof *bits);
	while (*s) {
		char *end;
		unsigned long a = strtoul (s, &end, 10), b = a;
		if (end == s)
			return -1;
		if (*end == '-' && (s = end + 1) && ((b = strtoul (s, &end, 10)), end == s))
			return -1;
		if (b < a || b >= 1024)
			return -1;
		for (unsigned long i = a; i <= b; i++)
			bits[i / 64] |= 1ULL << (i % 64);
		if (*end && *end != ',')
			return -1;
		s = *end ? end + 1 : end;
	}
	return 0;
}

/* Docker's check: the CPUs or nodes (MEMS) asked for are all the host's */
static int
cpuset_within (const char *want, int mems, struct bx_err *e)
{
	static const char *const files[2][2] = {{"cpuset.effective_cpus", "cpuset.cpus.effective"},
	                                        {"cpuset.effective_mems", "cpuset.mems.effective"}};
	const char *what = mems ? "memory nodes" : "CPUs", *r = v2_root ();
	char have[4096], dir[256];
	uint64_t w[16], h[16];

	snprintf (dir, sizeof dir, "%s", r ? r : HIERARCHY_ROOT "/cpuset");
	if (get (dir, files[mems][r != NULL], have, sizeof have) < 0)
		return 0; /* a test directory: nothing to compare with */
	if (list_bits (want, w) < 0 || list_bits (have, h) < 0)
		return err_set (e, BX_USAGE, 0, "invalid value %s for %s", want, what);
	for (int i = 0; i < 16; i++)
		if (w[i] & ~h[i])
			return err_set (e, BX_USAGE, 0, "Requested %s are not available - requested %s, available: %s",
			                what, want, have);
	return 0;
}

/* v2: the knobs cgroup v2 has no file for */
static int
v2_check (const int set[N_NEEDS], struct bx_err *e)
{
	static const int none[] = {N_SWAPPINESS, N_OOM, N_RT_PERIOD, N_RT_RUNTIME};

	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		if (set[none[i]])
			return err_set (e, BX_USAGE, 0, "%s: not supported on cgroup v2 (no such control)",
			                v1_needs[none[i]].flag);
	return 0;
}

/* the cgroup2 controller FLAG (cgroup_limits_flags's) is written to */
static const char *
v2_ctrl_of (const char *flag)
{
	static const char *const by_prefix[][2] = {{"--memory", "memory"}, {"--cpuset", "cpuset"}, {"--cpu", "cpu"},
	                                           {"--pids", "pids"},     {"--blkio", "io"},      {"--device-", "io"}};

	for (size_t i = 0; i < sizeof by_prefix / sizeof by_prefix[0]; i++)
		if (!strncmp (flag, by_prefix[i][0], strlen (by_prefix[i][0])))
			return by_prefix[i][1];
	return NULL;
}

/* v2: each flag of L has its controller in the root's cgroup.controllers
 * (a delegated subtree has those its parent gave it); crun's words, which
 * rootless Podman shows. A plain directory standing in for the root
 * ($BOX_CGROUP2_ROOT in the tests) has no such file: nothing to compare. */
static int
v2_check_controllers (const struct cgroup_limits *l, struct bx_err *e)
{
	const char *flags[32], *ctrl;
	char have[512] = " ", word[24];
	size_t n = cgroup_limits_flags (l, flags, 32);

	if (!n || get (v2_root (), "cgroup.controllers", have + 1, sizeof have - 2) < 0)
		return 0;
	strcat (have, " ");
	for (size_t i = 0; i < n; i++) {
		if (!(ctrl = v2_ctrl_of (flags[i])))
			continue;
		snprintf (word, sizeof word, " %s ", ctrl);
		if (!strstr (have, word))
			return err_set (e, BX_USAGE, 0, "%s: the requested cgroup controller `%s` is not available",
			                flags[i], ctrl);
	}
	return 0;
}

int
cgroup_check (const struct cgroup_limits *l, struct bx_err *e)
{
	int set[N_NEEDS];

	needs_of (l, set);
	/* rootless without a subtree: each flag warned of and ignored by the
	 * tool (cgroup_limits_flags), as rootless Podman */
	if (cgroup_is_none ())
		return 0;
	if (v2_root ()) {
		if (v2_check (set, e) < 0 || v2_check_controllers (l, e) < 0)
			return -1;
	} else
		for (int i = 0; i < N_NEEDS; i++) {
			const struct v1_need *n = &v1_needs[i];
			if (set[i] && !v1_has (n->ctrl, n->file) && !(n->alt && v1_has (n->ctrl, n->alt)))
				return err_set (
				    e, BX_USAGE, 0,
				    "%s: Your kernel does not support %s or the cgroup is not mounted (no %s)", n->flag,
				    n->why, n->file);
		}
	if (l->cpuset_cpus && cpuset_within (l->cpuset_cpus, 0, e) < 0)
		return -1;
	if (l->cpuset_mems && cpuset_within (l->cpuset_mems, 1, e) < 0)
		return -1;
	return 0;
}

/* --- v1 --- */

/* v1 cpuset: a new cgroup has no CPUs and no memory nodes, and nothing
 * can join it; each level gets its parent's */
static int
v1_cpuset_fill (const char *dir, struct bx_err *e)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	char parent[4096], v[4096];

	snprintf (parent, sizeof parent, "%s", dir);
	*strrchr (parent, '/') = '\0';
	for (size_t i = 0; i < 2; i++) {
		if (get (dir, files[i], v, sizeof v) > 0)
			continue;
		if (get (parent, files[i], v, sizeof v) <= 0)
			return err_set (e, BX_SYSTEM, errno, "cgroup %s/%s: empty", parent, files[i]);
		if (put (dir, files[i], v, e) < 0)
			return -1;
	}
	return 0;
}

/* ROOT/PATH made level by level, each cpuset level filled */
static int
v1_mkdir (const char *root, const char *path, int cpuset, struct bx_err *e)
{
	char dir[4096];
	const char *p = path;

	do {
		p = strchr (p + 1, '/');
		snprintf (dir, sizeof dir, "%s/%.*s", root, p ? (int)(p - path) : (int)strlen (path), path);
		if (mkdir (dir, 0755) < 0 && errno != EEXIST)
			return err_set (e, BX_SYSTEM, errno, "cgroup %s", dir);
		if (cpuset && v1_cpuset_fill (dir, e) < 0)
			return -1;
	} while (p);
	return 0;
}

/* the real-time share (runtime / period) DIR's children hold, SKIP's aside */
static double
rt_children (const char *dir, const char *skip)
{
	_cleanup_dir_ DIR *d = opendir (dir);
	struct dirent *de;
	char sub[4200];
	double sum = 0;

	while (d && (de = readdir (d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.' || (skip && !strcmp (de->d_name, skip)))
			continue;
		snprintf (sub, sizeof sub, "%s/%s", dir, de->d_name);
		int64_t rt = get_i64 (sub, "cpu.rt_runtime_us"), period = get_i64 (sub, "cpu.rt_period_us");
		if (rt > 0 && period > 0)
			sum += (double)rt / (double)period;
	}
	return sum;
}

/* v1 cpu.rt_runtime_us: a group's real-time budget must fit in its
 * parent's, beside its siblings'; box's own levels start with none, so
 * each parent of DIR (below ROOT) is raised, top down, to what its
 * children hold with SHARE more for DIR. Docker asks its daemon's
 * --cpu-rt-runtime of the operator instead. */
static int
v1_rt_budget (const char *root, const char *dir, double share, struct bx_err *e)
{
	char parent[4096], *slash;
	const char *child;
	double need;
	int64_t period;

	snprintf (parent, sizeof parent, "%s", dir);
	if (!(slash = strrchr (parent, '/')) || (size_t)(slash - parent) <= strlen (root))
		return 0;
	*slash = '\0';
	child = slash + 1;
	need = rt_children (parent, child) + share;
	period = get_i64 (parent, "cpu.rt_period_us");
	if (period <= 0 || (double)get_i64 (parent, "cpu.rt_runtime_us") >= need * (double)period)
		return 0;
	if (v1_rt_budget (root, parent, need, e) < 0)
		return -1;
	if (put_i64 (parent, "cpu.rt_runtime_us", (int64_t)(need * (double)period + 0.999), e) < 0)
		return err_wrap (e, "--cpu-rt-runtime: not enough real-time budget left");
	return 0;
}

static int
v1_rt (const char *dir, const struct cgroup_limits *r, struct bx_err *e)
{
	int64_t period = r->rt_period > 0 ? r->rt_period : get_i64 (dir, "cpu.rt_period_us");

	if (r->rt_period > 0 && put_i64 (dir, "cpu.rt_period_us", r->rt_period, e) < 0)
		return err_wrap (e, "--cpu-rt-period");
	if (r->rt_runtime < 0)
		return 0;
	if (period > 0 && v1_rt_budget (HIERARCHY_ROOT "/cpu", dir, (double)r->rt_runtime / (double)period, e) < 0)
		return -1;
	if (put_i64 (dir, "cpu.rt_runtime_us", r->rt_runtime, e) < 0)
		return err_wrap (e, "--cpu-rt-runtime");
	return 0;
}

static int
v1_memory (const char *dir, const struct cgroup_limits *r, struct bx_err *e)
{
	/* memsw exists only with swap accounting; without swap it adds nothing */
	int memsw = r->memory_swap > 0 && access (HIERARCHY_ROOT "/memory/memory.memsw.limit_in_bytes", F_OK) == 0;

	if (r->memory >= 0 && put_i64 (dir, "memory.limit_in_bytes", r->memory, e) < 0) {
		/* the kernel keeps memory within memory+swap at each write: a
		 * limit raised past the old memsw (docker update) follows it */
		if (!memsw || e->sys != EINVAL || put_i64 (dir, "memory.memsw.limit_in_bytes", r->memory_swap, e) < 0 ||
		    put_i64 (dir, "memory.limit_in_bytes", r->memory, e) < 0)
			return -1;
	} else if (memsw && put_i64 (dir, "memory.memsw.limit_in_bytes", r->memory_swap, e) < 0)
		return -1;
	if (r->memory_reservation >= 0 && put_i64 (dir, "memory.soft_limit_in_bytes", r->memory_reservation, e) < 0)
		return -1;
	if (r->swappiness >= 0 && put_i64 (dir, "memory.swappiness", r->swappiness, e) < 0)
		return -1;
	if (r->oom_kill_disable && put (dir, "memory.oom_control", "1", e) < 0)
		return -1;
	return 0;
}

static int
v1_cpu (const char *dir, const struct cgroup_limits *r, struct bx_err *e)
{
	if (r->cpu_period && put_i64 (dir, "cpu.cfs_period_us", (int64_t)r->cpu_period, e) < 0)
		return -1;
	if (r->cpu_quota > 0 && put_i64 (dir, "cpu.cfs_quota_us", r->cpu_quota, e) < 0)
		return -1;
	if (r->cpu_shares && put_i64 (dir, "cpu.shares", (int64_t)r->cpu_shares, e) < 0)
		return -1;
	return v1_rt (dir, r, e);
}

static int
v1_cpuset (const char *dir, const struct cgroup_limits *r, struct bx_err *e)
{
	if (r->cpuset_cpus && put (dir, "cpuset.cpus", r->cpuset_cpus, e) < 0)
		return err_wrap (e, "--cpuset-cpus %s", r->cpuset_cpus);
	if (r->cpuset_mems && put (dir, "cpuset.mems", r->cpuset_mems, e) < 0)
		return err_wrap (e, "--cpuset-mems %s", r->cpuset_mems);
	return 0;
}

/* "MAJ:MIN VALUE" to FILE, or where the kernel names it ALT (BFQ's weights) */
static int
blk_put (const char *dir, const char *file, const char *alt, const char *fmt, const struct cgroup_blkdev *d,
         struct bx_err *e)
{
	char buf[96], path[4200];

	snprintf (buf, sizeof buf, fmt, d->major, d->minor, d->value);
	snprintf (path, sizeof path, "%s/%s", dir, file);
	if (alt && access (path, F_OK) < 0)
		file = alt;
	return put (dir, file, buf, e);
}

static int
v1_blkio (const char *dir, const struct cgroup_limits *r, struct bx_err *e)
{
	static const char *const files[] = {"blkio.weight_device", "blkio.throttle.read_bps_device",
	                                    "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
	                                    "blkio.throttle.write_iops_device"};
	char path[4200];

	snprintf (path, sizeof path, "%s/blkio.weight", dir);
	if (r->blkio_weight && put_i64 (dir, access (path, F_OK) == 0 ? "blkio.weight" : "blkio.bfq.weight",
	                                (int64_t)r->blkio_weight, e) < 0)
		return err_wrap (e, "--blkio-weight");
	for (size_t i = 0; i < r->nblkdevs; i++) {
		const struct cgroup_blkdev *d = &r->blkdevs[i];
		if (blk_put (dir, files[d->kind], d->kind ? NULL : "blkio.bfq.weight_device", "%ld:%ld %" PRIu64, d,
		             e) < 0)
			return err_wrap (e, "%s", v1_needs[N_WEIGHT_DEV + d->kind].flag);
	}
	return 0;
}

static int
v1_limits (const struct cgroup *cg, const struct cgroup_limits *r, struct bx_err *e)
{
	if (v1_memory (cg->dir[MEM], r, e) < 0 || v1_cpu (cg->dir[CPU], r, e) < 0 ||
	    v1_cpuset (cg->dir[CPUSET], r, e) < 0 || v1_blkio (cg->dir[BLKIO], r, e) < 0)
		return -1;
	if (r->pids > 0 && put_i64 (cg->dir[PIDS], "pids.max", r->pids, e) < 0)
		return -1;
	return devcg_apply_v1 (cg->dir[DEV], r->devrules, r->ndevrules, e);
}

/* --- v2 --- */

static int
v2_io (const char *dir, const struct cgroup_limits *r, struct bx_err *e)
{
	static const char *const keys[] = {"", "rbps", "wbps", "riops", "wiops"};
	char buf[96], path[4200];
	int bfq;

	snprintf (path, sizeof path, "%s/io.weight", dir);
	bfq = access (path, F_OK) < 0 && !test_root ();
	snprintf (buf, sizeof buf, "default %" PRIu64, r->blkio_weight);
	if (r->blkio_weight && put (dir, bfq ? "io.bfq.weight" : "io.weight", buf, e) < 0)
		return err_wrap (e, "--blkio-weight");
	for (size_t i = 0; i < r->nblkdevs; i++) {
		const struct cgroup_blkdev *d = &r->blkdevs[i];
		char fmt[32];
		snprintf (fmt, sizeof fmt, "%%ld:%%ld %s%s%%" PRIu64, keys[d->kind], d->kind ? "=" : "");
		if (blk_put (dir, d->kind ? "io.max" : bfq ? "io.bfq.weight" : "io.weight", NULL, fmt, d, e) < 0)
			return err_wrap (e, "%s", v1_needs[N_WEIGHT_DEV + d->kind].flag);
	}
	return 0;
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
	if (r->memory_reservation >= 0 && put_i64 (dir, "memory.low", r->memory_reservation, e) < 0)
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
	if (r->pids == 0 && put (dir, "pids.max", "max", e) < 0)
		return -1;
	if (r->cpuset_cpus && put (dir, "cpuset.cpus", r->cpuset_cpus, e) < 0)
		return err_wrap (e, "--cpuset-cpus %s", r->cpuset_cpus);
	if (r->cpuset_mems && put (dir, "cpuset.mems", r->cpuset_mems, e) < 0)
		return err_wrap (e, "--cpuset-mems %s", r->cpuset_mems);
	return v2_io (dir, r, e);
}

/* DIR delegates CTRLS ("+memory +cpu"); a hierarchy that has not all of
 * them (a cgroup2 mounted beside the v1 controllers, as the tests mount
 * one: ENOENT) delegates those it has, and a limit asked of another
 * fails when written. The device program needs no controller. */
static int
v2_delegate (const char *dir, const char *ctrls, struct bx_err *e)
{
	char have[512] = " ", some[64] = "", word[20];
	const char *p = ctrls;
	int n;

	if (put (dir, "cgroup.subtree_control", ctrls, e) == 0)
		return 0;
	if (e->sys != ENOENT || get (dir, "cgroup.controllers", have + 1, sizeof have - 2) < 0)
		return -1;
	strcat (have, " ");
	while (sscanf (p, " +%15s%n", word + 1, &n) == 1) {
		p += n;
		word[0] = ' ';
		strcat (word, " ");
		if (strstr (have, word))
			snprintf (some + strlen (some), sizeof some - strlen (some), " +%.*s", (int)strlen (word) - 2,
			          word + 1);
	}
	*e = (struct bx_err){0};
	return *some ? put (dir, "cgroup.subtree_control", some + 1, e) : 0;
}

/* v2: every parent of PATH delegates the controllers L needs to its children */
static int
v2_enable (const char *root, const char *path, const struct cgroup_limits *l, struct bx_err *e)
{
	char dir[4096], ctrls[64];
	const char *p = path;

	snprintf (ctrls, sizeof ctrls, "+memory +cpu +pids%s%s", l->cpuset_cpus || l->cpuset_mems ? " +cpuset" : "",
	          l->blkio_weight || l->nblkdevs ? " +io" : "");
	snprintf (dir, sizeof dir, "%s", root);
	while ((p = strchr (p, '/'))) {
		if (v2_delegate (dir, ctrls, e) < 0)
			return -1;
		snprintf (dir, sizeof dir, "%s/%.*s", root, (int)(p - path), path);
		if (mkdir (dir, 0755) < 0 && errno != EEXIST)
			return err_set (e, BX_SYSTEM, errno, "cgroup %s", dir);
		p++;
	}
	return v2_delegate (dir, ctrls, e);
}

/* v1: `tasks`, where a thread moving itself does not wait for an RCU
 * grace period as a move through cgroup.procs does. OLD: a container
 * started before box made cpuset, blkio and systemd cgroups lacks them. */
static int
open_procs (struct cgroup *cg, int old, struct bx_err *e)
{
	char path[4200];

	for (size_t i = 0; i < cg->n; i++) {
		snprintf (path, sizeof path, "%s/%s", cg->dir[i], cg->v2 ? "cgroup.procs" : "tasks");
		if ((cg->procs[i] = open (path, O_WRONLY | O_CLOEXEC)) >= 0)
			continue;
		if (old && errno == ENOENT && i >= CPUSET)
			continue;
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "cgroup %s", path);
	}
	return 0;
}

void
cgroup_path (const char *id, char out[CGROUP_PATH_LEN])
{
	snprintf (out, CGROUP_PATH_LEN, "/box/%s", id);
}

void
cgroup_path_in (const char *parent, const char *id, char out[CGROUP_PATH_LEN])
{
	size_t n;

	while (*parent == '/')
		parent++;
	n = strlen (parent);
	while (n && parent[n - 1] == '/')
		n--;
	snprintf (out, CGROUP_PATH_LEN, "/%.*s%s%s", (int)n, parent, n ? "/" : "", id);
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
	char root[256];

	if (set_dirs (cg, path, e) < 0 || cgroup_check (l, e) < 0)
		return -1;
	if (!cg->n)
		return 0;
	while (*path == '/')
		path++;
	if (cg->v2 && v2_enable (v2_root (), path, l, e) < 0)
		return -1;
	for (size_t i = 0; i < cg->n; i++) {
		snprintf (root, sizeof root, HIERARCHY_ROOT "/%s", v1_ctrls[i]);
		if (cg->v2 ? afile_mkdir_p_at (AT_FDCWD, cg->dir[i], 0755, e) < 0
		           : v1_mkdir (root, path, i == CPUSET, e) < 0)
			return err_wrap (e, "cgroup");
	}
	if ((cg->v2 ? v2_limits (cg->dir[0], l, e) : v1_limits (cg, l, e)) < 0)
		return -1;
	/* rootless: no device program (loading one needs CAP_BPF on the host,
	 * as crun and runc skip it); the user namespace keeps the host's
	 * device nodes to their owners and mknod refused */
	if (cg->v2 && !root_is_rootless () && devcg_apply_v2 (cg->dir[0], l->devrules, l->ndevrules, e) < 0)
		return -1;
	if (cg->v2 && test_root ())
		/* a test directory: no kernel file to write pids to */
		return put (cg->dir[0], "cgroup.procs", "", e) < 0 ? -1 : open_procs (cg, 0, e);
	return open_procs (cg, 0, e);
}

int
cgroup_update (const char *path, const struct cgroup_limits *l, struct bx_err *e)
{
	struct cgroup cg;
	struct stat st;

	if (set_dirs (&cg, path, e) < 0 || cgroup_check (l, e) < 0)
		return -1;
	if (!cg.n)
		return err_set (e, BX_USAGE, 0, "%s: rootless without a delegated cgroup v2 subtree: no limits", path);
	if (stat (cg.dir[0], &st) < 0)
		return err_set (e, BX_NOTFOUND, errno, "cgroup %s", cg.dir[0]);
	/* --memory-swap -1: unlimited again, where create leaves the default */
	if (l->memory_swap < 0 && cg.v2 && put (cg.dir[0], "memory.swap.max", "max", e) < 0)
		return -1;
	if (cg.v2)
		return v2_limits (cg.dir[0], l, e);
	if (l->memory_swap < 0 && access (HIERARCHY_ROOT "/memory/memory.memsw.limit_in_bytes", F_OK) == 0 &&
	    put (cg.dir[MEM], "memory.memsw.limit_in_bytes", "-1", e) < 0)
		return -1;
	if (v1_memory (cg.dir[MEM], l, e) < 0 || v1_cpu (cg.dir[CPU], l, e) < 0 ||
	    v1_cpuset (cg.dir[CPUSET], l, e) < 0 || v1_blkio (cg.dir[BLKIO], l, e) < 0)
		return -1;
	if (l->pids == 0) /* docker update --pids-limit 0: unlimited again */
		return put (cg.dir[PIDS], "pids.max", "max", e);
	return l->pids > 0 ? put_i64 (cg.dir[PIDS], "pids.max", l->pids, e) : 0;
}

int
cgroup_open (struct cgroup *cg, const char *path, struct bx_err *e)
{
	if (set_dirs (cg, path, e) < 0)
		return -1;
	return open_procs (cg, 1, e);
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

/* DIR under $BOX_CGROUP2_ROOT, a plain directory: its files go, as a
 * cgroup's control files go with its rmdir */
static void
test_files_clear (const char *dir)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;

	if (!test_root () || strncmp (dir, test_root (), strlen (test_root ())) != 0 || !(d = opendir (dir)))
		return;
	while ((de = readdir (d)))
		if (de->d_type == DT_REG)
			unlinkat (dirfd (d), de->d_name, 0);
}

/* rmdir, waiting up to 1 s while the last tasks are being released */
static int
remove_dir (const char *dir)
{
	struct timespec ts = {0, 1000000};

	test_files_clear (dir);

	for (int i = 0; i < 1000; i++) {
		if (rmdir (dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		nanosleep (&ts, NULL);
	}
	return -1;
}

/* the real-time budget DIR held goes back from its parents, bottom up,
 * as far as their other children let it (best effort: the kernel refuses
 * a budget below what the children hold) */
static void
v1_rt_release (const char *dir)
{
	char parent[4096], *slash;
	struct bx_err ign = {0};

	snprintf (parent, sizeof parent, "%s", dir);
	while ((slash = strrchr (parent, '/')) && (size_t)(slash - parent) > strlen (HIERARCHY_ROOT "/cpu")) {
		*slash = '\0';
		int64_t period = get_i64 (parent, "cpu.rt_period_us");
		put_i64 (parent, "cpu.rt_runtime_us", (int64_t)(rt_children (parent, NULL) * (double)period + 0.999),
		         &ign);
	}
}

int
cgroup_destroy (struct cgroup *cg, struct bx_err *e)
{
	int r = 0, rt = !cg->v2 && cg->n > CPU && get_i64 (cg->dir[CPU], "cpu.rt_runtime_us") > 0;

	struct bx_err ign = {0};

	cgroup_close (cg);
	/* a removed group's budget still counts until the kernel frees it
	 * (RCU): given back first, the parents can shrink at once */
	if (rt)
		put (cg->dir[CPU], "cpu.rt_runtime_us", "0", &ign);
	for (size_t i = 0; i < cg->n; i++)
		if (remove_dir (cg->dir[i]) < 0 && r == 0)
			r = err_set (e, BX_SYSTEM, errno, "remove cgroup %s", cg->dir[i]);
	if (rt)
		v1_rt_release (cg->dir[CPU]);
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
	test_files_clear (cg);
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
cgroup_remove_all (const char *id, const char *parent, struct bx_err *e)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	char path[CGROUP_PATH_LEN], root[PATH_MAX];

	cgroup_path_in (parent && *parent ? parent : "box", id, path);
	if (cgroup_is_none ())
		return 0;
	if (test_root () && remove_one (test_root (), path, e) < 0)
		return -1;
	if (root_is_rootless ())
		return test_root () ? 0 : remove_one (delegated_root (), path, e);
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

int
cgroup_delegate (const struct cgroup *cg, uid_t uid, struct bx_err *e)
{
	static const char fallback[] = "cgroup.procs\ncgroup.threads\ncgroup.subtree_control\n";
	_cleanup_close_ int dir = -1;
	_cleanup_file_ FILE *f = NULL;
	char name[256];

	if (!cg->v2 || !cg->n)
		return 0;
	if ((dir = open (cg->dir[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fchown (dir, uid, (gid_t)-1) < 0)
		return err_set (e, BX_SYSTEM, errno, "chown %s", cg->dir[0]);
	if (!(f = fopen ("/sys/kernel/cgroup/delegate", "re")) &&
	    !(f = fmemopen ((void *)fallback, sizeof fallback - 1, "r")))
		return err_set (e, BX_SYSTEM, errno, "/sys/kernel/cgroup/delegate");
	while (fscanf (f, "%255s", name) == 1)
		if (fchownat (dir, name, uid, (gid_t)-1, 0) < 0 && errno != ENOENT)
			return err_set (e, BX_SYSTEM, errno, "chown %s/%s", cg->dir[0], name);
	return 0;
}
