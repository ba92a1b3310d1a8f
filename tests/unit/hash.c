/* hash - TAP unit tests of lib/base/hash.h: sha256 of a buffer, a stream
 * and a file */
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/hash.h"
#include "tap.h"

/* FIPS 180-2 test vectors */
#define ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define LONG "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define LONGMSG "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

static void
test_buf (void)
{
	char out[DIGEST_STR_LEN + 1];

	hash_buf ("abc", 3, out);
	is_str (out, ABC, "sha256 of \"abc\"");
	hash_buf ("", 0, out);
	is_str (out, EMPTY, "sha256 of \"\"");
	hash_buf (LONGMSG, strlen (LONGMSG), out);
	is_str (out, LONG, "sha256 of the 448-bit vector");
}

static void
test_stream (void)
{
	struct hash_ctx c;
	struct bx_err e = {0};
	char out[DIGEST_STR_LEN + 1];

	ok (hash_init (&c, &e) == 0, "hash_init");
	for (const char *p = LONGMSG; *p; p++)
		hash_update (&c, p, 1);
	hash_final (&c, out);
	is_str (out, LONG, "byte by byte equals one shot");
	ok (hash_init (&c, &e) == 0, "hash_init again");
	hash_update (&c, "ab", 2);
	hash_free (&c);
	ok (1, "hash_free of an unfinished context");
}

static void
test_file (void)
{
	char path[] = "/tmp/box-unit-hash.XXXXXX", out[DIGEST_STR_LEN + 1] = "";
	struct bx_err e = {0};
	int fd = mkstemp (path);

	ok (fd >= 0 && write (fd, "abc", 3) == 3, "a file holding abc");
	close (fd);
	ok (hash_file_at (AT_FDCWD, path, out, &e) == 0, "hash_file_at");
	is_str (out, ABC, "its digest");
	unlink (path);
	ok (hash_file_at (AT_FDCWD, path, out, &e) == -1 && e.code == BX_NOTFOUND, "a missing file: BX_NOTFOUND (%s)",
	    e.msg);
}

int
main (void)
{
	test_buf ();
	test_stream ();
	test_file ();
	return tap_done ();
}
