/*
 * ctr-rename - give a container another name (docker rename)
 *
 * usage:  ctr-rename [--root DIR] CONTAINER NEW_NAME
 * stdin:  unused
 * stdout: nothing
 * reads:  names/, containers/<id>/create.json
 * writes: names/NEW_NAME (reserved first), containers/<id>/create.json's
 *         Name, then names/<old name> removed (runtime/ctrname); the
 *         network's names are ctr-net's (box runs `ctr-net rename` next)
 * locks:  names/ (flock, exclusive) for the three steps; the container
 *         directory (flock) while create.json is rewritten
 * exit:   0 ok, 1 in Docker's words: no such container, the name taken,
 *         invalid or the same as the current one, an empty name; 2 usage
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/root.h"
#include "runtime/ctr.h"
#include "runtime/ctrname.h"
#include "runtime/event.h"

struct opts {
	const char *root;
	const char *what, *name;
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] CONTAINER NEW_NAME\n", bx_prog);
	exit (BX_USAGE);
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'}, {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		default: usage ();
		}
	}
	if (argc - optind != 2)
		usage ();
	o->what = argv[optind];
	o->name = argv[optind + 1];
}

/* the container's current name, without the "/" */
static int
current_name (int dfd, char *buf, size_t len, struct bx_err *e)
{
	json_t *create = ctr_create_read (dfd, e);
	const char *n;

	if (!create)
		return -1;
	n = json_string_value (json_object_get (create, "Name"));
	snprintf (buf, len, "%s", n ? n + (*n == '/') : "");
	json_decref (create);
	return 0;
}

static int
rename_ctr (int rootfd, const struct opts *o, struct bx_err *e)
{
	char id[CTR_ID_LEN + 1], old[256], slashed[512];
	const char *new = o->name + (o->name[0] == '/');
	_cleanup_close_ int dfd = -1;

	if (ctr_resolve (rootfd, o->what, id, e) < 0 || (dfd = ctr_open (rootfd, id, e)) < 0 ||
	    current_name (dfd, old, sizeof old, e) < 0)
		return -1;
	if (!strcmp (old, new))
		return err_set (e, BX_FAIL, 0, "Renaming a container with the same name as its current name");
	/* Docker checks the name, with its "/", when it allocates it */
	snprintf (slashed, sizeof slashed, "/%s", new);
	if (ctrname_check (slashed, e) < 0)
		return err_wrap (e, "Error when allocating new name");
	if (ctrname_rename (rootfd, dfd, id, old, new, e) < 0)
		return e->code == BX_CONFLICT ? err_wrap (e, "Error when allocating new name") : -1;
	/* Docker's rename event: the new name, and the old one with its "/" */
	snprintf (slashed, sizeof slashed, "/%s", old);
	event_ctr (rootfd, id, "rename", "oldName", slashed);
	return 0;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	int rootfd;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if (!*o.what || !*o.name) {
		fprintf (stderr, "Error: Neither old nor new names may be empty\n");
		return BX_FAIL;
	}
	if ((rootfd = root_open (o.root, &e)) < 0)
		return err_report (&e);
	if (rename_ctr (rootfd, &o, &e) < 0) {
		fprintf (stderr, "Error response from daemon: %s\nError: failed to rename container named %s\n", e.msg,
		         o.what);
		return BX_FAIL;
	}
	return 0;
}
