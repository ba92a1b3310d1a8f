/* ctrcfg - TAP unit tests of a container's plan: the flags merged with an
 * image config as Docker merges them (ENTRYPOINT/CMD, Env, Labels,
 * WorkingDir, User, StopSignal, the hostname, --init) */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr-create/ctrcfg.h"
#include "tap.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char image_config[] =
    "{\"config\": {\"Entrypoint\": [\"/entry\"], \"Cmd\": [\"run\"], \"Env\": [\"PATH=/img\", \"A=img\"],"
    " \"Labels\": {\"l\": \"img\", \"m\": \"img\"}, \"WorkingDir\": \"/srv/../app/\", \"User\": \"daemon\","
    " \"StopSignal\": \"SIGQUIT\"}}";

/* the plan C for the flags in ARGV (NULL-terminated) and image_config;
 * what ctrcfg_merge returns */
static int
plan (struct ctrcfg *c, struct ctrflags *f, struct bx_err *e, char **argv)
{
	json_t *img = json_loads (image_config, 0, NULL);
	int argc = 0, r;

	while (argv[argc])
		argc++;
	ctrflags_init (f);
	*e = (struct bx_err){0};
	optind = 0;
	if (ctrflags_parse (f, argc, argv, e) != CTRFLAGS_CREATE)
		return -1;
	ctrcfg_init (c, f);
	r = ctrcfg_merge (c, img, ID, "web", "sha256:1234", e);
	json_decref (img);
	return r;
}

static void
done (struct ctrcfg *c, struct ctrflags *f)
{
	ctrcfg_free (c);
	ctrflags_free (f);
}

/* J, compact, in a buffer of its own (the last call's) */
static char *
compact (json_t *j)
{
	static char buf[1024];
	char *s = json_dumps (j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);

	snprintf (buf, sizeof buf, "%s", s ? s : "(null)");
	free (s);
	return buf;
}

/* KEY of Docker's Config, compact */
static char *
config (const struct ctrcfg *c, const char *key)
{
	return compact (json_object_get (c->config, key));
}

#define ARGV(...) ((char *[]){"ctr-create", __VA_ARGS__, NULL})

static void
test_image_only (void)
{
	struct ctrcfg c;
	struct ctrflags f;
	struct bx_err e;

	ok (plan (&c, &f, &e, ARGV ("img")) == 0, "no flags: the image's config");
	is_str (config (&c, "Entrypoint"), "[\"/entry\"]", "its ENTRYPOINT");
	is_str (config (&c, "Cmd"), "[\"run\"]", "its CMD");
	is_str (config (&c, "Env"), "[\"PATH=/img\",\"A=img\"]", "its Env");
	is_str (config (&c, "WorkingDir"), "\"/app\"", "its WorkingDir, cleaned");
	is_str (config (&c, "User"), "\"daemon\"", "its User");
	is_str (config (&c, "StopSignal"), "\"SIGQUIT\"", "its StopSignal");
	is_str (config (&c, "Hostname"), "\"0123456789ab\"", "the hostname: the short id");
	is_str (compact (c.proc_env), "[\"PATH=/img\",\"HOSTNAME=0123456789ab\",\"A=img\"]",
	        "the process's environment: Docker's, then Config.Env");
	is_str (c.name, "web", "the name");
	done (&c, &f);
}

static void
test_flags_win (void)
{
	struct ctrcfg c;
	struct ctrflags f;
	struct bx_err e;

	ok (plan (&c, &f, &e,
	          ARGV ("-e", "A=flag", "-l", "m=flag", "-h", "box", "-w", "/w", "-u", "1:2", "--stop-signal", "9",
	                "--stop-timeout", "3", "-t", "img", "x", "y")) == 0,
	    "flags over the image");
	is_str (config (&c, "Cmd"), "[\"x\",\"y\"]", "the command replaces CMD");
	is_str (config (&c, "Entrypoint"), "[\"/entry\"]", "and keeps ENTRYPOINT");
	is_str (compact (c.args), "[\"/entry\",\"x\",\"y\"]", "argv: ENTRYPOINT then CMD");
	is_str (config (&c, "Env"), "[\"A=flag\",\"PATH=/img\"]", "-e first, then the image's others");
	is_str (config (&c, "Labels"), "{\"l\":\"img\",\"m\":\"flag\"}", "-l over the image's labels");
	is_str (config (&c, "Hostname"), "\"box\"", "-h");
	is_str (config (&c, "WorkingDir"), "\"/w\"", "-w");
	is_str (config (&c, "User"), "\"1:2\"", "-u");
	is_str (config (&c, "StopSignal"), "\"9\"", "--stop-signal");
	is_str (config (&c, "StopTimeout"), "3", "--stop-timeout");
	ok (json_is_true (json_object_get (c.config, "Tty")), "-t");
	ok (strstr (compact (c.proc_env), "\"TERM=xterm\""), "-t sets TERM");
	done (&c, &f);
}

static void
test_entrypoint (void)
{
	struct ctrcfg c;
	struct ctrflags f;
	struct bx_err e;

	ok (plan (&c, &f, &e, ARGV ("--entrypoint", "/sh", "img")) == 0, "--entrypoint");
	is_str (compact (c.args), "[\"/sh\"]", "replaces ENTRYPOINT and drops the image's CMD");
	done (&c, &f);
	ok (plan (&c, &f, &e, ARGV ("--entrypoint", "", "img")) < 0 && e.code == BX_USAGE &&
	        !strcmp (e.msg, "No command specified"),
	    "--entrypoint \"\" and no command: Docker's words");
	done (&c, &f);
	ok (plan (&c, &f, &e, ARGV ("--init", "img")) == 0, "--init");
	is_str (compact (c.args), "[\"" CTRCFG_INIT_PATH "\",\"--\",\"/entry\",\"run\"]", "tini runs the command");
	done (&c, &f);
}

int
main (void)
{
	test_image_only ();
	test_flags_win ();
	test_entrypoint ();
	return tap_done ();
}
