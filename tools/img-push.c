/*
 * img-push - push an image of the store to a registry
 *
 * usage:  img-push [--root DIR] [-q] [--docker] [--insecure HOST]... NAME[:TAG]
 *         img-push [--root DIR] [-q] [--docker] [--insecure HOST]... -a NAME
 * stdin:  unused
 * stdout: the manifest digest pushed (a line per tag with -a); with --docker, what `docker push`
 *         prints (the repository, a line per layer, then
 *         "TAG: digest: sha256:... size: N"), or with -q only the name
 * reads:  images/index.json, images/blobs/sha256/, $DOCKER_CONFIG/config.json
 * writes: nothing locally; the registry: the blobs it lacks, the manifest
 * locks:  images/gc.lock shared (store_pin) while the blobs are opened
 * exit:   0 ok, 1 failed (unauthorized, denied, refused by the registry),
 *         2 usage or bad reference, 3 no such image in the store,
 *         5 network or registry failure
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/layout.h"
#include "base/root.h"
#include "image/imgset.h"
#include "image/oci.h"
#include "image/ref.h"
#include "image/regconn.h"
#include "image/registry.h"
#include "image/store.h"
#include "image/tarball.h"

/* requests at once: Docker pushes 5 layers at a time */
#define MAXPAR 5

struct opts {
	const char *root;
	int quiet, docker, all;
	char insecure[2048];
	const char *name;
};

/* One blob of the image: the config (layer < 0) or a layer. */
struct pblob {
	const char *digest;
	int64_t size;
	int fd;
	int layer;
	char id[16];                 /* Docker's short layer id: the diff_id's first 12 hex digits */
	const char *from;            /* a repository of the same registry that has it */
	char gz[DIGEST_STR_LEN + 1]; /* a plain layer gzip'd for the push: its digest */
};

struct push {
	const struct opts *o;
	struct store *st;
	const char *name; /* the tag to push, as given or (-a) as stored */
	int header;       /* print the repository line (once with -a) */
	int streamed;     /* past the daemon's first line: its errors are the stream's */
	struct ref ref;
	char full[600];
	struct image img;
	int tmp;           /* $BOX_ROOT/tmp: plain layers gzip'd there, unlinked */
	json_t *sent;      /* the manifest pushed, when plain layers were gzip'd */
	struct imgset set; /* the store's images, for mount sources */
	struct pblob *b;
	size_t n;
	struct registry *reg;
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-q] [--docker] [--insecure HOST]... NAME[:TAG]\n"
	         "       %s [--root DIR] [-q] [--docker] [--insecure HOST]... -a NAME\n",
	         bx_prog, bx_prog);
	exit (err_code (BX_USAGE));
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"root", required_argument, NULL, 'R'}, {"quiet", no_argument, NULL, 'q'},
	    {"docker", no_argument, NULL, 'D'},     {"insecure", required_argument, NULL, 'I'},
	    {"all-tags", no_argument, NULL, 'a'},   {0, 0, 0, 0}};
	struct bx_err e = {0};
	int c;

	while ((c = getopt_long (argc, argv, "aq", lo, NULL)) != -1) {
		switch (c) {
		case 'a': o->all = 1; break;
		case 'R': o->root = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'D': o->docker = 1; break;
		case 'I':
			if (regconn_add_insecure (o->insecure, sizeof o->insecure, optarg, &e) < 0)
				exit (err_report (&e));
			break;
		default: err_flag (argv); usage ();
		}
	}
	if (regconn_add_insecure (o->insecure, sizeof o->insecure, getenv ("BOX_INSECURE_REGISTRIES"), &e) < 0)
		exit (err_report (&e));
	if (argc - optind != 1)
		usage ();
	o->name = argv[optind];
}

/* --- what to push ----------------------------------------------------------- */

/* The tag NAME in the store (not an id, not another tag of its image). */
/* NAME read: a reference with a tag */
static int
parse_name (struct push *p, struct bx_err *e)
{
	if (ref_parse (p->name, &p->ref, e) < 0)
		return -1;
	if (p->ref.digest[0])
		return err_set (e, BX_USAGE, 0, "%s: cannot push a digest reference", p->name);
	ref_full (&p->ref, p->full, sizeof p->full);
	return 0;
}

