/*
 * df-prune - remove df-build's build cache, as `docker builder prune`
 *
 * usage:  df-prune [--root DIR] [-a] [-f] [--bytes-fd N] [--plus-bytes N]
 * stdin:  the answer to Docker's question, without -f
 * stdout: "Deleted build cache objects:" and the removed entries (the
 *         first 25 characters of their keys), then "Total reclaimed
 *         space: SIZE" (SIZE counting --plus-bytes too; with --bytes-fd
 *         the byte count goes to that fd instead, for box system prune)
 * reads:  build/cache/, images/ (the images whose chain keeps an entry),
 *         containers/<id>/image (their layers stay)
 * writes: removes build/cache/<key> entries (all with -a, else the
 *         dangling ones: on no image's chain of parents, or damaged),
 *         build/files/ with -a, the RUN cache mounts no RUN holds
 *         (cache/run/), then the blobs (store gc) and the extracted layers
 *         (layers/<hex>/) nothing uses any more, with their sizes
 *         (cache/diffsize/<hex>)
 * locks:  images/gc.lock exclusive (store_gc, then the layer sweep), tried:
 *         while a build or pull holds it, those stay and a warning says so
 * exit:   0 ok, 2 usage, 5 system error
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/confirm.h"
#include "base/err.h"
#include "base/human.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/root.h"
#include "image/bcache.h"
#include "image/runcache.h"
#include "image/store.h"
#include "layers/diffsize.h"
#include "layers/layergc.h"

struct opts {
	const char *root;
	int all, force, bytes_fd;
	unsigned long long plus;
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] [-a] [-f] [--bytes-fd N] [--plus-bytes N]\n", bx_prog);
	exit (BX_USAGE);
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	enum { O_BYTES_FD = 256, O_PLUS, O_NYI };
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"all", no_argument, NULL, 'a'},
	                                   {"force", no_argument, NULL, 'f'},
	                                   {"bytes-fd", required_argument, NULL, O_BYTES_FD},
	                                   {"plus-bytes", required_argument, NULL, O_PLUS},
	                                   {"filter", required_argument, NULL, O_NYI},
	                                   {"keep-storage", required_argument, NULL, O_NYI},
	                                   {0, 0, 0, 0}};
	int c, idx = 0;
	char *end;

	o->bytes_fd = -1;
	while ((c = getopt_long (argc, argv, "af", lo, &idx)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'a': o->all = 1; break;
		case 'f': o->force = 1; break;
		case O_BYTES_FD: o->bytes_fd = atoi (optarg); break;
		case O_PLUS:
			o->plus = strtoull (optarg, &end, 10);
			if (*end || end == optarg)
				usage ();
			break;
		case O_NYI: err_die (BX_USAGE, "--%s: not implemented", lo[idx].name);
		default: usage ();
		}
	}
	if (optind != argc)
		usage ();
}

/* --- what is in use ------------------------------------------------------- */

static void
add_diff_ids (json_t *live, json_t *config)
{
	json_t *d;
	size_t i;

	json_array_foreach (json_object_get (json_object_get (config, "rootfs"), "diff_ids"), i, d)
	    json_object_set_new (live, json_string_value (d), json_true ());
}

/* each image of the store: its id into IDS, its layers into LIVE */
static int
images_in_use (struct store *st, json_t *ids, json_t *live, struct bx_err *e)
{
	json_t *index, *d;
	size_t i;

	if (store_index_load (st, &index, e) < 0)
		return -1;
	json_array_foreach (json_object_get (index, "manifests"), i, d)
	{
		struct image img = {0};
		struct bx_err ign = {0};
		if (store_entry_load (st, d, &img, &ign) == 0) {
			json_object_set_new (ids, img.config_digest, json_true ());
			add_diff_ids (live, img.config);
		}
		store_image_free (&img);
	}
	json_decref (index);
	return 0;
}

static int
entry_layers (const struct bcache_entry *en, void *arg)
{
	json_t *cfg = json_loads (en->config, 0, NULL);

	add_diff_ids (arg, cfg);
	json_decref (cfg);
	return 0;
}

/* the layers of every container's image; -1 when one cannot be read: its
 * layers are unknown, so none may go */
