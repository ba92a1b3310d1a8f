#include "image/oci.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/digest.h"

/* The path of the field being checked, built up on the way down
 * ("manifest: layers[1].digest"), so each message names its field. */
struct vctx {
	struct bx_err *e;
	const char *doc;
	char path[256];
};

static int
fail (struct vctx *v, const char *field, const char *fmt, const char *arg)
{
	char what[600], where[600];

	snprintf (what, sizeof what, fmt, arg ? arg : "");
	snprintf (where, sizeof where, "%s%s%s", v->path, v->path[0] && field[0] ? "." : "", field);
	/* the path is built with a leading '.', the message has none */
	return err_set (v->e, BX_USAGE, 0, "%s: %s%s%s", v->doc, where[0] == '.' ? where + 1 : where,
	                where[0] ? ": " : "", what);
}

/* Descend into FIELD (".name" or "[i]"); restore the old length after. */
static size_t
push (struct vctx *v, const char *fmt, const char *s, size_t i)
{
	size_t old = strlen (v->path);
	if (s)
		snprintf (v->path + old, sizeof v->path - old, fmt, s);
	else
		snprintf (v->path + old, sizeof v->path - old, fmt, i);
	return old;
}

static void
pop (struct vctx *v, size_t old)
{
	v->path[old] = '\0';
}

/* Optional fields: absent or null both mean "not set" (see oci.h). */
static json_t *
opt (json_t *obj, const char *key)
{
	json_t *x = json_object_get (obj, key);
	return json_is_null (x) ? NULL : x;
}

static int
need_string (struct vctx *v, json_t *obj, const char *key, int required)
{
	json_t *x = required ? json_object_get (obj, key) : opt (obj, key);

	if (!x)
		return required ? fail (v, key, "missing%s", NULL) : 0;
	if (!json_is_string (x))
		return fail (v, key, "must be a string%s", NULL);
	return 0;
}

static int
need_bool (struct vctx *v, json_t *obj, const char *key)
{
	json_t *x = opt (obj, key);
	return x && !json_is_boolean (x) ? fail (v, key, "must be a boolean%s", NULL) : 0;
}

static int
need_string_array (struct vctx *v, json_t *obj, const char *key)
{
	json_t *x = opt (obj, key), *it;
	size_t i;

	if (!x)
		return 0;
	if (!json_is_array (x))
		return fail (v, key, "must be an array of strings%s", NULL);
	json_array_foreach (x, i, it)
	{
		if (!json_is_string (it)) {
			char f[80];
			snprintf (f, sizeof f, "%s[%zu]", key, i);
			return fail (v, f, "must be a string%s", NULL);
		}
	}
	return 0;
}

/* mapStringString / mapStringObject of defs.json: keys non-empty. */
static int
need_map (struct vctx *v, json_t *obj, const char *key, int of_objects)
{
	json_t *x = opt (obj, key), *val;
	const char *k;

	if (!x)
		return 0;
	if (!json_is_object (x))
		return fail (v, key, "must be an object%s", NULL);
	json_object_foreach (x, k, val)
	{
		if (!k[0])
			return fail (v, key, "empty key%s", NULL);
		if (of_objects ? !json_is_object (val) : !json_is_string (val)) {
			char f[300];
			snprintf (f, sizeof f, "%s[\"%.200s\"]", key, k);
			return fail (v, f, of_objects ? "must be an object%s" : "must be a string%s", NULL);
		}
	}
	return 0;
}

