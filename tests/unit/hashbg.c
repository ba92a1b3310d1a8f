/* hashbg - TAP unit tests of lib/base/hashbg.h: files hashed by the worker as
 * they grow, interleaved, started over, and a read that fails */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hashbg.h"
#include "tap.h"

/* FD grown by CHUNK bytes at a time to LEN bytes of pattern SEED, told to F */
static void
grow (struct hashbg_file *f, int fd, char seed, size_t len, size_t chunk)
{
	char buf[70000];

	for (size_t done = 0; done < len; done += chunk) {
		size_t n = len - done < chunk ? len - done : chunk;
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(seed + (done + i) % 251);
		if (pwrite (fd, buf, n, (off_t)done) != (ssize_t)n)
			abort ();
		hashbg_wrote (f, (int64_t)(done + n));
	}
}

static int
tmpfile_fd (void)
{
	char path[] = "/tmp/hashbg-test.XXXXXX";
	int fd = mkstemp (path);

	unlink (path);
	return fd;
}

/* FD's digest, read in one go */
static int
whole (int fd, char out[DIGEST_STR_LEN + 1])
{
	char path[64];
	struct bx_err e = {0};

	snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
	return hash_file_at (AT_FDCWD, path, out, &e) == 0;
}

int
main (void)
{
	struct hashbg *w = NULL;
	struct hashbg_file a, b;
	struct bx_err e = {0};
	char got[DIGEST_STR_LEN + 1], want[DIGEST_STR_LEN + 1];
	int fa = tmpfile_fd (), fb = tmpfile_fd ();

	ok (fa >= 0 && fb >= 0 && hashbg_start (&w, &e) == 0, "the worker starts");
	hashbg_add (w, &a, fa);
	hashbg_add (w, &b, fb);
	ok (hashbg_digest (&a, got, &e) == 0, "an empty file");
	is_str (got, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "its digest");
	/* two files growing at once, in pieces that do not match the worker's */
	grow (&a, fa, 'a', 1000000, 4099);
	grow (&b, fb, 'b', 300000, 65536);
	ok (hashbg_digest (&a, got, &e) == 0 && whole (fa, want), "file a hashed, and read whole");
	is_str (got, want, "as it grew: the digest of the whole file");
	ok (hashbg_digest (&b, got, &e) == 0 && whole (fb, want), "file b hashed, and read whole");
	is_str (got, want, "the other file's digest, interleaved");
	/* emptied and written again: the digest is the new content's only */
	hashbg_reset (&a);
	ok (ftruncate (fa, 0) == 0, "truncate");
	grow (&a, fa, 'x', 3, 3);
	ok (hashbg_digest (&a, got, &e) == 0, "after a reset");
	hash_buf ("xyz", 3, want);
	is_str (got, want, "only what came after the reset");
	/* told of more than the file holds: an error, not a wait forever */
	hashbg_wrote (&b, 400000);
	ok (hashbg_digest (&b, got, &e) < 0 && e.sys == EIO, "a file shorter than told fails with EIO");
	hashbg_drop (&a);
	hashbg_drop (&b);
	hashbg_drop (&b);
	ok (a.w == NULL && b.w == NULL, "dropped, twice is fine");
	hashbg_stop (w);
	close (fa);
	close (fb);
	return tap_done ();
}
