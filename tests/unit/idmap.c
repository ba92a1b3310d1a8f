/* idmap - TAP unit tests of lib/base/idmap.h: mappings made from
 * subordinate ranges or from --uidmap, and ids through them */
#include <stdio.h>

#include "base/idmap.h"
#include "tap.h"

static const char text[] = "alice:100000:65536\n"
                           "bob:231072:1000\n"
                           "alice:300000:10\n";

static void
maps (void)
{
	struct subid_ranges r;
	struct idmap m = {0};
	struct bx_err e = {0};
	char buf[256];

	subid_parse (text, "subuid", "alice", -1, &r, &e);
	ok (idmap_from_ranges (&m, &r, 0, &e) == 0 && m.n == 2, "every range of a user");
	idmap_format (&m, buf, sizeof buf);
	is_str (buf, "0 100000 65536\n65536 300000 10\n", "0 at the first range, then on");
	is_int (idmap_to_host (&m, 0), 100000, "root is the range's first id");
	is_int (idmap_to_host (&m, 65537), 300001, "into the second range");
	is_int (idmap_to_host (&m, 65546), -1, "past the map");
	is_int (idmap_to_ctr (&m, 300009), 65545, "back");
	is_int (idmap_to_ctr (&m, 0), -1, "host root is not in it");
	ok (idmap_from_ranges (&m, &r, 1000, &e) == 0 && m.n == 1 && m.ext[0].count == 1000, "a size cut short");
	e = (struct bx_err){0};
	ok (idmap_from_ranges (&m, &r, 70000, &e) < 0 && e.code == BX_USAGE, "more than the ranges hold");
	is_str (e.msg, "65546 subordinate ids, 70000 needed", "and why");

	m.n = 0;
	ok (idmap_add_spec (&m, "0:100000:1000", &e) == 0 && idmap_add_spec (&m, "1000:5000:1", &e) == 0, "--uidmap");
	idmap_format (&m, buf, sizeof buf);
	is_str (buf, "0 100000 1000\n1000 5000 1\n", "as uid_map takes it");
	e = (struct bx_err){0};
	ok (idmap_add_spec (&m, "10:200000:5", &e) < 0, "container ids twice");
	is_str (e.msg, "container ids 10-14 mapped twice", "and why");
	e = (struct bx_err){0};
	ok (idmap_add_spec (&m, "2000:100500:5", &e) < 0, "host ids twice");
	is_str (e.msg, "host ids 100500-100504 mapped twice", "and why");
	static const char *const bad[] = {"0:1", "0:1:0", "a:1:2", "0:1:2:", "-1:0:1", "0:4294967295:1", ""};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		e = (struct bx_err){0};
		ok (idmap_add_spec (&m, bad[i], &e) < 0 && e.code == BX_USAGE, "refused: '%s'", bad[i]);
	}
}

static void
override (void)
{
	struct idmap m = {0}, f = {0};
	struct bx_err e = {0};
	char buf[256];

	idmap_add_spec (&m, "0:100000:65536", &e);
	idmap_add_spec (&f, "0:1000:1", &e);
	idmap_add_spec (&f, "100:5000:10", &e);
	ok (idmap_override (&m, &f, &e) == 0, "forced extents over an auto range");
	idmap_format (&m, buf, sizeof buf);
	is_str (buf, "1 100001 99\n110 100110 65426\n0 1000 1\n100 5000 10\n", "the range cut around them");
	is_int (idmap_to_host (&m, 0), 1000, "container root forced");
	is_int (idmap_to_host (&m, 105), 5005, "inside a forced extent");
	is_int (idmap_to_host (&m, 110), 100110, "the rest as it was");
	m.n = f.n = 0;
	idmap_add_spec (&m, "0:100000:10", &e);
	idmap_add_spec (&f, "5:100002:1", &e);
	e = (struct bx_err){0};
	ok (idmap_override (&m, &f, &e) < 0 && e.code == BX_USAGE, "a forced host id the range keeps");
	is_str (e.msg, "host ids 100002-100002 mapped twice", "and why");
}

int
main (void)
{
	maps ();
	override ();
	return tap_done ();
}
