#include "imgrm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "image/imgset.h"

struct rmctx {
	struct imgrm *op;
	struct imgset set;
	char *drop;     /* per entry: leaves index.json */
	const char *id; /* the image */
	char user[256]; /* a container using it, or "" */
	int running;    /* ... and that container runs */
	int keep;       /* entry to keep as "<none>", or -1 */
};

static int
line (struct rmctx *c, const char *verb, const char *what)
{
	return json_array_append_new (c->op->lines, json_sprintf ("%s: %s", verb, what));
}

static int
is_mine (const struct rmctx *c, size_t i)
{
	return !c->drop[i] && c->set.v[i].id[0] && strcmp (c->set.v[i].id, c->id) == 0;
}

static int
same_repo (const struct ref *a, const struct ref *b)
{
	return strcmp (a->domain, b->domain) == 0 && strcmp (a->path, b->path) == 0;
}

static void
untag (struct rmctx *c, size_t i)
{
	char fam[700];

	if (c->drop[i])
		return;
	c->drop[i] = 1;
	imgset_entry_familiar (&c->set.v[i], fam, sizeof fam);
	line (c, "Untagged", fam);
}

/* Names the image still has. */
static size_t
names_left (const struct rmctx *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->set.n; i++)
		n += is_mine (c, i) && c->set.v[i].has_ref;
	return n;
}

/* Docker's isSingleReference: at most one tag, all names in one repository. */
static int
is_single_reference (const struct rmctx *c)
{
	const struct ref *repo = NULL;
	int tags = 0, n = 0;

	for (size_t i = 0; i < c->set.n; i++) {
		const struct imgset_entry *en = &c->set.v[i];
		if (!is_mine (c, i) || !en->has_ref)
			continue;
		n++;
		tags += imgset_entry_is_tag (en);
		if (!repo)
			repo = &en->r;
		else if (!same_repo (repo, &en->r))
			return 0;
	}
	return n > 0 && tags <= 1;
}

/* Is containers/NAME made from our image? Prefer a running user. */
static void
check_container (struct rmctx *c, int dfd, const char *name)
{
	_cleanup_free_ char *buf = NULL;
	struct bx_err ign;
	char path[512];
	size_t len;

	snprintf (path, sizeof path, "%s/%s", name, L_CIMAGE);
	if (afile_slurp_at (dfd, path, &buf, &len, &ign) < 0)
		return;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (strcmp (buf, c->id) != 0 || c->running)
		return;
	snprintf (path, sizeof path, "%s/%s", name, L_CTR_LOCK);
	c->running = lock_is_held_at (dfd, path);
	snprintf (c->user, sizeof c->user, "%s", name);
}

static void
find_user (struct rmctx *c)
{
	int fd = openat (c->op->rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close (fd);
		return;
	}
	while ((de = readdir (d)))
		if (de->d_name[0] != '.' && !afile_is_tmp_name (de->d_name))
			check_container (c, fd, de->d_name);
}

/* All names go, then the image. */
static int
delete_image (struct rmctx *c)
{
	for (size_t i = 0; i < c->set.n; i++)
		if (is_mine (c, i) && c->set.v[i].has_ref)
			untag (c, i);
	for (size_t i = 0; i < c->set.n; i++)
		if (is_mine (c, i))
			c->drop[i] = 1;
	c->op->deleted = 1;
	return line (c, "Deleted", c->id);
}

static int
tags_left_in_repo (const struct rmctx *c, const struct ref *r)
{
	for (size_t i = 0; i < c->set.n; i++)
		if (is_mine (c, i) && imgset_entry_is_tag (&c->set.v[i]) && same_repo (&c->set.v[i].r, r))
			return 1;
	return 0;
}

