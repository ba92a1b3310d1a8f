/* afile - TAP unit tests of lib/base/afile.h: atomic writes and whole-file reads */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "tap.h"

/* the number of entries in DIRFD whose name is a temporary one */
static int
count_tmp (int dirfd)
{
	int fd = dup (dirfd), n = 0;
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;

	if (!d)
		return -1;
	rewinddir (d);
	while ((de = readdir (d)))
		n += afile_is_tmp_name (de->d_name);
	return n;
}

static void
test_write_replace (int dirfd)
{
	struct bx_err e = {0};
	char *buf = NULL;
	size_t len = 0;
	struct stat st;

	ok (afile_write_at (dirfd, "f", "first\n", 6, 0644, &e) == 0, "write a new file");
	ok (afile_write_at (dirfd, "f", "2nd", 3, 0644, &e) == 0, "replace it");
	ok (afile_slurp_at (dirfd, "f", &buf, &len, &e) == 0, "read it back");
	is_str (buf, "2nd", "content is the new one, not a mix");
	is_int ((long)len, 3, "length");
	free (buf);
	ok (fstatat (dirfd, "f", &st, 0) == 0 && (st.st_mode & 0777) == 0644, "mode 0644 (umask 022)");
	is_int (count_tmp (dirfd), 0, "no temporary file is left");
	ok (afile_write_at (dirfd, "empty", "", 0, 0644, &e) == 0, "write an empty file");
	ok (afile_slurp_at (dirfd, "empty", &buf, &len, &e) == 0 && len == 0 && buf[0] == '\0',
	    "read it: empty, NUL-terminated");
	free (buf);
}

