#include "image/imgset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/human.h"
#include "base/layout.h"
#include "base/root.h"

static void
ent_measure (struct imgset_entry *en)
{
	json_t *l;
	size_t i;

	en->size = json_integer_value (json_object_get (json_object_get (en->manifest, "config"), "size"));
	json_array_foreach (json_object_get (en->manifest, "layers"), i, l) en->size +=
	    json_integer_value (json_object_get (l, "size"));
	if (human_time_parse (json_string_value (json_object_get (en->config, "created")), &en->created) < 0)
		en->created = -1;
}

/* Read entry K's manifest and config (once): store_entry_load, the path
 * every tool takes from an index.json entry to an image. */
static void
ent_load (struct imgset *set, size_t k)
{
	struct imgset_entry *en = &set->v[k];
	struct image img;

	if (en->loaded)
		return;
	en->loaded = 1;
	if (store_entry_load (set->s, en->desc, &img, &en->err) == 0) {
		memcpy (en->pdigest, img.manifest_digest, sizeof en->pdigest);
		memcpy (en->id, img.config_digest, sizeof en->id);
		en->manifest = steal_pointer (&img.manifest);
		en->config = steal_pointer (&img.config);
		ent_measure (en);
	}
	store_image_free (&img);
}

static void
ent_names (struct imgset_entry *en, json_t *d)
{
	const char *dg = json_string_value (json_object_get (d, "digest"));
	const char *rd = json_string_value (json_object_get (json_object_get (d, "annotations"), ANN_REPO_DIGEST));
	struct bx_err ign;

	en->desc = d;
	en->created = -1;
	en->name = json_string_value (json_object_get (json_object_get (d, "annotations"), ANN_REF_NAME));
	en->has_ref = en->name && ref_parse (en->name, &en->r, &ign) == 0;
	snprintf (en->mdigest, sizeof en->mdigest, "%s", dg && digest_is_valid (dg) ? dg : "");
	snprintf (en->rdigest, sizeof en->rdigest, "%s", rd && digest_is_valid (rd) ? rd : "");
}

int
imgset_open (const struct store *s, json_t *index, struct imgset *set, struct bx_err *e)
{
	json_t *ms = json_object_get (index, "manifests"), *d;
	size_t i;

	memset (set, 0, sizeof *set);
	if (!(set->v = calloc (json_array_size (ms) + 1, sizeof *set->v)))
		return err_set (e, BX_SYSTEM, ENOMEM, "image store");
	set->s = s;
	set->index = json_incref (index);
	json_array_foreach (ms, i, d) ent_names (&set->v[set->n++], d);
	return 0;
}

int
imgset_load (const struct store *s, json_t *index, struct imgset *set, struct bx_err *e)
{
	if (imgset_open (s, index, set, e) < 0)
		return -1;
	for (size_t i = 0; i < set->n; i++)
		ent_load (set, i);
	return 0;
}

void
imgset_free (struct imgset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		json_decref (set->v[i].manifest);
		json_decref (set->v[i].config);
	}
	free (set->v);
	json_decref (set->index);
	memset (set, 0, sizeof *set);
}

/* A full id or manifest digest ("sha256:hex" or hex). */
static int
find_full (struct imgset *set, const char *hex, int *how)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct imgset_entry *en = &set->v[i];
		ent_load (set, i);
		if ((en->id[0] && strcmp (en->id + 7, hex) == 0) ||
		    (en->mdigest[0] && strcmp (en->mdigest + 7, hex) == 0)) {
			*how = IMG_BY_ID;
			return (int)i;
		}
	}
	return -1;
}

static int
same_repo (const struct ref *a, const struct ref *b)
{
	return strcmp (a->domain, b->domain) == 0 && strcmp (a->path, b->path) == 0;
}

/* A tag, or repo@digest: the entry so named, or a tag of that repository
 * whose image the registry knows by that digest. */
static int
find_ref (const struct imgset *set, const struct ref *r, int *how)
{
	char full[600];

	ref_full (r, full, sizeof full);
	*how = IMG_BY_REF;
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].name && strcmp (set->v[i].name, full) == 0)
			return (int)i;
	if (!r->digest[0] || r->tag[0])
		return -1;
	for (size_t i = 0; i < set->n; i++) {
		const struct imgset_entry *en = &set->v[i];
		if (en->has_ref && same_repo (&en->r, r) &&
		    (strcmp (en->rdigest, r->digest) == 0 || strcmp (en->mdigest, r->digest) == 0))
			return (int)i;
	}
	return -1;
}

