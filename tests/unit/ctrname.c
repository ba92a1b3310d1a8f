/* ctrname - TAP unit tests of container names: Docker's rule, and the
 * names drawn when none is given */
#include <string.h>

#include "runtime/ctrname.h"
#include "tap.h"

static void
test_names (void)
{
	struct bx_err e = {0};
	char buf[64];

	ok (ctrname_check ("web-1.a_b", &e) == 0, "a good name");
	ok (ctrname_check ("/web", &e) == 0, "a leading slash");
	ok (ctrname_check ("a", &e) < 0, "one character");
	ok (ctrname_check ("-x", &e) < 0, "a leading dash");
	ok (ctrname_check ("a b", &e) < 0, "a blank");
	ctrname_random (buf, sizeof buf, 0);
	ok (strchr (buf, '_') && ctrname_check (buf, &e) == 0, "a generated name: %s", buf);
}

int
main (void)
{
	test_names ();
	return tap_done ();
}
