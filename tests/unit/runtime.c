/* unit tests: lib/cgroup's v2 code against a plain directory standing in
 * for the cgroup2 root ($BOX_CGROUP2_ROOT), lib/supervise's restart rules
 * and CRI log lines, lib/ocispec's setup steps */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "ctr-spawn/supervise.h"
#include "runtime/cgroup.h"
#include "runtime/ocispec.h"
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
	struct resources r = {.memory = 64 << 20,
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

static void
test_restart (void)
{
	struct restart_policy p;

	ok (restart_parse ("no", 0, &p) == 0 && !restart_wanted (&p, 1, 0, 0), "no: never");
	ok (restart_parse ("on-failure", 2, &p) == 0 && restart_wanted (&p, 1, 0, 0) && restart_wanted (&p, 1, 1, 0) &&
	        !restart_wanted (&p, 1, 2, 0) && !restart_wanted (&p, 0, 0, 0),
	    "on-failure:2: twice, only after a failure");
	ok (restart_parse ("always", 0, &p) == 0 && restart_wanted (&p, 0, 99, 0) && !restart_wanted (&p, 0, 1, 1),
	    "always: unless stopped on purpose");
	ok (restart_parse ("unless-stopped", 0, &p) == 0 && !restart_wanted (&p, 1, 0, 1),
	    "unless-stopped: not when stopped");
	ok (restart_parse ("sometimes", 0, &p) < 0, "an unknown policy is refused");
}

static void
test_crilog (void)
{
	char path[300], *log = NULL, *nl;
	struct bx_err e = {0};
	int fd;

	snprintf (path, sizeof path, "%s/log", root);
	fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	ok (crilog_write (fd, "stdout", "a\nb\npart", 8) == 0 && crilog_write (fd, "stderr", "x\n", 2) == 0,
	    "crilog: writes");
	close (fd);
	fd = open (path, O_RDONLY);
	afile_slurp_fd (fd, &log, NULL, &e);
	close (fd);
	nl = log;
	ok (strlen (log) > 0 && strstr (log, "Z stdout F a\n") && strstr (log, "Z stdout F b\n") &&
	        strstr (log, "Z stdout P part\n") && strstr (log, "Z stderr F x\n"),
	    "crilog: F lines, a P piece, the stream named");
	ok (nl[4] == '-' && nl[10] == 'T' && strchr (nl, 'Z') - nl == 29, "crilog: RFC 3339 nanosecond time first");
	free (log);
}

static void
test_ocispec (void)
{
	const char *cfg =
	    "{\"process\":{\"args\":[\"sh\"],\"env\":[\"A=1\"],\"cwd\":\"/w\",\"user\":{\"uid\":5,\"gid\":6,"
	    "\"additionalGids\":[7]},\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"]},"
	    "\"noNewPrivileges\":true},\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"h\","
	    "\"mounts\":[{\"destination\":\"/"
	    "dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"mode=755\"]},"
	    "{\"destination\":\"/d\",\"type\":\"bind\",\"source\":\"/"
	    "src\",\"options\":[\"rbind\",\"ro\",\"rprivate\"]}],"
	    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/"
	    "n\"}],"
	    "\"resources\":{\"memory\":{\"limit\":1024},\"pids\":{\"limit\":9}},\"maskedPaths\":[\"/proc/kcore\"],"
	    "\"readonlyPaths\":[\"/proc/sys\"]}}";
	struct spec s;
	struct bx_err e = {0};
	int fd, kinds[32] = {0};
	char path[300];

	snprintf (path, sizeof path, "%s/config.json", root);
	fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	afile_write_all (fd, cfg, strlen (cfg));
	close (fd);
	fd = open (root, O_RDONLY | O_DIRECTORY);
	ok (spec_read (fd, "/b", &s, &e) == 0, "ocispec: read (%s)", e.msg);
	close (fd);
	is_str (s.rootfs, "/b/rootfs", "ocispec: root.path under the bundle");
	ok (s.uid == 5 && s.gid == 6 && s.ngids == 1 && s.gids[0] == 7, "ocispec: user");
	ok (s.caps[CAPSET_BOUNDING] == ((1ULL << 5) | 1ULL) && s.has_caps, "ocispec: capability bits");
	ok (s.nnp && s.njoins == 1 && s.joins[0].type == 0x40000000 && !strcmp (s.joins[0].path, "/n"),
	    "ocispec: a joined network namespace");
	ok (s.res.memory == 1024 && s.res.pids == 9 && s.res.cpu_quota == -1, "ocispec: resources");
	for (size_t i = 0; i < s.nops; i++)
		kinds[s.ops[i].kind]++;
	ok (kinds[OP_MOUNT] == 1 && kinds[OP_BIND] == 1 && kinds[OP_MKNOD] == 6 && kinds[OP_SYMLINK] == 6 &&
	        kinds[OP_PIVOT] == 1 && kinds[OP_MASK] == 1 && kinds[OP_RDONLY] == 1 && kinds[OP_ROOT_RO] == 1,
	    "ocispec: the setup steps");
	ok (s.ops[1].kind == OP_BIND && s.ops[1].rec && s.ops[1].ro && s.ops[1].prop == 0x40000 /* MS_PRIVATE */,
	    "ocispec: rbind,ro,rprivate");
	is_str (s.ops[0].data, "mode=755", "ocispec: data options kept apart from flags");
	spec_free (&s);
}

int
main (void)
{
	snprintf (root, sizeof root, "/tmp/box-unit-cgroup-%d", (int)getpid ());
	mkdir (root, 0755);
	test_v2 ();
	test_restart ();
	test_crilog ();
	test_ocispec ();
	{
		char cmd[400];
		snprintf (cmd, sizeof cmd, "rm -rf %s", root);
		if (system (cmd) != 0)
			printf ("# could not remove %s\n", root);
	}
	printf ("1..%d\n", tap_count);
	return tap_failures != 0;
}
