/*
 * img-import - a tar as a one-layer image (docker import)
 *
 * usage:  img-import [--root DIR] [-c|--change CHANGE]... [-m|--message MSG]
 *                    FILE|-|URL [REPO[:TAG]]
 * stdin:  the tar, with "-"
 * stdout: the image's id, "sha256:..."; after "Downloading from URL"
 * reads:  FILE or the http:// or https:// URL (a tar, plain or gzip,
 *         zstd, xz, bzip2 compressed)
 * writes: blobs (the layer, gzip'd; its config; its manifest),
 *         images/index.json (tagged REPO:TAG, else untagged);
 *         tmp/import-<pid>/ while the layer is written
 * locks:  images/gc.lock shared (store_pin) until the image is indexed
 * exit:   0 ok, 1 failed (bad archive, a failed download), 2 usage or bad
 *         input (a change, a reference), 5 system
 *
 * -c changes are commit's (lib/dockerfile/cchange) applied to an empty
 * config. A URL is fetched as dockerd fetches it (lib/image/urlget).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/layout.h"
#include "base/root.h"
#include "base/timestamp.h"
#include "base/tree.h"
#include "dockerfile/cchange.h"
#include "image/oci.h"
#include "image/ref.h"
#include "image/store.h"
#include "image/urlget.h"
#include "runtime/event.h"

#define MAX_CHANGES 256

struct opts {
	const char *root;
	const char *message;
	char *changes[MAX_CHANGES];
	size_t nchanges;
	const char *src, *ref;
};

/* the layer as it is written: the tar's digest, the gzip's, its size */
struct layer {
	struct hash_ctx tar, gz;
	z_stream z;
	int fd;
	size_t size;
	char diff_id[DIGEST_STR_LEN + 1], digest[DIGEST_STR_LEN + 1];
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] [-c CHANGE]... [-m MSG] FILE|-|URL [REPO[:TAG]]\n", bx_prog);
	exit (err_code (BX_USAGE));
}

static void
parse_import (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"change", required_argument, NULL, 'c'},
	                                   {"message", required_argument, NULL, 'm'},
	                                   {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "+c:m:", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'c':
			if (o->nchanges == MAX_CHANGES)
				err_die (BX_USAGE, "more than %d changes", MAX_CHANGES);
			o->changes[o->nchanges++] = optarg;
			break;
		case 'm': o->message = optarg; break;
		default: err_flag (argv); usage ();
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		usage ();
	o->src = argv[optind];
	o->ref = optind + 1 < argc ? argv[optind + 1] : NULL;
}

