/* unit tests: lib/runtime/devcg's reduction of device rules as the v1
 * kernel reads them, and its eBPF program in a cgroup of a cgroup2
 * hierarchy mounted for the test (needs root) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/devcg.h"
#include "tap.h"

#define R(allow, type, maj, min, acc) ((struct cgroup_devrule){allow, type, maj, min, acc})

/* what ctr-create writes for a default container (moby's rules) */
static const struct cgroup_devrule docker[] = {
    R (0, 'a', -1, -1, "rwm"), R (1, 'c', 1, 5, "rwm"), R (1, 'c', 1, 3, "rwm"), R (1, 'c', 1, 9, "rwm"),
    R (1, 'c', 1, 8, "rwm"),   R (1, 'c', 5, 0, "rwm"), R (1, 'c', 5, 1, "rwm"), R (0, 'c', 10, 229, "rwm"),
};
#define NDOCKER (sizeof docker / sizeof docker[0])

static char root[256];

/* S's exceptions as devices.list shows them */
static const char *
listed (const struct devcg_set *s)
{
	static char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n; i++) {
		const struct devcg_ex *x = &s->ex[i];
		char maj[16] = "*", min[16] = "*";
		if (x->major >= 0)
			snprintf (maj, sizeof maj, "%ld", x->major);
		if (x->minor >= 0)
			snprintf (min, sizeof min, "%ld", x->minor);
		len += (size_t)snprintf (buf + len, sizeof buf - len, "%s%c %s:%s %s%s%s", len ? "," : "", x->type, maj,
		                         min, x->access & 2 ? "r" : "", x->access & 4 ? "w" : "",
		                         x->access & 1 ? "m" : "");
	}
	return buf;
}

static void
test_reduce (void)
{
	struct devcg_set s;
	struct bx_err e = {0};

	ok (devcg_reduce (docker, NDOCKER, &s, &e) == 0, "reduce Docker's default rules");
	ok (s.reset && !s.allow, "deny by default, after a reset");
	/* what `cat devices.list` prints in a Docker container on this host,
	 * in the order applied (runc sorts it) */
	is_str (listed (&s),
	        "c 1:5 rwm,c 1:3 rwm,c 1:9 rwm,c 1:8 rwm,c 5:0 rwm,c 5:1 rwm,c *:* m,b *:* m,c 1:7 rwm,c 136:* rwm,"
	        "c 5:2 rwm,c 10:200 rwm",
	        "Docker's devices.list: moby's rules and runc's");
	devcg_set_free (&s);

	{
		struct cgroup_devrule r[] = {R (1, 'a', -1, -1, "rwm")};
		ok (devcg_reduce (r, 1, &s, &e) == 0 && s.allow && s.reset && s.n == 0,
		    "--privileged: allow all, no exception (runc's allows change nothing)");
		devcg_set_free (&s);
	}
	{
		struct cgroup_devrule r[] = {R (0, 'a', -1, -1, "rwm"), R (1, 'b', 7, 0, "r"),
		                             R (1, 'b', 7, 0, "w"),     R (1, 'c', 4, 1, "rwm"),
		                             R (0, 'c', 4, 1, "w"),     R (0, 'c', 4, -1, "rwm")};
		devcg_reduce (r, 6, &s, &e);
		is_str (listed (&s),
		        "b 7:0 rw,c 4:1 rm,c *:* m,b *:* m,c 1:3 rwm,c 1:8 rwm,c 1:7 rwm,c 5:0 rwm,c 1:5 rwm,c 1:9 rwm,"
		        "c 136:* rwm,c 5:2 rwm,c 10:200 rwm",
		        "allows for one device merge; a deny cuts only the very same device");
		devcg_set_free (&s);
	}
	{
		struct cgroup_devrule r[] = {R (1, 'a', -1, -1, "rwm"), R (0, 'b', 7, 0, "w"), R (0, 'a', 8, -1, "r"),
		                             R (1, 'b', 8, -1, "r")};
		devcg_reduce (r, 4, &s, &e);
		is_str (listed (&s), "b 7:0 w,c 8:* r",
		        "allow by default: denies are the exceptions; \"a 8:*\" is c and b");
		devcg_set_free (&s);
	}
	{
		struct cgroup_devrule r[] = {R (1, 'c', 4, 2, "rwm"), R (0, 'a', -1, -1, "rwm"), R (1, 'c', 4, 1, "r")};
		devcg_reduce (r, 3, &s, &e);
		ok (!s.allow && strstr (listed (&s), "c 4:1 r,") && !strstr (listed (&s), "c 4:2"),
		    "\"a\" forgets what came before it");
		devcg_set_free (&s);
	}
	{
		devcg_reduce (NULL, 0, &s, &e);
		ok (s.allow && !s.reset && s.n == 0, "no rules: allow, as a new v1 cgroup");
		devcg_set_free (&s);
	}
}

