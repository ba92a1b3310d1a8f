#include "runtime/ctrstats.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "runtime/cgroup.h"

/* the number in DIR/FILE (its first word); 0 when absent, UINT64_MAX for "max" */
static uint64_t
num_file (const char *dir, const char *file)
{
	char path[PATH_MAX], buf[64] = "";
	_cleanup_file_ FILE *f = NULL;

	snprintf (path, sizeof path, "%s/%s", dir, file);
	if (!(f = fopen (path, "re")) || fscanf (f, "%63s", buf) != 1)
		return 0;
	return !strcmp (buf, "max") ? UINT64_MAX : strtoull (buf, NULL, 10);
}

/* the value of KEY in DIR/FILE's "key value" lines; 0 when absent */
static uint64_t
keyed (const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX], k[64];
	_cleanup_file_ FILE *f = NULL;
	unsigned long long v;

	snprintf (path, sizeof path, "%s/%s", dir, file);
	if (!(f = fopen (path, "re")))
		return 0;
	while (fscanf (f, "%63s %llu", k, &v) == 2)
		if (!strcmp (k, key))
			return v;
	return 0;
}

static uint64_t
host_memory (void)
{
	struct sysinfo si;

	return sysinfo (&si) == 0 ? (uint64_t)si.totalram * si.mem_unit : 0;
}

/* user + nice + system + idle + iowait + irq + softirq of /proc/stat's
 * "cpu" line, in ns, as Docker's getSystemCPUUsage */