int
imgset_find (struct imgset *set, const char *name, int *how, struct bx_err *e)
{
	const char *hex = strncmp (name, "sha256:", 7) == 0 ? name + 7 : name;
	size_t hn = strlen (hex);
	struct bx_err ign = {0};
	struct ref r;
	int found = -1;

	if (ref_looks_like_id (name) && hn == DIGEST_HEX_LEN && (found = find_full (set, hex, how)) >= 0)
		return found;
	if (ref_parse (name, &r, &ign) == 0 && (found = find_ref (set, &r, how)) >= 0)
		return found;
	if (ign.code && !ref_looks_like_id (name))
		return err_set (e, BX_USAGE, 0, "%s", ign.msg);
	if (ref_looks_like_id (name)) {
		for (size_t i = 0; i < set->n; i++) {
			const char *id = set->v[i].id;
			ent_load (set, i);
			if (!id[0] || strncmp (id + 7, hex, hn) != 0)
				continue;
			if (found >= 0 && strcmp (set->v[found].id, id) != 0)
				return err_set (e, BX_USAGE, 0, "%s: ambiguous image id prefix", name);
			if (found < 0)
				found = (int)i;
		}
		*how = IMG_BY_ID;
		if (found >= 0)
			return found;
	}
	return err_set (e, BX_NOTFOUND, 0, "No such image: %s", name);
}

void
imgset_entry_familiar (const struct imgset_entry *en, char *buf, size_t len)
{
	char repo[512];

	buf[0] = '\0';
	if (!en->has_ref)
		return;
	ref_familiar_repo (&en->r, repo, sizeof repo);
	snprintf (buf, len, "%s%s%s%s%s", repo, en->r.tag[0] ? ":" : "", en->r.tag, en->r.digest[0] ? "@" : "",
	          en->r.digest);
}

int
imgset_entry_is_tag (const struct imgset_entry *en)
{
	return en->has_ref && en->r.tag[0];
}

static json_t *
str_or (json_t *obj, const char *key, const char *def)
{
	const char *v = json_string_value (json_object_get (obj, key));
	return json_string (v ? v : def);
}

/* The image config's "config" with the keys Docker's API always shows, in
 * its order; the image's own values win. */
static json_t *
docker_config (json_t *cfg)
{
	static const char *const optional[] = {"ExposedPorts", "Healthcheck", "ArgsEscaped",
	                                       "StopSignal",   "Shell",       NULL};
	json_t *c = json_pack ("{ss ss ss sb sb sb sn sb sb sb sn sn sn sn ss sn ss sn sn sn sn sn}", "Hostname", "",
	                       "Domainname", "", "User", "", "AttachStdin", 0, "AttachStdout", 0, "AttachStderr", 0,
	                       "ExposedPorts", "Tty", 0, "OpenStdin", 0, "StdinOnce", 0, "Env", "Cmd", "Healthcheck",
	                       "ArgsEscaped", "Image", "", "Volumes", "WorkingDir", "", "Entrypoint", "OnBuild",
	                       "Labels", "StopSignal", "Shell");
	const char *k;
	json_t *v;

	if (!c)
		return NULL;
	if (json_is_object (cfg))
		json_object_foreach (cfg, k, v) json_object_set (c, k, v);
	for (int i = 0; optional[i]; i++)
		if (json_is_null (json_object_get (c, optional[i])))
			json_object_del (c, optional[i]);
	return c;
}

static int
json_array_contains (json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach (a, i, v) if (strcmp (json_string_value (v), s) == 0) return 1;
	return 0;
}

/* RepoTags and RepoDigests: the names of every entry with EN's id. */
static void
repo_names (const struct imgset *set, const struct imgset_entry *en, json_t *tags, json_t *digests)
{
	char repo[512], name[800];

	for (size_t i = 0; i < set->n; i++) {
		const struct imgset_entry *x = &set->v[i];
		if (!x->has_ref || strcmp (x->id, en->id) != 0)
			continue;
		ref_familiar_repo (&x->r, repo, sizeof repo);
		if (x->r.tag[0]) {
			snprintf (name, sizeof name, "%s:%s", repo, x->r.tag);
			if (!json_array_contains (tags, name))
				json_array_append_new (tags, json_string (name));
		}
		/* a digest the registry gave: an image loaded or built has none */
		if (!x->r.digest[0] && !x->rdigest[0])
			continue;
		snprintf (name, sizeof name, "%s@%s", repo, x->r.digest[0] ? x->r.digest : x->rdigest);
		if (!json_array_contains (digests, name))
			json_array_append_new (digests, json_string (name));
	}
}

/* Docker's overlay2 GraphDriver of an image: its top layer the upper, the
 * others (topmost first) the lower; an image has no merged or work
 * directory of its own (a container's overlay has them) */
static json_t *
graph_driver (const struct imgset *set, json_t *diff_ids)
{
	char root[4096];
	size_t n = json_array_size (diff_ids);
	struct bx_err ign = {0};
	_cleanup_free_ char *lower = NULL;
	size_t len = 0;
	FILE *f = open_memstream (&lower, &len);
	json_t *data;

	if (root_abspath (set->s->root, root, sizeof root, &ign) < 0)
		root[0] = '\0';
	for (size_t i = n; f && i-- > 1;)
		fprintf (f, "%s%s/" L_LAYERS "/%s", i + 1 < n ? ":" : "", root,
		         digest_hex (json_string_value (json_array_get (diff_ids, i - 1)) ?: ""));
	if (!f || fclose (f) != 0)
		return NULL;
	/* Docker's keys are a Go map's: sorted */
	data = json_object ();
	if (n > 1)
		json_object_set_new (data, "LowerDir", json_string (lower));
	json_object_set_new (data, "MergedDir", json_string (""));
	if (n > 0) {
		char upper[4200];
		snprintf (upper, sizeof upper, "%s/" L_LAYERS "/%s", root,
		          digest_hex (json_string_value (json_array_get (diff_ids, n - 1)) ?: ""));
		json_object_set_new (data, "UpperDir", json_string (upper));
	}
	json_object_set_new (data, "WorkDir", json_string (""));
	return json_pack ("{so ss}", "Data", data, "Name", "overlay2");
}

