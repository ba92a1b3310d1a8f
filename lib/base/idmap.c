/* idmap - id mappings (idmap.h) */
#include "base/idmap.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IDMAP_ID_END 4294967295ULL /* (uid_t)-1 is no id */

static int
idmap_overlaps (uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

int
idmap_add (struct idmap *m, uint64_t inside, uint64_t outside, uint64_t count, struct bx_err *e)
{
	if (count == 0)
		return err_set (e, BX_USAGE, 0, "the count must be positive");
	if (inside + count > IDMAP_ID_END || outside + count > IDMAP_ID_END)
		return err_set (e, BX_USAGE, 0, "ids past %llu", IDMAP_ID_END - 1);
	for (size_t i = 0; i < m->n; i++) {
		const struct idmap_ext *x = &m->ext[i];
		if (idmap_overlaps (inside, count, x->inside, x->count))
			return err_set (e, BX_USAGE, 0, "container ids %llu-%llu mapped twice",
			                (unsigned long long)inside, (unsigned long long)(inside + count - 1));
		if (idmap_overlaps (outside, count, x->outside, x->count))
			return err_set (e, BX_USAGE, 0, "host ids %llu-%llu mapped twice", (unsigned long long)outside,
			                (unsigned long long)(outside + count - 1));
	}
	if (m->n == IDMAP_MAX)
		return err_set (e, BX_USAGE, 0, "more than %d mappings", IDMAP_MAX);
	m->ext[m->n++] = (struct idmap_ext){(uint32_t)inside, (uint32_t)outside, (uint32_t)count};
	return 0;
}

int
idmap_from_json (struct idmap *m, const json_t *arr, const char *key, struct bx_err *e)
{
	static const char *const f[] = {"containerID", "hostID", "size"};
	size_t i;
	json_t *it;

	m->n = 0;
	if (!json_is_array (arr))
		return err_set (e, BX_USAGE, 0, "%s: not an array", key);
	json_array_foreach (arr, i, it)
	{
		uint64_t v[3];
		for (int k = 0; k < 3; k++) {
			json_t *x = json_object_get (it, f[k]);
			json_int_t val = json_integer_value (x);
			if (!json_is_integer (x) || val < (k == 2) || val > UINT32_MAX)
				return err_set (e, BX_USAGE, 0, "%s[%zu].%s: %s", key, i, f[k],
				                k == 2 ? "a count from 1 needed" : "an id from 0 to 4294967295 needed");
			v[k] = (uint64_t)val;
		}
		if (v[0] + v[2] > 1ULL << 32 || v[1] + v[2] > 1ULL << 32)
			return err_set (e, BX_USAGE, 0, "%s[%zu]: past the last id", key, i);
		for (size_t j = 0; j < m->n; j++)
			if (idmap_overlaps (v[0], v[2], m->ext[j].inside, m->ext[j].count) ||
			    idmap_overlaps (v[1], v[2], m->ext[j].outside, m->ext[j].count))
				return err_set (e, BX_USAGE, 0, "%s[%zu]: overlaps %s[%zu]", key, i, key, j);
		if (idmap_add (m, v[0], v[1], v[2], e) < 0)
			return err_wrap (e, "%s[%zu]", key, i);
	}
	return 0;
}

/* a decimal number that ends at END (':' or the string's end) */
static int
idmap_number (const char **s, char end, uint64_t *out)
{
	char *p;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	*out = strtoull (*s, &p, 10);
	if (errno || *p != end || *out > IDMAP_ID_END)
		return -1;
	*s = p + (end != '\0');
	return 0;
}

int
idmap_add_spec (struct idmap *m, const char *s, struct bx_err *e)
{
	uint64_t inside, outside, count;
	const char *p = s;

	if (idmap_number (&p, ':', &inside) < 0 || idmap_number (&p, ':', &outside) < 0 ||
	    idmap_number (&p, '\0', &count) < 0)
		return err_set (e, BX_USAGE, 0, "not CONTAINER_ID:HOST_ID:COUNT");
	return idmap_add (m, inside, outside, count, e);
}

int
idmap_from_ranges (struct idmap *m, const struct subid_ranges *r, uint64_t size, struct bx_err *e)
{
	uint64_t next = 0;

	m->n = 0;
	if (size == 0)
		size = r->total;
	if (size == 0 || r->total < size)
		return err_set (e, BX_USAGE, 0, "%llu subordinate ids, %llu needed", (unsigned long long)r->total,
		                (unsigned long long)(size ? size : 1));
	for (size_t i = 0; i < r->n && next < size; i++) {
		uint64_t n = r->r[i].count < size - next ? r->r[i].count : size - next;
		if (idmap_add (m, next, r->r[i].start, n, e) < 0)
			return -1;
		next += n;
	}
	return 0;
}

/* The first container id at or after AT that FORCED maps, or END */
static uint64_t
idmap_next_forced (const struct idmap *forced, uint64_t at, uint64_t end)
{
	for (size_t i = 0; i < forced->n; i++)
		if (forced->ext[i].inside >= at && forced->ext[i].inside < end)
			end = forced->ext[i].inside;
	return end;
}

/* The end of FORCED's extent holding container id AT, or AT when none */
static uint64_t
idmap_forced_end (const struct idmap *forced, uint64_t at)
{
	for (size_t i = 0; i < forced->n; i++)
		if (at >= forced->ext[i].inside && at - forced->ext[i].inside < forced->ext[i].count)
			return (uint64_t)forced->ext[i].inside + forced->ext[i].count;
	return at;
}

int
idmap_override (struct idmap *m, const struct idmap *forced, struct bx_err *e)
{
	struct idmap out = {0};

	for (size_t i = 0; i < m->n; i++) {
		const struct idmap_ext *x = &m->ext[i];
		uint64_t at = x->inside, end = (uint64_t)x->inside + x->count, to;
		while (at < end) {
			if ((to = idmap_forced_end (forced, at)) != at) {
				at = to;
				continue;
			}
			to = idmap_next_forced (forced, at, end);
			if (idmap_add (&out, at, x->outside + (at - x->inside), to - at, e) < 0)
				return -1;
			at = to;
		}
	}
	for (size_t i = 0; i < forced->n; i++)
		if (idmap_add (&out, forced->ext[i].inside, forced->ext[i].outside, forced->ext[i].count, e) < 0)
			return -1;
	*m = out;
	return 0;
}

long long
idmap_to_host (const struct idmap *m, uint32_t id)
{
	for (size_t i = 0; i < m->n; i++)
		if (id >= m->ext[i].inside && id - m->ext[i].inside < m->ext[i].count)
			return (long long)m->ext[i].outside + (id - m->ext[i].inside);
	return -1;
}

long long
idmap_to_ctr (const struct idmap *m, uint32_t id)
{
	for (size_t i = 0; i < m->n; i++)
		if (id >= m->ext[i].outside && id - m->ext[i].outside < m->ext[i].count)
			return (long long)m->ext[i].inside + (id - m->ext[i].outside);
	return -1;
}

int
idmap_format (const struct idmap *m, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < m->n; i++) {
		int n =
		    snprintf (buf + off, len - off, "%u %u %u\n", m->ext[i].inside, m->ext[i].outside, m->ext[i].count);
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return (int)off;
}

unsigned
idmap_root (const struct idmap *m)
{
	long long id = idmap_to_host (m, 0);

	return id >= 0 ? (unsigned)id : m->ext[0].outside;
}

/* setfsuid away from 0 drops CAP_CHOWN, CAP_DAC_OVERRIDE and the other
 * file capabilities from the effective set; they are raised again here
 * (back to 0 the kernel does it) */
int
idmap_fsids (unsigned uid, unsigned gid)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	setfsgid (gid);
	setfsuid (uid);
	if ((unsigned)setfsuid ((uid_t)-1) != uid || (unsigned)setfsgid ((gid_t)-1) != gid)
		return -1;
	if (uid == 0 || syscall (SYS_capget, &h, d) < 0)
		return uid == 0 ? 0 : -1;
	d[0].effective = d[0].permitted;
	d[1].effective = d[1].permitted;
	return (int)syscall (SYS_capset, &h, d);
}
