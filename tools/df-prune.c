/*
 * df-prune - remove df-build's build cache, as `docker builder prune`
 *
 * usage:  df-prune [--root DIR] [-a] [-f] [--filter KEY=VALUE]... [--keep-storage SIZE]
 *                 [--bytes-fd N] [--plus-bytes N]
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
 *         (cache/diffsize/<hex>); of those, only what the filters
 *         take (until=DURATION: last written before it; type= as
 *         BuildKit names its records: regular, exec.cachemount,
 *         source.local) and, with --keep-storage, the oldest first
 *         until the cache holds at most SIZE
 * locks:  images/gc.lock exclusive (store_gc, then the layer sweep), tried:
 *         while a build or pull holds it, those stay and a warning says so
 * exit:   0 ok, 1 a filter refused (the daemon's words: "failed to prune
 *         build cache: ..."), 2 usage, 5 system error
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/confirm.h"
#include "base/err.h"
#include "base/human.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/pfilter.h"
#include "base/root.h"
#include "base/tree.h"
#include "image/bcache.h"
#include "image/runcache.h"
#include "image/store.h"
#include "layers/diffsize.h"
#include "layers/layergc.h"

struct opts {
	const char *root;
	int all, force, bytes_fd;
	unsigned long long plus;
	int64_t keep_storage; /* bytes; 0: none */
	struct pfilter f;
	int64_t until;    /* seconds; 0: none */
	const char *type; /* NULL: any */
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-a] [-f] [--filter KEY=VALUE]... [--keep-storage SIZE] [--bytes-fd N] "
	         "[--plus-bytes N]\n",
	         bx_prog);
	exit (BX_USAGE);
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	enum { O_BYTES_FD = 256, O_PLUS, O_FILTER, O_KEEP };
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"all", no_argument, NULL, 'a'},
	                                   {"force", no_argument, NULL, 'f'},
	                                   {"bytes-fd", required_argument, NULL, O_BYTES_FD},
	                                   {"plus-bytes", required_argument, NULL, O_PLUS},
	                                   {"filter", required_argument, NULL, O_FILTER},
	                                   {"keep-storage", required_argument, NULL, O_KEEP},
	                                   {0, 0, 0, 0}};
	struct bx_err e = {0};
	int c;
	char *end;

	o->bytes_fd = -1;
	while ((c = getopt_long (argc, argv, "af", lo, NULL)) != -1) {
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
		case O_FILTER:
			if (pfilter_add (&o->f, optarg, &e) < 0)
				err_flag_value (optarg, "--filter", "%s", e.msg);
			break;
		case O_KEEP:
			if (human_ram_parse (optarg, &o->keep_storage, &e) < 0)
				err_flag_value (optarg, "--keep-storage", "%s", e.msg);
			break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind != argc)
		usage ();
}

/* --- the filters, as the daemon's builder prune reads them ------------------ */

/* until= (or its old name unused-for=): one Go duration */
static int
until_read (struct opts *o, struct bx_err *e)
{
	const char *v[2], *key = "until";
	int n = pfilter_get (&o->f, "until", v, 2), old = pfilter_get (&o->f, "unused-for", v + (n > 0), 2 - (n > 0));
	int64_t ns;

	if (n && old)
		return err_set (e, BX_FAIL, 0, "conflicting filters: \"until\" and \"unused-for\"");
	if (old)
		key = "unused-for";
	if (n + old > 1)
		return err_set (e, BX_FAIL, 0, "filters expect only one value");
	if (n + old == 0)
		return 0;
	if (pfilter_duration_parse (v[0], &ns, e) < 0)
		return err_wrap (e, "\"%s\" filter expects a duration (e.g., '24h')", key);
	o->until = ns / 1000000000;
	return 0;
}

/* BuildKit's fields of a record: one value each; type= is box's, the
 * others not (label= and label!= the daemon accepts and ignores) */
static int
fields_read (struct opts *o, struct bx_err *e)
{
	static const char *const fields[] = {"type", "id", "parent", "description", "inuse", "shared", "private", NULL};

	for (int i = 0; fields[i]; i++) {
		const char *v[2];
		int n = pfilter_get (&o->f, fields[i], v, 2);
		if (n > 1)
			return err_set (e, BX_FAIL, 0, "filters expect only one value");
		if (n && i == 0)
			o->type = v[0];
		else if (n)
			return err_set (e, BX_FAIL, 0, "filter %s: not implemented", fields[i]);
	}
	return 0;
}

static int
filters_read (struct opts *o, struct bx_err *e)
{
	static const char *const keys[] = {"until", "unused-for",  "label", "label!", "id",      "parent",
	                                   "type",  "description", "inuse", "shared", "private", NULL};

	if (pfilter_check (&o->f, keys, e) < 0 || until_read (o, e) < 0 || fields_read (o, e) < 0)
		return err_wrap (e, "failed to prune build cache");
	return 0;
}

