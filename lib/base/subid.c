/* subid - reading /etc/subuid and /etc/subgid (subid.h) */
#include "base/subid.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "base/cleanup.h"

/* uid_t's largest valid id: (uid_t)-1 means "none" to the kernel */
#define SUBID_ID_END 4294967295ULL

/* A decimal id, nothing else; 0 when S is not one */
static int
subid_number (const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 1;
}

/* One line "OWNER:START:COUNT" (LEN bytes, no newline) split; 0 when it is
 * not one, or the range goes past the last id */
static int
subid_line (const char *s, size_t len, const char **owner, size_t *olen, struct subid_range *r)
{
	const char *c1 = memchr (s, ':', len), *c2;

	if (!c1 || !(c2 = memchr (c1 + 1, ':', len - (size_t)(c1 + 1 - s))) || c1 == s)
		return 0;
	*owner = s;
	*olen = (size_t)(c1 - s);
	if (!subid_number (c1 + 1, (size_t)(c2 - c1 - 1), &r->start) ||
	    !subid_number (c2 + 1, len - (size_t)(c2 + 1 - s), &r->count))
		return 0;
	return r->count > 0 && r->start + r->count <= SUBID_ID_END;
}

static int
subid_owner_is (const char *owner, size_t olen, const char *name, long long id)
{
	uint64_t n;

	if (name && strlen (name) == olen && !memcmp (owner, name, olen))
		return 1;
	return id >= 0 && subid_number (owner, olen, &n) && n == (uint64_t)id;
}

/* Each line of TEXT through FN(range, matched, arg); comments and blank
 * lines skipped, a malformed line an error */
static int
subid_each (const char *text, const char *file, const char *name, long long id,
            int (*fn) (const struct subid_range *, int, void *), void *arg, struct bx_err *e)
{
	int lineno = 0;

	for (const char *s = text; *s;) {
		size_t len = strcspn (s, "\n"), olen;
		const char *owner;
		struct subid_range r;
		lineno++;
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
			len--;
		if (len > 0 && s[0] != '#') {
			if (!subid_line (s, len, &owner, &olen, &r))
				return err_set (e, BX_USAGE, 0, "%s:%d: not OWNER:START:COUNT: %.*s", file, lineno,
				                (int)(len > 80 ? 80 : len), s);
			if (fn (&r, subid_owner_is (owner, olen, name, id), arg) < 0)
				return err_set (e, BX_USAGE, 0, "%s:%d: more than %d ranges", file, lineno, SUBID_MAX);
		}
		s += strcspn (s, "\n");
		s += *s == '\n';
	}
	return 0;
}

static int
subid_collect (const struct subid_range *r, int matched, void *arg)
{
	struct subid_ranges *out = arg;

	if (!matched)
		return 0;
	if (out->n == SUBID_MAX)
		return -1;
	out->r[out->n++] = *r;
	out->total += r->count;
	return 0;
}

int
subid_parse (const char *text, const char *file, const char *name, long long id, struct subid_ranges *out,
             struct bx_err *e)
{
	*out = (struct subid_ranges){0};
	return subid_each (text, file, name, id, subid_collect, out, e);
}

static int
subid_slurp (const char *file, char **text, struct bx_err *e)
{
	size_t len;

	if (afile_slurp_at (AT_FDCWD, file, text, &len, e) == 0)
		return 0;
	if (e->code != BX_NOTFOUND)
		return -1;
	*e = (struct bx_err){0};
	return 1;
}

int
subid_read (const char *file, const char *name, long long id, struct subid_ranges *out, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	int r;

	*out = (struct subid_ranges){0};
	if ((r = subid_slurp (file, &text, e)) != 0)
		return r < 0 ? -1 : 0;
	return subid_parse (text, file, name, id, out, e);
}

int
subid_read_ns (const char *map, struct subid_ranges *out, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	unsigned long long in, host, count;
	int n;

	*out = (struct subid_ranges){0};
	if (afile_slurp_at (AT_FDCWD, map, &text, NULL, e) < 0)
		return -1;
	for (const char *s = text; sscanf (s, "%llu %llu %llu%n", &in, &host, &count, &n) == 3; s += n) {
		if (in == 0)
			in++, count--;
		if (!count)
			continue;
		if (out->n == SUBID_MAX)
			return err_set (e, BX_FAIL, 0, "%s: more than %d ranges", map, SUBID_MAX);
		out->r[out->n++] = (struct subid_range){in, count};
		out->total += count;
	}
	return 0;
}

static int
subid_highest (const struct subid_range *r, int matched, void *arg)
{
	uint64_t *end = arg;

	(void)matched;
	if (r->start + r->count > *end)
		*end = r->start + r->count;
	return 0;
}

int
subid_next_free (const char *file, uint64_t min, uint64_t *out, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	int r;

	*out = min;
	if ((r = subid_slurp (file, &text, e)) != 0)
		return r < 0 ? -1 : 0;
	return subid_each (text, file, NULL, -1, subid_highest, out, e);
}