static int
layer_out (struct layer *l, int flush, struct bx_err *e)
{
	unsigned char buf[65536];
	int zr;

	do {
		l->z.next_out = buf;
		l->z.avail_out = sizeof buf;
		zr = deflate (&l->z, flush);
		size_t n = sizeof buf - l->z.avail_out;
		if (n && write (l->fd, buf, n) != (ssize_t)n)
			return err_set (e, BX_SYSTEM, errno, "the layer");
		hash_update (&l->gz, buf, n);
		l->size += n;
	} while (l->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

/* a tar's first header block carries "ustar" (POSIX, GNU and pax alike) */
static int
is_tar (const unsigned char *b, size_t n)
{
	return n >= 262 && !memcmp (b + 257, "ustar", 5);
}

/* SRCFD, decompressed by libarchive, gzip'd again into L->fd */
static int
layer_write (int srcfd, struct layer *l, struct bx_err *e)
{
	struct archive *a = archive_read_new ();
	struct archive_entry *en;
	const void *buf;
	size_t n;
	la_int64_t off;
	int r, first = 1, rc = 0;

	archive_read_support_filter_all (a);
	archive_read_support_format_raw (a);
	if (archive_read_open_fd (a, srcfd, 65536) != ARCHIVE_OK || archive_read_next_header (a, &en) != ARCHIVE_OK) {
		err_set (e, BX_FAIL, 0, "%s", archive_error_string (a));
		archive_read_free (a);
		return -1;
	}
	while ((r = archive_read_data_block (a, &buf, &n, &off)) == ARCHIVE_OK) {
		if (first && !is_tar (buf, n)) {
			rc = err_set (e, BX_FAIL, 0, "archive/tar: invalid tar header");
			break;
		}
		first = 0;
		hash_update (&l->tar, buf, n);
		l->z.next_in = (unsigned char *)buf;
		l->z.avail_in = (unsigned)n;
		if ((rc = layer_out (l, Z_NO_FLUSH, e)) < 0)
			break;
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = err_set (e, BX_FAIL, 0, "%s", archive_error_string (a));
	if (rc == 0 && first)
		rc = err_set (e, BX_FAIL, 0, "archive/tar: invalid tar header");
	archive_read_free (a);
	if (rc == 0 && (rc = layer_out (l, Z_FINISH, e)) == 0 && fsync (l->fd) < 0)
		rc = err_set (e, BX_SYSTEM, errno, "the layer");
	return rc;
}

/* the layer blob into the store, staged in tmp/import-PID */
static int
layer_store (const struct store *st, int rootfd, int srcfd, struct layer *l, struct bx_err *e)
{
	char tmpname[64];
	int tmp, rc = -1;

	snprintf (tmpname, sizeof tmpname, "%s/import-%d", L_TMP, (int)getpid ());
	mkdirat (rootfd, L_TMP, 0700);
	if (mkdirat (rootfd, tmpname, 0700) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "%s", tmpname);
	if ((tmp = openat (rootfd, tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", tmpname);
	memset (&l->z, 0, sizeof l->z);
	if ((l->fd = openat (tmp, "layer", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		err_set (e, BX_SYSTEM, errno, "%s/layer", tmpname);
	else if (hash_init (&l->tar, e) == 0 && hash_init (&l->gz, e) == 0 &&
	         deflateInit2 (&l->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
		rc = layer_write (srcfd, l, e);
		deflateEnd (&l->z);
		hash_final (&l->tar, l->diff_id);
		hash_final (&l->gz, l->digest);
		close (l->fd);
		if (rc == 0)
			rc = store_blob_commit_at (st, tmp, "layer", l->digest, e);
	}
	close (tmp);
	tree_remove_at (rootfd, tmpname);
	return rc;
}

static int
put_json (const struct store *st, json_t *doc, char digest[DIGEST_STR_LEN + 1], size_t *len, struct bx_err *e)
{
	char *text = json_dumps (doc, JSON_COMPACT);
	int rc;

	if (!text)
		return err_set (e, BX_SYSTEM, ENOMEM, "import");
	*len = strlen (text);
	hash_buf (text, *len, digest);
	rc = store_blob_put (st, digest, text, *len, e);
	free (text);
	return rc;
}

/* the image Docker's import makes: one layer, an empty config, one
 * history entry whose comment is the message */
/* the image's Config: empty, with the -c changes applied, as Docker's
 * BuildFromConfig on an empty container.Config */
static json_t *
import_config (const struct opts *o, struct bx_err *e)
{
	json_t *empty = json_object (), *cfg;

	if (!o->nchanges)
		return empty;
	cfg = cchange_apply (empty, o->changes, o->nchanges, e);
	json_decref (empty);
	return cfg;
}

static int
image_store (const struct store *st, const struct layer *l, json_t *config, const char *comment, const char *tag,
             char id[DIGEST_STR_LEN + 1], struct bx_err *e)
{
	char now[TIMESTAMP_LEN], mdigest[DIGEST_STR_LEN + 1];
	size_t clen, mlen;
	json_t *cfg, *man = NULL, *desc = NULL;
	int rc = -1;

	timestamp_now (now);
	cfg = json_pack ("{ss ss sO ss s[{ss ss}] ss s{ss s[s]}}", "architecture", "amd64", "comment", comment,
	                 "config", config, "created", now, "history", "created", now, "comment", comment, "os", "linux",
	                 "rootfs", "type", "layers", "diff_ids", l->diff_id);
	if (cfg && put_json (st, cfg, id, &clen, e) == 0) {
		man = json_pack ("{si ss s{ss ss sI} s[{ss ss sI}]}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
		                 "config", "mediaType", MT_OCI_CONFIG, "digest", id, "size", (json_int_t)clen, "layers",
		                 "mediaType", MT_OCI_LAYER_GZIP, "digest", l->digest, "size", (json_int_t)l->size);
		if (man && put_json (st, man, mdigest, &mlen, e) == 0) {
			desc = json_pack ("{ss ss sI}", "mediaType", MT_OCI_MANIFEST, "digest", mdigest, "size",
			                  (json_int_t)mlen);
			store_test_stop_before_tag ();
			rc = tag ? store_tag_set (st, tag, desc, e) : store_untagged_add (st, desc, e);
		}
	}
	json_decref (desc);
	json_decref (man);
	json_decref (cfg);
	return rc;
}

/* Docker's urlutil.IsURL: what else names a file */
static int
is_url (const char *src)
{
	return !strncmp (src, "http://", 7) || !strncmp (src, "https://", 8);
}

/* URL downloaded into an unnamed file of tmp/, read from its start; as
 * dockerd, "Downloading from URL" once it came */
static int
download (int rootfd, const char *url, struct bx_err *e)
{
	_cleanup_file_ FILE *f = NULL;
	struct urlget g;
	int fd, rc;

	mkdirat (rootfd, L_TMP, 0700);
	if ((fd = openat (rootfd, L_TMP, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", L_TMP);
	if (!(f = fdopen (dup (fd), "w"))) {
		close (fd);
		return err_set (e, BX_SYSTEM, errno, "%s", L_TMP);
	}
	rc = urlget_fetch (url, f, "box-img-import", &g, e);
	urlget_free (&g);
	if (rc < 0 || lseek (fd, 0, SEEK_SET) < 0) {
		close (fd);
		return rc < 0 ? -1 : err_set (e, BX_SYSTEM, errno, "%s", L_TMP);
	}
	printf ("Downloading from %s\n", url);
	fflush (stdout);
	return fd;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct store st;
	struct layer l = {0};
	char full[600], id[DIGEST_STR_LEN + 1], comment[1024];
	json_t *config;
	int rootfd, srcfd = 0, pin, rc;

	err_prog_init (argv[0]);
	parse_import (argc, argv, &o);
	if (!(config = import_config (&o, &e))) {
		fprintf (stderr, "Error response from daemon: %s\n", e.msg);
		return err_code (e.code ? e.code : BX_FAIL);
	}
	if (o.ref && ref_parse_tag (o.ref, full, sizeof full, &e) < 0)
		return json_decref (config), err_report (&e);
	if (strcmp (o.src, "-") && !is_url (o.src) && (srcfd = open (o.src, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf (stderr, "open %s: %s\n", o.src,
		         errno == ENOENT ? "no such file or directory" : strerror (errno));
		return json_decref (config), BX_FAIL;
	}
	snprintf (comment, sizeof comment, "Imported from %s", is_url (o.src) ? o.src : "-");
	if ((rootfd = root_open (o.root, &e)) < 0 || store_open (&st, rootfd, &e) < 0 ||
	    (pin = store_pin (&st, &e)) < 0)
		return json_decref (config), err_report (&e);
	rc = is_url (o.src) && (srcfd = download (rootfd, o.src, &e)) < 0 ? -1 : 0;
	if (rc == 0)
		rc = layer_store (&st, rootfd, srcfd, &l, &e);
	if (rc == 0)
		rc = image_store (&st, &l, config, o.message ? o.message : comment, o.ref ? full : NULL, id, &e);
	close (pin);
	if (rc == 0)
		event_image (rootfd, id, "import", json_object_get (config, "Labels"));
	json_decref (config);
	if (rc < 0) {
		fprintf (stderr, "Error response from daemon: %s\n", e.msg);
		return err_code (e.code ? e.code : BX_FAIL);
	}
	puts (id);
	return fflush (stdout) == EOF ? BX_SYSTEM : 0;
}