/* type "/" subtype, each [A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126} (RFC 6838) */
static int
mt_part (const char *s, size_t n)
{
	if (n < 1 || n > 127 || !isalnum ((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum ((unsigned char)s[i]) && !strchr ("!#$&^_.+-", s[i]))
			return 0;
	return 1;
}

int
oci_mediatype_is_wellformed (const char *s)
{
	const char *slash = s ? strchr (s, '/') : NULL;

	if (!slash || !s[0])
		return 0;
	return mt_part (s, slash - s) && mt_part (slash + 1, strlen (slash + 1)) && !strchr (slash + 1, '/');
}

static int
need_mediatype (struct vctx *v, json_t *obj, const char *key, int required)
{
	json_t *x = json_object_get (obj, key);

	if (need_string (v, obj, key, required) < 0)
		return -1;
	if (x && !json_is_null (x) && !oci_mediatype_is_wellformed (json_string_value (x)))
		return fail (v, key, "invalid media type \"%.200s\"", json_string_value (x));
	return 0;
}

static int
need_digest (struct vctx *v, json_t *obj, const char *key)
{
	json_t *x = json_object_get (obj, key);

	if (need_string (v, obj, key, 1) < 0)
		return -1;
	if (!digest_is_wellformed (json_string_value (x)))
		return fail (v, key, "invalid digest \"%.200s\"", json_string_value (x));
	return 0;
}

/* json-schema "uri": an absolute URI, RFC 3986 scheme ":" then no spaces
 * or characters a URI never holds. */
static int
uri_is_wellformed (const char *s)
{
	const char *p = s;

	if (!isalpha ((unsigned char)*p))
		return 0;
	while (isalnum ((unsigned char)*p) || strchr ("+.-", *p))
		p++;
	if (*p != ':')
		return 0;
	for (p++; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr ("\"<>\\^`{|}", *p))
			return 0;
	return 1;
}

/* Standard base64 with padding, the encoding Go's json uses for []byte. */
static int
base64_decoded_len (const char *s, size_t *out)
{
	size_t n = strlen (s), pad = 0;

	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=') {
			if (i < n - 2)
				return -1;
			pad++;
		} else if (pad || !(isalnum ((unsigned char)s[i]) || s[i] == '+' || s[i] == '/'))
			return -1;
	}
	*out = n / 4 * 3 - pad;
	return 0;
}

static int
need_size (struct vctx *v, json_t *obj, const char *key)
{
	json_t *x = json_object_get (obj, key);

	if (!x)
		return fail (v, key, "missing%s", NULL);
	if (!json_is_integer (x))
		return fail (v, key, "must be an integer%s", NULL);
	if (json_integer_value (x) < 0)
		return fail (v, key, "must not be negative%s", NULL);
	return 0;
}

static int
check_urls (struct vctx *v, json_t *d)
{
	json_t *u = opt (d, "urls"), *it;
	size_t i;

	if (!u)
		return 0;
	if (need_string_array (v, d, "urls") < 0)
		return -1;
	json_array_foreach (u, i, it)
	{
		if (!uri_is_wellformed (json_string_value (it))) {
			char f[40];
			snprintf (f, sizeof f, "urls[%zu]", i);
			return fail (v, f, "invalid URL \"%.200s\"", json_string_value (it));
		}
	}
	return 0;
}

static int
check_data (struct vctx *v, json_t *d)
{
	json_t *x = opt (d, "data");
	size_t n;

	if (!x)
		return 0;
	if (!json_is_string (x) || base64_decoded_len (json_string_value (x), &n) < 0)
		return fail (v, "data", "must be base64 (padded)%s", NULL);
	if ((json_int_t)n != json_integer_value (json_object_get (d, "size")))
		return fail (v, "data", "length does not match size%s", NULL);
	return 0;
}

static int
check_platform (struct vctx *v, json_t *p)
{
	if (!json_is_object (p))
		return fail (v, "", "must be an object%s", NULL);
	if (need_string (v, p, "architecture", 1) < 0 || need_string (v, p, "os", 1) < 0 ||
	    need_string (v, p, "os.version", 0) < 0 || need_string_array (v, p, "os.features") < 0 ||
	    need_string (v, p, "variant", 0) < 0 || need_string_array (v, p, "features") < 0)
		return -1;
	return 0;
}

static int
check_descriptor (struct vctx *v, json_t *d)
{
	json_t *p;

	if (!json_is_object (d))
		return fail (v, "", "must be a descriptor object%s", NULL);
	if (need_mediatype (v, d, "mediaType", 1) < 0 || need_mediatype (v, d, "artifactType", 0) < 0 ||
	    need_digest (v, d, "digest") < 0 || need_size (v, d, "size") < 0 || check_urls (v, d) < 0 ||
	    check_data (v, d) < 0 || need_map (v, d, "annotations", 0) < 0)
		return -1;
	if ((p = opt (d, "platform"))) {
		size_t old = push (v, "%s", ".platform", 0);
		int rc = check_platform (v, p);
		pop (v, old);
		return rc;
	}
	return 0;
}

