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

static void
test_v2 (void)
{
	struct cgroup_limits r = {.memory = 64 << 20,
	                          .memory_swap = 128 << 20,
	                          .cpu_quota = 50000,
	                          .cpu_period = 100000,
	                          .cpu_shares = 1024,
	                          .pids = 42};
	struct cgroup cg;
	struct bx_err e = {0};
	char want[512];

	setenv ("BOX_CGROUP2_ROOT", root, 1);
	ok (cgroup_create (&cg, "/box/abc", &r, &e) == 0, "v2: create (%s)", e.msg);
	ok (cg.v2 == 1 && cg.n == 1, "v2: one directory");
	snprintf (want, sizeof want, "%s/box/abc", root);
	is_str (cg.dir[0], want, "v2: the directory is ROOT/box/abc");
	is_str (file ("cgroup.subtree_control"), "+memory +cpu +pids", "v2: the root delegates controllers");
	is_str (file ("box/cgroup.subtree_control"), "+memory +cpu +pids", "v2: box/ delegates controllers");
	is_str (file ("box/abc/memory.max"), "67108864", "v2: memory.max");
	is_str (file ("box/abc/memory.swap.max"), "67108864", "v2: memory.swap.max is swap alone");
	is_str (file ("box/abc/cpu.max"), "50000 100000", "v2: cpu.max quota period");
	is_str (file ("box/abc/cpu.weight"), "39", "v2: cpu.weight from shares 1024");
	is_str (file ("box/abc/pids.max"), "42", "v2: pids.max");
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
	unsetenv ("BOX_CGROUP2_ROOT");
}

int
main (void)
{
	tap_scratch (root, sizeof root, "cgroup");
	test_v2 ();
	tap_scratch_remove (root);
	return tap_done ();
}