static int
containers_in_use (struct store *st, int rootfd, json_t *live)
{
	int fd = openat (rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;
	int rc = 0;

	if (!d) {
		if (fd >= 0)
			close (fd);
		return errno == ENOENT ? 0 : -1;
	}
	while (rc == 0 && (de = readdir (d))) {
		_cleanup_free_ char *id = NULL, *cfg = NULL;
		char path[512];
		struct bx_err ign = {0};
		json_t *c;
		if (de->d_name[0] == '.' || afile_is_tmp_name (de->d_name))
			continue;
		snprintf (path, sizeof path, "%s/%s", de->d_name, L_CIMAGE);
		if (afile_slurp_at (dirfd (d), path, &id, NULL, &ign) < 0)
			continue; /* not made yet, or gone: no overlay over layers/ */
		id[strcspn (id, " \n")] = '\0';
		if (store_blob_read (st, id, &cfg, NULL, &ign) < 0 || !(c = json_loads (cfg, 0, NULL)))
			rc = -1;
		else {
			add_diff_ids (live, c);
			json_decref (c);
		}
	}
	return rc;
}

/* the extracted layers no image, cache entry or container uses, while no
 * build or pull runs (they hold gc.lock shared) */
static int
sweep_layers (struct store *st, int rootfd, uint64_t *bytes, struct bx_err *e)
{
	_cleanup_close_ int gc = lock_take_at (st->dir, L_GC_LOCK, LOCK_TRY, e);
	json_t *live = json_object (), *ids = json_object ();
	struct layergc_stats ls = {0};
	int rc = gc < 0 ? -1 : 0;

	if (rc == 0 && (images_in_use (st, ids, live, e) < 0 || bcache_each (rootfd, entry_layers, live, e) < 0))
		rc = -1;
	if (rc == 0 && containers_in_use (st, rootfd, live) < 0)
		rc = err_set (e, BX_FAIL, 0, "a container's image cannot be read; extracted layers kept");
	if (rc == 0 && (rc = layergc_sweep (rootfd, live, &ls, e)) == 0) {
		*bytes += ls.bytes;
		diffsize_sweep (rootfd, live);
	}
	json_decref (live);
	json_decref (ids);
	return rc;
}

/* --- the prune ------------------------------------------------------------ */

static void
print_entry (const char *key, void *arg)
{
	int *header = arg;

	printf ("%s%.25s\n", (*header)++ ? "" : "Deleted build cache objects:\n", key);
}

static int
prune (struct opts *o, int rootfd, struct store *st, uint64_t *bytes, struct bx_err *e)
{
	json_t *ids = json_object (), *live = json_object ();
	struct bcache_stats bs = {0};
	struct gc_stats gs = {0};
	unsigned long long mounts = 0;
	struct bx_err we = {0};
	int header = 0, rc = 0;

	if (!o->all)
		rc = images_in_use (st, ids, live, e);
	if (rc == 0)
		rc = bcache_prune (rootfd, o->all, ids, print_entry, &header, &bs, e);
	/* BuildKit's prune takes the cache mounts, dangling or not */
	if (rc == 0)
		rc = runcache_prune (rootfd, &mounts, e);
	json_decref (ids);
	json_decref (live);
	if (rc < 0)
		return -1;
	*bytes += bs.bytes + mounts;
	if (store_gc (st, LOCK_TRY, NULL, NULL, &gs, &we) < 0)
		err_warn ("%s; blobs kept (img-list gc removes them)", we.msg);
	else if (sweep_layers (st, rootfd, bytes, &we) < 0)
		err_warn ("%s", we.msg);
	*bytes += gs.bytes;
	if (header)
		putchar ('\n');
	return 0;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct store st;
	uint64_t bytes = 0;
	char size[32];
	_cleanup_close_ int rootfd = -1;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if (!o.force && !confirm_ask (stderr, stdin,
	                              o.all ? "WARNING! This will remove all build cache."
	                                    : "WARNING! This will remove all dangling build cache."))
		return 0;
	if ((rootfd = root_open (o.root, &e)) < 0 || store_open (&st, rootfd, &e) < 0)
		return err_report (&e);
	if (prune (&o, rootfd, &st, &bytes, &e) < 0) {
		store_close (&st);
		return err_report (&e);
	}
	store_close (&st);
	if (o.bytes_fd >= 0)
		dprintf (o.bytes_fd, "%llu\n", (unsigned long long)bytes);
	else {
		human_size ((double)(bytes + o.plus), 4, size, sizeof size);
		printf ("Total reclaimed space: %s\n", size);
	}
	return fflush (stdout) == 0 ? 0 : BX_SYSTEM;
}
