/*
 * img-fetch - pull images from a registry into the store
 *
 * usage:  img-fetch [--root DIR] [-q] [--docker[=run|create]]
 *                   [--platform OS/ARCH[/VARIANT]] [--insecure HOST]... [REF...]
 *         img-fetch [--root DIR] --gc
 * stdin:  references, one per line, when none are given
 * stdout: the manifest digest pulled, one line per reference; with --docker,
 *         what `docker pull` prints (status lines, then the full reference);
 *         --docker=run or create: what docker run's pull prints (no default
 *         tag line, no reference), its errors in that verb's words;
 *         with --gc, the bytes of partial blobs removed
 * stderr: errors; Docker-like progress when stderr is a terminal (not -q)
 * reads:  $DOCKER_CONFIG/config.json (credentials), images/
 * writes: tmp/ingest/<hex> (partial blobs, resumable by the next pull, which
 *         removes those it does not need; removed at once after a failure
 *         for want of space; --gc removes all that no pull holds),
 *         images/blobs/sha256/, images/index.json (the tag)
 * locks:  images/gc.lock shared (store_pin) from the first blob checked
 *         until the tag is set, tmp/ingest/<hex> while fetching a blob
 *         (ascending digest order), images/lock while rewriting index.json
 * exit:   0 ok, 1 failed (unauthorized, digest mismatch), 2 usage or bad
 *         input (reference, media type, malformed manifest), 3 no such
 *         repository/tag/platform, 5 network or registry failure;
 *         with several references, the first failure's code; with
 *         --docker=run 125, --docker=create 1 for any failure
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/layout.h"
#include "base/root.h"
#include "runtime/event.h"
#include "image/manifest.h"
#include "image/platform.h"
#include "image/oci.h"
#include "image/ref.h"
#include "image/regconn.h"
#include "image/registry.h"
#include "image/store.h"
#include "img-fetch/ingest.h"
#include "img-fetch/pullview.h"

/* blobs fetched at once: enough to fill a link, few enough to be polite
 * (bench/pull: 6 was no faster than 4 and used more memory) */
#define MAXPAR 4
#define ANN_REPO_DIGEST "io.box.repo.digest"

struct opts {
	const char *root;
	int quiet, docker, gc; /* docker: PV_PULL or PV_RUN */
	const char *verb;      /* --docker=VERB: run or create */
	int platform_set;
	struct platform platform;
	char insecure[2048];
	long rate;
	char **refs;
	int nrefs;
};

/* One pull: what was asked, what the registry said, what we hold. */
struct pull {
	const struct opts *o;
	struct store *st;
	int ingest;
	const char *arg; /* as typed */
	struct ref ref;
	char full[600];
	char repo_digest[DIGEST_STR_LEN + 1]; /* the digest of what REF names */
	struct registry *reg;
	struct registry_doc top, plat;
	struct manifest mtop, m;
	json_t *pdesc;    /* the index entry chosen, borrowed from mtop */
	const char *mbuf; /* the image manifest's bytes (top or plat) */
	size_t mlen;
	char mdigest[DIGEST_STR_LEN + 1];
	struct registry_blob *blobs;
	size_t nblobs;
	struct pullview view;
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-q] [--docker[=run|create]] [--platform OS/ARCH[/VARIANT]] "
	         "[--insecure HOST]... [REF...]\n"
	         "       %s [--root DIR] --gc\n",
	         bx_prog, bx_prog);
	exit (err_code (BX_USAGE));
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"docker", optional_argument, NULL, 'D'},
	                                   {"platform", required_argument, NULL, 'P'},
	                                   {"insecure", required_argument, NULL, 'I'},
	                                   {"gc", no_argument, NULL, 'G'},
	                                   {0, 0, 0, 0}};
	struct bx_err e = {0};
	const char *env;
	int c;

	platform_default (&o->platform);
	while ((c = getopt_long (argc, argv, "q", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'D':
			o->docker = optarg ? PV_RUN : PV_PULL;
			if (optarg && strcmp (optarg, "run") != 0 && strcmp (optarg, "create") != 0)
				err_die (BX_USAGE, "--docker=%s: run or create", optarg);
			o->verb = optarg;
			break;
		case 'G': o->gc = 1; break;
		case 'P':
			if (platform_parse (optarg, &o->platform, &e) < 0)
				exit (err_report (&e));
			o->platform_set = 1;
			break;
		case 'I':
			if (regconn_add_insecure (o->insecure, sizeof o->insecure, optarg, &e) < 0)
				exit (err_report (&e));
			break;
		default: err_flag (argv); usage ();
		}
	}
	if (regconn_add_insecure (o->insecure, sizeof o->insecure, getenv ("BOX_INSECURE_REGISTRIES"), &e) < 0)
		exit (err_report (&e));
	/* for tests of interrupted pulls: bytes per second per blob */
	if ((env = getenv ("BOX_FETCH_RATE_LIMIT")) && *env)
		o->rate = strtol (env, NULL, 10);
	o->refs = argv + optind;
	o->nrefs = argc - optind;
	if (o->gc && o->nrefs)
		usage ();
}

