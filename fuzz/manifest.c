/* fuzz/manifest - libFuzzer target for what a registry or an archive
 * sends as documents: lib/image/manifest (the media type, the choice of a
 * platform in an index), lib/image/oci (every kind of document, the image
 * check) and lib/image/platform. Any input is refused or accepted, never a
 * crash; what manifest_parse accepts has a known media type and is of the
 * kind it says; a descriptor chosen is one of the index's. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "image/oci.h"
#include "image/platform.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* what the registry's Content-Type may say, the first byte picks one */
static const char *const ctypes[] = {
    NULL, MT_OCI_MANIFEST, MT_OCI_INDEX, MT_DOCKER_MANIFEST, MT_DOCKER_LIST, MT_OCI_INDEX "; charset=utf-8", "",
};

static void
choose (json_t *index)
{
	static const char *const wants[] = {"linux/amd64", "linux/arm64/v8", "linux/arm/v7", "windows/amd64"};
	struct platform want, p;
	struct bx_err e;
	json_t *d, *ms = json_object_get (index, "manifests");
	char buf[128];
	size_t i, k;

	for (i = 0; i < sizeof wants / sizeof *wants; i++) {
		if (platform_parse (wants[i], &want, &e) < 0)
			abort ();
		if (manifest_select (index, &want, &d, &e) < 0)
			continue;
		for (k = 0; k < json_array_size (ms) && json_array_get (ms, k) != d; k++)
			;
		if (k == json_array_size (ms))
			abort (); /* not one of the index's descriptors */
	}
	json_array_foreach (ms, i, d)
	{
		platform_of_desc (d, &p);
		platform_format (&p, buf, sizeof buf);
	}
}

static void
documents (const char *buf, size_t len)
{
	static const enum oci_kind kinds[] = {OCI_DESCRIPTOR, OCI_CONFIG, OCI_LAYOUT_HEADER};
	struct bx_err e;
	json_t *doc;

	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (oci_validate_bytes (kinds[i], buf, len, &doc, &e) == 0)
			json_decref (doc);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	struct manifest m;
	struct platform p;
	struct bx_err e;
	const char *buf;
	char *s;

	if (size < 1 || size > 65536)
		return 0;
	buf = (const char *)data + 1;
	if (manifest_parse (buf, size - 1, ctypes[data[0] % (sizeof ctypes / sizeof *ctypes)], &m, &e) == 0) {
		if (!m.media_type || !json_is_object (m.doc) || m.is_index != oci_mt_is_index (m.media_type))
			abort ();
		if (m.is_index)
			choose (m.doc);
		else
			oci_manifest_is_image (m.doc, &e);
		manifest_free (&m);
	}
	documents (buf, size - 1);
	/* the same bytes as a --platform value */
	if ((s = strndup (buf, size - 1))) {
		platform_parse (s, &p, &e);
		free (s);
	}
	return 0;
}
