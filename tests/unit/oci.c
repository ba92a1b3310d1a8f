/*
 * oci - TAP unit tests of lib/image/oci.h, and a driver that runs its
 * validators on documents (tests/system/oci-conformance.bats)
 *
 * usage:  oci                 TAP: the built-in cases below, then the
 *                             conformance cases when $CONFORMANCE is set
 *         oci KIND FILE       validate one file, print "valid" or the error
 *         oci --cases DIR     TAP: every entry of DIR/cases/INDEX.json and
 *                             DIR/md-examples/INDEX.json must get its expect
 * KIND:   Descriptor, Manifest, ImageIndex, ImageConfig, LayoutHeader
 * exit:   0 valid / all agree, 1 invalid / a case disagrees, 2 usage
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/hash.h"
#include "image/oci.h"

static int
validate_file (int dirfd, const char *file, int kind, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (afile_slurp_at (dirfd, file, &buf, &len, e) < 0)
		return -1;
	return oci_validate_bytes (kind, buf, len, NULL, e);
}

/* md-examples name a media type, not a validator */
static int
kind_of_mediatype (const char *mt)
{
	if (!mt)
		return -1;
	if (strcmp (mt, "application/vnd.oci.descriptor.v1+json") == 0)
		return OCI_DESCRIPTOR;
	if (strcmp (mt, MT_OCI_MANIFEST) == 0)
		return OCI_MANIFEST;
	if (strcmp (mt, MT_OCI_INDEX) == 0)
		return OCI_INDEX;
	if (strcmp (mt, MT_OCI_CONFIG) == 0)
		return OCI_CONFIG;
	if (strcmp (mt, "application/vnd.oci.layout.header.v1+json") == 0)
		return OCI_LAYOUT_HEADER;
	return -1;
}

/* docker-v2-compat cases carry the sha256 of their raw bytes */
static int
check_raw_digest (int dirfd, const char *file, const char *want, struct bx_err *e)
{
	char got[DIGEST_STR_LEN + 1];

	if (!want)
		return 0;
	if (hash_file_at (dirfd, file, got, e) < 0)
		return -1;
	if (strcmp (got, want) != 0)
		return err_set (e, BX_FAIL, 0, "raw digest %s, want %s", got, want);
	return 0;
}

static int
run_case (int dirfd, json_t *c, int n)
{
	const char *file = json_string_value (json_object_get (c, "file"));
	const char *expect = json_string_value (json_object_get (c, "expect"));
	const char *vname = json_string_value (json_object_get (c, "validator"));
	const char *raw = json_string_value (json_object_get (c, "digest_of_raw_bytes"));
	int kind =
	    vname ? oci_kind_parse (vname) : kind_of_mediatype (json_string_value (json_object_get (c, "mediatype")));
	struct bx_err e = {0}, de = {0};
	int valid, ok;

	if (!file || !expect || kind < 0) {
		printf ("not ok %d - malformed INDEX entry %d\n", n, n);
		return 0;
	}
	valid = validate_file (dirfd, file, kind, &e) == 0;
	ok = valid == (strcmp (expect, "valid") == 0) && check_raw_digest (dirfd, file, raw, &de) == 0;
	printf ("%s %d - %s %s: %s%s%s\n", ok ? "ok" : "not ok", n, oci_kind_name (kind), file, valid ? "valid" : e.msg,
	        de.msg[0] ? "; " : "", de.msg);
	return ok;
}

static int
run_index (int dirfd, const char *index, int *n, int *failed)
{
	json_error_t je;
	_cleanup_free_ char *buf = NULL;
	struct bx_err e = {0};
	json_t *cases, *c;
	size_t i;

	if (afile_slurp_at (dirfd, index, &buf, NULL, &e) < 0 || !(cases = json_loads (buf, 0, &je))) {
		printf ("Bail out! %s: %s\n", index, e.msg[0] ? e.msg : je.text);
		return -1;
	}
	json_array_foreach (cases, i, c)
	{
		if (!run_case (dirfd, c, ++*n))
			++*failed;
	}
	json_decref (cases);
	return 0;
}

/* Rules the conformance cases leave unexercised (their documents break
 * an earlier rule first), and the leniencies oci.h promises. */