const char *const imgset_nils[] = {"RepoTags[]",
                                   "RepoDigests[]",
                                   "RootFS.Layers[]",
                                   "GraphDriver.Data{}",
                                   "Config.ExposedPorts{}",
                                   "Config.Env[]",
                                   "Config.Cmd[]",
                                   "Config.Entrypoint[]",
                                   "Config.Volumes{}",
                                   "Config.OnBuild[]",
                                   "Config.Labels{}",
                                   "Config.Shell[]",
                                   "ContainerConfig.ExposedPorts{}",
                                   "ContainerConfig.Env[]",
                                   "ContainerConfig.Cmd[]",
                                   "ContainerConfig.Entrypoint[]",
                                   "ContainerConfig.Volumes{}",
                                   "ContainerConfig.OnBuild[]",
                                   "ContainerConfig.Labels{}",
                                   "ContainerConfig.Shell[]",
                                   NULL};

json_t *
imgset_inspect (const struct imgset *set, size_t k)
{
	const struct imgset_entry *en = &set->v[k];
	json_t *cfg = en->config, *o, *tags = json_array (), *digests = json_array ();
	json_t *layers = json_object_get (json_object_get (cfg, "rootfs"), "diff_ids");
	const char *parent =
	    json_string_value (json_object_get (json_object_get (en->desc, "annotations"), ANN_PARENT));
	json_t *hist = json_object_get (cfg, "history");
	/* Docker's: the config's comment, else the last history entry's */
	json_t *comment = json_object_get (cfg, "comment");

	if (!json_string_length (comment))
		comment = json_object_get (json_array_get (hist, json_array_size (hist) - 1), "comment");

	layers = json_is_array (layers) ? json_incref (layers) : json_array ();

	repo_names (set, en, tags, digests);
	o = json_pack ("{ss so so ss so so so so so so so so so* so sI sI so s{ss so} s{ss}}", "Id", en->id, "RepoTags",
	               tags, "RepoDigests", digests, "Parent", parent ? parent : "", "Comment",
	               json_string (json_string_value (comment) ? json_string_value (comment) : ""), "Created",
	               str_or (cfg, "created", ""), "Container", str_or (cfg, "container", ""), "ContainerConfig",
	               docker_config (json_object_get (cfg, "container_config")), "DockerVersion",
	               str_or (cfg, "docker_version", ""), "Author", str_or (cfg, "author", ""), "Config",
	               docker_config (json_object_get (cfg, "config")), "Architecture",
	               str_or (cfg, "architecture", ""), "Variant",
	               json_object_get (cfg, "variant") ? str_or (cfg, "variant", "") : NULL, "Os",
	               str_or (cfg, "os", ""), "Size", (json_int_t)en->size, "VirtualSize", (json_int_t)en->size,
	               "GraphDriver", graph_driver (set, layers), "RootFS", "Type", "layers", "Layers", layers,
	               "Metadata", "LastTagTime", "0001-01-01T00:00:00Z");
	return o;
}

/* store.h's lookup is this one, so that `box run X` and `box images`,
 * `box rmi X`, `box inspect X` agree on what X is. */
int
store_image_load (const struct store *s, const char *name, struct image *img, struct bx_err *e)
{
	struct imgset set;
	struct imgset_entry *en;
	json_t *index;
	int how, k, rc = -1;

	memset (img, 0, sizeof *img);
	if (store_index_load (s, &index, e) < 0)
		return -1;
	k = imgset_open (s, index, &set, e);
	json_decref (index);
	if (k < 0)
		return -1;
	if ((k = imgset_find (&set, name, &how, e)) < 0)
		goto out;
	ent_load (&set, (size_t)k);
	en = &set.v[k];
	if (!en->id[0]) {
		err_set (e, en->err.code, en->err.sys, "image %s: %s", name, en->err.msg);
		goto out;
	}
	img->desc = json_incref (en->desc);
	img->manifest = json_incref (en->manifest);
	img->config = json_incref (en->config);
	snprintf (img->ref, sizeof img->ref, "%s", en->name ? en->name : "");
	memcpy (img->manifest_digest, en->pdigest, sizeof img->manifest_digest);
	memcpy (img->config_digest, en->id, sizeof img->config_digest);
	rc = 0;
out:
	imgset_free (&set);
	return rc;
}
