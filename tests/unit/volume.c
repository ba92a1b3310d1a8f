/* unit tests: lib/runtime/volume's names, options and mount sources */
#include <stdio.h>
#include <string.h>

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

/* OPTS (JSON) checked for volume v: its error message, "" when fine */
static const char *
opts_error (const char *opts)
{
	static struct bx_err e;
	json_t *o = json_loads (opts, 0, NULL);

	e = (struct bx_err){0};
	volume_check_opts ("v", o, &e);
	json_decref (o);
	return e.msg;
}

static void
test_check_opts (void)
{
	ok (!*opts_error ("{}") && !*opts_error ("null"), "no options");
	ok (!*opts_error ("{\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=1m\"}"), "a tmpfs");
	ok (!strcmp (opts_error ("{\"foo\":\"bar\"}"), "create v: invalid option: \"foo\""), "an unknown key");
	ok (!strcmp (opts_error ("{\"type\":\"tmpfs\",\"o\":\"size=1m\"}"),
	             "create v: missing required option: \"device\""),
	    "type wants device");
	ok (!strcmp (opts_error ("{\"device\":\"/x\"}"), "create v: missing required option: \"type\""),
	    "device wants type");
	ok (!strcmp (opts_error ("{\"size\":\"1m\"}"), "create v: quota size requested but no quota support"),
	    "size: no quota support");
}

static void
test_check_name (void)
{
	struct bx_err e = {0};

	ok (volume_check_name ("a.b_c-1", &e) == 0, "a name");
	ok (volume_check_name ("a/b", &e) < 0 && e.code == BX_USAGE && strstr (e.msg, "create a/b: \"a/b\" includes"),
	    "a slash: Docker's words");
	ok (volume_check_name ("_a", &e) < 0 && volume_check_name ("a", &e) < 0, "a leading _ and one character");
}

int
main (void)
{
	test_of_source ();
	test_check_opts ();
	test_check_name ();
	return tap_done ();
}
