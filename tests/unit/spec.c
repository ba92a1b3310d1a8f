/* spec - TAP unit tests of the OCI config's parts Docker computes:
 * tmpfs options */
#include <string.h>

#include "ctr-create/spec.h"
#include "tap.h"

static void
test_tmpfs (void)
{
	struct bx_err e = {0};
	json_t *o, *want;

	o = spec_tmpfs_options (NULL, &e);
	want = json_pack ("[s, s, s, s]", "noexec", "nosuid", "nodev", "rprivate");
	ok (json_equal (o, want), "tmpfs defaults");
	json_decref (o);
	json_decref (want);
	o = spec_tmpfs_options ("exec,size=1m,mode=700,size=2m,shared", &e);
	want = json_pack ("[s, s, s, s, s, s]", "nosuid", "nodev", "exec", "mode=700", "size=2m", "shared");
	ok (json_equal (o, want), "later options win");
	json_decref (o);
	json_decref (want);
	ok (!spec_tmpfs_options ("colour=red", &e) && !strcmp (e.msg, "invalid tmpfs option \"colour\""), "bad key");
}

int
main (void)
{
	test_tmpfs ();
	return tap_done ();
}
