/*
 * img-save - write images of the store to a tar archive
 *
 * usage:  img-save [--root DIR] [-o FILE] [--format docker|oci] IMAGE...
 * stdin:  unused
 * stdout: the archive, when no -o is given (never to a terminal)
 * reads:  images/index.json, images/blobs/sha256/
 * writes: FILE (as FILE.tmp-<pid>, renamed when whole); tmp/ (a layer being
 *         decompressed, unlinked at once)
 * locks:  none (blobs are immutable, index.json is replaced whole)
 * exit:   0 ok, 1 a layer does not match its diff_id, 2 usage, 3 no such
 *         image, 5 system error
 *
 * --format docker (the default) writes what Docker 25 and later write: an
 * OCI layout (oci-layout, index.json, blobs/sha256/) whose layers are
 * uncompressed tars, plus Docker's manifest.json and repositories, so one
 * archive loads with docker load, podman load and OCI tools (skopeo's
 * docker-archive: and oci-archive:). --format oci writes the OCI layout
 * alone with the blobs as stored (compressed layers stay compressed).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/layout.h"
#include "base/root.h"
#include "image/oci.h"
#include "image/ref.h"
#include "image/store.h"
#include "runtime/event.h"
#include "image/tarball.h"

struct opts {
	const char *root;
	const char *output; /* NULL: stdout */
	int oci;            /* --format oci */
	char **images;
	int nimages;
};

struct save {
	const struct opts *o;
	struct store *st;
	int tmp; /* $BOX_ROOT/tmp, for decompressed layers */
	struct tarball_writer w;
	json_t *written; /* digests already in the archive */
	json_t *index;   /* index.json's manifests */
	json_t *docker;  /* manifest.json */
	json_t *repos;   /* repositories */
};

/* One image to save: the store's image and the names it is saved under. */
struct item {
	struct image img;
	json_t *names; /* full references */
};

static int
add_blob_fd (struct save *s, const char *digest, int fd, struct bx_err *e)
{
	char name[128];

	if (json_object_get (s->written, digest))
		return 0;
	snprintf (name, sizeof name, "blobs/sha256/%s", digest_hex (digest));
	if (tarball_add_fd (&s->w, name, fd, e) < 0)
		return -1;
	return json_object_set_new (s->written, digest, json_true ());
}

static int
add_blob_buf (struct save *s, const char *digest, const char *buf, size_t len, struct bx_err *e)
{
	char name[128];

	if (json_object_get (s->written, digest))
		return 0;
	snprintf (name, sizeof name, "blobs/sha256/%s", digest_hex (digest));
	if (tarball_add_buf (&s->w, name, buf, len, e) < 0)
		return -1;
	return json_object_set_new (s->written, digest, json_true ());
}

static int
add_store_blob (struct save *s, const char *digest, struct bx_err *e)
{
	_cleanup_close_ int fd = -1;

	if (json_object_get (s->written, digest))
		return 0;
	if ((fd = store_blob_open (s->st, digest, e)) < 0)
		return -1;
	return add_blob_fd (s, digest, fd, e);
}

/* A layer as an uncompressed tar, checked against DIFF_ID; its descriptor
 * goes to LAYERS. */
