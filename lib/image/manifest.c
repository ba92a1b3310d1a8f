#include "image/manifest.h"

#include <stdio.h>
#include <string.h>

#include "image/oci.h"

static const char *
strip_params (const char *ct, char *buf, size_t len)
{
	size_t n = strcspn (ct, "; \t");

	snprintf (buf, len, "%.*s", (int)n, ct);
	return buf;
}

static const char *
known_type (const char *mt)
{
	static const char *types[] = {MT_OCI_MANIFEST, MT_OCI_INDEX, MT_DOCKER_MANIFEST, MT_DOCKER_LIST};

	for (size_t i = 0; mt && i < sizeof types / sizeof *types; i++)
		if (strcmp (mt, types[i]) == 0)
			return types[i];
	return NULL;
}

int
manifest_parse (const char *buf, size_t len, const char *content_type, struct manifest *m, struct bx_err *e)
{
	json_error_t je;
	const char *mt;
	char ct[256] = "";

	memset (m, 0, sizeof *m);
	m->doc = json_loadb (buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!m->doc || !json_is_object (m->doc)) {
		manifest_free (m);
		return err_set (e, BX_USAGE, 0, "manifest is not JSON: line %d: %s", je.line,
		                len ? je.text : "empty document");
	}
	if (content_type)
		strip_params (content_type, ct, sizeof ct);
	mt = json_string_value (json_object_get (m->doc, "mediaType"));
	if (!mt && known_type (ct))
		mt = ct;
	if (!(m->media_type = known_type (mt))) {
		err_set (e, BX_USAGE, 0, "unsupported manifest media type %s", mt ? mt : ct[0] ? ct : "(none)");
		manifest_free (m);
		return -1;
	}
	m->is_index = oci_mt_is_index (m->media_type);
	if (oci_validate (m->is_index ? OCI_INDEX : OCI_MANIFEST, m->doc, e) < 0) {
		manifest_free (m);
		return -1;
	}
	return 0;
}

void
manifest_free (struct manifest *m)
{
	json_decref (m->doc);
	m->doc = NULL;
	m->media_type = NULL;
}

int
manifest_select (json_t *index, const struct platform *want, json_t **desc, struct bx_err *e)
{
	json_t *ms = json_object_get (index, "manifests"), *d;
	char avail[512] = "", wanted[100];
	size_t i, n = 0;

	json_array_foreach (ms, i, d)
	{
		struct platform p;
		char one[100];
		platform_of_desc (d, &p);
		if (platform_matches (&p, want) &&
		    oci_mt_is_manifest (json_string_value (json_object_get (d, "mediaType")))) {
			*desc = d;
			return 0;
		}
		if (!p.os[0] || strcmp (p.os, "unknown") == 0)
			continue; /* attestations and the like: not an image */
		platform_format (&p, one, sizeof one);
		n += snprintf (avail + n, n < sizeof avail ? sizeof avail - n : 0, "%s%s", n ? ", " : "", one);
	}
	platform_format (want, wanted, sizeof wanted);
	return err_set (e, BX_NOTFOUND, 0, "no matching manifest for %s in the manifest list entries (available: %s)",
	                wanted, n ? avail : "none");
}
