/* cdiff - a container's changes, as moby's pkg/archive changes.go reports them */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/layout.h"
#include "base/tree.h"
#include "cdiff.h"
#include "image/store.h"
#include "layers/idcopy.h"
#include "layers/mountpt.h"
#include "runtime/ctr.h"

#define MAX_LOWER 128

struct lines {
	char **v;
	size_t n, cap;
};

struct walk {
	struct lines out;
	int err;
	int whole;
};

/* a directory of each layer at the path being walked, -1 where the layer
 * has none or a layer above hides it */
struct lows {
	int fd[MAX_LOWER];
	size_t n;
};

static int
lines_insert (struct lines *l, size_t at, char kind, const char *path)
{
	char *s = NULL;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **v = realloc (l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v, l->cap = cap;
	}
	if (asprintf (&s, "%c %s", kind, path) < 0)
		return -1;
	memmove (l->v + at + 1, l->v + at, (l->n - at) * sizeof *l->v);
	l->v[at] = s;
	l->n++;
	return 0;
}

static int
is_opaque (int dirfd, const char *name)
{
	char val[4];
	_cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd < 0 ? -1 : fgetxattr (fd, "trusted.overlay.opaque", val, sizeof val);

	if (n < 0 && fd >= 0)
		n = fgetxattr (fd, "user.overlay.opaque", val, sizeof val);
	return n == 1 && val[0] == 'y';
}

/* NAME in the image under L: 1 found (*ST set), 0 absent or deleted; SUB
 * gets the layers' directories of NAME for the walk below it */
