/* unit tests: lib/runtime/volume's reading of a mount's source */
#include <stdio.h>

#include "runtime/volume.h"
#include "tap.h"

static void
test_of_source (void)
{
	const char *anon = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char src[256], name[256];

	ok (volume_of_source ("/s", "/s/volumes/data/_data", name, sizeof name) && !strcmp (name, "data"),
	    "a named volume");
	snprintf (src, sizeof src, "/s/volumes/%s/_data", anon);
	ok (volume_of_source ("/s", src, name, sizeof name) && volume_is_anonymous (name), "an anonymous volume");
	ok (!volume_is_anonymous ("data") &&
	        !volume_is_anonymous ("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
	    "a name is not anonymous, nor are upper-case digits");
	ok (!volume_of_source ("/s", "/s/volumes/data", name, sizeof name), "the volume's directory is not its data");
	ok (!volume_of_source ("/s", "/s/volumes/data/_data/x", name, sizeof name), "below the data is a bind");
	ok (!volume_of_source ("/s", "/t/volumes/data/_data", name, sizeof name), "another state directory's");
	ok (!volume_of_source ("/s", "/s/containers/data/_data", name, sizeof name), "not under volumes/");
}

int
main (void)
{
	test_of_source ();
	return tap_done ();
}
