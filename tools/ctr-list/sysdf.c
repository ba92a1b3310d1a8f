/* sysdf - docker system df (Docker 20.10's cli/command/formatter/disk_usage.go) */
#include "sysdf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/human.h"
#include "base/layout.h"
#include "base/listfmt.h"
#include "image/bcache.h"
#include "layers/diffsize.h"
#include "runtime/volume.h"

#define SUMMARY "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}"
#define IMAGES                                                                                                         \
	"table "                                                                                                       \
	"{{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}\\t{{.SharedSize}}\\t{{.UniqueSize}}"     \
	"\\t{{.Containers}}"
#define CONTAINERS                                                                                                     \
	"table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.LocalVolumes}}\\t{{.Size}}\\t{{.RunningFor}}\\t{{.Status}}"    \
	"\\t{{.Names}}"
#define VOLUMES "table {{.Name}}\\t{{.Links}}\\t{{.Size}}"
#define CACHE                                                                                                          \
	"table {{.ID}}\\t{{.CacheType}}\\t{{.Size}}\\t{{.CreatedSince}}\\t{{.LastUsedSince}}\\t{{.UsageCount}}"        \
	"\\t{{.Shared}}"

/* one image (every name of an id together) */
struct img {
	struct imgset_entry *en; /* its first entry */
	char name[700];          /* its lexically first tag, Docker's RepoTags[0]; "" when none */
	int64_t size, shared;
	int containers;
};

/* what the four rows are made of */
struct usage {
	struct img *img;
	size_t nimg;
	int64_t layers;   /* every distinct layer once: Docker's LayersSize */
	json_t *chains;   /* a layer chain ("diff_id/diff_id/...") -> [size, images using it] */
	json_t *image_of; /* diff_id -> true, for the layers an image has */
	json_t *vols;     /* volume rows, each with "_links" and "_size" */
	json_t *cache;    /* build cache rows */
	int64_t cache_size;
};

static void
size_str (int64_t n, int prec, char *buf, size_t len)
{
	human_size ((double)n, prec, buf, len);
}

/* "1.984MB (50%)", or the size alone when there is nothing (Docker's) */
static void
reclaim_str (int64_t r, int64_t total, char *buf, size_t len)
{
	char s[32];

	size_str (r, 4, s, sizeof s);
	if (total > 0)
		snprintf (buf, len, "%s (%lld%%)", s, (long long)(r * 100 / total));
	else
		snprintf (buf, len, "%s", s);
}

static void
since_str (int64_t t, time_t now, char *buf, size_t len)
{
	human_duration ((int64_t)now - t, buf, len - 4);
	strcat (buf, " ago");
}

/* --- images -------------------------------------------------------------- */

static struct img *
img_of (struct usage *u, struct imgset_entry *en)
{
	for (size_t i = 0; i < u->nimg; i++)
		if (!strcmp (u->img[i].en->id, en->id))
			return &u->img[i];
	u->img[u->nimg] = (struct img){.en = en};
	return &u->img[u->nimg++];
}

/* *CHAIN (LEN bytes) with diff_id D appended: the key of a layer with
 * the layers below it, Docker's ChainID spelt out */
static int
chain_next (char **chain, size_t *len, const char *d)
{
	char *c = realloc (*chain, *len + strlen (d) + 2);

	if (!c)
		return -1;
	*chain = c;
	*len += (size_t)sprintf (c + *len, "%s%s", *len ? "/" : "", d);
	return 0;
}

