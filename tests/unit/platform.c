/* platform - TAP unit tests of lib/image/platform.h: this machine's
 * platform, --platform parsed with Go's names, an index entry's platform */
#include <jansson.h>
#include <string.h>

#include "image/platform.h"
#include "tap.h"

static void
test_parse (void)
{
	struct platform p;
	struct bx_err e;
	char buf[64];

	platform_default (&p);
	platform_format (&p, buf, sizeof buf);
	ok (strncmp (buf, "linux/", 6) == 0, "default is linux/...: %s", buf);
	ok (platform_parse ("linux/arm64/v8", &p, &e) == 0 && !p.variant[0], "arm64/v8 is arm64");
	ok (platform_parse ("linux/x86_64", &p, &e) == 0 && strcmp (p.arch, "amd64") == 0, "x86_64 alias");
	ok (platform_parse ("linux", &p, &e) < 0 && e.code == BX_USAGE, "os alone refused");
	ok (platform_parse ("linux/arm/v7/x", &p, &e) < 0, "too many parts refused");
	platform_parse ("Linux/ARM/v7", &p, &e);
	platform_format (&p, buf, sizeof buf);
	is_str (buf, "linux/arm/v7", "lowercased, variant kept");
}

static void
test_desc (void)
{
	json_t *d = json_loads ("{\"platform\":{\"os\":\"linux\",\"architecture\":\"aarch64\"}}", 0, NULL);
	struct platform have, want;
	struct bx_err e;
	char buf[64];

	platform_of_desc (d, &have);
	platform_format (&have, buf, sizeof buf);
	is_str (buf, "linux/arm64", "a descriptor's platform, normalised");
	platform_parse ("linux/arm64", &want, &e);
	ok (platform_matches (&have, &want), "matches its own spelling");
	platform_parse ("linux/arm/v7", &want, &e);
	ok (!platform_matches (&have, &want), "another arch does not match");
	json_decref (d);
}

int
main (void)
{
	test_parse ();
	test_desc ();
	return tap_done ();
}