/* in a child moved into CG: open PATH with FLAGS; 0 or the errno */
static int
open_in (const char *cg, const char *path, int flags)
{
	char procs[512];
	pid_t pid;
	int st;

	snprintf (procs, sizeof procs, "%s/cgroup.procs", cg);
	if ((pid = fork ()) == 0) {
		int fd = open (procs, O_WRONLY);
		if (fd < 0 || write (fd, "0", 1) != 1)
			_exit (100);
		close (fd);
		if (flags < 0)
			_exit (mknod (path, S_IFBLK | 0600, makedev (8, 0)) < 0 ? errno : 0);
		_exit ((fd = open (path, flags)) < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid (pid, &st, 0) != pid || !WIFEXITED (st))
		return -1;
	return WEXITSTATUS (st);
}

static void
test_v2 (void)
{
	char mnt[300], cg[400], kmsg[300], sda[300];
	struct bx_err e = {0};
	struct cgroup_devrule r[NDOCKER + 1];

	snprintf (mnt, sizeof mnt, "%s/cg2", root);
	snprintf (cg, sizeof cg, "%s/box-unit-devcg-%d", mnt, (int)getpid ());
	snprintf (kmsg, sizeof kmsg, "%s/kmsg", root);
	snprintf (sda, sizeof sda, "%s/sda", root);
	mkdir (mnt, 0755);
	ok (mount ("none", mnt, "cgroup2", 0, NULL) == 0, "v2: mount a cgroup2 hierarchy");
	ok (mkdir (cg, 0755) == 0, "v2: a cgroup in it");
	/* /dev/kmsg's numbers, outside Docker's list */
	ok (mknod (kmsg, S_IFCHR | 0600, makedev (1, 11)) == 0, "v2: a node of a device outside the list");
	ok (open_in (cg, kmsg, O_RDONLY) == 0, "v2: without a program it opens");

	ok (devcg_apply_v2 (cg, docker, NDOCKER, &e) == 0, "v2: attach Docker's rules (%s)", e.msg);
	is_int (open_in (cg, kmsg, O_RDONLY), EPERM, "v2: opening a device outside the list fails with EPERM");
	is_int (open_in (cg, "/dev/null", O_RDWR), 0, "v2: /dev/null opens for reading and writing");
	is_int (open_in (cg, "/dev/full", O_RDONLY), 0, "v2: /dev/full (runc's list) opens");
	is_int (open_in (cg, sda, -1), 0, "v2: mknod of a block device works (b *:* m)");
	is_int (open_in (cg, sda, O_RDONLY), EPERM, "v2: the block device made does not open");

	memcpy (r, docker, sizeof docker);
	r[NDOCKER] = R (1, 'c', 1, 11, "r");
	ok (devcg_apply_v2 (cg, r, NDOCKER + 1, &e) == 0, "v2: attach again, with c 1:11 r (the old one detached)");
	is_int (open_in (cg, kmsg, O_RDONLY), 0, "v2: the device allowed \"r\" opens for reading");
	is_int (open_in (cg, kmsg, O_WRONLY), EPERM, "v2: and not for writing");
	{
		struct cgroup_devrule all[] = {R (1, 'a', -1, -1, "rwm")};
		ok (devcg_apply_v2 (cg, all, 1, &e) == 0, "v2: allow all (--privileged) attaches nothing");
		is_int (open_in (cg, kmsg, O_WRONLY), 0, "v2: and the device opens for writing");
	}
	ok (rmdir (cg) == 0, "v2: the cgroup goes");
	umount2 (mnt, MNT_DETACH);

	ok (devcg_apply_v2 (root, docker, NDOCKER, &e) == 0, "v2: a plain directory is left alone");
}

int
main (void)
{
	tap_scratch (root, sizeof root, "devcg");
	test_reduce ();
	if (getuid () == 0)
		test_v2 ();
	else
		ok (0, "v2: needs root");
	tap_scratch_remove (root);
	return tap_done ();
}