/* each layer chain of IM, counted once more; its layers' sizes measured */
static int
count_chains (struct usage *u, int rootfd, int blobsfd, struct img *im, struct bx_err *e)
{
	json_t *ids = json_object_get (json_object_get (im->en->config, "rootfs"), "diff_ids"), *id;
	json_t *layers = json_object_get (im->en->manifest, "layers");
	_cleanup_free_ char *chain = NULL;
	size_t i, len = 0;

	json_array_foreach (ids, i, id)
	{
		const char *d = json_string_value (id);
		const char *blob = json_string_value (json_object_get (json_array_get (layers, i), "digest"));
		json_t *have;
		int64_t n;
		if (!d || !blob || chain_next (&chain, &len, d) < 0)
			return err_set (e, BX_FAIL, 0, "image %s: its layers cannot be read", im->en->id);
		json_object_set_new (u->image_of, d, json_true ());
		if ((have = json_object_get (u->chains, chain))) {
			json_array_set_new (have, 1, json_integer (json_integer_value (json_array_get (have, 1)) + 1));
			continue;
		}
		if (diffsize_layer (rootfd, blobsfd, d, blob, &n, e) < 0)
			return -1;
		json_object_set_new (u->chains, chain, json_pack ("[I i]", (json_int_t)n, 1));
		u->layers += n;
	}
	return 0;
}

/* Docker's SharedSize: the layers of IM another image has too */
static void
shared_size (struct usage *u, struct img *im)
{
	json_t *ids = json_object_get (json_object_get (im->en->config, "rootfs"), "diff_ids"), *id, *have;
	_cleanup_free_ char *chain = NULL;
	size_t i, len = 0;

	json_array_foreach (ids, i, id)
	{
		if (chain_next (&chain, &len, json_string_value (id) ?: "") < 0)
			return;
		have = json_object_get (u->chains, chain);
		if (json_integer_value (json_array_get (have, 1)) > 1)
			im->shared += json_integer_value (json_array_get (have, 0));
	}
}