/* --- the manifest ------------------------------------------------------------- */

/* Check a fetched document against the digest we asked for (WANT, may be
 * "") and the one the registry announced; OUT gets its digest. */
static int
doc_verify (const struct registry_doc *d, const char *want, char out[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	hash_buf (d->buf, d->len, out);
	if (want[0] && strcmp (want, out) != 0)
		return err_set (e, BX_FAIL, 0, "manifest digest mismatch: asked for %s, content has %s", want, out);
	if (d->digest[0] && strcmp (d->digest, out) != 0)
		return err_set (e, BX_FAIL, 0, "manifest digest mismatch: registry says %s, content has %s", d->digest,
		                out);
	return 0;
}

static int
resolve_index (struct pull *p, struct bx_err *e)
{
	const char *dg;
	json_int_t size;

	if (manifest_select (p->mtop.doc, &p->o->platform, &p->pdesc, e) < 0)
		return -1;
	dg = json_string_value (json_object_get (p->pdesc, "digest"));
	size = json_integer_value (json_object_get (p->pdesc, "size"));
	if (!digest_is_valid (dg))
		return err_set (e, BX_USAGE, 0, "index: unsupported digest %s", dg);
	if (registry_get_manifest (p->reg, p->ref.path, dg, &p->plat, e) < 0)
		return err_wrap (e, "manifest %s", dg);
	if (doc_verify (&p->plat, dg, p->mdigest, e) < 0)
		return -1;
	if ((json_int_t)p->plat.len != size)
		return err_set (e, BX_FAIL, 0, "manifest %s: size %zu, index says %lld", dg, p->plat.len,
		                (long long)size);
	if (manifest_parse (p->plat.buf, p->plat.len, p->plat.content_type, &p->m, e) < 0)
		return err_wrap (e, "manifest %s", dg);
	if (p->m.is_index)
		return err_set (e, BX_USAGE, 0, "manifest %s: an index inside an index is not supported", dg);
	p->mbuf = p->plat.buf;
	p->mlen = p->plat.len;
	return 0;
}

static int
resolve (struct pull *p, struct bx_err *e)
{
	const char *reference = p->ref.digest[0] ? p->ref.digest : p->ref.tag;

	if (p->ref.digest[0] && !digest_is_valid (p->ref.digest))
		return err_set (e, BX_USAGE, 0, "unsupported digest algorithm: %s", p->ref.digest);
	if (registry_get_manifest (p->reg, p->ref.path, reference, &p->top, e) < 0)
		return -1;
	if (doc_verify (&p->top, p->ref.digest, p->repo_digest, e) < 0)
		return -1;
	if (manifest_parse (p->top.buf, p->top.len, p->top.content_type, &p->mtop, e) < 0)
		return -1;
	pullview_pulling (&p->view, &p->ref);
	if (p->mtop.is_index)
		return resolve_index (p, e);
	p->m = p->mtop;
	p->mtop.doc = json_incref (p->m.doc);
	p->mbuf = p->top.buf;
	p->mlen = p->top.len;
	memcpy (p->mdigest, p->repo_digest, sizeof p->mdigest);
	return 0;
}

/* --- the blobs ------------------------------------------------------------------ */

static int
cmp_blob (const void *a, const void *b)
{
	return strcmp (((const struct registry_blob *)a)->digest, ((const struct registry_blob *)b)->digest);
}

/* Add D (a descriptor) to the list unless it is there or stored. */
static int
plan_add (struct pull *p, json_t *d, int is_layer)
{
	const char *dg = json_string_value (json_object_get (d, "digest"));
	struct registry_blob *b;

	if (is_layer)
		pullview_layer (&p->view, dg, store_has_blob (p->st, dg));
	if (store_has_blob (p->st, dg))
		return 0;
	for (size_t i = 0; i < p->nblobs; i++)
		if (strcmp (p->blobs[i].digest, dg) == 0)
			return 0;
	b = &p->blobs[p->nblobs++];
	memset (b, 0, sizeof *b);
	b->digest = dg;
	b->size = json_integer_value (json_object_get (d, "size"));
	b->fd = -1;
	b->user = is_layer ? pullview_find (&p->view, dg) : NULL;
	return 0;
}

/* Partial blobs left by pulls that failed or were killed, but for those
 * this pull resumes: removed before it fetches, so a pull that ran out
 * of space leaves room for the next. */
static int
sweep (struct pull *p, struct bx_err *e)
{
	_cleanup_free_ const char **keep = calloc (p->nblobs + 1, sizeof *keep);

	if (!keep)
		return err_set (e, BX_SYSTEM, ENOMEM, "plan");
	for (size_t i = 0; i < p->nblobs; i++)
		keep[i] = p->blobs[i].digest;
	return ingest_sweep (p->ingest, keep, p->nblobs, NULL, e);
}

/* The blobs to fetch, each with its ingest file open and locked. */
static int
plan (struct pull *p, struct bx_err *e)
{
	json_t *layers = json_object_get (p->m.doc, "layers"), *d;
	size_t i, k = 0;

	p->blobs = calloc (json_array_size (layers) + 1, sizeof *p->blobs);
	if (!p->blobs || pullview_alloc (&p->view, json_array_size (layers)) < 0)
		return err_set (e, BX_SYSTEM, ENOMEM, "plan");
	plan_add (p, json_object_get (p->m.doc, "config"), 0);
	json_array_foreach (layers, i, d) plan_add (p, d, 1);
	qsort (p->blobs, p->nblobs, sizeof *p->blobs, cmp_blob);
	if (sweep (p, e) < 0)
		return -1;
	for (i = 0; i < p->nblobs; i++) {
		int stored;
		p->blobs[i].fd = ingest_open (p->ingest, p->st, p->blobs[i].digest, &stored, e);
		if (p->blobs[i].fd < 0 && !stored) {
			p->nblobs = k; /* those opened, each once */
			return -1;
		}
		if (!stored)
			p->blobs[k++] = p->blobs[i];
		else
			pullview_set (&p->view, p->blobs[i].user, PV_EXISTS);
	}
	p->nblobs = k;
	return 0;
}

static void
on_progress (struct registry_blob *b, size_t n, void *arg)
{
	struct pull *p = arg;

	for (size_t i = 0; i < n; i++)
		if (b[i].user)
			pullview_blob (&p->view, b[i].user, b[i].state, b[i].done, b[i].size);
	pullview_draw (&p->view);
}

/* The config must be an image config before anything is stored. */
static int
check_config (struct pull *p, struct bx_err *e)
{
	const char *dg = json_string_value (json_object_get (json_object_get (p->m.doc, "config"), "digest"));
	_cleanup_free_ char *buf = NULL;
	size_t len;

	for (size_t i = 0; i < p->nblobs; i++) {
		if (strcmp (p->blobs[i].digest, dg) != 0)
			continue;
		if (lseek (p->blobs[i].fd, 0, SEEK_SET) < 0 || afile_slurp_fd (p->blobs[i].fd, &buf, &len, e) < 0)
			return err_wrap (e, "config %s", dg);
		if (oci_validate_bytes (OCI_CONFIG, buf, len, NULL, e) < 0)
			return err_wrap (e, "config %s", dg);
	}
	return 0;
}

/* --- storing -------------------------------------------------------------------- */

static json_t *
tag_descriptor (struct pull *p)
{
	json_t *d = json_object (), *plat = json_object_get (p->pdesc, "platform");

	json_object_set_new (d, "mediaType", json_string (p->m.media_type));
	json_object_set_new (d, "digest", json_string (p->mdigest));
	json_object_set_new (d, "size", json_integer ((json_int_t)p->mlen));
	if (plat)
		json_object_set (d, "platform", plat);
	json_object_set_new (d, "annotations", json_pack ("{ss}", ANN_REPO_DIGEST, p->repo_digest));
	return d;
}

/* Blobs first (renames), then manifests, then the tag: a reader never sees
 * a tag whose blobs are missing. */
static int
commit (struct pull *p, struct bx_err *e)
{
	json_t *desc;
	int rc;

	/* durable before they are in the store: one fsync each, at the end,
	 * where little is left to write (lib/image/registry started the
	 * writeback as the bytes came), so no transfer waited on the disk */
	for (size_t i = 0; i < p->nblobs; i++)
		if (fsync (p->blobs[i].fd) < 0)
			return err_set (e, BX_SYSTEM, errno, "blob %s: fsync", p->blobs[i].digest);
	for (size_t i = 0; i < p->nblobs; i++) {
		if (ingest_commit (p->ingest, p->st, p->blobs[i].digest, e) < 0)
			return -1;
		pullview_set (&p->view, p->blobs[i].user, PV_COMPLETE);
	}
	if (p->mtop.is_index && store_blob_put (p->st, p->repo_digest, p->top.buf, p->top.len, e) < 0)
		return err_wrap (e, "index");
	if (store_blob_put (p->st, p->mdigest, p->mbuf, p->mlen, e) < 0)
		return err_wrap (e, "manifest");
	if (afile_fsync_dir_at (p->st->dir, L_BLOBS, e) < 0)
		return -1;
	store_test_stop_before_tag ();
	if (!(desc = tag_descriptor (p)))
		return err_set (e, BX_SYSTEM, ENOMEM, "tag");
	rc = store_tag_set (p->st, p->full, desc, e);
	json_decref (desc);
	return rc;
}

/* The digest the tag points at now, or "". */
static void
tag_target (struct pull *p, char out[DIGEST_STR_LEN + 1])
{
	struct image img;
	struct bx_err ign;

	out[0] = '\0';
	if (store_image_load (p->st, p->full, &img, &ign) == 0 && strcmp (img.ref, p->full) == 0)
		snprintf (out, DIGEST_STR_LEN + 1, "%s", img.manifest_digest);
	if (img.desc)
		store_image_free (&img);
}

/* A pull that failed for want of space: its partials go (resuming them
 * would need the space they hold; keeping them starves every later pull
 * and run). Other failures keep them for the next pull to resume. */
static void
pull_discard (struct pull *p, const struct bx_err *e)
{
	if (e->sys != ENOSPC && e->sys != EDQUOT)
		return;
	for (size_t i = 0; i < p->nblobs; i++)
		if (p->blobs[i].fd >= 0)
			ingest_discard (p->ingest, p->blobs[i].digest, p->blobs[i].fd);
}

static void
pull_free (struct pull *p)
{
	for (size_t i = 0; i < p->nblobs; i++)
		if (p->blobs[i].fd >= 0)
			close (p->blobs[i].fd);
	free (p->blobs);
	manifest_free (&p->m);
	manifest_free (&p->mtop);
	registry_doc_free (&p->top);
	registry_doc_free (&p->plat);
	registry_free (p->reg);
	pullview_free (&p->view);
}

static int
connect_registry (struct pull *p, struct bx_err *e)
{
	p->reg = regconn_open (&p->ref, p->o->insecure, p->o->rate, e);
	return p->reg ? 0 : -1;
}

static int
pull_run (struct pull *p, struct bx_err *e)
{
	char before[DIGEST_STR_LEN + 1];
	_cleanup_close_ int pin = -1;

	if (ref_parse (p->arg, &p->ref, e) < 0)
		return -1;
	ref_full (&p->ref, p->full, sizeof p->full);
	pullview_begin (&p->view, p->arg, &p->ref);
	if (connect_registry (p, e) < 0 || resolve (p, e) < 0)
		return err_wrap (e, "%s", p->full);
	if (oci_manifest_is_image (p->m.doc, e) < 0)
		return err_wrap (e, "%s", p->full);
	tag_target (p, before);
	/* from the first blob found present until the tag reaches them all,
	 * gc (img-list gc, rm) keeps off the store */
	if ((pin = store_pin (p->st, e)) < 0 || plan (p, e) < 0)
		return err_wrap (e, "%s", p->full);
	pullview_draw (&p->view);
	if (registry_fetch_blobs (p->reg, p->ref.path, p->blobs, p->nblobs, MAXPAR, on_progress, p, e) < 0 ||
	    check_config (p, e) < 0 || commit (p, e) < 0)
		return err_wrap (e, "%s", p->full);
	pullview_end (&p->view, p->repo_digest, p->nblobs == 0 && strcmp (before, p->mdigest) == 0);
	return 0;
}

/* Docker's pull event: the reference as Docker shows it, its repository as the name */
static void
pull_event (int rootfd, const struct ref *r)
{
	struct event_attrs a = {.len = 0};
	char repo[600], id[800];

	ref_familiar_repo (r, repo, sizeof repo);
	snprintf (id, sizeof id, "%s%s%s", repo, r->digest[0] ? "@" : ":", r->digest[0] ? r->digest : r->tag);
	event_attrs_add (&a, "name", repo);
	event_log (rootfd, "image", "pull", id, &a);
}

/* E as docker VERB says a pull's error (--docker=VERB): docker run's
 * reportError, its "See" line, 125; docker create's the daemon's, 1 */
static int
pull_report (const struct opts *o, const struct bx_err *e)
{
	size_t n = strlen (e->msg);

	if (!o->verb)
		return err_report (e);
	if (!strcmp (o->verb, "create")) {
		fprintf (stderr, "Error response from daemon: %s\n", e->msg);
		return BX_FAIL;
	}
	if (n > 0 && e->msg[n - 1] == '.')
		n--;
	fprintf (stderr, "box: Error response from daemon: %.*s.\nSee 'box run --help'.\n", (int)n, e->msg);
	return 125;
}

static int
pull_one (const struct opts *o, int rootfd, struct store *st, int ingest, const char *arg)
{
	struct pull p = {.o = o, .st = st, .ingest = ingest, .arg = arg};
	struct bx_err e = {0};
	int rc = 0;

	pullview_init (&p.view, o->docker, o->quiet);
	if (pull_run (&p, &e) < 0) {
		pullview_abort (&p.view);
		pull_discard (&p, &e);
		rc = pull_report (o, &e);
	} else {
		pull_event (rootfd, &p.ref);
		if (!o->docker)
			printf ("%s\n", p.mdigest);
	}
	if (fflush (stdout) == EOF && !rc)
		rc = BX_SYSTEM;
	pull_free (&p);
	return rc;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct store st;
	_cleanup_close_ int ingest = -1;
	int rootfd, rc = 0, r;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if ((rootfd = root_open (o.root, &e)) < 0 || store_open (&st, rootfd, &e) < 0 ||
	    (ingest = ingest_dir_open (rootfd, &e)) < 0)
		return err_report (&e);
	if (o.gc) {
		/* the pulls' share of `box image prune` and `box system prune` */
		uint64_t freed;
		if (ingest_sweep (ingest, NULL, 0, &freed, &e) < 0)
			return err_report (&e);
		printf ("%llu\n", (unsigned long long)freed);
	} else if (o.nrefs > 0) {
		for (int i = 0; i < o.nrefs; i++)
			if ((r = pull_one (&o, rootfd, &st, ingest, o.refs[i])) && !rc)
				rc = r;
	} else {
		_cleanup_free_ char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline (&line, &cap, stdin)) > 0) {
			line[strcspn (line, "\r\n")] = '\0';
			if (line[0] && (r = pull_one (&o, rootfd, &st, ingest, line)) && !rc)
				rc = r;
		}
	}
	store_close (&st);
	return rc;
}
