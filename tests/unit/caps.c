/* caps - TAP unit tests of capability names and Docker's rules for
 * --cap-add and --cap-drop */
#include <string.h>

#include "ctr-create/caps.h"
#include "tap.h"

static void
test_caps (void)
{
	struct bx_err e = {0};
	struct capreq r = {0};

	is_int (caps_parse ("net_admin", &e), 12, "net_admin");
	is_int (caps_parse ("CAP_SYS_ADMIN", &e), 21, "CAP_SYS_ADMIN");
	is_int (caps_parse ("all", &e), CAPS_ALL, "all");
	ok (caps_parse ("cap_bogus", &e) < 0 && !strcmp (e.msg, "unknown capability: \"CAP_BOGUS\""), "bogus refused");
	ok (caps_tweak (&r, 0) == caps_docker_default (), "no flags: the default set");
	r.drop = (capset_t)1 << 0;
	r.add = (capset_t)1 << 12;
	ok (caps_tweak (&r, 0) == ((caps_docker_default () & ~(capset_t)1) | ((capset_t)1 << 12)),
	    "drop CHOWN, add NET_ADMIN");
	r.drop_all = 1;
	ok (caps_tweak (&r, 0) == (capset_t)1 << 12, "drop ALL keeps only the added");
	ok (caps_tweak (&r, 1) == caps_all (), "privileged: all");
	is_int (__builtin_popcountll (caps_docker_default ()), 14, "Docker's default: 14 capabilities");
}

int
main (void)
{
	test_caps ();
	return tap_done ();
}