static int
images_usage (struct usage *u, struct imgset *set, const struct sysdf_ctr *c, size_t nc, struct bx_err *e)
{
	if (!(u->img = calloc (set->n + 1, sizeof *u->img)))
		return err_set (e, BX_SYSTEM, ENOMEM, "system df");
	for (size_t i = 0; i < set->n; i++) {
		struct imgset_entry *en = &set->v[i];
		struct img *im;
		char name[700];
		if (!en->id[0] || !en->config)
			continue;
		im = img_of (u, en);
		imgset_entry_familiar (en, name, sizeof name);
		/* Docker's references are sorted: the first is the least */
		if (imgset_entry_is_tag (en) && (!im->name[0] || strcmp (name, im->name) < 0))
			snprintf (im->name, sizeof im->name, "%s", name);
	}
	for (size_t i = 0; i < u->nimg; i++) {
		struct img *im = &u->img[i];
		diffsize_entry (set, im->en);
		im->size = im->en->size;
		for (size_t k = 0; k < nc; k++)
			im->containers += !strcmp (c[k].image_id, im->en->id);
		if (count_chains (u, set->s->root, set->s->blobs, im, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < u->nimg; i++)
		shared_size (u, &u->img[i]);
	return 0;
}

static json_t *
image_row (const struct img *im, int trunc, time_t now)
{
	char repo[700] = "<none>", tag[160] = "<none>", at[64] = "", since[80] = "", size[32], shared[32], uniq[32],
	     virt[32], count[16], id[80];
	const char *colon = strrchr (im->name, ':');

	if (im->name[0] && colon) {
		snprintf (repo, sizeof repo, "%.*s", (int)(colon - im->name), im->name);
		snprintf (tag, sizeof tag, "%s", colon + 1);
	}
	if (im->en->created >= 0) {
		human_time_go (im->en->created, at, sizeof at);
		since_str (im->en->created, now, since, sizeof since);
	}
	size_str (im->size, 3, size, sizeof size);
	size_str (im->shared, 4, shared, sizeof shared);
	size_str (im->size - im->shared, 4, uniq, sizeof uniq);
	size_str (im->size, 4, virt, sizeof virt);
	snprintf (count, sizeof count, "%d", im->containers);
	snprintf (id, sizeof id, "%s", trunc ? digest_hex (im->en->id) : im->en->id);
	if (trunc)
		id[12] = '\0';
	return json_pack ("{ss ss ss ss ss ss ss ss ss ss ss}", "Containers", count, "CreatedAt", at, "CreatedSince",
	                  since, "Digest", "", "ID", id, "Repository", repo, "SharedSize", shared, "Size", size, "Tag",
	                  tag, "UniqueSize", uniq, "VirtualSize", virt);
}

/* --- volumes ------------------------------------------------------------- */

static char *
labels_str (json_t *labels)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream (&out, &len);
	const char *k;
	json_t *v;
	int n = 0;

	if (!f)
		return NULL;
	json_object_foreach (labels, k, v) fprintf (f, "%s%s=%s", n++ ? "," : "", k, json_string_value (v) ?: "");
	return fclose (f) == 0 ? out : (free (out), NULL);
}

static int
volumes_usage (struct usage *u, int rootfd, struct bx_err *e)
{
	char **names = NULL;
	size_t n = 0;
	json_t *users = volume_usage (rootfd, e);

	if (!users || volume_names (rootfd, &names, &n, e) < 0) {
		json_decref (users);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct bx_err ign = {0};
		json_t *v = volume_inspect (rootfd, names[i], &ign);
		const char *mp = json_string_value (json_object_get (v, "Mountpoint"));
		_cleanup_close_ int fd = mp ? open (mp, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		_cleanup_free_ char *labels = labels_str (json_object_get (v, "Labels"));
		int64_t size = -1;
		char links[16], sz[32] = "N/A";
		if (!v)
			continue; /* removed meanwhile */
		if (fd >= 0 && diffsize_dir (fd, &size, &ign) < 0)
			size = -1;
		if (size >= 0)
			size_str (size, 4, sz, sizeof sz);
		snprintf (links, sizeof links, "%zu", json_array_size (json_object_get (users, names[i])));
		json_array_append_new (u->vols, json_pack ("{ss ss ss ss ss ss ss sI si}", "Driver",
		                                           json_string_value (json_object_get (v, "Driver")) ?: "local",
		                                           "Labels", labels ? labels : "", "Links", links, "Mountpoint",
		                                           mp ? mp : "", "Name", names[i], "Scope",
		                                           json_string_value (json_object_get (v, "Scope")) ?: "local",
		                                           "Size", sz, "_size", (json_int_t)size, "_links",
		                                           (int)json_array_size (json_object_get (users, names[i]))));
		json_decref (v);
	}
	volume_names_free (names, n);
	json_decref (users);
	return 0;
}

/* --- the build cache ----------------------------------------------------- */

struct cache_walk {
	struct usage *u;
	struct imgset *set;
	json_t *claimed; /* diff_id -> true: a layer already an entry's */
	time_t now;
};

static json_t *
cache_row (const char *id, const char *parent, const char *type, const char *desc, int64_t size, int64_t created,
           int shared, time_t now)
{
	char at[64] = "", since[80] = "", sz[32];

	if (created > 0) {
		human_time_go (created, at, sizeof at);
		since_str (created, now, since, sizeof since);
	}
	size_str (size, 3, sz, sizeof sz);
	return json_pack ("{ss ss ss ss ss ss ss ss ss ss ss ss}", "CacheType", type, "CreatedAt", at, "CreatedSince",
	                  since, "Description", desc, "ID", id, "InUse", "false", "LastUsedAt", "", "LastUsedSince", "",
	                  "Parent", parent, "Shared", shared ? "true" : "false", "Size", sz, "UsageCount", "0");
}

/* a step's own layer is its image's top one: a config-only step shares
 * its parent's, claimed by whichever entry comes first */
static int
cache_entry (const struct bcache_entry *en, void *arg)
{
	struct cache_walk *w = arg;
	json_t *cfg = json_loads (en->config, 0, NULL);
	json_t *ids = json_object_get (json_object_get (cfg, "rootfs"), "diff_ids");
	json_t *hist = json_object_get (cfg, "history");
	const char *top = json_string_value (json_array_get (ids, json_array_size (ids) - 1));
	const char *blob = json_string_value (
	    json_object_get (json_array_get (en->layers, json_array_size (en->layers) - 1), "digest"));
	const char *by =
	    json_string_value (json_object_get (json_array_get (hist, json_array_size (hist) - 1), "created_by"));
	int64_t size = 0, created = 0;
	int shared = top && json_object_get (w->u->image_of, top);
	struct bx_err ign = {0};

	if (top && blob && !shared && !json_object_get (w->claimed, top) &&
	    diffsize_layer (w->set->s->root, w->set->s->blobs, top, blob, &size, &ign) == 0)
		json_object_set_new (w->claimed, top, json_true ());
	else
		size = 0;
	if (human_time_parse (json_string_value (json_object_get (cfg, "created")), &created) < 0)
		created = 0;
	json_array_append_new (w->u->cache, cache_row (digest_hex (en->id), en->parent, "regular", by ? by : "", size,
	                                               created, shared, w->now));
	w->u->cache_size += size;
	json_decref (cfg);
	return 0;
}

/* RUN's cache mounts, cache/run/<hex>/ (df-build's runmount makes them,
 * df-prune removes them) */
static void
run_caches (struct usage *u, int rootfd, time_t now)
{
	int fd = openat (rootfd, L_RUN_CACHE, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	struct dirent *de;

	if (fd >= 0 && !d)
		close (fd);
	while (d && (de = readdir (d))) {
		struct bx_err ign = {0};
		struct stat st;
		int64_t size = 0;
		_cleanup_close_ int dfd = -1;
		if (!digest_is_hex (de->d_name) || fstatat (dirfd (d), de->d_name, &st, 0) < 0 || !S_ISDIR (st.st_mode))
			continue;
		dfd = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || diffsize_dir (dfd, &size, &ign) < 0)
			size = 0;
		json_array_append_new (
		    u->cache, cache_row (de->d_name, "", "exec.cachemount", "cached mount", size, st.st_mtime, 0, now));
		u->cache_size += size;
	}
}

/* --- output -------------------------------------------------------------- */

static json_t *
summary_rows (const struct usage *u, const struct sysdf_ctr *c, size_t nc)
{
	static const char *const types[] = {"Images", "Containers", "Local Volumes", "Build Cache"};
	json_t *rows = json_array ();
	int64_t used = 0, rw = 0, rw_idle = 0, vsize = 0, vidle = 0;
	int active_img = 0, active_ctr = 0, active_vol = 0;
	char s[4][32], r[4][48], n[4][16], a[4][16];
	json_t *v;
	size_t i;

	for (i = 0; i < u->nimg; i++)
		if (u->img[i].containers) {
			active_img++;
			used += u->img[i].size - u->img[i].shared;
		}
	for (i = 0; i < nc; i++) {
		active_ctr += c[i].active;
		rw += c[i].rw;
		rw_idle += c[i].active ? 0 : c[i].rw;
	}
	json_array_foreach (u->vols, i, v)
	{
		int64_t sz = json_integer_value (json_object_get (v, "_size"));
		int links = (int)json_integer_value (json_object_get (v, "_links"));
		active_vol += links > 0;
		if (sz >= 0) {
			vsize += sz;
			vidle += links ? 0 : sz;
		}
	}
	size_str (u->layers, 4, s[0], sizeof s[0]);
	reclaim_str (u->layers - used, u->layers, r[0], sizeof r[0]);
	size_str (rw, 4, s[1], sizeof s[1]);
	reclaim_str (rw_idle, rw, r[1], sizeof r[1]);
	size_str (vsize, 4, s[2], sizeof s[2]);
	reclaim_str (vidle, vsize, r[2], sizeof r[2]);
	size_str (u->cache_size, 4, s[3], sizeof s[3]);
	/* nothing of box's build cache is in use between builds: all of it goes */
	size_str (u->cache_size, 4, r[3], sizeof r[3]);
	snprintf (n[0], sizeof n[0], "%zu", u->nimg);
	snprintf (n[1], sizeof n[1], "%zu", nc);
	snprintf (n[2], sizeof n[2], "%zu", json_array_size (u->vols));
	snprintf (n[3], sizeof n[3], "%zu", json_array_size (u->cache));
	snprintf (a[0], sizeof a[0], "%d", active_img);
	snprintf (a[1], sizeof a[1], "%d", active_ctr);
	snprintf (a[2], sizeof a[2], "%d", active_vol);
	snprintf (a[3], sizeof a[3], "%d", 0);
	for (i = 0; i < 4; i++)
		json_array_append_new (rows, json_pack ("{ss ss ss ss ss}", "Active", a[i], "Reclaimable", r[i], "Size",
		                                        s[i], "TotalCount", n[i], "Type", types[i]));
	return rows;
}

/* a copy of ROWS without the private "_" keys */
static json_t *
public_rows (json_t *rows)
{
	json_t *out = json_array (), *r, *x;
	const char *k;
	size_t i;

	json_array_foreach (rows, i, r)
	{
		json_t *o = json_object ();
		json_object_foreach (r, k, x) if (k[0] != '_') json_object_set (o, k, x);
		json_array_append_new (out, o);
	}
	return out;
}

/* one table (FMT, HEADERS) of ROWS */
static int
table (FILE *out, const char *fmt, json_t *headers, json_t *rows, struct bx_err *e)
{
	struct listfmt f;
	json_t *r;
	size_t i;
	int rc = listfmt_init (&f, fmt, fmt, e);

	if (rc == 0)
		rc = listfmt_header (&f, headers, e);
	json_array_foreach (rows, i, r) if (rc == 0) rc = listfmt_row (&f, r, e);
	if (rc == 0)
		rc = listfmt_print (&f, out, e);
	json_decref (headers);
	listfmt_free (&f);
	return rc;
}

static int
print_summary (const struct usage *u, const struct sysdf_ctr *c, size_t nc, const char *format, struct bx_err *e)
{
	json_t *rows = summary_rows (u, c, nc), *r;
	json_t *h = json_pack ("{ss ss ss ss ss}", "Type", "TYPE", "TotalCount", "TOTAL", "Active", "ACTIVE", "Size",
	                       "SIZE", "Reclaimable", "RECLAIMABLE");
	struct listfmt f;
	size_t i;
	int rc = listfmt_init (&f, format, SUMMARY, e);

	/* an unknown field is named in the first row's type, the images' */
	f.type = "*formatter.diskUsageImagesContext";
	if (rc == 0)
		rc = listfmt_header (&f, h, e);
	json_array_foreach (rows, i, r) if (rc == 0) rc = listfmt_row (&f, r, e);
	if (rc == 0)
		rc = listfmt_print (&f, stdout, e);
	listfmt_free (&f);
	json_decref (rows);
	json_decref (h);
	return rc;
}

static int
print_verbose_tables (const struct usage *u, json_t *imgs, json_t *ctrs, struct bx_err *e)
{
	json_t *vols = public_rows (u->vols), *cache = public_rows (u->cache);
	char total[32];
	int rc;

	printf ("Images space usage:\n\n");
	rc = table (stdout, IMAGES,
	            json_pack ("{ss ss ss ss ss ss ss ss}", "Repository", "REPOSITORY", "Tag", "TAG", "ID", "IMAGE ID",
	                       "CreatedSince", "CREATED", "Size", "SIZE", "SharedSize", "SHARED SIZE", "UniqueSize",
	                       "UNIQUE SIZE", "Containers", "CONTAINERS"),
	            imgs, e);
	if (rc == 0) {
		printf ("\nContainers space usage:\n\n");
		rc = table (stdout, CONTAINERS,
		            json_pack ("{ss ss ss ss ss ss ss ss}", "ID", "CONTAINER ID", "Image", "IMAGE", "Command",
		                       "COMMAND", "LocalVolumes", "LOCAL VOLUMES", "Size", "SIZE", "RunningFor",
		                       "CREATED", "Status", "STATUS", "Names", "NAMES"),
		            ctrs, e);
	}
	if (rc == 0) {
		printf ("\nLocal Volumes space usage:\n\n");
		rc = table (stdout, VOLUMES,
		            json_pack ("{ss ss ss}", "Name", "VOLUME NAME", "Links", "LINKS", "Size", "SIZE"), vols, e);
	}
	if (rc == 0) {
		size_str (u->cache_size, 4, total, sizeof total);
		printf ("\nBuild cache usage: %s\n\n", total);
		rc = table (stdout, CACHE,
		            json_pack ("{ss ss ss ss ss ss ss}", "ID", "CACHE ID", "CacheType", "CACHE TYPE", "Size",
		                       "SIZE", "CreatedSince", "CREATED", "LastUsedSince", "LAST USED", "UsageCount",
		                       "USAGE", "Shared", "SHARED"),
		            cache, e);
	}
	json_decref (vols);
	json_decref (cache);
	return rc;
}

/* Docker runs a -v template once, over the four lists, and adds no
 * newline */
static int
print_verbose_format (const struct usage *u, json_t *imgs, json_t *ctrs, const char *format, struct bx_err *e)
{
	json_t *all = json_pack ("{sO sO so so}", "Images", imgs, "Containers", ctrs, "Volumes", public_rows (u->vols),
	                         "BuildCache", public_rows (u->cache));
	struct listfmt f;
	int rc = listfmt_init (&f, format, SUMMARY, e);
	const char *text;

	f.type = "*formatter.diskUsageContext";
	if (rc == 0)
		rc = listfmt_row (&f, all, e);
	if (rc == 0 && !(text = listfmt_text (&f)))
		rc = err_set (e, BX_SYSTEM, ENOMEM, "system df");
	if (rc == 0 && f.json)
		puts (text);
	else if (rc == 0)
		fwrite (text, 1, strlen (text) - (strlen (text) && text[strlen (text) - 1] == '\n'), stdout);
	listfmt_free (&f);
	json_decref (all);
	return rc;
}

int
sysdf_print (int rootfd, struct imgset *set, const struct sysdf_ctr *c, size_t n, const struct sysdf_opts *o,
             struct bx_err *e)
{
	struct usage u = {
	    .chains = json_object (), .image_of = json_object (), .vols = json_array (), .cache = json_array ()};
	struct cache_walk w = {.u = &u, .set = set, .claimed = json_object (), .now = time (NULL)};
	int table_fmt = !o->format || !strcmp (o->format, "table");
	json_t *imgs = json_array (), *ctrs = json_array ();
	int rc;

	rc = images_usage (&u, set, c, n, e);
	if (rc == 0)
		rc = volumes_usage (&u, rootfd, e);
	if (rc == 0)
		rc = bcache_each (rootfd, cache_entry, &w, e);
	if (rc == 0) {
		run_caches (&u, rootfd, w.now);
		for (size_t i = 0; i < u.nimg; i++)
			json_array_append_new (imgs, image_row (&u.img[i], table_fmt, w.now));
		for (size_t i = 0; i < n; i++)
			json_array_append (ctrs, table_fmt ? c[i].rec : c[i].rec_full);
		if (!o->verbose)
			rc = print_summary (&u, c, n, o->format, e);
		else if (table_fmt)
			rc = print_verbose_tables (&u, imgs, ctrs, e);
		else
			rc = print_verbose_format (&u, imgs, ctrs, o->format, e);
	}
	json_decref (imgs);
	json_decref (ctrs);
	json_decref (u.chains);
	json_decref (u.image_of);
	json_decref (u.vols);
	json_decref (u.cache);
	json_decref (w.claimed);
	free (u.img);
	return rc;
}
