/* ctrflags - TAP unit tests of ctr-create's flag table: values, bools,
 * letters and their groups, pflag's error words, what --flags and
 * --value-flags list */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr-create/ctrflags.h"
#include "tap.h"

/* parse ARGV (NULL-terminated) into F, afresh; what ctrflags_parse says */
static int
parse (struct ctrflags *f, struct bx_err *e, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	ctrflags_init (f);
	*e = (struct bx_err){0};
	optind = 0; /* getopt starts over */
	return ctrflags_parse (f, argc, argv, e);
}

#define ARGV(...) ((char *[]){"ctr-create", __VA_ARGS__, NULL})

static void
test_values (void)
{
	struct ctrflags f;
	struct bx_err e;

	is_int (parse (&f, &e, ARGV ("--name", "web", "-e", "A=1", "--env=B=2", "-m", "64m", "img", "sh", "-c", "x")),
	        CTRFLAGS_CREATE, "values, long, short, with =");
	is_str (f.name, "web", "--name");
	is_int ((long)json_array_size (f.env_flags), 2, "-e and --env");
	is_int ((long)f.memory, 64 << 20, "-m 64m");
	is_str (f.image, "img", "IMAGE");
	is_int (f.ncmd, 3, "the command's own flags stay its own");
	ctrflags_free (&f);
	is_int (parse (&f, &e, ARGV ("-itp", "80:80", "--rm=false", "--read-only", "img")), CTRFLAGS_CREATE,
	        "a group of letters, the last one taking the value");
	ok (f.interactive && f.tty && !f.auto_remove && f.read_only, "bools: -i -t --rm=false --read-only");
	ok (json_object_get (f.bindings, "80/tcp") != NULL, "-p in the group");
	ctrflags_free (&f);
	is_int (parse (&f, &e, ARGV ("--net", "none", "--pid", "host", "img")), CTRFLAGS_CREATE, "--net, --pid");
	ok (!strcmp (f.network, "none") && !strcmp (f.pid_mode, "host"), "--net is --network; --pid host");
	ctrflags_free (&f);
}

static void
test_errors (void)
{
	const struct {
		char **argv;
		const char *msg;
	} cases[] = {
	    {ARGV ("--nope", "img"), "unknown flag: --nope"},
	    {ARGV ("-tx", "img"), "unknown shorthand flag: 'x' in -tx"},
	    {ARGV ("img", "--name"), NULL},
	    {ARGV ("--name"), "flag needs an argument: --name"},
	    {ARGV ("-e"), "flag needs an argument: 'e' in -e"},
	    {ARGV ("--rm=maybe", "img"),
	     "invalid argument \"maybe\" for \"--rm\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"},
	    {ARGV ("-c", "x", "img"),
	     "invalid argument \"x\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"x\": invalid syntax"},
	    {ARGV ("--stop-signal", "SIGFOO", "img"), "Invalid signal: SIGFOO"},
	    {ARGV ("--ipc", "container:x", "img"), "--ipc container:x: not implemented"},
	    {ARGV ("--uts", "private", "img"), "invalid uts mode: private"},
	    {ARGV ("--rm", "--restart", "always", "img"), "Conflicting options: --restart and --rm"},
	    {ARGV ("--network", "host", "--sysctl", "net.ipv4.ip_forward=1", "img"),
	     "sysctl 'net.ipv4.ip_forward=1' not allowed in host network namespace"},
	    {ARGV ("--rm"), "\"create\" requires at least 1 argument"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ctrflags f;
		struct bx_err e;
		int r = parse (&f, &e, cases[i].argv);
		if (!cases[i].msg)
			ok (r == CTRFLAGS_CREATE, "a flag after IMAGE is the command's");
		else {
			/* refused by the client's checks (-1) or the daemon's */
			ok ((r < 0 || r == CTRFLAGS_REFUSED) && e.code == BX_USAGE, "refused: %s", cases[i].msg);
			is_str (e.msg, cases[i].msg, "in Docker's words");
		}
		ctrflags_free (&f);
	}
}

static void
test_signals (void)
{
	static const char *const good[] = {"SIGKILL", "term", "10", "usr1"};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct ctrflags f;
		struct bx_err e;
		ok (parse (&f, &e, ARGV ("--stop-signal", (char *)good[i], "img")) == CTRFLAGS_CREATE &&
		        !strcmp (f.stop_signal, good[i]),
		    "--stop-signal %s", good[i]);
		ctrflags_free (&f);
	}
}

