#include "image/manifest.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

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

/* Go's GOARCH names for what uname says, as Docker normalises them. */
static void
arch_normalise (struct platform *p)
{
	static const struct {
		const char *from, *to, *variant;
	} alias[] = {
	    {"x86_64", "amd64", ""}, {"x86-64", "amd64", ""}, {"aarch64", "arm64", ""},
	    {"armhf", "arm", "v7"},  {"armel", "arm", "v6"},  {"i386", "386", ""},
	    {"i686", "386", ""},     {"armv7l", "arm", "v7"}, {"armv6l", "arm", "v6"},
	};

	for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
		if (strcmp (p->arch, alias[i].from) == 0) {
			snprintf (p->arch, sizeof p->arch, "%s", alias[i].to);
			if (!p->variant[0])
				snprintf (p->variant, sizeof p->variant, "%s", alias[i].variant);
		}
	/* arm64's only variant: "linux/arm64" and "linux/arm64/v8" are one */
	if (strcmp (p->arch, "arm64") == 0 && strcmp (p->variant, "v8") == 0)
		p->variant[0] = '\0';
}

void
platform_default (struct platform *p)
{
	struct utsname u;

	memset (p, 0, sizeof *p);
	snprintf (p->os, sizeof p->os, "linux");
	snprintf (p->arch, sizeof p->arch, "%s", uname (&u) == 0 ? u.machine : "amd64");
	arch_normalise (p);
}

int
platform_parse (const char *s, struct platform *p, struct bx_err *e)
{
	char buf[128];
	char *arch, *variant;

	memset (p, 0, sizeof *p);
	if (strlen (s) >= sizeof buf)
		return err_set (e, BX_USAGE, 0, "invalid platform %s", s);
	strcpy (buf, s);
	for (char *c = buf; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c += 'a' - 'A';
	arch = strchr (buf, '/');
	if (!arch || arch == buf || !arch[1])
		return err_set (e, BX_USAGE, 0, "invalid platform %s: want os/arch[/variant]", s);
	*arch++ = '\0';
	variant = strchr (arch, '/');
	if (variant) {
		*variant++ = '\0';
		if (!*variant || strchr (variant, '/'))
			return err_set (e, BX_USAGE, 0, "invalid platform %s: want os/arch[/variant]", s);
	}
	if (strlen (buf) >= sizeof p->os || strlen (arch) >= sizeof p->arch ||
	    (variant && strlen (variant) >= sizeof p->variant))
		return err_set (e, BX_USAGE, 0, "invalid platform %s", s);
	strcpy (p->os, buf);
	strcpy (p->arch, arch);
	if (variant)
		strcpy (p->variant, variant);
	arch_normalise (p);
	return 0;
}

void
platform_format (const struct platform *p, char *buf, size_t len)
{
	snprintf (buf, len, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
}

static void
platform_of (json_t *desc, struct platform *p)
{
	json_t *pl = json_object_get (desc, "platform");

	memset (p, 0, sizeof *p);
	snprintf (p->os, sizeof p->os, "%s", json_string_value (json_object_get (pl, "os")) ?: "");
	snprintf (p->arch, sizeof p->arch, "%s", json_string_value (json_object_get (pl, "architecture")) ?: "");
	snprintf (p->variant, sizeof p->variant, "%s", json_string_value (json_object_get (pl, "variant")) ?: "");
	arch_normalise (p);
}

/* A variant asked for must match; none asked for takes the first. */
static int
platform_matches (const struct platform *have, const struct platform *want)
{
	return strcmp (have->os, want->os) == 0 && strcmp (have->arch, want->arch) == 0 &&
	       (!want->variant[0] || strcmp (have->variant, want->variant) == 0);
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
		platform_of (d, &p);
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
