/* auth - TAP unit tests of lib/image/auth.h: the config.json key of a
 * registry, as docker login writes it */
#include "image/auth.h"
#include "tap.h"

static void
test_auth_keys (void)
{
	char k[300];

	auth_key ("docker.io", k, sizeof k);
	is_str (k, AUTH_DOCKER_HUB_KEY, "docker.io");
	auth_key ("https://index.docker.io/v1/", k, sizeof k);
	is_str (k, AUTH_DOCKER_HUB_KEY, "index url");
	auth_key ("http://reg.lan:5000/v2/", k, sizeof k);
	is_str (k, "reg.lan:5000", "scheme and path dropped");
}

int
main (void)
{
	test_auth_keys ();
	return tap_done ();
}