/* A descriptor held in FIELD of OBJ (FIELD may be "" for OBJ itself). */
static int
check_desc_field (struct vctx *v, json_t *obj, const char *field, int required)
{
	json_t *d = field[0] ? opt (obj, field) : obj;
	size_t old;
	int rc;

	if (!d)
		return required ? fail (v, field, "missing%s", NULL) : 0;
	old = push (v, field[0] ? ".%s" : "%s", field, 0);
	rc = check_descriptor (v, d);
	pop (v, old);
	return rc;
}

static int
check_desc_array (struct vctx *v, json_t *obj, const char *field, int min)
{
	json_t *a = json_object_get (obj, field), *d;
	size_t i;

	if (!a)
		return fail (v, field, "missing%s", NULL);
	if (!json_is_array (a))
		return fail (v, field, "must be an array%s", NULL);
	if (json_array_size (a) < (size_t)min)
		return fail (v, field, "must not be empty%s", NULL);
	json_array_foreach (a, i, d)
	{
		char f[80];
		size_t old;
		int rc;
		snprintf (f, sizeof f, "%s[%zu]", field, i);
		old = push (v, ".%s", f, 0);
		rc = check_descriptor (v, d);
		pop (v, old);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
check_schema_version (struct vctx *v, json_t *doc)
{
	json_t *x = json_object_get (doc, "schemaVersion");

	if (!x)
		return fail (v, "schemaVersion", "missing%s", NULL);
	if (!json_is_integer (x) || json_integer_value (x) != 2)
		return fail (v, "schemaVersion", "must be 2%s", NULL);
	return 0;
}

static int
check_manifest (struct vctx *v, json_t *m)
{
	const char *mt = json_string_value (opt (m, "mediaType"));

	if (check_schema_version (v, m) < 0 || need_mediatype (v, m, "mediaType", 0) < 0 ||
	    need_mediatype (v, m, "artifactType", 0) < 0)
		return -1;
	if (mt && !oci_mt_is_manifest (mt))
		return fail (v, "mediaType", "not a manifest media type: \"%.200s\"", mt);
	if (check_desc_field (v, m, "config", 1) < 0 || check_desc_array (v, m, "layers", 1) < 0 ||
	    check_desc_field (v, m, "subject", 0) < 0 || need_map (v, m, "annotations", 0) < 0)
		return -1;
	return 0;
}

static int
check_index (struct vctx *v, json_t *x)
{
	const char *mt = json_string_value (opt (x, "mediaType"));

	if (check_schema_version (v, x) < 0 || need_mediatype (v, x, "mediaType", 0) < 0 ||
	    need_mediatype (v, x, "artifactType", 0) < 0)
		return -1;
	if (mt && !oci_mt_is_index (mt))
		return fail (v, "mediaType", "not an index media type: \"%.200s\"", mt);
	if (check_desc_array (v, x, "manifests", 0) < 0 || check_desc_field (v, x, "subject", 0) < 0 ||
	    need_map (v, x, "annotations", 0) < 0)
		return -1;
	return 0;
}

/* RFC 3339 date-time: 2015-10-31T22:22:56.015925234Z, or with +hh:mm. */
static int
datetime_is_wellformed (const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit ((unsigned char)s[i]) : toupper ((unsigned char)s[i]) != shape[i])
			return 0;
	s += i;
	if (*s == '.') {
		if (!isdigit ((unsigned char)*++s))
			return 0;
		while (isdigit ((unsigned char)*s))
			s++;
	}
	if ((*s == 'Z' || *s == 'z') && !s[1])
		return 1;
	return (*s == '+' || *s == '-') && isdigit ((unsigned char)s[1]) && isdigit ((unsigned char)s[2]) &&
	       s[3] == ':' && isdigit ((unsigned char)s[4]) && isdigit ((unsigned char)s[5]) && !s[6];
}

static int
need_datetime (struct vctx *v, json_t *obj, const char *key)
{
	json_t *x = opt (obj, key);

	if (need_string (v, obj, key, 0) < 0)
		return -1;
	if (x && !datetime_is_wellformed (json_string_value (x)))
		return fail (v, key, "not an RFC 3339 date-time: \"%.100s\"", json_string_value (x));
	return 0;
}

/* Cmd and Entrypoint: an array of strings, or null */
static int
check_exec_config (struct vctx *v, json_t *c)
{
	json_t *env = opt (c, "Env"), *it;
	size_t i;

	if (need_string (v, c, "User", 0) < 0 || need_map (v, c, "ExposedPorts", 1) < 0 ||
	    need_string_array (v, c, "Env") < 0 || need_string_array (v, c, "Entrypoint") < 0 ||
	    need_string_array (v, c, "Cmd") < 0 || need_map (v, c, "Volumes", 1) < 0 ||
	    need_string (v, c, "WorkingDir", 0) < 0 || need_map (v, c, "Labels", 0) < 0 ||
	    need_string (v, c, "StopSignal", 0) < 0 || need_bool (v, c, "ArgsEscaped") < 0)
		return -1;
	/* image-spec's validator: each entry is VARNAME=value */
	json_array_foreach (env, i, it)
	{
		const char *s = json_string_value (it), *eq = strchr (s, '=');
		if (!eq || eq == s) {
			char f[40];
			snprintf (f, sizeof f, "Env[%zu]", i);
			return fail (v, f, "not VAR=value: \"%.200s\"", s);
		}
	}
	return 0;
}

static int
check_rootfs (struct vctx *v, json_t *r)
{
	json_t *ids, *it;
	const char *type;
	size_t i;

	if (!json_is_object (r))
		return fail (v, "", "must be an object%s", NULL);
	if (need_string (v, r, "type", 1) < 0)
		return -1;
	type = json_string_value (json_object_get (r, "type"));
	if (strcmp (type, "layers") != 0)
		return fail (v, "type", "must be \"layers\", not \"%.100s\"", type);
	ids = json_object_get (r, "diff_ids");
	if (!json_is_array (ids))
		return fail (v, "diff_ids", ids ? "must be an array%s" : "missing%s", NULL);
	json_array_foreach (ids, i, it)
	{
		if (!json_is_string (it) || !digest_is_wellformed (json_string_value (it))) {
			char f[40];
			snprintf (f, sizeof f, "diff_ids[%zu]", i);
			return fail (v, f, "invalid digest%s", NULL);
		}
	}
	return 0;
}

static int
check_history (struct vctx *v, json_t *h)
{
	json_t *it;
	size_t i;

	if (!json_is_array (h))
		return fail (v, "history", "must be an array%s", NULL);
	json_array_foreach (h, i, it)
	{
		size_t old = push (v, ".history[%zu]", NULL, i);
		int rc = !json_is_object (it) ? fail (v, "", "must be an object%s", NULL)
		         : (need_datetime (v, it, "created") < 0 || need_string (v, it, "author", 0) < 0 ||
		            need_string (v, it, "created_by", 0) < 0 || need_string (v, it, "comment", 0) < 0 ||
		            need_bool (v, it, "empty_layer") < 0)
		             ? -1
		             : 0;
		pop (v, old);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Check SUB = OBJ[KEY] (an object when present) with FN, path extended. */
static int
check_sub (struct vctx *v, json_t *obj, const char *key, int required, int (*fn) (struct vctx *, json_t *))
{
	json_t *sub = required ? json_object_get (obj, key) : opt (obj, key);
	size_t old;
	int rc;

	if (!sub)
		return required ? fail (v, key, "missing%s", NULL) : 0;
	if (!json_is_object (sub))
		return fail (v, key, "must be an object%s", NULL);
	old = push (v, ".%s", key, 0);
	rc = fn (v, sub);
	pop (v, old);
	return rc;
}

static int
check_config (struct vctx *v, json_t *c)
{
	json_t *h = opt (c, "history");

	if (need_datetime (v, c, "created") < 0 || need_string (v, c, "author", 0) < 0 ||
	    need_string (v, c, "architecture", 1) < 0 || need_string (v, c, "os", 1) < 0 ||
	    need_string (v, c, "variant", 0) < 0 || need_string (v, c, "os.version", 0) < 0 ||
	    need_string_array (v, c, "os.features") < 0)
		return -1;
	if (check_sub (v, c, "config", 0, check_exec_config) < 0 || check_sub (v, c, "rootfs", 1, check_rootfs) < 0)
		return -1;
	return h ? check_history (v, h) : 0;
}

static int
check_layout (struct vctx *v, json_t *l)
{
	json_t *x = json_object_get (l, "imageLayoutVersion");

	if (need_string (v, l, "imageLayoutVersion", 1) < 0)
		return -1;
	if (strcmp (json_string_value (x), "1.0.0") != 0)
		return fail (v, "imageLayoutVersion", "unsupported version \"%.50s\"", json_string_value (x));
	return 0;
}

const char *
oci_kind_name (enum oci_kind kind)
{
	static const char *const names[] = {"descriptor", "manifest", "index", "config", "oci-layout"};
	return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : "document";
}

int
oci_kind_parse (const char *name)
{
	static const char *const names[] = {"Descriptor", "Manifest", "ImageIndex", "ImageConfig", "LayoutHeader"};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp (name, names[i]) == 0)
			return (int)i;
	return -1;
}

int
oci_validate (enum oci_kind kind, json_t *doc, struct bx_err *e)
{
	struct vctx v = {.e = e, .doc = oci_kind_name (kind)};

	if (!json_is_object (doc))
		return err_set (e, BX_USAGE, 0, "%s: not a JSON object", v.doc);
	switch (kind) {
	case OCI_DESCRIPTOR: return check_descriptor (&v, doc);
	case OCI_MANIFEST: return check_manifest (&v, doc);
	case OCI_INDEX: return check_index (&v, doc);
	case OCI_CONFIG: return check_config (&v, doc);
	case OCI_LAYOUT_HEADER: return check_layout (&v, doc);
	}
	return err_set (e, BX_USAGE, 0, "unknown document kind %d", (int)kind);
}

int
oci_validate_bytes (enum oci_kind kind, const char *buf, size_t len, json_t **out, struct bx_err *e)
{
	json_error_t je;
	json_t *doc = json_loadb (buf, len, JSON_REJECT_DUPLICATES, &je);

	if (!doc)
		return err_set (e, BX_USAGE, 0, "%s: not JSON: line %d: %s", oci_kind_name (kind), je.line, je.text);
	if (oci_validate (kind, doc, e) < 0) {
		json_decref (doc);
		return -1;
	}
	if (out)
		*out = doc;
	else
		json_decref (doc);
	return 0;
}

int
oci_mt_is_manifest (const char *mt)
{
	return mt && (strcmp (mt, MT_OCI_MANIFEST) == 0 || strcmp (mt, MT_DOCKER_MANIFEST) == 0);
}

int
oci_mt_is_index (const char *mt)
{
	return mt && (strcmp (mt, MT_OCI_INDEX) == 0 || strcmp (mt, MT_DOCKER_LIST) == 0);
}

int
oci_mt_is_config (const char *mt)
{
	return mt && (strcmp (mt, MT_OCI_CONFIG) == 0 || strcmp (mt, MT_DOCKER_CONFIG) == 0);
}

enum oci_compression
oci_layer_compression (const char *mt)
{
	static const struct {
		const char *mt;
		enum oci_compression c;
	} t[] = {
	    {MT_OCI_LAYER, OCI_COMP_NONE},
	    {MT_OCI_LAYER_GZIP, OCI_COMP_GZIP},
	    {MT_OCI_LAYER_ZSTD, OCI_COMP_ZSTD},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar", OCI_COMP_NONE},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", OCI_COMP_GZIP},
	    {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", OCI_COMP_ZSTD},
	    {MT_DOCKER_LAYER_GZIP, OCI_COMP_GZIP},
	    {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", OCI_COMP_GZIP},
	    {"application/vnd.docker.image.rootfs.diff.tar", OCI_COMP_NONE},
	    {"application/vnd.docker.image.rootfs.diff.tar.zstd", OCI_COMP_ZSTD},
	};

	for (size_t i = 0; mt && i < sizeof t / sizeof *t; i++)
		if (strcmp (mt, t[i].mt) == 0)
			return t[i].c;
	return OCI_COMP_UNKNOWN;
}

int
oci_manifest_is_image (json_t *manifest, struct bx_err *e)
{
	const char *cmt = json_string_value (json_object_get (json_object_get (manifest, "config"), "mediaType"));
	json_t *layers = json_object_get (manifest, "layers"), *l;
	size_t i;

	if (!oci_mt_is_config (cmt))
		return err_set (e, BX_USAGE, 0, "manifest: config.mediaType: not an image config: \"%.200s\"",
		                cmt ? cmt : "");
	json_array_foreach (layers, i, l)
	{
		const char *mt = json_string_value (json_object_get (l, "mediaType"));
		if (oci_layer_compression (mt) == OCI_COMP_UNKNOWN)
			return err_set (e, BX_USAGE, 0,
			                "manifest: layers[%zu].mediaType: not an image layer: \"%.200s\"", i,
			                mt ? mt : "");
	}
	return 0;
}
