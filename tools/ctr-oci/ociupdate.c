#include "ociupdate.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/human.h"
#include "ocistate.h"
#include "runtime/cgroup.h"
#include "runtime/ocispec.h"

/* runc's flags, each a key of the resources document */
static const struct {
	const char *flag, *section, *key;
	int kind; /* 'b' bytes, 'i' integer, 's' string */
} flags[] = {
    {"memory", "memory", "limit", 'b'},
    {"memory-reservation", "memory", "reservation", 'b'},
    {"memory-swap", "memory", "swap", 'b'},
    {"cpu-period", "cpu", "period", 'i'},
    {"cpu-quota", "cpu", "quota", 'i'},
    {"cpu-share", "cpu", "shares", 'i'},
    {"cpu-rt-period", "cpu", "realtimePeriod", 'i'},
    {"cpu-rt-runtime", "cpu", "realtimeRuntime", 'i'},
    {"cpuset-cpus", "cpu", "cpus", 's'},
    {"cpuset-mems", "cpu", "mems", 's'},
    {"pids-limit", "pids", "limit", 'i'},
    {"blkio-weight", "blockIO", "weight", 'i'},
};

#define NFLAGS (sizeof flags / sizeof flags[0])

static int
flag_set (json_t *doc, size_t k, const char *arg, struct bx_err *e)
{
	json_t *sec = json_object_get (doc, flags[k].section), *v;
	int64_t n;
	char *end;

	if (flags[k].kind == 's')
		v = json_string (arg);
	else if (flags[k].kind == 'b') {
		if (human_ram_parse (arg, &n, e) < 0)
			return err_wrap (e, "invalid value for %s", flags[k].flag);
		v = json_integer (!strcmp (arg, "-1") ? -1 : n);
	} else {
		n = strtoll (arg, &end, 10);
		if (*end || end == arg)
			return err_set (e, BX_USAGE, 0, "invalid value for %s: %s", flags[k].flag, arg);
		v = json_integer (n);
	}
	if (!sec) {
		sec = json_object ();
		json_object_set_new (doc, flags[k].section, sec);
	}
	json_object_set_new (sec, flags[k].key, v);
	return 0;
}

/* the document: --resources' file (or stdin), then the flags over it */
static int
parse (int argc, char **argv, json_t **doc, struct bx_err *e)
{
	struct option lo[NFLAGS + 2] = {{"resources", required_argument, NULL, 'r'}};
	json_error_t je;
	int c, idx;

	for (size_t k = 0; k < NFLAGS; k++)
		lo[k + 1] = (struct option){flags[k].flag, required_argument, NULL, 'f'};
	*doc = json_object ();
	optind = 1;
	opterr = 0;
	while ((c = getopt_long (argc, argv, "+r:", lo, &idx)) != -1) {
		if (c == 'r') {
			json_t *r =
			    !strcmp (optarg, "-") ? json_loadf (stdin, 0, &je) : json_load_file (optarg, 0, &je);
			if (!json_is_object (r))
				return err_set (e, BX_USAGE, 0, "%s: line %d: %s", optarg, je.line,
				                r ? "not an object" : je.text);
			json_object_update (*doc, r);
			json_decref (r);
		} else if (c == 'f') {
			if (flag_set (*doc, (size_t)idx - 1, optarg, e) < 0)
				return -1;
		} else
			return err_set (e, BX_USAGE, 0, "flag provided but not defined: %s", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return err_set (e, BX_USAGE, 0, "\"update\" requires exactly 1 argument(s)");
	return 0;
}

int
ociupdate_update (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	struct cgroup_limits l;
	struct ocistate st = {0};
	json_t *doc = NULL;
	int rootfd = -1, r = -1;

	if (parse (argc, argv, &doc, e) < 0)
		goto out;
	if ((rootfd = ocistate_root_open (g->root, 0, e)) < 0) {
		err_set (e, BX_NOTFOUND, 0, "container does not exist");
		goto out;
	}
	if (ocistate_load (rootfd, argv[optind], &st, e) < 0)
		goto out;
	if (ocistate_status (rootfd, &st) == OCI_STOPPED) {
		err_set (e, BX_FAIL, 0, "container not running");
		goto out;
	}
	if (ocispec_resources (doc, &l, e) == 0)
		r = cgroup_update (st.cgroup, &l, e);
	ocispec_resources_free (&l);
out:
	if (rootfd >= 0)
		close (rootfd);
	ocistate_free (&st);
	json_decref (doc);
	return r;
}
