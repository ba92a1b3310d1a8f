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
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "err.h"
#include "flatten.h"
#include "layers.h"
#include "layout.h"
#include "overlay.h"
#include "root.h"
#include "store.h"
#include "tree.h"

enum driver { DRV_AUTO, DRV_OVERLAY, DRV_COPY };

struct opts {
	const char *root;
	enum driver driver;
	int quiet;
	int unmount;
	const char *image;
	const char *bundle;
};

/* what the bundle's paths are, absolute */
struct bundle {
	char dir[PATH_MAX];
	char rootfs[PATH_MAX + 16];
	char upper[PATH_MAX + 16];
	char work[PATH_MAX + 16];
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
	static const struct option lo[] = { { "root", required_argument, NULL, 'R' },
					    { "driver", required_argument, NULL, 'd' },
					    { "unmount", no_argument, NULL, 'u' },
					    { "quiet", no_argument, NULL, 'q' },
					    { 0, 0, 0, 0 } };
	int c;

	while ((c = getopt_long (argc, argv, "q", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'u': o->unmount = 1; break;
		case 'd':
			if (strcmp (optarg, "overlay") == 0)
				o->driver = DRV_OVERLAY;
			else if (strcmp (optarg, "copy") == 0)
				o->driver = DRV_COPY;
			else
				die (BX_USAGE, "--driver %s: expected overlay or copy", optarg);
			break;
		default: usage ();
		}
	}
	if (o->unmount && (argc - optind != 1 || o->driver != DRV_AUTO))
		usage ();
	if (!o->unmount && argc - optind != 2)
		usage ();
	o->image = o->unmount ? NULL : argv[optind];
	o->bundle = argv[argc - 1];
}

static int
bundle_paths (const char *dir, struct bundle *b, struct bx_err *e)
{
	if (!realpath (dir, b->dir))
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "bundle %s", dir);
	snprintf (b->rootfs, sizeof b->rootfs, "%s/%s", b->dir, L_ROOTFS);
	snprintf (b->upper, sizeof b->upper, "%s/%s", b->dir, L_UPPER);
	snprintf (b->work, sizeof b->work, "%s/%s", b->dir, L_WORK);
	return 0;
}

/* The directory's first entry, to tell a finished copy from an empty
 * mount point: 1 when it has one. */
static int
has_entries (const char *path)
{
	_cleanup_dir_ DIR *d = opendir (path);
	struct dirent *de;

	while (d && (de = readdir (d)))
		if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
			return 1;
	return 0;
}

/* Layer names for overlayfs, topmost first. A diff_id that comes twice
 * keeps its upper place only: the upper copy re-applies all it holds. */
static size_t
lower_list (const struct layer *v, size_t n, const char **out)
{
	size_t m = 0;

	for (size_t i = n; i-- > 0;) {
		const char *hex = digest_hex (v[i].diffid);
		size_t j;
		for (j = 0; j < m && strcmp (out[j], hex) != 0; j++)
			;
		if (j == m)
			out[m++] = hex;
	}
	return m;
}

