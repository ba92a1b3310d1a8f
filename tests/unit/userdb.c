/* userdb - TAP unit tests of users and groups looked up inside a
 * rootfs, whose /etc may be a symlink out of it */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "runtime/userdb.h"
#include "tap.h"

/* a rootfs whose /etc is a symlink out of it: the lookup stays inside */
static void
test_userdb (const char *dir)
{
	char path[512];
	struct userdb_ids u;
	struct bx_err e = {0};
	FILE *f;
	_cleanup_close_ int fd = -1;

	snprintf (path, sizeof path, "%s/root/real", dir);
	mkdir (path, 0755);
	snprintf (path, sizeof path, "%s/root/etc", dir);
	if (symlink ("/real", path) < 0)
		return;
	snprintf (path, sizeof path, "%s/root/real/passwd", dir);
	if (!(f = fopen (path, "w")))
		return;
	fputs ("# comment\nroot:x:0:0:root:/root:/bin/sh\nbob:x:1001:1002:Bob:/home/bob:/bin/sh\nbad-line\n", f);
	fclose (f);
	snprintf (path, sizeof path, "%s/root/real/group", dir);
	if (!(f = fopen (path, "w")))
		return;
	fputs ("root:x:0:\nstaff:x:50:bob,eve\ndev:x:60:eve,bob\nbob:x:1002:\n", f);
	fclose (f);
	snprintf (path, sizeof path, "%s/root", dir);
	fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok (userdb_resolve (fd, "bob", &u, &e) == 0 && u.uid == 1001 && u.gid == 1002 && u.nsgids == 3 &&
	        u.sgids[0] == 1002 && u.sgids[1] == 50 && u.sgids[2] == 60 && !strcmp (u.home, "/home/bob"),
	    "bob through a symlinked /etc: 1001:1002, groups 1002 50 60");
	ok (userdb_resolve (fd, "1001:staff", &u, &e) == 0 && u.uid == 1001 && u.gid == 50 && u.nsgids == 1 &&
	        u.sgids[0] == 50,
	    "1001:staff: only the primary group");
	ok (userdb_resolve (fd, "", &u, &e) == 0 && u.uid == 0 && u.gid == 0 && u.nsgids == 1 && u.sgids[0] == 0,
	    "the default is root, in group 0");
	ok (userdb_resolve (fd, "eve", &u, &e) < 0 && e.code == BX_FAIL, "eve has no passwd entry");
	ok (userdb_resolve (fd, "2147483648", &u, &e) < 0 && e.code == BX_USAGE, "uid out of range");
	ok (userdb_group_add (fd, "dev", &u, &e) == 0 && u.sgids[u.nsgids - 1] == 60, "--group-add dev");
}

int
main (void)
{
	char dir[] = "/tmp/userdb-unit.XXXXXX";
	char path[512], cmd[600];

	if (mkdtemp (dir)) {
		snprintf (path, sizeof path, "%s/root", dir);
		mkdir (path, 0755);
		test_userdb (dir);
		snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system (cmd) != 0)
			printf ("# could not remove %s\n", dir);
	}
	return tap_done ();
}
