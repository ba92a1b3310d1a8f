/* digest - TAP unit tests of lib/digest.h: sha256 and digest syntax */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hash.h"
#include "tap.h"

/* FIPS 180-2 test vectors */
#define ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define LONG "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define LONGMSG "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

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
	is_str (digest_hex (ABC), ABC + 7, "digest_hex skips the algorithm");
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
	char path[] = "/tmp/box-unit-digest.XXXXXX", out[DIGEST_STR_LEN + 1] = "";
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

static void
test_valid (void)
{
	ok (digest_is_valid (ABC), "valid: sha256:<64 hex>");
	ok (!digest_is_valid (NULL), "not valid: NULL");
	ok (!digest_is_valid (""), "not valid: empty");
	ok (!digest_is_valid ("sha256:"), "not valid: no hex");
	ok (!digest_is_valid ("sha256:" HEX64 "0"), "not valid: 65 hex");
	ok (!digest_is_valid ("sha256:"
	                      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"),
	    "not valid: 63 hex");
	ok (!digest_is_valid ("sha256:"
	                      "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
	    "not valid: uppercase hex");
	ok (!digest_is_valid ("sha512:" HEX64), "not valid: another algorithm");
	ok (!digest_is_valid (HEX64), "not valid: no algorithm");
	ok (!digest_is_valid ("sha256:"
	                      "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
	    "not valid: non-hex");
}

static void
test_wellformed (void)
{
	ok (digest_is_wellformed (ABC), "wellformed: sha256");
	ok (digest_is_wellformed ("sha512:" HEX64 HEX64), "wellformed: sha512 with 128 hex");
	ok (!digest_is_wellformed ("sha512:" HEX64), "not wellformed: sha512 with 64 hex");
	ok (digest_is_wellformed ("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"),
	    "wellformed: an unregistered algorithm by the grammar");
	ok (digest_is_wellformed ("a.b_c-d:x=_-Y"), "wellformed: separators and encoded charset");
	ok (!digest_is_wellformed ("sha256:"
	                           "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
	    "not wellformed: sha256 uppercase");
	ok (!digest_is_wellformed ("sha256:abc"), "not wellformed: sha256 too short");
	ok (!digest_is_wellformed (":abc"), "not wellformed: no algorithm");
	ok (!digest_is_wellformed ("sha256:"), "not wellformed: no encoded part");
	ok (!digest_is_wellformed ("sha256"), "not wellformed: no colon");
	ok (!digest_is_wellformed ("SHA256:" HEX64), "not wellformed: uppercase algorithm");
	ok (!digest_is_wellformed ("a+:x"), "not wellformed: trailing separator");
	ok (!digest_is_wellformed ("+a:x"), "not wellformed: leading separator");
	ok (!digest_is_wellformed ("a:x/y"), "not wellformed: '/' in encoded");
	ok (!digest_is_wellformed (NULL), "not wellformed: NULL");
}

int
main (void)
{
	test_buf ();
	test_stream ();
	test_file ();
	test_valid ();
	test_wellformed ();
	return tap_done ();
}