static int
rootfs_copy (int rootfd, const char **lower, size_t m, const struct bundle *b, struct bx_err *e)
{
	_cleanup_close_ int layers = layers_dir_open (rootfd, e), dst = -1;
	_cleanup_free_ const char **up = calloc (m + 1, sizeof *up);
	char tmp[PATH_MAX + 32];

	if (layers < 0)
		return -1;
	if (!up)
		return err_set (e, BX_SYSTEM, ENOMEM, "copy");
	for (size_t i = 0; i < m; i++)
		up[i] = lower[m - 1 - i];
	/* built aside and renamed over the empty rootfs/: a rootfs/ with
	 * content is a whole copy */
	snprintf (tmp, sizeof tmp, "%s.tmp-%d", b->rootfs, (int) getpid ());
	tree_remove_at (AT_FDCWD, tmp);
	if (mkdir (tmp, 0755) < 0 || (dst = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", tmp);
	if (chmod (tmp, 0755) < 0 || flatten_layers (layers, up, m, dst, layers_opaque_xattr (), e) < 0
	    || syncfs (dst) < 0 || rename (tmp, b->rootfs) < 0) {
		if (e->code == BX_OK)
			err_set (e, BX_SYSTEM, errno, "copy into %s", b->rootfs);
		tree_remove_at (AT_FDCWD, tmp);
		return -1;
	}
	return 0;
}

static int
rootfs_overlay (const char *layers, const char **lower, size_t m, const struct bundle *b, struct bx_err *e)
{
	if ((mkdir (b->upper, 0755) < 0 && errno != EEXIST) || (mkdir (b->work, 0700) < 0 && errno != EEXIST))
		return err_set (e, BX_SYSTEM, errno, "mkdir in %s", b->dir);
	return overlay_mount (layers, lower, m, b->upper, b->work, b->rootfs, geteuid () != 0, e);
}

static int
rootfs_make (const struct opts *o, int rootfd, const struct layer *v, size_t n, const struct bundle *b,
	     struct bx_err *e)
{
	_cleanup_free_ const char **lower = calloc (n + 1, sizeof *lower);
	char layers[PATH_MAX + 16];
	size_t m;

	if (!lower)
		return err_set (e, BX_SYSTEM, ENOMEM, "layers");
	m = lower_list (v, n, lower);
	if (!realpath (root_path (o->root), layers))
		return err_set (e, BX_SYSTEM, errno, "%s", root_path (o->root));
	strcat (layers, "/" L_LAYERS);
	/* overlayfs wants at least one lower layer; an empty image is a copy */
	if (o->driver == DRV_COPY || m == 0)
		return rootfs_copy (rootfd, lower, m, b, e);
	if (rootfs_overlay (layers, lower, m, b, e) == 0)
		return 0;
	if (o->driver == DRV_OVERLAY)
		return -1;
	if (!o->quiet)
		warnx_ ("%s; copying the layers instead", e->msg);
	*e = (struct bx_err) { 0 };
	return rootfs_copy (rootfd, lower, m, b, e);
}

static int
do_unpack (const struct opts *o, struct bundle *b, struct bx_err *e)
{
	int rootfd = root_open (o->root, e);
	struct store s = { .dir = -1, .blobs = -1 };
	struct image img = { 0 };
	_cleanup_free_ struct layer *v = NULL;
	size_t n = 0;
	long cpus = sysconf (_SC_NPROCESSORS_ONLN);
	int rc = -1, m;

	if (rootfd < 0 || store_open (&s, rootfd, e) < 0)
		goto out;
	if (store_image_load (&s, o->image, &img, e) < 0 || layers_of_image (&img, &v, &n, e) < 0)
		goto out;
	if (layers_ensure (rootfd, &s, v, n, (unsigned) (cpus > 0 ? cpus : 1) * 2, e) < 0)
		goto out;
	if (mkdir_p_at (AT_FDCWD, o->bundle, 0711, e) < 0 || bundle_paths (o->bundle, b, e) < 0)
		goto out;
	if (mkdir (b->rootfs, 0755) < 0 && errno != EEXIST) {
		err_set (e, BX_SYSTEM, errno, "mkdir %s", b->rootfs);
		goto out;
	}
	/* mounted already, or a finished copy: the container keeps its files */
	if ((m = is_mountpoint (b->rootfs)) < 0) {
		err_set (e, BX_SYSTEM, errno, "%s", b->rootfs);
		goto out;
	}
	rc = m || has_entries (b->rootfs) ? 0 : rootfs_make (o, rootfd, v, n, b, e);
out:
	if (rc < 0 && o->image && e->msg[0] && strncmp (e->msg, "no such image", 13) != 0)
		err_wrap (e, "%s", o->image);
	image_free (&img);
	store_close (&s);
	if (rootfd >= 0)
		close (rootfd);
	return rc;
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
	struct opts o = { 0 };
	struct bx_err e = { 0 };
	struct bundle b;

	prog_init (argv[0]);
	parse_args (argc, argv, &o);
	nofile_raise ();
	if (o.unmount) {
		if (bundle_paths (o.bundle, &b, &e) < 0 || overlay_unmount (b.rootfs, &e) < 0)
			return err_report (&e);
		return 0;
	}
	if (do_unpack (&o, &b, &e) < 0)
		return err_report (&e);
	if (puts (b.rootfs) == EOF || fflush (stdout) == EOF)
		return errno == EPIPE ? 0 : BX_SYSTEM;
	return 0;
}
