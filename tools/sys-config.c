/*
 * sys-config - box's settings, which dockerd would read from daemon.json:
 * shown, set and unset (box config)
 *
 * usage:  sys-config [--root DIR]                 every setting, KEY=VALUE
 *         sys-config [--root DIR] KEY             its value (empty when unset)
 *         sys-config [--root DIR] KEY VALUE       set it ("" unsets it)
 *         sys-config [--root DIR] --unset KEY
 * keys:   userns-remap  default | USER[:GROUP]: every container in a user
 *                       namespace on those subordinate ids (--userns=host
 *                       opts out); "default" makes the user boxremap and
 *                       its ranges at once, as dockerd makes dockremap
 * stdin:  unused
 * stdout: the settings, one KEY=VALUE a line (those set; an unset one is
 *         KEY= ), or the one value asked for
 * reads:  settings; /etc/passwd, /etc/group, /etc/subuid, /etc/subgid
 * writes: settings (lib/runtime/settings, atomically); for
 *         `userns-remap default`: the user boxremap (useradd -r) and its
 *         ranges in /etc/subuid and /etc/subgid (usermod -v -w)
 * locks:  settings.lock while the file changes or boxremap is made
 * exit:   0 ok, 2 usage, unknown key or bad value, 5 system error
 */
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/root.h"
#include "runtime/remap.h"
#include "runtime/settings.h"

struct opts {
	const char *root;
	int unset;
	const char *key, *value;
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] [KEY [VALUE] | --unset KEY]\n", bx_prog);
	exit (BX_USAGE);
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"root", required_argument, NULL, 'R'}, {"unset", no_argument, NULL, 'u'}, {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "+", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'u': o->unset = 1; break;
		default: usage ();
		}
	}
	if (argc - optind > 2 || (o->unset && argc - optind != 1))
		usage ();
	o->key = optind < argc ? argv[optind] : NULL;
	o->value = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (o->key && !settings_is_key (o->key))
		err_die (BX_USAGE, "unknown setting: %s (known: userns-remap)", o->key);
}

static int
show (int rootfd, const char *key, int with_key, struct bx_err *e)
{
	char v[4096];
	int r = settings_get (rootfd, key, v, sizeof v, e);

	if (r < 0)
		return -1;
	printf ("%s%s%s\n", with_key ? key : "", with_key ? "=" : "", r ? v : "");
	return 0;
}

static int
show_all (int rootfd, struct bx_err *e)
{
	for (size_t i = 0; settings_keys[i]; i++)
		if (show (rootfd, settings_keys[i], 1, e) < 0)
			return -1;
	return 0;
}

/* a value checked before it is kept; boxremap made now, as dockerd makes
 * dockremap when it starts */
static int
set (int rootfd, const char *key, const char *value, struct bx_err *e)
{
	if (*value && !strcmp (key, SETTINGS_USERNS_REMAP)) {
		if (remap_check (value, e) < 0)
			return -1;
		if (!strcmp (value, REMAP_DEFAULT) && remap_default_user (rootfd, e) < 0)
			return err_wrap (e, "userns-remap default");
	}
	return settings_set (rootfd, key, value, e);
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	int rootfd, rc;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if ((rootfd = root_open (o.root, &e)) < 0)
		return err_report (&e);
	if (o.unset)
		rc = settings_set (rootfd, o.key, NULL, &e);
	else if (o.value)
		rc = set (rootfd, o.key, o.value, &e);
	else
		rc = o.key ? show (rootfd, o.key, 0, &e) : show_all (rootfd, &e);
	if (rc < 0)
		return err_report (&e);
	return fflush (stdout) == EOF ? BX_SYSTEM : 0;
}
