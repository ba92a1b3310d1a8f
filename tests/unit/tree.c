/* unit tests: lib/base/tree's removal and its one rule: symlinks are
 * removed, never followed, and another mount is never entered */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/tree.h"
#include "tap.h"

static char root[256];

static int
exists (const char *rel)
{
	char path[512];
	struct stat st;

	snprintf (path, sizeof path, "%s/%s", root, rel);
	return lstat (path, &st) == 0;
}

static void
make (const char *rel, int dir)
{
	char path[512];
	int fd;

	snprintf (path, sizeof path, "%s/%s", root, rel);
	if (dir)
		mkdir (path, 0755);
	else if ((fd = open (path, O_WRONLY | O_CREAT, 0644)) >= 0)
		close (fd);
}

static void
test_remove (void)
{
	char target[512], link[512];
	int rfd = open (root, O_RDONLY | O_DIRECTORY);

	make ("keep", 1), make ("keep/file", 0);
	make ("t", 1), make ("t/a", 1), make ("t/a/b", 1), make ("t/a/b/f", 0), make ("t/g", 0);
	snprintf (target, sizeof target, "%s/keep", root);
	snprintf (link, sizeof link, "%s/t/a/link", root);
	ok (symlink (target, link) == 0, "a symlink to a directory outside");
	ok (tree_remove_at (rfd, "t") == 0 && !exists ("t"), "a tree goes");
	ok (exists ("keep/file"), "a symlink in it is removed, not followed");
	ok (tree_remove_at (rfd, "t") == 0, "a tree already gone is done");
	make ("f", 0);
	ok (tree_remove_at (rfd, "f") == 0 && !exists ("f"), "a file goes");
	make ("e", 1), make ("e/x", 1), make ("e/x/y", 0);
	{
		int efd = openat (rfd, "e", O_RDONLY | O_DIRECTORY);
		ok (tree_empty (efd) == 0 && exists ("e") && !exists ("e/x"), "empty keeps the directory");
		close (efd);
	}
	close (rfd);
}

static void
test_mount (void)
{
	char mnt[512];
	int rfd = open (root, O_RDONLY | O_DIRECTORY);

	make ("m", 1), make ("m/dir", 1), make ("m/file", 0);
	snprintf (mnt, sizeof mnt, "%s/m/dir", root);
	if (mount ("t", mnt, "tmpfs", 0, NULL) < 0) {
		ok (1, "# SKIP no tmpfs mount (%s)", strerror (errno));
		ok (1, "# SKIP no tmpfs mount");
		close (rfd);
		return;
	}
	make ("m/dir/inside", 0);
	errno = 0;
	ok (tree_remove_at (rfd, "m") < 0 && errno == EBUSY, "a mount inside: EBUSY");
	ok (exists ("m/dir/inside") && !exists ("m/file"), "the mount is not entered, the rest goes");
	ok (tree_remove_at (rfd, "m/dir") < 0 && errno == EBUSY && exists ("m/dir/inside"),
	    "a mount's root itself is not entered");
	umount2 (mnt, MNT_DETACH);
	ok (tree_remove_at (rfd, "m") == 0 && !exists ("m"), "unmounted, it all goes");
	close (rfd);
}

int
main (void)
{
	tap_scratch (root, sizeof root, "tree");
	test_remove ();
	test_mount ();
	tap_scratch_remove (root);
	return tap_done ();
}