static int
add_plain_layer (struct save *s, json_t *desc, const char *diff_id, json_t *layers, struct bx_err *e)
{
	const char *dg = json_string_value (json_object_get (desc, "digest"));
	enum oci_compression c = oci_layer_compression (json_string_value (json_object_get (desc, "mediaType")));
	_cleanup_close_ int in = -1, out = -1;
	char name[64], got[DIGEST_STR_LEN + 1];
	uint64_t size;

	if (c == OCI_COMP_UNKNOWN)
		return err_set (e, BX_USAGE, 0, "layer %s: not an image layer", dg);
	if ((in = store_blob_open (s->st, dg, e)) < 0)
		return -1;
	snprintf (name, sizeof name, "save-%d.layer", (int)getpid ());
	out = openat (s->tmp, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		return err_set (e, BX_SYSTEM, errno, "layer %s", dg);
	unlinkat (s->tmp, name, 0); /* gone when closed, whatever happens */
	if (tarball_decompress (in, out, got, &size, e) < 0)
		return err_wrap (e, "layer %s", dg);
	if (strcmp (got, diff_id) != 0)
		return err_set (e, BX_FAIL, 0, "layer %s: uncompressed content has digest %s, config says %s", dg, got,
		                diff_id);
	if (add_blob_fd (s, got, out, e) < 0)
		return -1;
	return json_array_append_new (
	    layers, json_pack ("{s:s,s:s,s:I}", "mediaType", MT_OCI_LAYER, "digest", got, "size", (json_int_t)size));
}

/* The manifest saved for IT: the stored one when its layers are already
 * what the format wants, else one naming the uncompressed layers. */
static int
add_manifest (struct save *s, struct item *it, json_t *layers, char digest[DIGEST_STR_LEN + 1], size_t *len,
              const char **mt, struct bx_err *e)
{
	json_t *stored = json_object_get (it->img.manifest, "layers"), *l, *m;
	_cleanup_free_ char *buf = NULL;
	size_t i;
	int same = 1;

	json_array_foreach (stored, i, l)
	{
		same &=
		    json_equal (json_object_get (l, "digest"), json_object_get (json_array_get (layers, i), "digest"));
	}
	*mt = MT_OCI_MANIFEST;
	if (same) {
		size_t n;
		*mt = json_string_value (json_object_get (it->img.desc, "mediaType")) ?: MT_OCI_MANIFEST;
		snprintf (digest, DIGEST_STR_LEN + 1, "%s", it->img.manifest_digest);
		if (store_blob_read (s->st, digest, &buf, &n, e) < 0)
			return -1;
		*len = n;
		return add_blob_buf (s, digest, buf, n, e);
	}
	m = json_pack ("{s:i,s:s,s:{s:s,s:O,s:O},s:O}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST, "config",
	               "mediaType", MT_OCI_CONFIG, "digest",
	               json_object_get (json_object_get (it->img.manifest, "config"), "digest"), "size",
	               json_object_get (json_object_get (it->img.manifest, "config"), "size"), "layers", layers);
	buf = m ? json_dumps (m, JSON_COMPACT) : NULL;
	json_decref (m);
	if (!buf)
		return err_set (e, BX_SYSTEM, ENOMEM, "manifest");
	*len = strlen (buf);
	hash_buf (buf, *len, digest);
	return add_blob_buf (s, digest, buf, *len, e);
}

static void
familiar (const char *full, char *out, size_t len, char *repo, size_t rlen, const char **tag)
{
	static struct ref r;
	struct bx_err e;

	out[0] = repo[0] = '\0';
	*tag = "";
	if (ref_parse (full, &r, &e) < 0 || !r.tag[0])
		return;
	ref_familiar_repo (&r, repo, rlen);
	snprintf (out, len, "%s:%s", repo, r.tag);
	*tag = r.tag;
}

/* index.json entries (Docker 25's annotations), manifest.json, repositories */
static int
add_entries (struct save *s, struct item *it, const char *mdg, size_t mlen, const char *mt, json_t *layers)
{
	json_t *tags = json_array (), *n, *paths = json_array (), *l;
	size_t i;

	json_array_foreach (it->names, i, n)
	{
		char fam[700], repo[600];
		const char *tag, *full = json_string_value (n);
		familiar (full, fam, sizeof fam, repo, sizeof repo, &tag);
		json_array_append_new (s->index, json_pack ("{s:s,s:s,s:I,s:{s:s,s:s}}", "mediaType", mt, "digest", mdg,
		                                            "size", (json_int_t)mlen, "annotations",
		                                            ANN_CONTAINERD_NAME, full, ANN_REF_NAME, tag));
		if (!fam[0])
			continue;
		json_array_append_new (tags, json_string (fam));
		if (!json_object_get (s->repos, repo))
			json_object_set_new (s->repos, repo, json_object ());
		json_object_set_new (json_object_get (s->repos, repo), tag,
		                     json_string (digest_hex (json_string_value (json_object_get (
		                         json_array_get (layers, json_array_size (layers) - 1), "digest")))));
	}
	if (!json_array_size (it->names))
		json_array_append_new (
		    s->index, json_pack ("{s:s,s:s,s:I}", "mediaType", mt, "digest", mdg, "size", (json_int_t)mlen));
	json_array_foreach (layers, i, l)
	{
		char p[128];
		snprintf (p, sizeof p, "blobs/sha256/%s",
		          digest_hex (json_string_value (json_object_get (l, "digest"))));
		json_array_append_new (paths, json_string (p));
	}
	{
		char cfg[128];
		snprintf (cfg, sizeof cfg, "blobs/sha256/%s", digest_hex (it->img.config_digest));
		return json_array_append_new (
		    s->docker,
		    json_pack ("{s:s,s:o,s:o}", "Config", cfg, "RepoTags",
		               json_array_size (tags) ? tags : (json_decref (tags), json_null ()), "Layers", paths));
	}
}

static int
save_item (struct save *s, struct item *it, struct bx_err *e)
{
	json_t *stored = json_object_get (it->img.manifest, "layers"), *layers = json_array (), *l;
	json_t *ids = json_object_get (json_object_get (it->img.config, "rootfs"), "diff_ids");
	char mdg[DIGEST_STR_LEN + 1];
	const char *mt = NULL;
	size_t i, mlen = 0;
	int rc = -1;

	if (add_store_blob (s, it->img.config_digest, e) < 0)
		goto out;
	if (json_array_size (ids) != json_array_size (stored)) {
		err_set (e, BX_FAIL, 0, "%zu layers but %zu diff_ids", json_array_size (stored), json_array_size (ids));
		goto out;
	}
	json_array_foreach (stored, i, l)
	{
		if (s->o->oci ? add_store_blob (s, json_string_value (json_object_get (l, "digest")), e) < 0 ||
		                    json_array_append (layers, l) < 0
		              : add_plain_layer (s, l, json_string_value (json_array_get (ids, i)), layers, e) < 0)
			goto out;
	}
	if (add_manifest (s, it, layers, mdg, &mlen, &mt, e) < 0)
		goto out;
	rc = add_entries (s, it, mdg, mlen, mt, layers);
out:
	json_decref (layers);
	return rc;
}

static int
add_json (struct save *s, const char *name, json_t *doc, struct bx_err *e)
{
	_cleanup_free_ char *buf = json_dumps (doc, JSON_COMPACT);

	if (!buf)
		return err_set (e, BX_SYSTEM, ENOMEM, "%s", name);
	return tarball_add_buf (&s->w, name, buf, strlen (buf), e);
}

static int
write_archive (struct save *s, struct item *items, int n, int fd, struct bx_err *e)
{
	json_t *index;
	int rc = -1;

	if (tarball_writer_open (&s->w, fd, e) < 0 || tarball_add_dir (&s->w, "blobs/", e) < 0 ||
	    tarball_add_dir (&s->w, "blobs/sha256/", e) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (save_item (s, &items[i], e) < 0) {
			err_wrap (e, "image %s", s->o->images[i]);
			goto out;
		}
	index = json_pack ("{s:i,s:s,s:O}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX, "manifests", s->index);
	rc = add_json (s, L_INDEX, index, e);
	json_decref (index);
	if (rc == 0 && !s->o->oci)
		rc = add_json (s, "manifest.json", s->docker, e);
	if (rc == 0)
		rc = tarball_add_buf (&s->w, L_OCI_LAYOUT, OCI_LAYOUT_CONTENT, strlen (OCI_LAYOUT_CONTENT), e);
	if (rc == 0 && !s->o->oci && json_object_size (s->repos))
		rc = add_json (s, "repositories", s->repos, e);
out:
	if (tarball_writer_close (&s->w, e) < 0)
		rc = -1;
	return rc;
}

/* Resolve every IMAGE before writing anything; one item per manifest,
 * holding every name it was asked by (Docker merges RepoTags alike). */
static int
resolve_items (struct save *s, struct item *items, int *n, struct bx_err *e)
{
	*n = 0;
	for (int i = 0; i < s->o->nimages; i++) {
		struct item it = {.names = NULL};
		int j;
		if (store_image_load (s->st, s->o->images[i], &it.img, e) < 0)
			return -1;
		for (j = 0; j < *n && strcmp (items[j].img.manifest_digest, it.img.manifest_digest) != 0; j++)
			;
		if (j == *n) {
			items[j] = it;
			items[j].names = json_array ();
			++*n;
		} else
			store_image_free (&it.img);
		/* an id or a digest names no tag */
		if (it.img.ref[0] && strchr (s->o->images[i], '@') == NULL && !ref_looks_like_id (s->o->images[i]))
			json_array_append_new (items[j].names, json_string (it.img.ref));
	}
	return 0;
}

static int
open_output (const char *path, char *tmp, size_t len, struct bx_err *e)
{
	int fd;

	if (!path)
		return 1;
	snprintf (tmp, len, "%s.tmp-%d", path, (int)getpid ());
	fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set (e, errno == ENOENT || errno == ENOTDIR ? BX_USAGE : BX_SYSTEM, errno, "%s", path);
	return fd;
}

static int
finish_output (const char *path, const char *tmp, int fd, int ok, struct bx_err *e)
{
	if (!path)
		return ok ? 0 : -1;
	if (ok && fsync (fd) < 0)
		ok = err_set (e, BX_SYSTEM, errno, "%s", path) + 1;
	if (close (fd) < 0 && ok)
		ok = err_set (e, BX_SYSTEM, errno, "%s", path) + 1;
	if (ok && rename (tmp, path) < 0)
		ok = err_set (e, errno == EISDIR ? BX_USAGE : BX_SYSTEM, errno, "%s", path) + 1;
	if (!ok)
		unlink (tmp);
	return ok ? 0 : -1;
}

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] [-o FILE] [--format docker|oci] IMAGE...\n", bx_prog);
	exit (err_code (BX_USAGE));
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"output", required_argument, NULL, 'o'},
	                                   {"format", required_argument, NULL, 'F'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'o': o->output = optarg; break;
		case 'F':
			if (strcmp (optarg, "oci") != 0 && strcmp (optarg, "docker") != 0)
				err_die (BX_USAGE, "--format: want docker or oci, not '%s'", optarg);
			o->oci = strcmp (optarg, "oci") == 0;
			break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind >= argc)
		usage ();
	o->images = argv + optind;
	o->nimages = argc - optind;
	if (!o->output && isatty (1))
		err_die (BX_USAGE, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
}

/* docker save: a missing image is its daemon's answer, "Error response
 * from daemon: No such image: X" */
static int
save_report (const struct bx_err *e)
{
	if (!err_docker () || e->code != BX_NOTFOUND)
		return err_report (e);
	fprintf (stderr, "Error response from daemon: %s\n", e->msg);
	return err_code (e->code);
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct store st;
	struct save s = {.o = &o, .st = &st};
	_cleanup_free_ struct item *items = NULL;
	char tmp[4096];
	int rootfd, n = 0, fd, rc;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if ((rootfd = root_open (o.root, &e)) < 0 || store_open (&st, rootfd, &e) < 0 ||
	    afile_mkdir_p_at (rootfd, L_TMP, 0700, &e) < 0)
		return err_report (&e);
	if ((s.tmp = openat (rootfd, L_TMP, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		err_die (BX_SYSTEM, "%s: %s", L_TMP, strerror (errno));
	if (!(items = calloc (o.nimages, sizeof *items)))
		err_die (BX_SYSTEM, "out of memory");
	s.written = json_object ();
	s.index = json_array ();
	s.docker = json_array ();
	s.repos = json_object ();
	rc = resolve_items (&s, items, &n, &e);
	if (rc == 0 && (fd = open_output (o.output, tmp, sizeof tmp, &e)) >= 0) {
		rc = write_archive (&s, items, n, fd, &e);
		rc = finish_output (o.output, tmp, fd, rc == 0, &e);
	} else
		rc = -1;
	for (int i = 0; rc == 0 && i < n; i++)
		event_image (rootfd, items[i].img.config_digest, "save",
		             json_object_get (json_object_get (items[i].img.config, "config"), "Labels"));
	for (int i = 0; i < n; i++) {
		store_image_free (&items[i].img);
		json_decref (items[i].names);
	}
	json_decref (s.written);
	json_decref (s.index);
	json_decref (s.docker);
	json_decref (s.repos);
	return rc < 0 ? save_report (&e) : 0;
}