/* what ctrflags_print wrote, one flag a line */
static char *
listing (int values)
{
	static char buf[4096];
	FILE *m = fmemopen (buf, sizeof buf, "w");

	buf[0] = '\0';
	if (!m || ctrflags_print (m, values) < 0)
		return NULL;
	fclose (m);
	return buf;
}

/* Every listed value flag wants its value; every other listed flag takes
 * none: the list and the parser are one table. */
static void
test_lists (void)
{
	char all[4096], values[4096], *save = NULL, *fl;
	int n = 0, bad = 0;

	snprintf (all, sizeof all, "%s", listing (0) ? listing (0) : "");
	snprintf (values, sizeof values, "\n%s", listing (1) ? listing (1) : "");
	ok (strstr (values, "\n-e\n--env\n") && strstr (values, "\n--volumes-from\n"), "--value-flags");
	ok (!strstr (values, "\n-t\n") && strstr (all, "-t\n--tty\n"), "--flags has the bools too");
	ok (!strstr (all, "--root\n") && !strstr (all, "--help\n") && !strstr (all, "flags\n"),
	    "ctr-create's own: not listed");
	for (fl = strtok_r (all, "\n", &save); fl; fl = strtok_r (NULL, "\n", &save), n++) {
		struct ctrflags f;
		struct bx_err e;
		char line[64];
		int takes;
		snprintf (line, sizeof line, "\n%s\n", fl);
		parse (&f, &e, ARGV (fl));
		takes = strstr (values, line) != NULL;
		bad += takes != (strncmp (e.msg, "flag needs an argument", 22) == 0);
		ctrflags_free (&f);
	}
	ok (n > 70 && bad == 0, "%d flags, %d listed wrongly", n, bad);
}

static void
test_asks (void)
{
	struct ctrflags f;
	struct bx_err e;

	is_int (parse (&f, &e, ARGV ("--help", "--nope")), CTRFLAGS_HELP, "--help, before a bad flag");
	ctrflags_free (&f);
	is_int (parse (&f, &e, ARGV ("--value-flags")), CTRFLAGS_VALUE_FLAGS, "--value-flags");
	ctrflags_free (&f);
	is_int (parse (&f, &e, ARGV ("--flags")), CTRFLAGS_FLAGS, "--flags");
	ctrflags_free (&f);
}

/* --mount read as CSV (a quoted field keeps its commas), its volume keys
 * in HostConfig.Mounts' shape */
static void
test_mount_volume (void)
{
	struct ctrflags f;
	struct bx_err e;
	char *s;

	is_int (parse (&f, &e,
	               ARGV ("--mount",
	                     "type=volume,src=v,dst=/x,volume-nocopy,volume-label=a=b,volume-driver=local,"
	                     "volume-opt=type=tmpfs,\"volume-opt=o=size=1m,uid=1\"",
	                     "img")),
	        CTRFLAGS_CREATE, "--mount with volume keys");
	s = json_dumps (json_array_get (f.mount_specs, 0), JSON_SORT_KEYS | JSON_COMPACT);
	is_str (s,
	        "{\"Source\":\"v\",\"Target\":\"/x\",\"Type\":\"volume\",\"VolumeOptions\":{\"DriverConfig\":{\"Name\":"
	        "\"local\",\"Options\":{\"o\":\"size=1m,uid=1\",\"type\":\"tmpfs\"}},\"Labels\":{\"a\":\"b\"},"
	        "\"NoCopy\":true}}",
	        "NoCopy, Labels, DriverConfig.Options");
	free (s);
	ctrflags_free (&f);
	is_int (parse (&f, &e, ARGV ("--mount", "type=volume,dst=/x,volume-driver=flocker", "img")), -1,
	        "a volume plugin");
	is_str (e.msg, "error looking up volume plugin flocker: plugin \"flocker\" not found", "Docker's words");
	ctrflags_free (&f);
}

int
main (void)
{
	test_values ();
	test_errors ();
	test_signals ();
	test_lists ();
	test_asks ();
	test_mount_volume ();
	return tap_done ();
}
