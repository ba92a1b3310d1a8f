/* diffsize - a layer's size as Docker's DiffSize counts it (moby's
 * pkg/directory.Size over the extracted layer) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/digest.h"
#include "base/layout.h"
#include "layers/diffsize.h"

/* inodes seen, for hard links */
struct seen {
	ino_t *v;
	size_t n, cap;
};

static int
seen_add (struct seen *s, ino_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == ino)
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		ino_t *v = realloc (s->v, cap * sizeof *v);
		if (!v)
			return -1;
		s->v = v, s->cap = cap;
	}
	s->v[s->n++] = ino;
	return 1;
}

static int
walk (int dirfd, struct seen *s, int64_t *out)
{
	DIR *d = fdopendir (dirfd);
	struct dirent *de;
	struct stat st;
	int rc = 0;

	if (!d)
		return close (dirfd), -1;
	while (rc == 0 && (errno = 0, de = readdir (d))) {
		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
			continue;
		if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			rc = -1;
		else if (S_ISDIR (st.st_mode)) {
			int fd = openat (dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			rc = fd < 0 ? -1 : walk (fd, s, out);
		} else if (st.st_size > 0) {
			int fresh = seen_add (s, st.st_ino);
			if (fresh < 0)
				rc = -1;
			else if (fresh)
				*out += st.st_size;
		}
	}
	if (rc == 0 && errno)
		rc = -1;
	closedir (d);
	return rc;
}

int
diffsize_dir (int dirfd, int64_t *out, struct bx_err *e)
{
	struct seen s = {0};
	int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	*out = 0;
	rc = fd < 0 ? -1 : walk (fd, &s, out);
	free (s.v);
	return rc < 0 ? err_set (e, BX_SYSTEM, errno, "layer size") : 0;
}

/* --- a tar stream --------------------------------------------------------- */

struct tarin {
	int fd;
	int gz;
	z_stream z;
	ZSTD_DStream *zs; /* a zstd blob, else NULL */
	ZSTD_inBuffer zin;
	unsigned char in[65536];
	size_t inlen; /* plain: bytes left in IN from the sniff */
	size_t inoff;
};

static ssize_t
zstd_read (struct tarin *t, unsigned char *buf, size_t len)
{
	ZSTD_outBuffer o = {buf, len, 0};

	while (o.pos < len) {
		if (t->zin.pos == t->zin.size) {
			ssize_t n = read (t->fd, t->in, sizeof t->in);
			if (n <= 0)
				return n < 0 ? -1 : (ssize_t)o.pos;
			t->zin.size = n, t->zin.pos = 0;
		}
		if (ZSTD_isError (ZSTD_decompressStream (t->zs, &o, &t->zin)))
			return errno = EINVAL, -1;
	}
	return o.pos;
}

/* the next LEN bytes of the tar (fewer only at its end) */
static ssize_t
tar_read (struct tarin *t, unsigned char *buf, size_t len)
{
	size_t got = 0;

	if (t->zs)
		return zstd_read (t, buf, len);
	while (got < len) {
		if (!t->gz && t->inoff < t->inlen) {
			size_t n = t->inlen - t->inoff < len - got ? t->inlen - t->inoff : len - got;
			memcpy (buf + got, t->in + t->inoff, n);
			t->inoff += n, got += n;
			continue;
		}
		if (!t->gz || t->z.avail_in == 0) {
			ssize_t n = read (t->fd, t->gz ? t->in : buf + got, t->gz ? sizeof t->in : len - got);
			if (n <= 0)
				return n < 0 ? -1 : (ssize_t)got;
			if (!t->gz) {
				got += n;
				continue;
			}
			t->z.next_in = t->in;
			t->z.avail_in = n;
		}
		t->z.next_out = buf + got;
		t->z.avail_out = len - got;
		int zr = inflate (&t->z, Z_NO_FLUSH);
		got = len - t->z.avail_out;
		if (zr == Z_STREAM_END) /* another gzip member may follow */
			inflateReset (&t->z);
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return errno = EINVAL, -1;
	}
	return got;
}

static int
tar_skip (struct tarin *t, uint64_t n)
{
	unsigned char buf[8192];

	while (n > 0) {
		size_t k = n < sizeof buf ? n : sizeof buf;
		if (tar_read (t, buf, k) != (ssize_t)k)
			return -1;
		n -= k;
	}
	return 0;
}

/* a numeric field: octal, or base-256 when its high bit is set */
static uint64_t
tar_num (const unsigned char *p, size_t len)
{
	uint64_t v = 0;

	if (p[0] & 0x80) {
		for (size_t i = 1; i < len; i++)
			v = v << 8 | p[i];
		return v;
	}
	for (size_t i = 0; i < len && p[i]; i++)
		if (p[i] >= '0' && p[i] <= '7')
			v = v << 3 | (uint64_t)(p[i] - '0');
	return v;
}

/* the pax records of an 'x' header that change the size: size=, linkpath= */
static void
pax_apply (const char *rec, size_t len, int64_t *size, int64_t *linklen)
{
	size_t at = 0;

	while (at < len) {
		char *end;
		unsigned long n = strtoul (rec + at, &end, 10);
		const char *kv = end + 1, *stop = rec + at + n;
		if (n == 0 || at + n > len || *end != ' ')
			return;
		if (!strncmp (kv, "size=", 5))
			*size = strtoll (kv + 5, NULL, 10);
		else if (!strncmp (kv, "linkpath=", 9))
			*linklen = stop - (kv + 9) - 1;
		at += n;
	}
}

static int
tar_sum (struct tarin *t, int64_t *out)
{
	unsigned char h[512];
	int64_t psize = -1, plink = -1, llink = -1;

	for (;;) {
		ssize_t n = tar_read (t, h, sizeof h);
		if (n == 0 || (n == 512 && h[0] == 0))
			return 0;
		if (n != 512)
			return errno = EINVAL, -1;
		uint64_t size = tar_num (h + 124, 12), padded = (size + 511) & ~(uint64_t)511;
		char type = (char)h[156];
		if (type == 'x' || type == 'L' || type == 'K') {
			_cleanup_free_ char *rec = size < (1 << 20) ? malloc (padded + 1) : NULL;
			if (!rec || tar_read (t, (unsigned char *)rec, padded) != (ssize_t)padded)
				return errno = EINVAL, -1;
			rec[size] = '\0';
			if (type == 'x')
				pax_apply (rec, size, &psize, &plink);
			else if (type == 'K')
				llink = (int64_t)strnlen (rec, size);
			continue;
		}
		if (type == 'g' || type == '5' || type == '1' || type == '3' || type == '4' || type == '6') {
			if (tar_skip (t, type == 'g' ? padded : 0) < 0)
				return -1;
		} else if (type == '2') {
			*out += plink >= 0 ? plink : llink >= 0 ? llink : (int64_t)strnlen ((char *)h + 157, 100);
		} else {
			int64_t s = psize >= 0 ? psize : (int64_t)size;
			*out += s;
			if (tar_skip (t, ((uint64_t)s + 511) & ~(uint64_t)511) < 0)
				return -1;
		}
		psize = plink = llink = -1;
	}
}

int
diffsize_blob (int fd, int64_t *out, struct bx_err *e)
{
	struct tarin *t = calloc (1, sizeof *t);
	ssize_t n;
	int rc;

	*out = 0;
	if (!t)
		return err_set (e, BX_SYSTEM, ENOMEM, "layer size");
	t->fd = fd;
	n = read (fd, t->in, sizeof t->in);
	if (n < 0) {
		free (t);
		return err_set (e, BX_SYSTEM, errno, "layer size");
	}
	if (n >= 4 && !memcmp (t->in, "\x28\xb5\x2f\xfd", 4)) {
		if (!(t->zs = ZSTD_createDStream ())) {
			free (t);
			return err_set (e, BX_SYSTEM, ENOMEM, "zstd");
		}
		t->zin = (ZSTD_inBuffer){t->in, n, 0};
	}
	t->gz = n >= 2 && t->in[0] == 0x1f && t->in[1] == 0x8b;
	if (t->gz) {
		if (inflateInit2 (&t->z, 15 + 32) != Z_OK) {
			free (t);
			return err_set (e, BX_SYSTEM, ENOMEM, "zlib");
		}
		t->z.next_in = t->in;
		t->z.avail_in = n;
	} else if (!t->zs)
		t->inlen = n;
	rc = tar_sum (t, out);
	if (t->gz)
		inflateEnd (&t->z);
	ZSTD_freeDStream (t->zs);
	free (t);
	return rc < 0 ? err_set (e, BX_FAIL, errno, "reading the layer") : 0;
}

/* the cached size of layer HEX: 0 found, -1 none (or unreadable) */
static int
cache_get (int rootfd, const char *hex, int64_t *out)
{
	char path[128], buf[32], *end;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf (path, sizeof path, L_SIZE_CACHE "/%s", hex);
	if ((fd = openat (rootfd, path, O_RDONLY | O_CLOEXEC)) < 0 || (n = read (fd, buf, sizeof buf - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	*out = strtoll (buf, &end, 10);
	return errno || end == buf || *end != '\n' || *out < 0 ? -1 : 0;
}

/* best effort: a state directory this process cannot write is sized
 * again next time */
static void
cache_put (int rootfd, const char *hex, int64_t size)
{
	_cleanup_close_ int dir = -1;
	struct bx_err ign = {0};
	char buf[32];

	if (afile_mkdir_p_at (rootfd, L_SIZE_CACHE, 0700, &ign) < 0 ||
	    (dir = openat (rootfd, L_SIZE_CACHE, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	snprintf (buf, sizeof buf, "%lld\n", (long long)size);
	afile_replace_at (dir, hex, buf, strlen (buf), 0644, &ign);
}

static int
measure (int rootfd, int blobsfd, const char *hex, const char *diff_id, const char *blob, int64_t *out,
         struct bx_err *e)
{
	char path[128];
	_cleanup_close_ int dir = -1, fd = -1;
	const char *bhex = strchr (blob, ':');

	snprintf (path, sizeof path, "%s/%s", L_LAYERS, hex);
	if ((dir = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		return diffsize_dir (dir, out, e) < 0 ? err_wrap (e, "%s", diff_id) : 0;
	if ((fd = openat (blobsfd, bhex ? bhex + 1 : blob, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "layer %s", blob);
	return diffsize_blob (fd, out, e) < 0 ? err_wrap (e, "layer %s", blob) : 0;
}

int
diffsize_layer (int rootfd, int blobsfd, const char *diff_id, const char *blob, int64_t *out, struct bx_err *e)
{
	const char *hex = strchr (diff_id, ':') ? strchr (diff_id, ':') + 1 : diff_id;

	if (!digest_is_hex (hex))
		return err_set (e, BX_FAIL, 0, "layer %s: not a digest", diff_id);
	if (cache_get (rootfd, hex, out) == 0)
		return 0;
	if (measure (rootfd, blobsfd, hex, diff_id, blob, out, e) < 0)
		return -1;
	cache_put (rootfd, hex, *out);
	return 0;
}

int
diffsize_image (int rootfd, int blobsfd, json_t *config, json_t *manifest, int64_t *out, struct bx_err *e)
{
	json_t *ids = json_object_get (json_object_get (config, "rootfs"), "diff_ids"), *id;
	json_t *layers = json_object_get (manifest, "layers");
	size_t i;

	*out = 0;
	json_array_foreach (ids, i, id)
	{
		const char *blob = json_string_value (json_object_get (json_array_get (layers, i), "digest"));
		int64_t n;
		if (!json_string_value (id) || !blob)
			return err_set (e, BX_FAIL, 0, "image: %zu layers in its config, %zu in its manifest",
			                json_array_size (ids), json_array_size (layers));
		if (diffsize_layer (rootfd, blobsfd, json_string_value (id), blob, &n, e) < 0)
			return -1;
		*out += n;
	}
	return 0;
}

void
diffsize_entry (const struct imgset *set, struct imgset_entry *en)
{
	struct bx_err ign = {0};
	int64_t n;

	if (en->id[0] && en->config &&
	    diffsize_image (set->s->root, set->s->blobs, en->config, en->manifest, &n, &ign) == 0)
		en->size = n;
}

void
diffsize_set (struct imgset *set)
{
	for (size_t i = 0; i < set->n; i++)
		diffsize_entry (set, &set->v[i]);
}

void
diffsize_sweep (int rootfd, json_t *live)
{
	int fd = openat (rootfd, L_SIZE_CACHE, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	struct dirent *de;
	char digest[DIGEST_STR_LEN + 1];

	if (fd >= 0 && !d)
		close (fd);
	while (d && (de = readdir (d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf (digest, sizeof digest, "sha256:%s", de->d_name);
		if (afile_is_tmp_name (de->d_name) || !json_is_true (json_object_get (live, digest)))
			unlinkat (dirfd (d), de->d_name, 0);
	}
}
