/* idalloc - --userns=auto's ranges (idalloc.h) */
#include "runtime/idalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/root.h"
#include "base/strbuf.h"
#include "base/subid.h"
#include "runtime/ctr.h"
#include "runtime/ctrrm.h"

struct idalloc_entry {
	uint64_t off, size;
	char id[CTR_ID_LEN + 1];
};

struct idalloc_table {
	struct idalloc_entry *v;
	size_t n;
};

/* The pool: root's ranges, or the default one; rootless, the ids of the
 * user's namespace (its subordinate ids, 1..: the host's ids are not
 * the namespace's to hand out) */
static int
idalloc_pool (const char *file, struct subid_ranges *r, struct bx_err *e)
{
	if (root_is_rootless ())
		return subid_read_ns (strcmp (file, SUBID_UID_FILE) ? "/proc/self/gid_map" : "/proc/self/uid_map", r,
		                      e);
	if (subid_read (file, "root", 0, r, e) < 0)
		return -1;
	if (r->n == 0) {
		r->r[0] = (struct subid_range){IDALLOC_POOL_START, IDALLOC_POOL_SIZE};
		r->n = 1;
		r->total = IDALLOC_POOL_SIZE;
	}
	return 0;
}

/* The lines of the file; a malformed one is an error naming it */
static int
idalloc_load (int rootfd, struct idalloc_table *t, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	int lineno = 0;

	if (afile_slurp_at (rootfd, L_USERNS_RANGES, &text, NULL, e) < 0) {
		if (e->code != BX_NOTFOUND)
			return -1;
		*e = (struct bx_err){0};
		return 0;
	}
	for (char *s = text; *s;) {
		struct idalloc_entry x, *v;
		unsigned long long off, size;
		size_t len = strcspn (s, "\n");
		int more = s[len] == '\n', end = 0;
		s[len] = '\0';
		lineno++;
		if (sscanf (s, "%llu %llu %64s%n", &off, &size, x.id, &end) != 3 || strlen (x.id) != CTR_ID_LEN ||
		    s[end] != '\0' || size == 0)
			return err_set (e, BX_FAIL, 0, L_USERNS_RANGES ":%d: not OFFSET SIZE ID", lineno);
		x.off = off, x.size = size;
		if (!(v = realloc (t->v, (t->n + 1) * sizeof *v)))
			return err_set (e, BX_SYSTEM, ENOMEM, L_USERNS_RANGES);
		t->v = v;
		t->v[t->n++] = x;
		s += len + more;
	}
	return 0;
}

static int
idalloc_save (int rootfd, const struct idalloc_table *t, struct bx_err *e)
{
	struct strbuf b = {0};
	char line[128];
	int rc;

	strbuf_add (&b, "", 0);
	for (size_t i = 0; i < t->n; i++) {
		snprintf (line, sizeof line, "%llu %llu %s\n", (unsigned long long)t->v[i].off,
		          (unsigned long long)t->v[i].size, t->v[i].id);
		strbuf_add (&b, line, strlen (line));
	}
	if (b.oom)
		return strbuf_free (&b), err_set (e, BX_SYSTEM, ENOMEM, L_USERNS_RANGES);
	rc = afile_write_at (rootfd, L_USERNS_RANGES, b.s, b.len, 0644, e);
	strbuf_free (&b);
	return rc;
}

/* Entries of containers that are gone, and ID's own, dropped */
static void
idalloc_prune (int rootfd, struct idalloc_table *t, const char *id)
{
	size_t k = 0;

	for (size_t i = 0; i < t->n; i++)
		if (strcmp (t->v[i].id, id) != 0 && !ctrrm_id_is_gone (rootfd, t->v[i].id))
			t->v[k++] = t->v[i];
	t->n = k;
}

/* The lowest offset where SIZE ids fit between the taken ones in TOTAL */
static int
idalloc_fit (const struct idalloc_table *t, uint64_t size, uint64_t total, uint64_t *off)
{
	uint64_t at = 0;

	for (int moved = 1; moved;) {
		moved = 0;
		for (size_t i = 0; i < t->n; i++)
			if (at < t->v[i].off + t->v[i].size && t->v[i].off < at + size)
				at = t->v[i].off + t->v[i].size, moved = 1;
	}
	*off = at;
	return at + size <= total;
}

/* The ids OFF..OFF+SIZE-1 of POOL (its ranges read as one line) as
 * container ids 0..SIZE-1 */
static int
idalloc_map (const struct subid_ranges *pool, uint64_t off, uint64_t size, struct idmap *m, struct bx_err *e)
{
	uint64_t inside = 0;

	m->n = 0;
	for (size_t i = 0; i < pool->n && inside < size; i++) {
		uint64_t start = pool->r[i].start, count = pool->r[i].count, n;
		if (off >= count) {
			off -= count;
			continue;
		}
		n = count - off < size - inside ? count - off : size - inside;
		if (idmap_add (m, inside, start + off, n, e) < 0)
			return -1;
		inside += n, off = 0;
	}
	return 0;
}

int
idalloc_take (int rootfd, const char *id, uint64_t size, struct idmap *uid, struct idmap *gid, struct bx_err *e)
{
	_cleanup_close_ int lock = -1;
	struct idalloc_table t = {0};
	struct subid_ranges up, gp;
	uint64_t off, total;
	int rc = -1;

	if (idalloc_pool (SUBID_UID_FILE, &up, e) < 0 || idalloc_pool (SUBID_GID_FILE, &gp, e) < 0)
		return -1;
	total = up.total < gp.total ? up.total : gp.total;
	if ((lock = lock_take_at (rootfd, L_USERNS_LOCK, LOCK_WAIT, e)) < 0 || idalloc_load (rootfd, &t, e) < 0)
		goto out;
	idalloc_prune (rootfd, &t, id);
	if (!idalloc_fit (&t, size, total, &off)) {
		err_set (e, BX_CONFLICT, 0, "--userns=auto: no room for %llu ids left in the pool of %llu",
		         (unsigned long long)size, (unsigned long long)total);
		goto out;
	}
	if (idalloc_map (&up, off, size, uid, e) < 0 || idalloc_map (&gp, off, size, gid, e) < 0)
		goto out;
	struct idalloc_entry *v = realloc (t.v, (t.n + 1) * sizeof *v);
	if (!v) {
		err_set (e, BX_SYSTEM, ENOMEM, L_USERNS_RANGES);
		goto out;
	}
	t.v = v;
	t.v[t.n] = (struct idalloc_entry){.off = off, .size = size};
	snprintf (t.v[t.n++].id, sizeof t.v[0].id, "%s", id);
	rc = idalloc_save (rootfd, &t, e);
out:
	free (t.v);
	return rc;
}

int
idalloc_release (int rootfd, const char *id, struct bx_err *e)
{
	_cleanup_close_ int lock = -1;
	struct idalloc_table t = {0};
	size_t n;
	int rc = -1;

	if ((lock = lock_take_at (rootfd, L_USERNS_LOCK, LOCK_WAIT, e)) < 0 || idalloc_load (rootfd, &t, e) < 0)
		goto out;
	n = t.n;
	idalloc_prune (rootfd, &t, id);
	rc = t.n == n ? 0 : idalloc_save (rootfd, &t, e);
out:
	free (t.v);
	return rc;
}
