#include "loadplan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/hash.h"
#include "base/layout.h"
#include "base/tree.h"
#include "image/platform.h"
#include "image/oci.h"
#include "image/ref.h"

#define MAX_DOC (16u << 20) /* manifests, configs, index.json: far below this */

void
loadplan_src_free (struct loadplan_src *s)
{
	tarball_free (&s->tar);
	json_decref (s->copied);
	if (s->dir >= 0)
		close (s->dir);
	s->copied = NULL;
	s->dir = -1;
}

static void
plan_warn (struct loadplan *p, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start (ap, fmt);
	vsnprintf (buf, sizeof buf, fmt, ap);
	va_end (ap);
	json_array_append_new (p->warnings, json_string (buf));
}

static int
copy_in (struct loadplan_src *s, const char *path, json_t **out, struct bx_err *e)
{
	_cleanup_close_ int in = tree_open_in_root (s->dir, path, O_RDONLY, 0), fd = -1;
	struct hash_ctx c;
	struct stat st;
	char name[32], dg[DIGEST_STR_LEN + 1], buf[1 << 16];
	uint64_t size = 0;
	ssize_t n;

	if (in < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "%s", path);
	if (fstat (in, &st) < 0 || !S_ISREG (st.st_mode))
		return err_set (e, BX_USAGE, 0, "%s: not a regular file", path);
	snprintf (name, sizeof name, "c%u", ++s->ncopied);
	fd = openat (s->stage, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || hash_init (&c, e) < 0)
		return fd < 0 ? err_set (e, BX_SYSTEM, errno, "stage %s", path) : -1;
	while ((n = read (in, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || afile_write_all (fd, buf, n) < 0) {
			hash_free (&c);
			return err_set (e, BX_SYSTEM, errno, "copy %s", path);
		}
		hash_update (&c, buf, n);
		size += n;
	}
	hash_final (&c, dg);
	if (fsync (fd) < 0)
		return err_set (e, BX_SYSTEM, errno, "stage %s", path);
	*out = json_pack ("{s:s,s:s,s:I}", "f", name, "digest", dg, "size", (json_int_t)size);
	json_object_set_new (s->copied, path, *out);
	return 0;
}

/* The staged file for PATH of the input, with its digest and size. */
static int
src_get (struct loadplan_src *s, const char *path, const char **staged, const char **digest, uint64_t *size,
         struct bx_err *e)
{
	json_t *f;

	if (s->dir < 0)
		return tarball_lookup (&s->tar, path, staged, digest, size, e);
	if (!(f = json_object_get (s->copied, path)) && copy_in (s, path, &f, e) < 0)
		return -1;
	*staged = json_string_value (json_object_get (f, "f"));
	*digest = json_string_value (json_object_get (f, "digest"));
	*size = json_integer_value (json_object_get (f, "size"));
	return 0;
}

static int
src_has (struct loadplan_src *s, const char *path)
{
	const char *st, *dg;
	uint64_t n;
	struct bx_err ign;

	return src_get (s, path, &st, &dg, &n, &ign) == 0;
}

/* Read PATH of the input as a document of KIND (validated). */
static int
src_doc (struct loadplan_src *s, const char *path, enum oci_kind kind, json_t **doc, const char **digest,
         struct bx_err *e)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	const char *staged, *dg;
	uint64_t size;
	size_t len;

	if (src_get (s, path, &staged, &dg, &size, e) < 0)
		return -1;
	if (size > MAX_DOC)
		return err_set (e, BX_USAGE, 0, "%s: too large for a %s", path, oci_kind_name (kind));
	if ((fd = openat (s->stage, staged, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", path);
	if (afile_slurp_fd (fd, &buf, &len, e) < 0 || oci_validate_bytes (kind, buf, len, doc, e) < 0)
		return err_wrap (e, "%s", path);
	if (digest)
		*digest = dg;
	return 0;
}

/* --- OCI layouts and archives ------------------------------------------- */

/* A blob named by DESC: staged, and its digest and size checked. */
static int
oci_blob (struct loadplan_src *s, struct loadplan *p, json_t *desc, const char **staged, struct bx_err *e)
{
	const char *want = json_string_value (json_object_get (desc, "digest")), *got;
	json_int_t size = json_integer_value (json_object_get (desc, "size"));
	char path[128];
	uint64_t n;

	if (!digest_is_valid (want))
		return err_set (e, BX_USAGE, 0, "blob %s: unsupported digest algorithm", want);
	snprintf (path, sizeof path, "blobs/sha256/%s", digest_hex (want));
	if (src_get (s, path, staged, &got, &n, e) < 0)
		return err_wrap (e, "blob %s", want);
	if (strcmp (got, want) != 0)
		return err_set (e, BX_FAIL, 0, "blob %s: digest mismatch: content has %s", want, got);
	if ((uint64_t)size != n)
		return err_set (e, BX_FAIL, 0, "blob %s: size mismatch: descriptor says %lld, content has %llu", want,
		                (long long)size, (unsigned long long)n);
	json_object_set_new (p->blobs, want, json_string (*staged));
	return 0;
}

static int
oci_blob_doc (struct loadplan_src *s, struct loadplan *p, json_t *desc, enum oci_kind kind, json_t **doc,
              struct bx_err *e)
{
	const char *staged;
	char path[128];

	if (oci_blob (s, p, desc, &staged, e) < 0)
		return -1;
	snprintf (path, sizeof path, "blobs/sha256/%s",
	          digest_hex (json_string_value (json_object_get (desc, "digest"))));
	return src_doc (s, path, kind, doc, NULL, e);
}

static int
plan_image (struct loadplan *p, json_t *desc, const char *config_digest, json_t *names, json_t *cfg)
{
	json_t *d = json_pack ("{s:O,s:O,s:O}", "mediaType", json_object_get (desc, "mediaType"), "digest",
	                       json_object_get (desc, "digest"), "size", json_object_get (desc, "size"));
	json_t *labels = json_object_get (json_object_get (cfg, "config"), "Labels");

	return json_array_append_new (p->images, json_pack ("{s:o,s:s,s:O,s:O}", "desc", d, "id", config_digest,
	                                                    "names", names, "labels", labels ? labels : json_null ()));
}

/* An image manifest and everything it names. */
static int
oci_image (struct loadplan_src *s, struct loadplan *p, json_t *desc, json_t *names, struct bx_err *e)
{
	json_t *m = NULL, *cfg = NULL, *layers, *l;
	int rc = -1;
	size_t i;

	if (oci_blob_doc (s, p, desc, OCI_MANIFEST, &m, e) < 0 || oci_manifest_is_image (m, e) < 0 ||
	    oci_blob_doc (s, p, json_object_get (m, "config"), OCI_CONFIG, &cfg, e) < 0)
		goto out;
	layers = json_object_get (m, "layers");
	if (json_array_size (layers) !=
	    json_array_size (json_object_get (json_object_get (cfg, "rootfs"), "diff_ids"))) {
		err_set (e, BX_USAGE, 0, "%zu layers but %zu diff_ids in the config", json_array_size (layers),
		         json_array_size (json_object_get (json_object_get (cfg, "rootfs"), "diff_ids")));
		goto out;
	}
	json_array_foreach (layers, i, l)
	{
		const char *staged;
		if (oci_blob (s, p, l, &staged, e) < 0)
			goto out;
	}
	rc = plan_image (p, desc, json_string_value (json_object_get (json_object_get (m, "config"), "digest")), names,
	                 cfg);
out:
	json_decref (m);
	json_decref (cfg);
	return rc < 0 ? err_wrap (e, "manifest %s", json_string_value (json_object_get (desc, "digest"))) : 0;
}

/* This machine's GOARCH ("amd64", "arm64"...). */
static const char *
host_arch (void)
{
	static struct platform here;

	if (!here.arch[0])
		platform_default (&here);
	return here.arch;
}

/* A nested index: the manifest for this machine (a child without a
 * platform is taken, as containerd does). */
static int
oci_pick (struct loadplan_src *s, struct loadplan *p, json_t *desc, json_t **child, struct bx_err *e)
{
	json_t *idx = NULL, *d;
	char seen[512] = "";
	size_t i;

	if (oci_blob_doc (s, p, desc, OCI_INDEX, &idx, e) < 0)
		return -1;
	json_array_foreach (json_object_get (idx, "manifests"), i, d)
	{
		json_t *pl = json_object_get (d, "platform");
		const char *os = json_string_value (json_object_get (pl, "os")),
		           *arch = json_string_value (json_object_get (pl, "architecture"));
		if (!oci_mt_is_manifest (json_string_value (json_object_get (d, "mediaType"))))
			continue;
		if (!pl || (strcmp (os, "linux") == 0 && strcmp (arch, host_arch ()) == 0)) {
			*child = json_incref (d);
			json_decref (idx);
			return 0;
		}
		snprintf (seen + strlen (seen), sizeof seen - strlen (seen), "%s%s/%s", seen[0] ? ", " : "", os, arch);
	}
	json_decref (idx);
	return err_set (e, BX_USAGE, 0, "index %s: no image for linux/%s (has: %s)",
	                json_string_value (json_object_get (desc, "digest")), host_arch (), seen[0] ? seen : "none");
}

/* The name an index.json entry gives its image: containerd's (and Docker's)
 * io.containerd.image.name, else the ref name when it is a whole reference
 * (a bare tag such as "latest" names no repository: the image is loaded
 * untagged, as docker load does). */
static json_t *
oci_names (struct loadplan *p, json_t *desc, const char *what)
{
	json_t *ann = json_object_get (desc, "annotations");
	const char *n = json_string_value (json_object_get (ann, ANN_CONTAINERD_NAME));
	struct ref r;
	struct bx_err e;
	char full[600];

	if (!n) {
		n = json_string_value (json_object_get (ann, ANN_REF_NAME));
		if (n && !strpbrk (n, ":/@"))
			n = NULL;
	}
	if (!n)
		return json_array ();
	if (ref_parse (n, &r, &e) < 0) {
		plan_warn (p, "%s: image name \"%s\" is not a reference: loaded untagged", what, n);
		return json_array ();
	}
	ref_full (&r, full, sizeof full);
	return json_pack ("[s]", full);
}

static int
load_oci (struct loadplan_src *s, struct loadplan *p, struct bx_err *e)
{
	json_t *layout = NULL, *index = NULL, *d;
	size_t i;
	int rc = -1;

	if (src_doc (s, L_OCI_LAYOUT, OCI_LAYOUT_HEADER, &layout, NULL, e) < 0 ||
	    src_doc (s, L_INDEX, OCI_INDEX, &index, NULL, e) < 0)
		goto out;
	json_array_foreach (json_object_get (index, "manifests"), i, d)
	{
		const char *mt = json_string_value (json_object_get (d, "mediaType"));
		json_t *child = NULL, *names;
		int r;
		if (!oci_mt_is_manifest (mt) && !oci_mt_is_index (mt)) {
			/* image-spec: an unknown media type MUST be ignored */
			plan_warn (p, "%s: index.json: manifests[%zu]: media type %s skipped", s->what, i, mt);
			continue;
		}
		names = oci_names (p, d, s->what);
		if (oci_mt_is_manifest (mt))
			r = oci_image (s, p, d, names, e);
		else if ((r = oci_pick (s, p, d, &child, e)) == 0)
			r = oci_image (s, p, child, names, e);
		json_decref (child);
		json_decref (names);
		if (r < 0) {
			err_wrap (e, "index.json: manifests[%zu]", i);
			goto out;
		}
	}
	rc = json_array_size (p->images) ? 0 : err_set (e, BX_USAGE, 0, "index.json: no image to load");
out:
	json_decref (layout);
	json_decref (index);
	return rc;
}

/* --- docker save archives ------------------------------------------------ */

/* "<hex>.json" (Docker before 25) or "blobs/sha256/<hex>" (25 and later):
 * the config's file name is its digest, which must then hold. */
static int
config_name_check (const char *path, const char *digest, struct bx_err *e)
{
	const char *base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
	size_t n = strlen (base);
	char want[DIGEST_STR_LEN + 1];

	if (n == DIGEST_HEX_LEN + 5 && strcmp (base + DIGEST_HEX_LEN, ".json") == 0)
		n = DIGEST_HEX_LEN;
	if (n != DIGEST_HEX_LEN)
		return 0;
	snprintf (want, sizeof want, "sha256:%.*s", DIGEST_HEX_LEN, base);
	if (!digest_is_valid (want))
		return 0;
	if (strcmp (want, digest) != 0)
		return err_set (e, BX_FAIL, 0, "config %s: digest mismatch: content has %s", path, digest);
	return 0;
}

/* One layer file: its blob (stored as is) must decompress to DIFF_ID. */
static int
docker_layer (struct loadplan_src *s, struct loadplan *p, const char *path, const char *diff_id, json_t *layers,
              struct bx_err *e)
{
	const char *staged, *dg, *mt = NULL;
	unsigned char magic[4] = {0};
	char did[DIGEST_STR_LEN + 1];
	_cleanup_close_ int fd = -1;
	uint64_t size;

	if (src_get (s, path, &staged, &dg, &size, e) < 0)
		return err_wrap (e, "layer");
	if ((fd = openat (s->stage, staged, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "layer %s", path);
	if (pread (fd, magic, sizeof magic, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "layer %s", path);
	snprintf (did, sizeof did, "%s", dg);
	if (magic[0] == 0x1f && magic[1] == 0x8b)
		mt = MT_OCI_LAYER_GZIP;
	else if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
		mt = MT_OCI_LAYER_ZSTD;
	if (mt && tarball_diff_id (fd, did, e) < 0)
		return err_wrap (e, "layer %s", path);
	if (strcmp (did, diff_id) != 0)
		return err_set (e, BX_FAIL, 0, "layer %s: digest mismatch: config has %s, content has %s", path,
		                diff_id, did);
	json_object_set_new (p->blobs, dg, json_string (staged));
	return json_array_append_new (layers, json_pack ("{s:s,s:s,s:I}", "mediaType", mt ? mt : MT_OCI_LAYER, "digest",
	                                                 dg, "size", (json_int_t)size));
}

/* Write the OCI manifest Docker's archive leaves implicit into the stage. */
static int
docker_manifest (struct loadplan_src *s, struct loadplan *p, json_t *manifest, char digest[DIGEST_STR_LEN + 1],
                 size_t *len, struct bx_err *e)
{
	_cleanup_free_ char *buf = json_dumps (manifest, JSON_COMPACT);
	char name[32];

	if (!buf || oci_validate (OCI_MANIFEST, manifest, e) < 0)
		return buf ? -1 : err_set (e, BX_SYSTEM, ENOMEM, "manifest");
	*len = strlen (buf);
	hash_buf (buf, *len, digest);
	snprintf (name, sizeof name, "m%u", ++p->nmade);
	if (afile_write_at (s->stage, name, buf, *len, 0644, e) < 0)
		return -1;
	json_object_set_new (p->blobs, digest, json_string (name));
	return 0;
}

static json_t *
docker_names (json_t *tags, struct bx_err *e)
{
	json_t *names = json_array (), *t;
	size_t i;

	json_array_foreach (tags, i, t)
	{
		struct ref r;
		char full[600];
		if (!json_is_string (t) || ref_parse (json_string_value (t), &r, e) < 0) {
			err_wrap (e, "RepoTags[%zu]", i);
			json_decref (names);
			return NULL;
		}
		ref_full (&r, full, sizeof full);
		json_array_append_new (names, json_string (full));
	}
	return names;
}

static int
docker_image (struct loadplan_src *s, struct loadplan *p, json_t *ent, struct bx_err *e)
{
	const char *cpath = json_string_value (json_object_get (ent, "Config")), *cdg, *staged;
	json_t *paths = json_object_get (ent, "Layers"), *tags = json_object_get (ent, "RepoTags");
	json_t *cfg = NULL, *layers = json_array (), *ids, *l, *m = NULL, *names = NULL;
	char mdg[DIGEST_STR_LEN + 1];
	uint64_t csize;
	size_t i, mlen = 0;
	int rc = -1;

	if (!cpath || !json_is_array (paths) || !(json_is_null (tags) || !tags || json_is_array (tags))) {
		err_set (e, BX_USAGE, 0, "want Config, Layers and RepoTags");
		goto out;
	}
	if (src_doc (s, cpath, OCI_CONFIG, &cfg, &cdg, e) < 0 || config_name_check (cpath, cdg, e) < 0)
		goto out;
	ids = json_object_get (json_object_get (cfg, "rootfs"), "diff_ids");
	if (json_array_size (ids) != json_array_size (paths)) {
		err_set (e, BX_USAGE, 0, "%zu layers but %zu diff_ids in %s", json_array_size (paths),
		         json_array_size (ids), cpath);
		goto out;
	}
	json_array_foreach (paths, i, l)
	{
		if (!json_is_string (l)) {
			err_set (e, BX_USAGE, 0, "Layers[%zu]: not a path", i);
			goto out;
		}
		if (docker_layer (s, p, json_string_value (l), json_string_value (json_array_get (ids, i)), layers, e) <
		    0)
			goto out;
	}
	if (src_get (s, cpath, &staged, &cdg, &csize, e) < 0 || !(names = docker_names (tags, e)))
		goto out;
	json_object_set_new (p->blobs, cdg, json_string (staged));
	m = json_pack ("{s:i,s:s,s:{s:s,s:s,s:I},s:O}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST, "config",
	               "mediaType", MT_OCI_CONFIG, "digest", cdg, "size", (json_int_t)csize, "layers", layers);
	if (docker_manifest (s, p, m, mdg, &mlen, e) < 0)
		goto out;
	{
		json_t *desc =
		    json_pack ("{s:s,s:s,s:I}", "mediaType", MT_OCI_MANIFEST, "digest", mdg, "size", (json_int_t)mlen);
		rc = plan_image (p, desc, cdg, names, cfg);
		json_decref (desc);
	}
out:
	json_decref (cfg);
	json_decref (layers);
	json_decref (m);
	json_decref (names);
	return rc;
}

static int
load_docker (struct loadplan_src *s, struct loadplan *p, struct bx_err *e)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	const char *staged, *dg;
	json_t *list, *ent;
	json_error_t je;
	uint64_t size;
	size_t i, len;
	int rc = 0;

	if (src_get (s, "manifest.json", &staged, &dg, &size, e) < 0)
		return -1;
	if (size > MAX_DOC || (fd = openat (s->stage, staged, O_RDONLY | O_CLOEXEC)) < 0 ||
	    afile_slurp_fd (fd, &buf, &len, e) < 0)
		return size > MAX_DOC ? err_set (e, BX_USAGE, 0, "manifest.json: too large")
		                      : err_wrap (e, "manifest.json");
	if (!(list = json_loadb (buf, len, JSON_DECODE_ANY, &je)))
		return err_set (e, BX_USAGE, 0, "manifest.json: not JSON: line %d: %s", je.line, je.text);
	if (!json_is_array (list) || !json_array_size (list))
		rc = err_set (e, BX_USAGE, 0, "manifest.json: %s",
		              json_is_array (list) ? "no images" : "not a list of images");
	json_array_foreach (list, i, ent)
	{
		if (rc == 0 && docker_image (s, p, ent, e) < 0)
			rc = err_wrap (e, "manifest.json: [%zu]", i);
	}
	json_decref (list);
	return rc;
}

int
loadplan_src_open (struct loadplan_src *s, const char *input, int stage, struct bx_err *e)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	memset (s, 0, sizeof *s);
	s->dir = -1;
	s->stage = stage;
	s->what = input ? input : "stdin";
	if (!input) {
		if (isatty (0))
			return err_set (e, BX_USAGE, 0, "requested load from stdin, but stdin is empty");
		return tarball_read (&s->tar, 0, s->stage, e);
	}
	fd = open (input, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat (fd, &st) < 0) {
		s->unopened = 1;
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "open");
	}
	if (S_ISDIR (st.st_mode)) {
		s->dir = steal_fd (&fd);
		s->copied = json_object ();
		return 0;
	}
	return tarball_read (&s->tar, fd, s->stage, e);
}

int
loadplan_read (struct loadplan_src *s, struct loadplan *p, struct bx_err *e)
{
	memset (p, 0, sizeof *p);
	p->blobs = json_object ();
	p->images = json_array ();
	p->warnings = json_array ();
	if (!p->blobs || !p->images || !p->warnings)
		return err_set (e, BX_SYSTEM, ENOMEM, "plan");
	if (src_has (s, "manifest.json"))
		return load_docker (s, p, e);
	if (src_has (s, L_OCI_LAYOUT) || src_has (s, L_INDEX))
		return load_oci (s, p, e);
	return err_set (e, BX_USAGE, 0, "not an image archive: no manifest.json, no oci-layout");
}

void
loadplan_free (struct loadplan *p)
{
	json_decref (p->blobs);
	json_decref (p->images);
	json_decref (p->warnings);
	memset (p, 0, sizeof *p);
}
