/*
 * oci-validate - run lib/oci validators on documents (a test driver)
 *
 * usage:  oci-validate KIND FILE      validate one file, print "valid" or the error
 *         oci-validate --cases DIR    TAP: every entry of DIR/cases/INDEX.json and
 *                                     DIR/md-examples/INDEX.json must get its expect
 * KIND:   Descriptor, Manifest, ImageIndex, ImageConfig, LayoutHeader
 * exit:   0 valid / all agree, 1 invalid / a case disagrees, 2 usage
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "afile.h"
#include "cleanup.h"
#include "digest.h"
#include "oci.h"

static int
validate_file (int dirfd, const char *file, int kind, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (slurp_at (dirfd, file, &buf, &len, e) < 0)
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
	if (digest_file_at (dirfd, file, got, e) < 0)
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
	int kind = vname ? oci_kind_parse (vname) : kind_of_mediatype (json_string_value (json_object_get (c, "mediatype")));
	struct bx_err e = { 0 }, de = { 0 };
	int valid, ok;

	if (!file || !expect || kind < 0) {
		printf ("not ok %d - malformed INDEX entry %d\n", n, n);
		return 0;
	}
	valid = validate_file (dirfd, file, kind, &e) == 0;
	ok = valid == (strcmp (expect, "valid") == 0) && check_raw_digest (dirfd, file, raw, &de) == 0;
	printf ("%s %d - %s %s: %s%s%s\n", ok ? "ok" : "not ok", n, oci_kind_name (kind), file,
		valid ? "valid" : e.msg, de.msg[0] ? "; " : "", de.msg);
	return ok;
}

static int
run_index (int dirfd, const char *index, int *n, int *failed)
{
	json_error_t je;
	_cleanup_free_ char *buf = NULL;
	struct bx_err e = { 0 };
	json_t *cases, *c;
	size_t i;

	if (slurp_at (dirfd, index, &buf, NULL, &e) < 0 || !(cases = json_loads (buf, 0, &je))) {
		printf ("Bail out! %s: %s\n", index, e.msg[0] ? e.msg : je.text);
		return -1;
	}
	json_array_foreach (cases, i, c) {
		if (!run_case (dirfd, c, ++*n))
			++*failed;
	}
	json_decref (cases);
	return 0;
}

static int
run_all (const char *dir)
{
	_cleanup_close_ int dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int n = 0, failed = 0;

	if (dirfd < 0) {
		printf ("Bail out! %s: cannot open\n", dir);
		return 2;
	}
	if (run_index (dirfd, "cases/INDEX.json", &n, &failed) < 0
	    || run_index (dirfd, "md-examples/INDEX.json", &n, &failed) < 0)
		return 1;
	printf ("1..%d\n", n);
	return failed ? 1 : 0;
}

int
main (int argc, char **argv)
{
	struct bx_err e = { 0 };
	int kind;

	prog_init (argv[0]);
	if (argc == 3 && strcmp (argv[1], "--cases") == 0)
		return run_all (argv[2]);
	if (argc != 3 || (kind = oci_kind_parse (argv[1])) < 0) {
		fprintf (stderr, "usage: %s KIND FILE | --cases DIR\n", bx_prog);
		return 2;
	}
	if (validate_file (AT_FDCWD, argv[2], kind, &e) < 0)
		return err_report (&e) == BX_USAGE ? 1 : 2;
	puts ("valid");
	return 0;
}