static int
find_image (struct push *p, struct bx_err *e)
{
	char repo[512];
	struct bx_err ign;

	ref_familiar_repo (&p->ref, repo, sizeof repo);
	if (store_image_load (p->st, p->full, &p->img, &ign) < 0 || strcmp (p->img.ref, p->full) != 0)
		return err_set (e, BX_NOTFOUND, 0, "An image does not exist locally with the tag: %s", repo);
	return 0;
}

/* A repository of the same registry whose image holds DIGEST: the
 * registry can mount the blob from there instead of receiving it. */
static const char *
mount_source (const struct push *p, const char *digest)
{
	for (size_t i = 0; i < p->set.n; i++) {
		const struct imgset_entry *en = &p->set.v[i];
		json_t *l;
		size_t k;
		if (!en->has_ref || !en->manifest || strcmp (en->r.domain, p->ref.domain) != 0 ||
		    strcmp (en->r.path, p->ref.path) == 0)
			continue;
		json_array_foreach (json_object_get (en->manifest, "layers"), k,
		                    l) if (strcmp (json_string_value (json_object_get (l, "digest")) ?: "", digest) ==
		                           0) return en->r.path;
	}
	return NULL;
}

/* A plain tar layer (df-build keeps them so, as Docker does) is pushed
 * gzip'd, as Docker's push does: B's fd becomes the gzip'd copy and the
 * manifest pushed names it. */
