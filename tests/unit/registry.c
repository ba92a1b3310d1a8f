/* registry - TAP unit tests of lib/image/registry.h: WWW-Authenticate
 * challenges, insecure hosts, Docker's error wording (no network needed) */
#include <stdlib.h>

#include "image/registry.h"
#include "tap.h"

static void
test_challenges (void)
{
	struct registry_challenge c;

	ok (registry_challenge_parse ("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	                              "scope=\"repository:library/busybox:pull\"",
	                              &c) == 0,
	    "bearer parses");
	is_str (c.scheme, "bearer", "scheme lowercased");
	is_str (c.realm, "https://auth.docker.io/token", "realm");
	is_str (c.service, "registry.docker.io", "service");
	is_str (c.scope, "repository:library/busybox:pull", "scope");
	registry_challenge_parse ("Basic realm=\"box-test\"", &c);
	is_str (c.scheme, "basic", "basic scheme");
	is_str (c.realm, "box-test", "basic realm");
	registry_challenge_parse ("bearer realm=\"a\\\"b\", error=insufficient_scope ,scope=x", &c);
	is_str (c.realm, "a\"b", "quoted-pair unescaped");
	is_str (c.error, "insufficient_scope", "token value");
	is_str (c.scope, "x", "spaces around commas");
	registry_challenge_parse ("Bearer realm=\"r\", Basic realm=\"other\"", &c);
	is_str (c.realm, "r", "second challenge not mixed into the first");
	ok (registry_challenge_parse ("", &c) < 0, "empty header refused");
	ok (registry_challenge_parse ("   =x", &c) < 0, "no scheme refused");
}

static void
test_insecure (void)
{
	ok (registry_is_insecure ("localhost:5000", NULL), "localhost:port");
	ok (registry_is_insecure ("127.0.0.1:5000", ""), "127.0.0.1:port");
	ok (!registry_is_insecure ("[::1]:5000", NULL), "[::1]:port is not in dockerd's default");
	ok (!registry_is_insecure ("registry-1.docker.io", NULL), "docker hub is https");
	ok (registry_is_insecure ("127.0.0.10:5000", NULL), "127.0.0.0/8, dockerd's default");
	ok (!registry_is_insecure ("127.example:5000", NULL), "a name is no address");
	ok (registry_is_insecure ("reg.lan:5000", "a.example, reg.lan:5000"), "listed host:port");
	ok (registry_is_insecure ("reg.lan:5000", "reg.lan"), "listed host covers its ports");
	ok (!registry_is_insecure ("reg.lan:5000", "reg.la,eg.lan:5000"), "no partial match");
}

static void
test_error_text (void)
{
	char buf[256];
	const char *b1 = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}";
	const char *b2 = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}";
	const char *b3 = "{\"details\":\"incorrect username or password\"}";

	registry_error_text (b1, strlen (b1), "x", buf, sizeof buf);
	is_str (buf, "manifest unknown", "code equal to message said once");
	registry_error_text (b2, strlen (b2), "x", buf, sizeof buf);
	is_str (buf, "unauthorized: authentication required", "code: message");
	registry_error_text (b3, strlen (b3), "x", buf, sizeof buf);
	is_str (buf, "incorrect username or password", "token server details");
	registry_error_text ("<html>", 6, "HTTP 502", buf, sizeof buf);
	is_str (buf, "HTTP 502", "fallback for non-JSON");
}

/* fuzz/regauth's finding: a token went into the Authorization header as
 * it came, so a CR LF in it added headers of the token server's choice */
static void
test_token (void)
{
	const char *good = "{\"token\": \"abc.def-ghi\", \"expires_in\": 300}";
	const char *oauth = "{\"access_token\": \"x+y/z=\"}";
	const char *crlf = "{\"token\": \"abc\\r\\nX-Injected: 1\"}";
	const char *space = "{\"token\": \"ab]]]] eramm]]def-ghi\", \"exp`ires_in\": 300}";
	char *t;

	t = registry_token_parse (good, strlen (good));
	is_str (t, "abc.def-ghi", "token");
	free (t);
	t = registry_token_parse (oauth, strlen (oauth));
	is_str (t, "x+y/z=", "access_token");
	free (t);
	ok (!registry_token_parse (crlf, strlen (crlf)), "a token with CR LF is refused");
	ok (!registry_token_parse (space, strlen (space)), "a token with a space is refused");
	ok (!registry_token_parse ("{}", 2) && !registry_token_parse ("nope", 4), "no token");
}

int
main (void)
{
	test_challenges ();
	test_token ();
	test_insecure ();
	test_error_text ();
	return tap_done ();
}
