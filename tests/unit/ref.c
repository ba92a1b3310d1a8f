/* ref - TAP unit tests of lib/image/ref.h: parsing and normalisation as Docker does */
#include <stdio.h>
#include <string.h>

#include "image/ref.h"
#include "tap.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* parses IN and prints it back in full: WANT */
static void
full (const char *in, const char *want)
{
	struct ref r;
	struct bx_err e = {0};
	char buf[1024] = "";

	if (ref_parse (in, &r, &e) == 0)
		ref_full (&r, buf, sizeof buf);
	else
		snprintf (buf, sizeof buf, "error: %s", e.msg);
	is_str (buf, want, in);
}

/* IN is refused with BX_USAGE and a message naming MSGPART */
static void
bad (const char *in, const char *msgpart)
{
	struct ref r;
	struct bx_err e = {0};
	int rc = ref_parse (in, &r, &e);

	ok (rc == -1 && e.code == BX_USAGE && strstr (e.msg, msgpart), "refused: '%s' (%s)", in, e.msg);
}

static void
familiar (const char *in, const char *want)
{
	struct ref r;
	struct bx_err e = {0};
	char buf[512] = "";

	if (ref_parse (in, &r, &e) == 0)
		ref_familiar_repo (&r, buf, sizeof buf);
	is_str (buf, want, in);
}

static void
test_normalise (void)
{
	full ("busybox", "docker.io/library/busybox:latest");
	full ("busybox:1.36", "docker.io/library/busybox:1.36");
	full ("user/app", "docker.io/user/app:latest");
	full ("docker.io/busybox", "docker.io/library/busybox:latest");
	full ("index.docker.io/library/busybox", "docker.io/library/busybox:latest");
	full ("host:5000/a/b:tag", "host:5000/a/b:tag");
	full ("127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest");
	full ("localhost/x", "localhost/x:latest");
	full ("localhost:5000/x:v1", "localhost:5000/x:v1");
	full ("example.com/a/b/c", "example.com/a/b/c:latest");
	full ("a@sha256:" HEX64, "docker.io/library/a@sha256:" HEX64);
	full ("a:t@sha256:" HEX64, "docker.io/library/a:t@sha256:" HEX64);
	full ("host:5000/a:t@sha256:" HEX64, "host:5000/a:t@sha256:" HEX64);
	full ("a_b.c-d__e---f", "docker.io/library/a_b.c-d__e---f:latest");
	full ("a:_Tag.9-x", "docker.io/library/a:_Tag.9-x");
	full ("Host.example/x", "Host.example/x:latest");
	full ("[::1]:5000/a", "[::1]:5000/a:latest");
	full ("[::1]/a:t", "[::1]/a:t");
	/* Docker reads a lone "host:port" as repository "host", tag "port" */
	full ("localhost:5000", "docker.io/library/localhost:5000");
}

static void
test_parts (void)
{
	struct ref r;
	struct bx_err e = {0};
	char buf[512];

	ok (ref_parse ("host:5000/a/b:tag", &r, &e) == 0, "parse host:5000/a/b:tag");
	is_str (r.domain, "host:5000", "domain");
	is_str (r.path, "a/b", "path");
	is_str (r.tag, "tag", "tag");
	is_str (r.digest, "", "no digest");
	ref_repo (&r, buf, sizeof buf);
	is_str (buf, "host:5000/a/b", "ref_repo");
	is_str (ref_api_host (&r), "host:5000", "api host of a private registry");
	ok (ref_parse ("busybox", &r, &e) == 0, "parse busybox");
	is_str (ref_api_host (&r), "registry-1.docker.io", "api host of docker.io");
	ok (ref_parse ("a@sha256:" HEX64, &r, &e) == 0 && r.tag[0] == '\0', "digest only: no tag");
}

static void
test_bad (void)
{
	bad ("", "empty");
	bad ("Busybox", "lowercase");
	bad ("user/App", "lowercase");
	/* Docker 20.10: an upper-case first component is no host */
	bad ("UP/x", "lowercase");
	bad ("a:", "bad tag");
	bad ("a:-x", "bad tag");
	bad ("a:t/x", "invalid reference format");
	bad ("a:t$", "bad tag");
	bad ("a:"
	     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	     "bad tag");
	bad ("a@sha256:abc", "bad digest");
	bad ("a@sha256:" HEX64 "00", "bad digest");
	bad ("a@md5", "bad digest");
	bad (":t", "invalid reference format");
	bad ("/a", "invalid reference format");
	bad ("a//b", "invalid reference format");
	bad ("a/", "invalid reference format");
	bad ("-a", "invalid reference format");
	bad ("a-", "invalid reference format");
	bad ("a..b", "invalid reference format");
	bad ("a___b", "invalid reference format");
	bad ("host:port/a", "bad registry host");
	bad ("-host.io/a", "bad registry host");
	bad ("[]/a", "invalid reference format");
	bad ("[zz::1]/a", "bad registry host");
	bad ("[::1/a", "bad registry host");
	bad ("[::1]x/a", "bad registry host");
	bad ("a b", "invalid reference format");
}

static void
test_familiar (void)
{
	familiar ("busybox", "busybox");
	familiar ("docker.io/library/busybox:1", "busybox");
	familiar ("user/app", "user/app");
	familiar ("library/a/b", "library/a/b");
	familiar ("host:5000/app", "host:5000/app");
	familiar ("localhost/x", "localhost/x");
}

static void
test_looks_like_id (void)
{
	ok (ref_looks_like_id ("4be1c0"), "short hex is an id");
	ok (ref_looks_like_id ("sha256:" HEX64), "a digest is an id");
	ok (!ref_looks_like_id ("busybox"), "a name is not an id");
	ok (!ref_looks_like_id ("ABCDEF"), "uppercase hex is not an id");
	ok (!ref_looks_like_id (""), "empty is not an id");
	ok (!ref_looks_like_id (HEX64 "0"), "65 hex digits are not an id");
}

/* ref_parse's error about S in Docker's parser's words */
static void
docker_words (const char *s, const char *want)
{
	struct ref r;
	struct bx_err e = {0};
	char buf[256];

	ok (ref_parse (s, &r, &e) < 0, "%s refused", s);
	ref_docker_words (e.msg, s, buf, sizeof buf);
	is_str (buf, want, s);
}

static void
test_docker_words (void)
{
	docker_words ("BAD", "invalid reference format: repository name must be lowercase");
	docker_words ("x:bad@", "invalid reference format");
	docker_words ("a:t$", "invalid reference format");
	docker_words ("a b", "invalid reference format");
}

int
main (void)
{
	test_normalise ();
	test_parts ();
	test_bad ();
	test_familiar ();
	test_looks_like_id ();
	test_docker_words ();
	return tap_done ();
}