static uint64_t
system_ns (void)
{
	_cleanup_file_ FILE *f = fopen ("/proc/stat", "re");
	unsigned long long v[7];
	long hz = sysconf (_SC_CLK_TCK);
	uint64_t sum = 0;

	if (!f || hz <= 0 ||
	    fscanf (f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
		return 0;
	for (int i = 0; i < 7; i++)
		sum += v[i];
	return sum * (1000000000ull / (uint64_t)hz);
}

/* rx and tx bytes of PID's namespace's interfaces but lo; none when it
 * is ours (--network host: Docker counts no interface then) */
static void
net_bytes (pid_t pid, struct ctrstats *s)
{
	char path[64], line[512];
	struct stat self, ns;
	_cleanup_file_ FILE *f = NULL;

	snprintf (path, sizeof path, "/proc/%d/ns/net", (int)pid);
	if (stat ("/proc/self/ns/net", &self) < 0 || stat (path, &ns) < 0 || self.st_ino == ns.st_ino)
		return;
	snprintf (path, sizeof path, "/proc/%d/net/dev", (int)pid);
	if (!(f = fopen (path, "re")))
		return;
	while (fgets (line, sizeof line, f)) {
		char *colon = strchr (line, ':'), *name = line;
		unsigned long long rx, tx, skip;
		if (!colon)
			continue;
		*colon = 0;
		name += strspn (name, " ");
		if (!strcmp (name, "lo") || sscanf (colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &rx,
		                                    &skip, &skip, &skip, &skip, &skip, &skip, &skip, &tx) != 9)
			continue;
		s->net_rx += rx;
		s->net_tx += tx;
	}
}

/* v1 blkio.throttle.io_service_bytes or v2 io.stat: the bytes read and
 * written over every device; -1 when there is no such file */
static int
blk_cgroup (const char *dir, int v2, struct ctrstats *s)
{
	char path[PATH_MAX], line[512];
	_cleanup_file_ FILE *f = NULL;

	snprintf (path, sizeof path, "%s/%s", dir, v2 ? "io.stat" : "blkio.throttle.io_service_bytes");
	if (!(f = fopen (path, "re")))
		return -1;
	while (fgets (line, sizeof line, f)) {
		char op[16], *p;
		unsigned long long v;
		if (v2) {
			if ((p = strstr (line, "rbytes=")))
				s->blk_read += strtoull (p + 7, NULL, 10);
			if ((p = strstr (line, "wbytes=")))
				s->blk_write += strtoull (p + 7, NULL, 10);
		} else if (sscanf (line, "%*s %15s %llu", op, &v) == 2) {
			if (!strcmp (op, "Read"))
				s->blk_read += v;
			else if (!strcmp (op, "Write"))
				s->blk_write += v;
		}
	}
	return 0;
}

/* without a blkio cgroup: the live processes' storage I/O */
static void
blk_procs (const char *path, struct ctrstats *s)
{
	_cleanup_free_ pid_t *pids = NULL;
	struct bx_err ign = {0};
	size_t n = 0;

	if (ctrstats_pids_cgroup (path, &pids, &n, &ign) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char proc[64];
		snprintf (proc, sizeof proc, "/proc/%d", (int)pids[i]);
		s->blk_read += keyed (proc, "io", "read_bytes:");
		s->blk_write += keyed (proc, "io", "write_bytes:");
	}
}

static int
read_v1 (const char *path, struct ctrstats *s, struct bx_err *e)
{
	char dir[PATH_MAX];
	struct stat st;

	cgroup_dir_of (path, "memory", dir, sizeof dir);
	if (stat (dir, &st) < 0)
		return err_set (e, BX_NOTFOUND, errno, "cgroup %s", dir);
	s->mem_usage = num_file (dir, "memory.usage_in_bytes");
	s->mem_usage -= s->mem_usage > keyed (dir, "memory.stat", "total_inactive_file")
	                    ? keyed (dir, "memory.stat", "total_inactive_file")
	                    : 0;
	s->mem_limit = num_file (dir, "memory.limit_in_bytes");
	cgroup_dir_of (path, "cpuacct", dir, sizeof dir);
	s->cpu_ns = num_file (dir, "cpuacct.usage");
	cgroup_dir_of (path, "pids", dir, sizeof dir);
	s->pids = num_file (dir, "pids.current");
	cgroup_dir_of (path, "blkio", dir, sizeof dir);
	if (blk_cgroup (dir, 0, s) < 0)
		blk_procs (path, s);
	return 0;
}

static int
read_v2 (const char *dir, struct ctrstats *s, struct bx_err *e)
{
	uint64_t inactive;
	struct stat st;

	if (stat (dir, &st) < 0)
		return err_set (e, BX_NOTFOUND, errno, "cgroup %s", dir);
	s->mem_usage = num_file (dir, "memory.current");
	inactive = keyed (dir, "memory.stat", "inactive_file");
	if (inactive < s->mem_usage)
		s->mem_usage -= inactive;
	s->mem_limit = num_file (dir, "memory.max");
	s->cpu_ns = keyed (dir, "cpu.stat", "usage_usec") * 1000;
	s->pids = num_file (dir, "pids.current");
	blk_cgroup (dir, 1, s);
	return 0;
}

int
ctrstats_read_cgroup (const char *path, pid_t pid, struct ctrstats *s, struct bx_err *e)
{
	char dir[PATH_MAX];
	uint64_t host = host_memory ();

	memset (s, 0, sizeof *s);
	if (cgroup_is_none ())
		return err_set (e, BX_FAIL, 0, "stats is not supported in rootless mode without cgroups v2");
	if ((cgroup_dir_of (path, "memory", dir, sizeof dir) ? read_v2 (dir, s, e) : read_v1 (path, s, e)) < 0)
		return -1;
	/* Docker: no limit, or one above the machine's memory, is the machine's */
	if (!s->mem_limit || (host && s->mem_limit > host))
		s->mem_limit = host;
	s->system_ns = system_ns ();
	s->online_cpus = (unsigned)sysconf (_SC_NPROCESSORS_ONLN);
	if (pid > 0)
		net_bytes (pid, s);
	return 0;
}

int
ctrstats_pids_cgroup (const char *path, pid_t **out, size_t *n, struct bx_err *e)
{
	char dir[PATH_MAX], procs[PATH_MAX + 16];
	_cleanup_file_ FILE *f = NULL;
	pid_t *v = NULL, *nv;
	size_t cap = 0;
	int pid;

	*n = 0;
	if (cgroup_is_none ())
		return err_set (e, BX_FAIL, 0, "top is not supported in rootless mode without cgroups v2");
	cgroup_dir_of (path, "pids", dir, sizeof dir);
	snprintf (procs, sizeof procs, "%s/cgroup.procs", dir);
	if (!(f = fopen (procs, "re")))
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "cgroup %s", dir);
	while (fscanf (f, "%d", &pid) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if (!(nv = realloc (v, cap * sizeof *v))) {
				free (v);
				return err_set (e, BX_SYSTEM, ENOMEM, "cgroup %s", dir);
			}
			v = nv;
		}
		v[(*n)++] = pid;
	}
	if (!*n) {
		free (v);
		return err_set (e, BX_NOTFOUND, 0, "cgroup %s: no process", dir);
	}
	*out = v;
	return 0;
}

double
ctrstats_cpu_percent (const struct ctrstats *prev, const struct ctrstats *now)
{
	double cpu = (double)now->cpu_ns - (double)prev->cpu_ns;
	double sys = (double)now->system_ns - (double)prev->system_ns;

	if (cpu <= 0 || sys <= 0)
		return 0;
	return cpu / sys * now->online_cpus * 100.0;
}