static const struct {
	int kind;
	int valid;
	const char *doc;
} builtin[] = {
#define RF "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}"
#define DG "\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
    {OCI_CONFIG, 1, "{\"architecture\":\"amd64\",\"os\":\"linux\"," RF "}"},
    {OCI_CONFIG, 0, "{\"architecture\":\"amd64\",\"os\":\"linux\"}"},
    {OCI_CONFIG, 0, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"history\":\"x\"," RF "}"},
    {OCI_CONFIG, 0, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[7]}," RF "}"},
    {OCI_CONFIG, 0, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Volumes\":[\"/a\"]}," RF "}"},
    {OCI_CONFIG, 0, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"yesterday\"," RF "}"},
    {OCI_CONFIG, 0, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"x\",\"diff_ids\":[]}}"},
    {OCI_CONFIG, 0,
     "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"x\"]}}"},
    /* Docker writes null for empty fields */
    {OCI_CONFIG, 1,
     "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2021-04-21T02:24:18+02:00\","
     "\"config\":{\"Env\":null,\"Cmd\":null,\"Volumes\":null,\"Labels\":null}," RF "}"},
    {OCI_DESCRIPTOR, 0, "{\"mediaType\":\"a/b\",\"size\":1,\"digest\":" DG ",\"annotations\":{\"k\":1}}"},
    {OCI_DESCRIPTOR, 0, "{\"mediaType\":\"a/b\",\"size\":1.5,\"digest\":" DG "}"},
    {OCI_DESCRIPTOR, 0, "{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"sha256:abc\"}"},
    {OCI_DESCRIPTOR, 0, "[]"},
    {OCI_MANIFEST, 0,
     "{\"schemaVersion\":1,\"config\":{\"mediaType\":\"a/b\",\"size\":1,\"digest\":" DG "},"
     "\"layers\":[{\"mediaType\":\"a/b\",\"size\":1,\"digest\":" DG "}]}"},
    {OCI_MANIFEST, 0,
     "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"config\":{\"mediaType\":\"a/b\","
     "\"size\":1,\"digest\":" DG "},\"layers\":[{\"mediaType\":\"a/b\",\"size\":1,\"digest\":" DG "}]}"},
    {OCI_MANIFEST, 0, "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"a/b\",\"size\":1,\"digest\":" DG "}]}"},
    {OCI_INDEX, 1, "{\"schemaVersion\":2,\"manifests\":[]}"},
    {OCI_INDEX, 0, "{\"schemaVersion\":2,\"manifests\":null}"},
    {OCI_INDEX, 0, "{\"schemaVersion\":2}"},
    {OCI_LAYOUT_HEADER, 0, "{\"imageLayoutVersion\":\"2.0.0\"}"},
    {OCI_LAYOUT_HEADER, 0, "{\"imageLayoutVersion\":\"1.0.0\"} trailing"},
#undef RF
#undef DG
};

static int
run_builtin (int *n, int *failed)
{
	for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++) {
		struct bx_err e = {0};
		int valid =
		    oci_validate_bytes (builtin[i].kind, builtin[i].doc, strlen (builtin[i].doc), NULL, &e) == 0;
		int ok = valid == builtin[i].valid;
		printf ("%s %d - builtin %zu %s: %s\n", ok ? "ok" : "not ok", ++*n, i, oci_kind_name (builtin[i].kind),
		        valid ? "valid" : e.msg);
		*failed += !ok;
	}
	return 0;
}

static int
run_all (const char *dir, int with_builtin)
{
	_cleanup_close_ int dirfd = dir ? open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int n = 0, failed = 0;

	if (with_builtin)
		run_builtin (&n, &failed);
	if (dir && dirfd < 0)
		printf ("# %s absent: conformance cases skipped\n", dir);
	if (dirfd >= 0 && (run_index (dirfd, "cases/INDEX.json", &n, &failed) < 0 ||
	                   run_index (dirfd, "md-examples/INDEX.json", &n, &failed) < 0))
		return 1;
	printf ("1..%d\n", n);
	return failed ? 1 : 0;
}

int
main (int argc, char **argv)
{
	struct bx_err e = {0};
	int kind;

	err_prog_init (argv[0]);
	if (argc == 1) {
		const char *c = getenv ("CONFORMANCE");
		char dir[4096];
		snprintf (dir, sizeof dir, "%s/oci-image-spec", c ? c : "");
		return run_all (c ? dir : NULL, 1);
	}
	if (argc == 3 && strcmp (argv[1], "--cases") == 0)
		return run_all (argv[2], 0);
	if (argc != 3 || (kind = oci_kind_parse (argv[1])) < 0) {
		fprintf (stderr, "usage: %s KIND FILE | --cases DIR\n", bx_prog);
		return 2;
	}
	if (validate_file (AT_FDCWD, argv[2], kind, &e) < 0)
		return err_report (&e) == BX_USAGE ? 1 : 2;
	puts ("valid");
	return 0;
}
