/* natport - TAP unit tests of lib/base/natport.h: nat.ParsePortRange's
 * reading and its words */
#include <string.h>

#include "base/natport.h"
#include "tap.h"

static void
reads (void)
{
	struct bx_err e = {0};
	unsigned long lo, hi;

	ok (natport_range ("80", 2, &lo, &hi, &e) == 0 && lo == 80 && hi == 80, "a port");
	ok (natport_range ("080", 3, &lo, &hi, &e) == 0 && lo == 80, "leading zeros, as ParseUint");
	ok (natport_range ("7000-7002/tcp", 9, &lo, &hi, &e) == 0 && lo == 7000 && hi == 7002, "a range, N bytes");
	ok (natport_range ("1-2-9", 5, &lo, &hi, &e) == 0 && lo == 1 && hi == 2, "past a second dash: ignored");
	ok (natport_range ("65535", 5, &lo, &hi, &e) == 0 && hi == 65535, "the last port");
}

static void
refuses (void)
{
	struct bx_err e = {0};
	unsigned long lo, hi;

	ok (natport_range ("x", 1, &lo, &hi, &e) < 0 &&
	        !strcmp (e.msg, "strconv.ParseUint: parsing \"x\": invalid syntax"),
	    "not a number");
	ok (natport_range ("65536", 5, &lo, &hi, &e) < 0 &&
	        !strcmp (e.msg, "strconv.ParseUint: parsing \"65536\": value out of range"),
	    "out of range");
	ok (natport_range ("90-80", 5, &lo, &hi, &e) < 0 &&
	        !strcmp (e.msg, "Invalid range specified for the Port: 90-80"),
	    "backwards");
	ok (natport_range ("80-", 3, &lo, &hi, &e) < 0 &&
	        !strcmp (e.msg, "strconv.ParseUint: parsing \"\": invalid syntax"),
	    "a dash with nothing after");
	ok (natport_range ("", 0, &lo, &hi, &e) < 0 && !strcmp (e.msg, "Empty string specified for ports."), "empty");
	ok (natport_range ("+5", 2, &lo, &hi, &e) < 0, "no sign");
}

int
main (void)
{
	reads ();
	refuses ();
	return tap_done ();
}