static int
lower_find (const struct lows *l, const char *name, struct stat *st, struct lows *sub)
{
	int found = 0, hidden = 0;

	sub->n = l->n;
	for (size_t i = 0; i < l->n; i++) {
		struct stat s;
		sub->fd[i] = -1;
		if (hidden || l->fd[i] < 0 || fstatat (l->fd[i], name, &s, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (TREE_IS_WHITEOUT (&s) || !S_ISDIR (s.st_mode)) {
			if (!found && !TREE_IS_WHITEOUT (&s))
				*st = s, found = 1;
			hidden = 1;
			continue;
		}
		if (!found)
			*st = s, found = 1;
		sub->fd[i] = openat (l->fd[i], name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		hidden = is_opaque (l->fd[i], name);
	}
	return found;
}

static void
lows_close (struct lows *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->fd[i] >= 0)
			close (l->fd[i]);
	l->n = 0;
}

static int
by_name (const struct dirent **a, const struct dirent **b)
{
	return strcmp ((*a)->d_name, (*b)->d_name);
}

static int
names_of (int dirfd, struct dirent ***names)
{
	char self[64];

	snprintf (self, sizeof self, "/proc/self/fd/%d", dirfd);
	return scandir (self, names, NULL, by_name);
}

static int walk_dir (struct walk *w, int dirfd, const char *prefix, const struct lows *l, int added);

/* an opaque directory hides the image's entries it does not have */
static int
hidden_deletes (struct walk *w, int dirfd, const char *prefix, const struct lows *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct dirent **names = NULL;
		int n = l->fd[i] < 0 ? 0 : names_of (l->fd[i], &names), rc = 0;
		for (int k = 0; k < n; k++) {
			const char *nm = names[k]->d_name;
			struct stat st, up;
			struct lows sub = {0};
			_cleanup_free_ char *path = NULL;
			if (rc == 0 && strcmp (nm, ".") && strcmp (nm, "..") &&
			    fstatat (dirfd, nm, &up, AT_SYMLINK_NOFOLLOW) < 0 && lower_find (l, nm, &st, &sub)) {
				if (asprintf (&path, "%s/%s", prefix, nm) < 0 ||
				    lines_insert (&w->out, w->out.n, 'D', path) < 0)
					rc = -1;
			}
			if (rc == 0 && sub.n)
				lows_close (&sub);
			free (names[k]);
		}
		free (names);
		if (rc < 0)
			return -1;
		break; /* the topmost layer that has the directory lists what the others would */
	}
	return 0;
}

static int
walk_entry (struct walk *w, int dirfd, const char *prefix, const char *name, const struct lows *l, int added)
{
	struct stat st, low;
	struct lows sub = {0};
	_cleanup_free_ char *path = NULL;
	int in_low, rc = 0;

	if (asprintf (&path, "%s/%s", prefix, name) < 0 || fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return w->err = errno, -1;
	if (mountpt_is_standin (path, &st))
		return 0;
	in_low = !added && lower_find (l, name, &low, &sub);
	if (TREE_IS_WHITEOUT (&st))
		rc = in_low ? lines_insert (&w->out, w->out.n, 'D', path) : 0;
	else if (!S_ISDIR (st.st_mode))
		rc = lines_insert (&w->out, w->out.n, in_low ? 'C' : 'A', path);
	else {
		size_t at = w->out.n;
		_cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		int same = in_low && S_ISDIR (low.st_mode);
		if (fd < 0)
			rc = -1, w->err = errno;
		if (rc == 0)
			rc = walk_dir (w, fd, path, &sub, !same);
		if (rc == 0 && same && is_opaque (dirfd, name))
			rc = hidden_deletes (w, fd, path, &sub);
		/* a whole root's /etc is there for the mount points, as in an image */
		int etc_only = w->whole && strcmp (path, "/etc") == 0 && w->out.n == at;
		if (rc == 0 && !etc_only &&
		    (!same || w->out.n > at || low.st_mode != st.st_mode || low.st_uid != st.st_uid ||
		     low.st_gid != st.st_gid))
			rc = lines_insert (&w->out, at, in_low ? 'C' : 'A', path);
	}
	lows_close (&sub);
	return rc;
}

static int
walk_dir (struct walk *w, int dirfd, const char *prefix, const struct lows *l, int added)
{
	struct dirent **names = NULL;
	int n = names_of (dirfd, &names), rc = 0;

	if (n < 0)
		return w->err = errno, -1;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		if (rc == 0 && strcmp (nm, ".") && strcmp (nm, ".."))
			rc = walk_entry (w, dirfd, prefix, nm, l, added);
		free (names[i]);
	}
	free (names);
	return rc;
}

int
cdiff_walk (int upper, const int *lower, size_t n, int whole, void (*fn) (const char *line, void *arg), void *arg,
            struct bx_err *e)
{
	struct walk w = {.whole = whole};
	struct lows l = {.n = n};
	int rc;

	if (n > MAX_LOWER)
		return err_set (e, BX_FAIL, 0, "diff: more than %d layers: not implemented", MAX_LOWER);
	memcpy (l.fd, lower, n * sizeof *lower);
	rc = walk_dir (&w, upper, "", &l, 0);
	for (size_t i = 0; i < w.out.n; i++) {
		if (rc == 0)
			fn (w.out.v[i], arg);
		free (w.out.v[i]);
	}
	free (w.out.v);
	return rc < 0 ? err_set (e, BX_SYSTEM, w.err, "reading the container's changes") : 0;
}

/* where the container's lower layers are: layers/, or the copies of
 * them for its id range (layers/idcopy.h), whose owners its upper's
 * match */
static int
lowers_dir (int dirfd, char *buf, size_t len, struct bx_err *e)
{
	char key[IDCOPY_KEY_LEN];
	int r = idcopy_bundle_key (dirfd, key, e);

	if (r < 0)
		return -1;
	snprintf (buf, len, r ? L_IDCOPIES "/%s" : L_LAYERS, key);
	return 0;
}

/* the image's extracted layers (in BASE), the topmost first */
static int
open_lowers (int rootfd, const char *base, json_t *ids, int *fds, size_t *n, struct bx_err *e)
{
	*n = 0;
	for (size_t i = json_array_size (ids); i-- > 0;) {
		const char *d = json_string_value (json_array_get (ids, i)), *hex = d ? strchr (d, ':') : NULL;
		char path[PATH_MAX];
		snprintf (path, sizeof path, "%s/%s", base, hex ? hex + 1 : "");
		if ((fds[*n] = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			return err_set (e, BX_SYSTEM, errno, "layer %s", d ? d : "?");
		(*n)++;
	}
	return 0;
}

/* the changes: the overlay upper, or the whole copied root of a container
 * of an image without layers (overlayfs needs a lower) */
static int
open_changes (int dirfd, json_t *ids, int *whole, struct bx_err *e)
{
	int fd = openat (dirfd, L_UPPER, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*whole = 0;
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : err_set (e, BX_SYSTEM, errno, "%s", L_UPPER);
	if (json_array_size (ids))
		return err_set (e, BX_FAIL, 0, "the changes of a copied root filesystem: not implemented");
	if ((fd = openat (dirfd, L_ROOTFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", L_ROOTFS);
	*whole = 1;
	return fd;
}

int
cdiff_container (int rootfd, const char *id, void (*fn) (const char *line, void *arg), void *arg, struct bx_err *e)
{
	_cleanup_close_ int dirfd = ctr_open (rootfd, id, e), upper = -1;
	json_t *create = dirfd < 0 ? NULL : ctr_create_read (dirfd, e), *ids;
	const char *image = json_string_value (json_object_get (create, "Image"));
	struct store st = {0};
	struct image img = {0};
	int fds[MAX_LOWER], whole = 0, rc = create ? 0 : -1;
	char base[PATH_MAX];
	size_t n = 0;

	if (rc == 0 && !image)
		rc = err_set (e, BX_FAIL, 0, "create.json names no image");
	if (rc == 0 && (store_open (&st, rootfd, e) < 0 || store_image_load (&st, image, &img, e) < 0))
		rc = -1;
	ids = json_object_get (json_object_get (img.config, "rootfs"), "diff_ids");
	if (rc == 0 && json_array_size (ids) > MAX_LOWER)
		rc = err_set (e, BX_FAIL, 0, "an image of more than %d layers: not implemented", MAX_LOWER);
	if (rc == 0 &&
	    ((upper = open_changes (dirfd, ids, &whole, e)) < 0 || lowers_dir (dirfd, base, sizeof base, e) < 0 ||
	     open_lowers (rootfd, base, ids, fds, &n, e) < 0))
		rc = -1;
	if (rc == 0)
		rc = cdiff_walk (upper, fds, n, whole, fn, arg, e);
	for (size_t i = 0; i < n; i++)
		close (fds[i]);
	store_image_free (&img);
	json_decref (create);
	return rc < 0 ? err_wrap (e, "container %.12s", id) : 0;
}