static int
blob_gzip (struct push *p, struct pblob *b, size_t layer, struct bx_err *e)
{
	char name[64];
	const char *mt;
	uint64_t size;
	json_t *l;
	int out;

	snprintf (name, sizeof name, "push-%d.gz", (int)getpid ());
	if ((out = openat (p->tmp, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s/%s", L_TMP, name);
	unlinkat (p->tmp, name, 0); /* gone when closed, whatever happens */
	if (tarball_gzip (b->fd, out, b->gz, &size, e) < 0) {
		close (out);
		return err_wrap (e, "blob %s", b->digest);
	}
	close (b->fd);
	b->fd = out;
	b->digest = b->gz;
	if (!p->sent && !(p->sent = json_deep_copy (p->img.manifest)))
		return err_set (e, BX_SYSTEM, ENOMEM, "manifest");
	l = json_array_get (json_object_get (p->sent, "layers"), layer);
	json_object_set_new (l, "digest", json_string (b->gz));
	json_object_set_new (l, "size", json_integer ((json_int_t)size));
	mt = json_string_value (json_object_get (p->sent, "mediaType"));
	json_object_set_new (
	    l, "mediaType",
	    json_string (mt && !strcmp (mt, MT_DOCKER_MANIFEST) ? MT_DOCKER_LAYER_GZIP : MT_OCI_LAYER_GZIP));
	return 0;
}

static int
blob_add (struct push *p, json_t *desc, int layer, struct bx_err *e)
{
	struct pblob *b = &p->b[p->n];
	const char *diffid = json_string_value (
	    json_array_get (json_object_get (json_object_get (p->img.config, "rootfs"), "diff_ids"), (size_t)layer));
	struct stat sb;

	memset (b, 0, sizeof *b);
	b->digest = json_string_value (json_object_get (desc, "digest"));
	b->layer = layer;
	b->fd = store_blob_open (p->st, b->digest ? b->digest : "", e);
	if (b->fd < 0)
		return -1;
	p->n++;
	if (layer >= 0 &&
	    oci_layer_compression (json_string_value (json_object_get (desc, "mediaType"))) == OCI_COMP_NONE &&
	    blob_gzip (p, b, (size_t)layer, e) < 0)
		return -1;
	if (fstat (b->fd, &sb) < 0)
		return err_set (e, BX_SYSTEM, errno, "blob %s", b->digest);
	b->size = sb.st_size;
	snprintf (b->id, sizeof b->id, "%.12s",
	          layer >= 0 && diffid && digest_is_valid (diffid) ? digest_hex (diffid) : digest_hex (b->digest));
	b->from = layer >= 0 ? mount_source (p, b->digest) : NULL;
	return 0;
}

/* Open every blob while gc is held off: once open, a blob removed by a
 * concurrent rmi is still read whole. */
static int
plan (struct push *p, struct bx_err *e)
{
	json_t *layers = json_object_get (p->img.manifest, "layers"), *l, *index = NULL;
	_cleanup_close_ int pin = store_pin (p->st, e);
	size_t i;
	int rc;

	if (pin < 0 || store_index_load (p->st, &index, e) < 0)
		return -1;
	rc = imgset_load (p->st, index, &p->set, e);
	json_decref (index);
	if (rc < 0)
		return -1;
	if (!(p->b = calloc (json_array_size (layers) + 1, sizeof *p->b)))
		return err_set (e, BX_SYSTEM, ENOMEM, "push");
	if (blob_add (p, json_object_get (p->img.manifest, "config"), -1, e) < 0)
		return err_wrap (e, "config");
	json_array_foreach (layers, i, l) if (blob_add (p, l, (int)i, e) < 0) return err_wrap (e, "layer %zu", i);
	return 0;
}

/* --- the registry ------------------------------------------------------------ */

static int
connect_registry (struct push *p, struct bx_err *e)
{
	p->reg = regconn_open (&p->ref, p->o->insecure, 0, e);
	return p->reg ? 0 : -1;
}

/* Docker prints a line per layer, the top one first. */
static void
say (const struct push *p, const struct pblob *b, const char *status)
{
	if (p->o->docker && !p->o->quiet && b->layer >= 0)
		printf ("%s: %s\n", b->id, status);
}

/* Every blob the registry lacks, MAXPAR at once; then Docker's line for
 * each layer. */
static int
push_blobs (struct push *p, struct bx_err *e)
{
	_cleanup_free_ struct registry_push *v = calloc (p->n + 1, sizeof *v);
	char status[300];

	if (!v)
		return err_set (e, BX_SYSTEM, ENOMEM, "push");
	for (size_t i = 0; i < p->n; i++)
		v[i] = (struct registry_push){
		    .digest = p->b[i].digest, .size = p->b[i].size, .fd = p->b[i].fd, .from = p->b[i].from};
	if (registry_push_blobs (p->reg, p->ref.path, v, p->n, MAXPAR, e) < 0)
		return -1;
	for (size_t i = p->n; i-- > 0;) {
		snprintf (status, sizeof status, "Mounted from %s", v[i].from ? v[i].from : "");
		say (p, &p->b[i],
		     v[i].result == REGISTRY_PUSH_EXISTS    ? "Layer already exists"
		     : v[i].result == REGISTRY_PUSH_MOUNTED ? status
		                                            : "Pushed");
	}
	return 0;
}

static int
push_manifest (struct push *p, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	const char *mt = json_string_value (json_object_get (p->img.manifest, "mediaType"));
	size_t len;

	if (!mt)
		mt = json_string_value (json_object_get (p->img.desc, "mediaType"));
	char digest[DIGEST_STR_LEN + 1];

	if (p->sent) {
		if (!(buf = json_dumps (p->sent, JSON_COMPACT)))
			return err_set (e, BX_SYSTEM, ENOMEM, "manifest");
		len = strlen (buf);
	} else if (store_blob_read (p->st, p->img.manifest_digest, &buf, &len, e) < 0)
		return err_wrap (e, "manifest");
	hash_buf (buf, len, digest);
	if (registry_put_manifest (p->reg, p->ref.path, p->ref.tag, mt ? mt : MT_OCI_MANIFEST, buf, len, e) < 0)
		return err_wrap (e, "manifest %s", digest);
	if (p->o->docker && !p->o->quiet)
		printf ("%s: digest: %s size: %zu\n", p->ref.tag, digest, len);
	if (!p->o->docker)
		printf ("%s\n", digest);
	return 0;
}

static int
push_run (struct push *p, struct bx_err *e)
{
	char repo[512], full[512];

	if (parse_name (p, e) < 0)
		return -1;
	ref_familiar_repo (&p->ref, repo, sizeof repo);
	ref_repo (&p->ref, full, sizeof full);
	/* Docker's client names the tag, then its daemon the repository,
	 * before it looks for the image or the registry */
	if (p->o->docker && !p->o->quiet) {
		const char *last = strrchr (p->name, '/');
		if (!p->o->all && !strchr (last ? last : p->name, ':'))
			printf ("Using default tag: %s\n", p->ref.tag);
		if (p->header)
			printf ("The push refers to repository [%s]\n", full);
		fflush (stdout);
	}
	p->streamed = 1;
	if (find_image (p, e) < 0 || plan (p, e) < 0)
		return -1;
	if (connect_registry (p, e) < 0)
		return err_wrap (e, "%s", p->full);
	if (p->o->docker && !p->o->quiet) {
		for (size_t i = p->n; i-- > 1;)
			say (p, &p->b[i], "Preparing");
		fflush (stdout);
	}
	/* every blob before the manifest that names them */
	if (push_blobs (p, e) < 0 || push_manifest (p, e) < 0)
		return err_wrap (e, "%s", p->full);
	if (p->o->docker && p->o->quiet)
		printf ("%s:%s\n", repo, p->ref.tag);
	return 0;
}

static void
push_free (struct push *p)
{
	for (size_t i = 0; i < p->n; i++)
		close (p->b[i].fd);
	free (p->b);
	json_decref (p->sent);
	imgset_free (&p->set);
	store_image_free (&p->img);
	registry_free (p->reg);
}

static int
cmp_str (const void *a, const void *b)
{
	return strcmp (*(char *const *)a, *(char *const *)b);
}

/* -a: every tag the store has for NAME's repository, sorted, into *V
 * (malloc'd strings); NAME must not carry a tag itself. */
static int
all_tags (const struct store *st, const char *name, char ***v, size_t *n, struct bx_err *e)
{
	const char *last = strrchr (name, '/');
	json_t *index = NULL, *d;
	struct ref r, er;
	struct bx_err ign;
	char repo[512];
	size_t i;

	*v = NULL;
	*n = 0;
	if (strchr (last ? last : name, ':') || strchr (name, '@'))
		return err_set (e, BX_USAGE, 0, "%s: tag can't be used with --all-tags/-a", name);
	if (ref_parse (name, &r, e) < 0 || store_index_load (st, &index, e) < 0)
		return -1;
	if (!(*v = calloc (json_array_size (json_object_get (index, "manifests")) + 1, sizeof **v))) {
		json_decref (index);
		return err_set (e, BX_SYSTEM, ENOMEM, "push");
	}
	json_array_foreach (json_object_get (index, "manifests"), i, d)
	{
		const char *tag =
		    json_string_value (json_object_get (json_object_get (d, "annotations"), ANN_REF_NAME));
		if (tag && ref_parse (tag, &er, &ign) == 0 && er.tag[0] && !er.digest[0] &&
		    !strcmp (er.domain, r.domain) && !strcmp (er.path, r.path) && ((*v)[*n] = strdup (tag)))
			(*n)++;
	}
	json_decref (index);
	ref_familiar_repo (&r, repo, sizeof repo);
	if (*n == 0)
		return err_set (e, BX_NOTFOUND, 0, "An image does not exist locally with the tag: %s", repo);
	qsort (*v, *n, sizeof **v, cmp_str);
	return 0;
}

static int
push_one (const struct opts *o, struct store *st, int tmp, const char *name, int header)
{
	struct push p = {.o = o, .st = st, .tmp = tmp, .name = name, .header = header};
	struct bx_err e = {0};
	int rc;

	/* docker push says an error of its daemon's stream bare, exit 1 */
	if (push_run (&p, &e) == 0)
		rc = 0;
	else if (p.streamed && o->docker) {
		fprintf (stderr, "%s\n", e.msg);
		rc = BX_FAIL;
	} else
		rc = err_report (&e);

	push_free (&p);
	return rc;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct store st;
	char **tags = NULL;
	size_t n = 0;
	int rootfd, tmp, rc = 0;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if ((rootfd = root_open (o.root, &e)) < 0 || store_open (&st, rootfd, &e) < 0)
		return err_report (&e);
	if (afile_mkdir_p_at (rootfd, L_TMP, 0700, &e) < 0)
		return err_report (&e);
	if ((tmp = openat (rootfd, L_TMP, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		err_die (BX_SYSTEM, "%s: %s", L_TMP, strerror (errno));
	if (!o.all)
		rc = push_one (&o, &st, tmp, o.name, 1);
	else if (all_tags (&st, o.name, &tags, &n, &e) < 0)
		rc = err_report (&e);
	/* -a: every tag, the first failure ends it as docker push -a does */
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = push_one (&o, &st, tmp, tags[i], i == 0);
	for (size_t i = 0; i < n; i++)
		free (tags[i]);
	free (tags);
	store_close (&st);
	if (fflush (stdout) == EOF && !rc)
		rc = BX_SYSTEM;
	return rc;
}
