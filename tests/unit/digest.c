/* digest - TAP unit tests of lib/base/digest.h: digest syntax */
#include "base/digest.h"
#include "tap.h"

#define ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
test_hex (void)
{
	is_str (digest_hex (ABC), ABC + 7, "digest_hex skips the algorithm");
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
	test_hex ();
	test_valid ();
	test_wellformed ();
	return tap_done ();
}
