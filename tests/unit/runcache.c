/* runcache - TAP unit tests of lib/image/runcache.h: names, and a prune
 * that spares the cache directories a RUN holds */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/layout.h"
#include "base/lock.h"
#include "image/runcache.h"
#include "tap.h"

static void
mkcache (int rootfd, const char *id, const char *content)
{
	char hex[DIGEST_STR_LEN + 1], path[256];
	int fd;

	runcache_name (id, hex);
	snprintf (path, sizeof path, L_RUN_CACHE "/%s", hex);
	mkdirat (rootfd, "cache", 0700);
	mkdirat (rootfd, L_RUN_CACHE, 0700);
	mkdirat (rootfd, path, 0755);
	strcat (path, "/f");
	fd = openat (rootfd, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && write (fd, content, strlen (content)) < 0)
		printf ("# write: %s\n", strerror (errno));
	if (fd >= 0)
		close (fd);
}

int
main (void)
{
	char dir[256], hex[DIGEST_STR_LEN + 1], path[300], lock[300];
	struct bx_err e = {0};
	unsigned long long bytes = 1;
	int rootfd, held, cachefd;

	tap_scratch (dir, sizeof dir, "runcache");
	rootfd = open (dir, O_RDONLY | O_DIRECTORY);

	runcache_name ("/var/cache/apt", hex);
	is_int ((long)strlen (hex), 64, "a name is 64 hex digits");
	ok (strspn (hex, "0123456789abcdef") == 64, "of the id's sha256");

	ok (runcache_prune (rootfd, NULL, NULL, &bytes, &e) == 0 && bytes == 0, "nothing to prune: no error, 0 bytes");

	mkcache (rootfd, "free", "some bytes");
	mkcache (rootfd, "held", "more bytes");
	runcache_name ("held", hex);
	snprintf (lock, sizeof lock, "%s.lock", hex);
	cachefd = open (strcat (strcpy (path, dir), "/" L_RUN_CACHE), O_RDONLY | O_DIRECTORY);
	held = lock_take_at (cachefd, lock, LOCK_SHARED, &e);
	ok (held >= 0, "a RUN holds one of them");
	ok (runcache_prune (rootfd, NULL, NULL, &bytes, &e) == 0, "prune");
	ok (bytes > 0, "counts what it removed");
	runcache_name ("free", hex);
	ok (faccessat (cachefd, hex, F_OK, 0) < 0, "the free one is gone");
	runcache_name ("held", hex);
	ok (faccessat (cachefd, hex, F_OK, 0) == 0, "the held one stays");
	close (held);
	ok (runcache_prune (rootfd, NULL, NULL, &bytes, &e) == 0 && faccessat (cachefd, hex, F_OK, 0) < 0,
	    "released, the next prune takes it");
	close (cachefd);
	close (rootfd);
	tap_scratch_remove (dir);
	return tap_done ();
}