/* the mode asked for, and the same file contract without the fsync */
static void
test_mode_and_replace (int dirfd)
{
	struct bx_err e = {0};
	char *buf = NULL;
	struct stat st;

	ok (afile_write_at (dirfd, "secret", "s", 1, 0600, &e) == 0, "write with mode 0600");
	ok (fstatat (dirfd, "secret", &st, 0) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");
	ok (afile_replace_at (dirfd, "secret", "t", 1, 0644, &e) == 0, "replace it without fsync");
	ok (fstatat (dirfd, "secret", &st, 0) == 0 && (st.st_mode & 0777) == 0644, "the new file's mode 0644");
	ok (afile_slurp_at (dirfd, "secret", &buf, NULL, &e) == 0 && !strcmp (buf, "t"), "its new content");
	free (buf);
	is_int (count_tmp (dirfd), 0, "no temporary file is left");
}

/* with room on the disk, the reserved write is an atomic replace; its
 * in-place rewrite on ENOSPC is tested on a full tmpfs by ctr-spawn.bats */
static void
test_replace_reserved (int dirfd)
{
	struct bx_err e = {0};
	char *buf = NULL;

	ok (afile_replace_reserved_at (dirfd, "st", "status=running\nerror=x\n", 23, 0600, 1, &e) == 0,
	    "reserved write of a new file");
	ok (afile_replace_reserved_at (dirfd, "st", "status=exited\n", 14, 0600, 0, &e) == 0, "replace it, shorter");
	ok (afile_slurp_at (dirfd, "st", &buf, NULL, &e) == 0 && !strcmp (buf, "status=exited\n"),
	    "the new content, no old line after it");
	free (buf);
	is_int (count_tmp (dirfd), 0, "no temporary file is left");
	ok (afile_replace_reserved_at (dirfd, "adir", "x", 1, 0600, 0, &e) == -1 && e.sys != ENOSPC,
	    "another failure is no reason to write in place (%s)", e.msg);
}

static void
test_write_stale_tmp (int dirfd)
{
	struct bx_err e = {0};
	char tmp[64], *buf = NULL;
	int fd;

	/* a temporary file left by a crashed process with our pid */
	snprintf (tmp, sizeof tmp, "g.tmp-%d", (int)getpid ());
	fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ok (fd >= 0 && write (fd, "junk-junk", 9) == 9, "a stale temporary file");
	close (fd);
	ok (afile_write_at (dirfd, "g", "new", 3, 0644, &e) == 0, "write over a stale temporary name");
	ok (afile_slurp_at (dirfd, "g", &buf, NULL, &e) == 0, "read it");
	is_str (buf, "new", "no junk from the stale file");
	free (buf);
	is_int (count_tmp (dirfd), 0, "the stale temporary file is gone");
}

static void
test_write_fails (int dirfd)
{
	struct bx_err e = {0};

	ok (mkdirat (dirfd, "adir", 0755) == 0 && mkdirat (dirfd, "adir/x", 0755) == 0, "a non-empty directory");
	ok (afile_write_at (dirfd, "adir", "x", 1, 0644, &e) == -1, "cannot replace a directory");
	ok (e.code == BX_SYSTEM && e.sys != 0, "system error with errno (%s)", e.msg);
	ok (strstr (e.msg, "adir") != NULL, "message names the file");
	is_int (count_tmp (dirfd), 0, "the temporary file is removed on failure");
}

static void
test_slurp_notfound (int dirfd)
{
	struct bx_err e = {0};
	char *buf = NULL;

	ok (afile_slurp_at (dirfd, "nope", &buf, NULL, &e) == -1, "slurp a missing file fails");
	is_int (e.code, BX_NOTFOUND, "with BX_NOTFOUND");
	is_int (e.sys, ENOENT, "and ENOENT");
	ok (strstr (e.msg, "nope") != NULL, "message names the file (%s)", e.msg);
	ok (buf == NULL, "nothing allocated");
}

static void
test_slurp_big (int dirfd)
{
	struct bx_err e = {0};
	size_t n = 100000, len = 0;
	char *big = malloc (n), *buf = NULL;

	memset (big, 'z', n);
	ok (afile_write_at (dirfd, "big", big, n, 0644, &e) == 0, "write 100000 bytes");
	ok (afile_slurp_at (dirfd, "big", &buf, &len, &e) == 0 && len == n && memcmp (buf, big, n) == 0 &&
	        buf[n] == '\0',
	    "read them back whole (buffer grows)");
	free (buf);
	free (big);
}

static void
test_mkdir_p (int dirfd)
{
	struct bx_err e = {0};
	struct stat st;

	ok (afile_mkdir_p_at (dirfd, "a/b/c", 0755, &e) == 0, "mkdir -p a/b/c");
	ok (fstatat (dirfd, "a/b/c", &st, 0) == 0 && S_ISDIR (st.st_mode), "it is a directory");
	ok (afile_mkdir_p_at (dirfd, "a/b/c", 0755, &e) == 0, "again: exists is fine");
	ok (afile_write_at (dirfd, "a/file", "x", 1, 0644, &e) == 0, "a file in the way");
	ok (afile_mkdir_p_at (dirfd, "a/file/d", 0755, &e) == -1 && e.code == BX_SYSTEM,
	    "mkdir under a file fails (%s)", e.msg);
	ok (afile_fsync_dir_at (dirfd, "a", &e) == 0, "fsync_dir_at");
}

static void
test_tmp_names (void)
{
	ok (afile_is_tmp_name ("index.json.tmp-123"), "index.json.tmp-123 is temporary");
	ok (!afile_is_tmp_name ("index.json"), "index.json is not");
}

int
main (void)
{
	char dir[] = "/tmp/box-unit-afile.XXXXXX";
	_cleanup_close_ int dirfd = -1;

	umask (022);
	if (!mkdtemp (dir))
		return 1;
	dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	test_write_replace (dirfd);
	test_mode_and_replace (dirfd);
	test_write_stale_tmp (dirfd);
	test_write_fails (dirfd);
	test_replace_reserved (dirfd);
	test_slurp_notfound (dirfd);
	test_slurp_big (dirfd);
	test_mkdir_p (dirfd);
	test_tmp_names ();
	tap_scratch_remove (dir);
	return tap_done ();
}
