/* subid - TAP unit tests of lib/base/subid.h: the lines of /etc/subuid
 * and the ranges of a user */
#include <stdio.h>

#include "base/subid.h"
#include "tap.h"

static const char text[] = "# users\n"
                           "alice:100000:65536\n"
                           "\n"
                           "1001:165536:65536\n"
                           "bob:231072:1000\n"
                           "alice:300000:10 \n";

static void
ranges (void)
{
	struct subid_ranges r;
	struct bx_err e = {0};

	ok (subid_parse (text, "subuid", "alice", 1000, &r, &e) == 0, "a user by name");
	is_int ((long)r.n, 2, "both of its lines, in order");
	ok (r.r[0].start == 100000 && r.r[0].count == 65536 && r.r[1].start == 300000, "their ranges");
	is_int ((long)r.total, 65546, "their total");
	ok (subid_parse (text, "subuid", "carol", 1001, &r, &e) == 0 && r.n == 1 && r.r[0].start == 165536,
	    "a user by uid");
	ok (subid_parse (text, "subuid", NULL, 1001, &r, &e) == 0 && r.n == 1, "by uid alone");
	ok (subid_parse (text, "subuid", "nobody", -1, &r, &e) == 0 && r.n == 0, "nobody has none");
	ok (subid_parse ("", "subuid", "alice", 0, &r, &e) == 0 && r.n == 0, "an empty file");
}

static void
malformed (void)
{
	static const char *const bad[] = {"alice:1\n",   "alice:x:10\n",         ":1:2\n",
	                                  "alice:1:0\n", "alice:4294967295:1\n", "alice:1:2:3\n"};
	struct subid_ranges r;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct bx_err e = {0};
		ok (subid_parse (bad[i], "/etc/subuid", "alice", -1, &r, &e) < 0 && e.code == BX_USAGE, "refused: %.*s",
		    (int)strcspn (bad[i], "\n"), bad[i]);
	}
	{
		struct bx_err e = {0};
		subid_parse ("a:1:1\nb:2\n", "/etc/subuid", "a", -1, &r, &e);
		is_str (e.msg, "/etc/subuid:2: not OWNER:START:COUNT: b:2", "the error names the file and line");
	}
}

static void
next_free (void)
{
	char dir[256], path[300];
	uint64_t next;
	struct bx_err e = {0};
	FILE *f;

	tap_scratch (dir, sizeof dir, "subid");
	snprintf (path, sizeof path, "%s/subuid", dir);
	ok (subid_next_free (path, 100000, &next, &e) == 0 && next == 100000, "no file: the minimum");
	f = fopen (path, "w");
	fputs (text, f);
	fclose (f);
	ok (subid_next_free (path, 100000, &next, &e) == 0 && next == 300010, "after the highest range");
	ok (subid_next_free (path, 400000, &next, &e) == 0 && next == 400000, "at least the minimum");
	tap_scratch_remove (dir);
}

static void
read_ns (void)
{
	char dir[256], path[300];
	struct subid_ranges r;
	struct bx_err e = {0};
	FILE *f;

	tap_scratch (dir, sizeof dir, "subid");
	snprintf (path, sizeof path, "%s/uid_map", dir);
	f = fopen (path, "w");
	fputs ("         0       1000          1\n         1     100000      65536\n", f);
	fclose (f);
	ok (subid_read_ns (path, &r, &e) == 0 && r.n == 1, "usr-ns's map: the user left out");
	ok (r.r[0].start == 1 && r.r[0].count == 65536 && r.total == 65536, "1.., as the namespace numbers them");
	f = fopen (path, "w");
	fputs ("0 1000 10\n", f);
	fclose (f);
	ok (subid_read_ns (path, &r, &e) == 0 && r.n == 1 && r.r[0].start == 1 && r.r[0].count == 9,
	    "0 cut from a longer line");
	f = fopen (path, "w");
	fputs ("0 1000 1\n", f);
	fclose (f);
	ok (subid_read_ns (path, &r, &e) == 0 && r.n == 0 && r.total == 0, "one uid: none");
	ok (subid_read_ns ("/nonexistent/uid_map", &r, &e) < 0, "an unreadable map is an error");
	tap_scratch_remove (dir);
}

int
main (void)
{
	ranges ();
	malformed ();
	next_free ();
	read_ns ();
	return tap_done ();
}