static int
rm_by_ref (struct rmctx *c, size_t k, struct bx_err *e)
{
	const struct imgset_entry *en = &c->set.v[k];
	struct bx_err ign;
	struct ref r;

	if (!c->op->force && c->user[0] && is_single_reference (c))
		return err_set (e, BX_CONFLICT, 0,
		                "conflict: unable to remove repository reference \"%s\" (must force) - container %.12s "
		                "is using its referenced image %.12s",
		                c->op->name, c->user, c->id + 7);
	untag (c, k);
	/* repo@digest that no entry is named: the tags the digest stands for */
	if (ref_parse (c->op->name, &r, &ign) == 0 && r.digest[0] && !r.tag[0])
		for (size_t i = 0; i < c->set.n; i++)
			if (is_mine (c, i) && c->set.v[i].has_ref && same_repo (&c->set.v[i].r, &r) &&
			    (strcmp (c->set.v[i].rdigest, r.digest) == 0 ||
			     strcmp (c->set.v[i].mdigest, r.digest) == 0))
				untag (c, i);
	/* a repository's last tag takes its digest names along */
	if (imgset_entry_is_tag (en) && !tags_left_in_repo (c, &en->r))
		for (size_t i = 0; i < c->set.n; i++)
			if (is_mine (c, i) && c->set.v[i].has_ref && same_repo (&c->set.v[i].r, &en->r))
				untag (c, i);
	if (names_left (c))
		return 0;
	/* a running container keeps its image, as a "<none>" entry */
	if (c->running) {
		c->keep = (int)k;
		return 0;
	}
	return delete_image (c);
}

static int
rm_by_id (struct rmctx *c, struct bx_err *e)
{
	const char *id = c->id + 7;

	if (c->running)
		return err_set (e, BX_CONFLICT, 0,
		                "conflict: unable to delete %.12s (cannot be forced) - image is being used by running "
		                "container %.12s",
		                id, c->user);
	if (!c->op->force && c->user[0])
		return err_set (e, BX_CONFLICT, 0,
		                "conflict: unable to delete %.12s (must be forced) - image is being used by stopped "
		                "container %.12s",
		                id, c->user);
	if (!c->op->force && names_left (c) && !is_single_reference (c))
		return err_set (
		    e, BX_CONFLICT, 0,
		    "conflict: unable to delete %.12s (must be forced) - image is referenced in multiple repositories",
		    id);
	return delete_image (c);
}

/* Apply the drops to INDEX; keep an untagged entry when asked. */
static int
apply (struct rmctx *c, json_t *index, struct bx_err *e)
{
	json_t *ms = json_object_get (index, "manifests"), *copy = NULL;
	size_t i = c->set.n;

	if (c->keep >= 0) {
		for (size_t j = 0; j < c->set.n; j++)
			if (is_mine (c, j) && !c->set.v[j].has_ref)
				c->keep = -1; /* there is one already */
		if (c->keep >= 0 && !(copy = json_deep_copy (c->set.v[c->keep].desc)))
			return err_set (e, BX_SYSTEM, ENOMEM, "%s", c->op->name);
		json_object_del (json_object_get (copy, "annotations"), ANN_REF_NAME);
	}
	while (i-- > 0)
		if (c->drop[i])
			json_array_remove (ms, i);
	if (copy)
		json_array_append_new (ms, copy);
	return 0;
}

static int
rm_run (struct rmctx *c, json_t *index, struct bx_err *e)
{
	int how, k;

	if (imgset_load (c->op->st, index, &c->set, e) < 0)
		return -1;
	if (!(c->drop = calloc (c->set.n + 1, 1)))
		return err_set (e, BX_SYSTEM, ENOMEM, "%s", c->op->name);
	if ((k = imgset_find (&c->set, c->op->name, &how, e)) < 0)
		return -1;
	c->id = c->set.v[k].id;
	snprintf (c->op->id, sizeof c->op->id, "%s", c->id);
	if (!c->id[0]) {
		/* a name whose image cannot be read: the name can still go */
		if (how != IMG_BY_REF)
			return err_set (e, c->set.v[k].err.code, 0, "%s", c->set.v[k].err.msg);
		untag (c, (size_t)k);
	} else {
		find_user (c);
		if ((how == IMG_BY_REF ? rm_by_ref (c, (size_t)k, e) : rm_by_id (c, e)) < 0)
			return -1;
	}
	return apply (c, index, e);
}

int
imgrm_fn (json_t *index, void *arg, struct bx_err *e)
{
	struct rmctx c = {.op = arg, .keep = -1};
	int rc = rm_run (&c, index, e);

	free (c.drop);
	imgset_free (&c.set);
	return rc;
}
