/* unit tests: ctr-spawn/restart, Docker's restart policies */
#include "ctr-spawn/restart.h"
#include "tap.h"

static void
test_restart (void)
{
	struct restart_policy p;

	ok (restart_parse ("no", 0, &p) == 0 && !restart_wanted (&p, 1, 0, 0), "no: never");
	ok (restart_parse ("on-failure", 2, &p) == 0 && restart_wanted (&p, 1, 0, 0) && restart_wanted (&p, 1, 1, 0) &&
	        !restart_wanted (&p, 1, 2, 0) && !restart_wanted (&p, 0, 0, 0),
	    "on-failure:2: twice, only after a failure");
	ok (restart_parse ("always", 0, &p) == 0 && restart_wanted (&p, 0, 99, 0) && !restart_wanted (&p, 0, 1, 1),
	    "always: unless stopped on purpose");
	ok (restart_parse ("unless-stopped", 0, &p) == 0 && !restart_wanted (&p, 1, 0, 1),
	    "unless-stopped: not when stopped");
	ok (restart_parse ("sometimes", 0, &p) < 0, "an unknown policy is refused");
}

int
main (void)
{
	test_restart ();
	return tap_done ();
}
