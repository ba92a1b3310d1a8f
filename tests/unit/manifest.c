/* manifest - TAP unit tests of lib/image/manifest.h: the media type of a
 * fetched document, the manifest an index has for a platform */
#include <jansson.h>
#include <string.h>

#include "image/manifest.h"
#include "tap.h"

static void
test_select (void)
{
	struct platform p;
	struct bx_err e;
	json_t *idx, *d = NULL;

	idx = json_loads ("{\"manifests\":["
	                  "{\"mediaType\":\"application/"
	                  "vnd.oci.image.manifest.v1+json\",\"digest\":\"a\",\"platform\":{\"os\":\"linux\","
	                  "\"architecture\":\"amd64\"}},"
	                  "{\"mediaType\":\"application/"
	                  "vnd.oci.image.manifest.v1+json\",\"digest\":\"b\",\"platform\":{\"os\":\"linux\","
	                  "\"architecture\":\"arm\",\"variant\":\"v7\"}},"
	                  "{\"mediaType\":\"application/"
	                  "vnd.oci.image.manifest.v1+json\",\"digest\":\"c\",\"platform\":{\"os\":\"unknown\","
	                  "\"architecture\":\"unknown\"}}]}",
	                  0, NULL);
	platform_parse ("linux/arm/v7", &p, &e);
	ok (manifest_select (idx, &p, &d, &e) == 0 &&
	        strcmp (json_string_value (json_object_get (d, "digest")), "b") == 0,
	    "variant matched");
	platform_parse ("linux/arm/v6", &p, &e);
	ok (manifest_select (idx, &p, &d, &e) < 0 && e.code == BX_NOTFOUND, "wrong variant: not found");
	is_str (
	    e.msg,
	    "no matching manifest for linux/arm/v6 in the manifest list entries (available: linux/amd64, linux/arm/v7)",
	    "message lists images, not attestations");
	json_decref (idx);
}

static void
test_manifest_types (void)
{
	struct manifest m;
	struct bx_err e;
	const char *list = "{\"schemaVersion\":2,\"manifests\":[]}";

	ok (manifest_parse (list, strlen (list),
	                    "application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8", &m, &e) == 0 &&
	        m.is_index,
	    "Content-Type decides without mediaType");
	manifest_free (&m);
	ok (manifest_parse (list, strlen (list), "application/json", &m, &e) < 0 && e.code == BX_USAGE,
	    "no known type: refused");
	ok (manifest_parse ("[1]", 3, NULL, &m, &e) < 0 && e.code == BX_USAGE, "not an object: refused");
}

int
main (void)
{
	test_select ();
	test_manifest_types ();
	return tap_done ();
}
