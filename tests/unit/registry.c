/* unit tests: registry challenge parsing, insecure hosts, error wording,
 * platform choice and config.json keys (no network needed) */
#include <jansson.h>
#include <stdlib.h>

#include "image/auth.h"
#include "image/manifest.h"
#include "image/registry.h"
#include "tap.h"

static void
test_challenges (void)
{
	struct reg_challenge c;

	ok (reg_challenge_parse ("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	                         "scope=\"repository:library/busybox:pull\"",
	                         &c) == 0,
	    "bearer parses");
	is_str (c.scheme, "bearer", "scheme lowercased");
	is_str (c.realm, "https://auth.docker.io/token", "realm");
	is_str (c.service, "registry.docker.io", "service");
	is_str (c.scope, "repository:library/busybox:pull", "scope");
	reg_challenge_parse ("Basic realm=\"box-test\"", &c);
	is_str (c.scheme, "basic", "basic scheme");
	is_str (c.realm, "box-test", "basic realm");
	reg_challenge_parse ("bearer realm=\"a\\\"b\", error=insufficient_scope ,scope=x", &c);
	is_str (c.realm, "a\"b", "quoted-pair unescaped");
	is_str (c.error, "insufficient_scope", "token value");
	is_str (c.scope, "x", "spaces around commas");
	reg_challenge_parse ("Bearer realm=\"r\", Basic realm=\"other\"", &c);
	is_str (c.realm, "r", "second challenge not mixed into the first");
	ok (reg_challenge_parse ("", &c) < 0, "empty header refused");
	ok (reg_challenge_parse ("   =x", &c) < 0, "no scheme refused");
}

static void
test_insecure (void)
{
	ok (reg_is_insecure ("localhost:5000", NULL), "localhost:port");
	ok (reg_is_insecure ("127.0.0.1:5000", ""), "127.0.0.1:port");
	ok (reg_is_insecure ("[::1]:5000", NULL), "[::1]:port");
	ok (!reg_is_insecure ("registry-1.docker.io", NULL), "docker hub is https");
	ok (!reg_is_insecure ("127.0.0.10:5000", NULL), "only exact loopback names");
	ok (reg_is_insecure ("reg.lan:5000", "a.example, reg.lan:5000"), "listed host:port");
	ok (reg_is_insecure ("reg.lan:5000", "reg.lan"), "listed host covers its ports");
	ok (!reg_is_insecure ("reg.lan:5000", "reg.la,eg.lan:5000"), "no partial match");
}

static void
test_error_text (void)
{
	char buf[256];
	const char *b1 = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}";
	const char *b2 = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}";
	const char *b3 = "{\"details\":\"incorrect username or password\"}";

	reg_error_text (b1, strlen (b1), "x", buf, sizeof buf);
	is_str (buf, "manifest unknown", "code equal to message said once");
	reg_error_text (b2, strlen (b2), "x", buf, sizeof buf);
	is_str (buf, "unauthorized: authentication required", "code: message");
	reg_error_text (b3, strlen (b3), "x", buf, sizeof buf);
	is_str (buf, "incorrect username or password", "token server details");
	reg_error_text ("<html>", 6, "HTTP 502", buf, sizeof buf);
	is_str (buf, "HTTP 502", "fallback for non-JSON");
}

static void
test_platforms (void)
{
	struct platform p;
	struct bx_err e;
	json_t *idx, *d = NULL;
	char buf[64];

	platform_default (&p);
	platform_format (&p, buf, sizeof buf);
	ok (strncmp (buf, "linux/", 6) == 0, "default is linux/...: %s", buf);
	ok (platform_parse ("linux/arm64/v8", &p, &e) == 0 && !p.variant[0], "arm64/v8 is arm64");
	ok (platform_parse ("linux/x86_64", &p, &e) == 0 && strcmp (p.arch, "amd64") == 0, "x86_64 alias");
	ok (platform_parse ("linux", &p, &e) < 0 && e.code == BX_USAGE, "os alone refused");
	ok (platform_parse ("linux/arm/v7/x", &p, &e) < 0, "too many parts refused");
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
	test_challenges ();
	test_insecure ();
	test_error_text ();
	test_platforms ();
	test_manifest_types ();
	test_auth_keys ();
	return tap_done ();
}
