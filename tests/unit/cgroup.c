/* unit tests: lib/runtime/cgroup's v2 code against a plain directory
 * standing in for the cgroup2 root ($BOX_CGROUP2_ROOT) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "runtime/cgroup.h"
#include "tap.h"

static char root[256];

static char *
file (const char *rel)
{
	static char buf[4096];
	char path[1024];
	struct bx_err e = {0};
	char *s = NULL;
	int fd;

	snprintf (path, sizeof path, "%s/%s", root, rel);
	buf[0] = '\0';
	if ((fd = open (path, O_RDONLY)) >= 0 && afile_slurp_fd (fd, &s, NULL, &e) == 0) {
		snprintf (buf, sizeof buf, "%s", s);
		free (s);
	}
	if (fd >= 0)
		close (fd);
	return buf;
}

/* the knobs v2 lacks: refused, naming Docker's flag */
static void
test_v2_refused (struct cgroup_limits *r)
{
	struct cgroup cg;
	struct bx_err e = {0};

	r->nblkdevs = 0, r->blkio_weight = 0;
	r->swappiness = 10;
	ok (cgroup_create (&cg, "/box/sw", r, &e) < 0, "v2: --memory-swappiness refused");
	is_str (e.msg, "--memory-swappiness: not supported on cgroup v2 (no such control)", "v2: its message");
	r->swappiness = -1, r->oom_kill_disable = 1;
	ok (cgroup_check (r, &e) < 0, "v2: --oom-kill-disable refused");
	is_str (e.msg, "--oom-kill-disable: not supported on cgroup v2 (no such control)", "v2: its message");
	r->oom_kill_disable = 0, r->rt_runtime = 1000;
	ok (cgroup_check (r, &e) < 0 && strstr (e.msg, "--cpu-rt-runtime: "), "v2: --cpu-rt-runtime refused");
	r->rt_runtime = -1;
	ok (cgroup_update ("box/abc", r, &e) == 0, "v2: update (%s)", e.msg);
}

static void
test_v2 (void)
{
	struct cgroup_blkdev devs[] = {
	    {CGROUP_BLK_WEIGHT, 7, 1, 200}, {CGROUP_BLK_READ_BPS, 7, 1, 1048576}, {CGROUP_BLK_WRITE_IOPS, 7, 1, 50}};
	struct cgroup_limits r;
	struct cgroup cg;
	struct bx_err e = {0};
	char want[512];

	cgroup_limits_init (&r);
	r.memory = 64 << 20, r.memory_swap = 128 << 20, r.cpu_quota = 50000, r.cpu_period = 100000;
	r.cpu_shares = 1024, r.pids = 42, r.memory_reservation = 32 << 20, r.cpuset_cpus = "0", r.cpuset_mems = "0";
	r.blkio_weight = 300, r.blkdevs = devs, r.nblkdevs = 3;
	setenv ("BOX_CGROUP2_ROOT", root, 1);
	ok (cgroup_create (&cg, "/box/abc", &r, &e) == 0, "v2: create (%s)", e.msg);
	ok (cg.v2 == 1 && cg.n == 1, "v2: one directory");
	snprintf (want, sizeof want, "%s/box/abc", root);
	is_str (cg.dir[0], want, "v2: the directory is ROOT/box/abc");
	is_str (file ("cgroup.subtree_control"), "+memory +cpu +pids +cpuset +io",
	        "v2: the root delegates controllers");
	is_str (file ("box/cgroup.subtree_control"), "+memory +cpu +pids +cpuset +io",
	        "v2: box/ delegates controllers");
	is_str (file ("box/abc/memory.max"), "67108864", "v2: memory.max");
	is_str (file ("box/abc/memory.swap.max"), "67108864", "v2: memory.swap.max is swap alone");
	is_str (file ("box/abc/cpu.max"), "50000 100000", "v2: cpu.max quota period");
	is_str (file ("box/abc/cpu.weight"), "39", "v2: cpu.weight from shares 1024");
	is_str (file ("box/abc/pids.max"), "42", "v2: pids.max");
	is_str (file ("box/abc/memory.low"), "33554432", "v2: --memory-reservation is memory.low");
	is_str (file ("box/abc/cpuset.cpus"), "0", "v2: --cpuset-cpus is cpuset.cpus");
	is_str (file ("box/abc/cpuset.mems"), "0", "v2: --cpuset-mems is cpuset.mems");
	/* a plain file keeps the last write: io.weight's per-device line came after "default 300" */
	is_str (file ("box/abc/io.weight"), "7:1 200", "v2: --blkio-weight-device is io.weight MAJ:MIN W");
	is_str (file ("box/abc/io.max"), "7:1 wiops=50", "v2: --device-write-iops is io.max wiops=");
	ok (cgroup_enter (&cg) == 0, "v2: enter writes cgroup.procs");
	is_str (file ("box/abc/cgroup.procs"), "0", "v2: cgroup.procs got 0 (the caller)");
	snprintf (want, sizeof want, "%s/box/abc/memory.events", root);
	{
		FILE *f = fopen (want, "w");
		fputs ("low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n", f);
		fclose (f);
	}
	ok (cgroup_oom_kills (&cg) == 2, "v2: oom_kill read from memory.events");
	cgroup_close (&cg);
	ok (cgroup_open (&cg, "box/abc", &e) == 0 && cg.v2, "v2: open an existing cgroup");
	cgroup_close (&cg);
	ok (cgroup_create (&cg, "/box/../etc", &r, &e) < 0, "v2: a path with .. is refused");
	test_v2_refused (&r);
	unsetenv ("BOX_CGROUP2_ROOT");
}

/* the flags a rootless create warns it ignores: as typed, not as the
 * resources hold them (-m's implied swap, --cpus's period) */
static void
test_limits_flags (void)
{
	struct cgroup_limits l;
	const char *f[32];
	size_t n;

	cgroup_limits_init (&l);
	ok (cgroup_limits_flags (&l, f, 32) == 0, "no limit: no flag");
	l.memory = 64 << 20;
	l.memory_swap = 128 << 20;
	l.cpu_quota = 100000;
	l.cpu_period = 100000;
	l.pids = 20;
	l.cpuset_cpus = "0";
	n = cgroup_limits_flags (&l, f, 32);
	ok (n == 4 && !strcmp (f[0], "--memory") && !strcmp (f[1], "--cpus") && !strcmp (f[2], "--pids-limit") &&
	        !strcmp (f[3], "--cpuset-cpus"),
	    "-m 64m --cpus 1 --pids-limit 20 --cpuset-cpus 0: four flags, in order");
	l.memory_swap = 256 << 20;
	l.cpu_period = 50000;
	n = cgroup_limits_flags (&l, f, 2);
	ok (n == 2 && !strcmp (f[1], "--memory-swap"), "an explicit --memory-swap is its own; at most MAX");
	n = cgroup_limits_flags (&l, f, 32);
	ok (n == 6 && !strcmp (f[2], "--cpu-quota") && !strcmp (f[3], "--cpu-period"),
	    "a quota over another period: --cpu-quota and --cpu-period");
}

int
main (void)
{
	tap_scratch (root, sizeof root, "cgroup");
	test_limits_flags ();
	test_v2 ();
	tap_scratch_remove (root);
	return tap_done ();
}
