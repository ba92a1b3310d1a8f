/*
 * img-unpack - extract an image's layers once and mount a container's rootfs
 *
 * usage:  img-unpack [--root DIR] [--driver overlay|copy] [-q] IMAGE BUNDLE
 *         img-unpack [--root DIR] --unmount BUNDLE
 * stdin:  unused
 * stdout: the absolute path of BUNDLE/rootfs, one line (nothing for --unmount)
 * reads:  images/index.json, images/blobs/sha256/<digest>
 * writes: layers/<diffid hex>/ (built as layers/<hex>.tmp-<pid>, renamed when
 *         whole and synced), BUNDLE/rootfs (overlay mount, or a copy built as
 *         BUNDLE/rootfs.tmp-<pid>), BUNDLE/upper, BUNDLE/work
 * locks:  layers/<hex>.lock while that layer is extracted
 * exit:   0 ok, 1 failed (bad or hostile layer, diff_id mismatch), 2 usage,
 *         3 no such image (or bundle, for --unmount), 5 system error
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base/err.h"
#include "base/root.h"
#include "img-unpack/bundle.h"

struct opts {
	const char *root;
	enum bundle_driver driver;
	int quiet;
	int unmount;
	const char *image;
	const char *bundle;
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [--driver overlay|copy] [-q] IMAGE BUNDLE\n"
	         "       %s [--root DIR] --unmount BUNDLE\n",
	         bx_prog, bx_prog);
	exit (BX_USAGE);
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"driver", required_argument, NULL, 'd'},
	                                   {"unmount", no_argument, NULL, 'u'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "q", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'u': o->unmount = 1; break;
		case 'd':
			if (strcmp (optarg, "overlay") == 0)
				o->driver = BUNDLE_OVERLAY;
			else if (strcmp (optarg, "copy") == 0)
				o->driver = BUNDLE_COPY;
			else
				err_die (BX_USAGE, "--driver %s: expected overlay or copy", optarg);
			break;
		default: usage ();
		}
	}
	if (o->unmount && (argc - optind != 1 || o->driver != BUNDLE_AUTO))
		usage ();
	if (!o->unmount && argc - optind != 2)
		usage ();
	o->image = o->unmount ? NULL : argv[optind];
	o->bundle = argv[argc - 1];
}

/* Deep trees hold one fd per level while removed or copied. */
static void
nofile_raise (void)
{
	struct rlimit rl;

	if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit (RLIMIT_NOFILE, &rl);
	}
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct bundle b;
	int rootfd;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	nofile_raise ();
	if (o.unmount) {
		if (rootfs_unmount (o.bundle, &e) < 0)
			return err_report (&e);
		return 0;
	}
	if ((rootfd = root_open (o.root, &e)) < 0 || bundle_mount (rootfd, o.image, o.bundle, o.driver, &b, &e) < 0)
		return err_report (&e);
	if (b.warning[0] && !o.quiet)
		err_warn ("%s; copying the layers instead", b.warning);
	if (puts (b.rootfs) == EOF || fflush (stdout) == EOF)
		return errno == EPIPE ? 0 : BX_SYSTEM;
	return 0;
}