/* --- what the filters keep ------------------------------------------------- */

struct keep {
	const struct opts *o;
	int64_t now;
	int dry;       /* note the candidates, keep them all */
	json_t *cands; /* [[mtime, bytes, type/name]] */
	json_t *go;    /* type/name -> true: --keep-storage's choice */
	int *header;   /* the section's header printed */
};

static int
keep_one (const char *type, const char *name, int64_t mtime, uint64_t bytes, void *arg)
{
	struct keep *k = arg;
	char id[128];

	if (k->o->type && strcmp (type, k->o->type))
		return 1;
	/* BuildKit keeps what was used within the duration */
	if (k->o->until && mtime > k->now - k->o->until)
		return 1;
	if (!k->o->keep_storage)
		return 0;
	snprintf (id, sizeof id, "%s/%s", type, name);
	if (k->dry)
		return json_array_append_new (k->cands,
		                              json_pack ("[I,I,s]", (json_int_t)mtime, (json_int_t)bytes, id)),
		       1;
	return !json_object_get (k->go, id);
}

static int
keep_mount (const char *name, int64_t mtime, uint64_t bytes, void *arg)
{
	return keep_one ("exec.cachemount", name, mtime, bytes, arg);
}

static int
by_age (const void *a, const void *b)
{
	json_int_t x = json_integer_value (json_array_get (*(json_t *const *)a, 0));
	json_int_t y = json_integer_value (json_array_get (*(json_t *const *)b, 0));

	return (x > y) - (x < y);
}

/* --keep-storage: when the cache holds more than it, the oldest
 * candidates go until it holds at most that (BuildKit's KeepBytes) */
static void
keep_storage_choose (struct keep *k, int rootfd)
{
	struct stat root;
	uint64_t total = fstat (rootfd, &root) < 0 ? 0
	                                           : tree_bytes_at (rootfd, L_BUILD_CACHE, root.st_dev) +
	                                                 tree_bytes_at (rootfd, L_BUILD_FILES, root.st_dev) +
	                                                 tree_bytes_at (rootfd, L_RUN_CACHE, root.st_dev);
	size_t n = json_array_size (k->cands);
	_cleanup_free_ json_t **v = calloc (n + 1, sizeof *v);

	if (!v)
		err_die (BX_SYSTEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get (k->cands, i);
	qsort (v, n, sizeof *v, by_age);
	for (size_t i = 0; i < n && total > (uint64_t)k->o->keep_storage; i++) {
		json_object_set_new (k->go, json_string_value (json_array_get (v[i], 2)), json_true ());
		total -= (uint64_t)json_integer_value (json_array_get (v[i], 1));
	}
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
	struct keep *k = arg;

	printf ("%s%.25s\n", (*k->header)++ ? "" : "Deleted build cache objects:\n", key);
}

/* the entries and the cache mounts, but those K keeps */
static int
prune_cache (struct opts *o, int rootfd, json_t *ids, struct keep *k, int *header, uint64_t *bytes, struct bx_err *e)
{
	struct bcache_prune_cb cb = {keep_one, k->dry ? NULL : print_entry, k};
	struct bcache_stats bs = {0};
	unsigned long long mounts = 0;

	k->header = header;
	if (bcache_prune (rootfd, o->all, ids, &cb, &bs, e) < 0)
		return -1;
	/* BuildKit's prune takes the cache mounts, dangling or not */
	if (runcache_prune (rootfd, keep_mount, k, &mounts, e) < 0)
		return -1;
	*bytes += bs.bytes + mounts;
	return 0;
}

static int
prune (struct opts *o, int rootfd, struct store *st, uint64_t *bytes, struct bx_err *e)
{
	json_t *ids = json_object (), *live = json_object ();
	struct keep k = {o, (int64_t)time (NULL), 0, json_array (), json_object (), NULL};
	struct gc_stats gs = {0};
	struct bx_err we = {0};
	int header = 0, rc = 0;

	if (!o->all)
		rc = images_in_use (st, ids, live, e);
	if (rc == 0 && o->keep_storage) {
		k.dry = 1;
		rc = prune_cache (o, rootfd, ids, &k, &header, bytes, e);
		keep_storage_choose (&k, rootfd);
		k.dry = 0;
	}
	if (rc == 0)
		rc = prune_cache (o, rootfd, ids, &k, &header, bytes, e);
	json_decref (ids);
	json_decref (live);
	json_decref (k.cands);
	json_decref (k.go);
	if (rc < 0)
		return -1;
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
	if (filters_read (&o, &e) < 0 || (rootfd = root_open (o.root, &e)) < 0 || store_open (&st, rootfd, &e) < 0)
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
