/* cptar - trees as tar streams and tar streams into trees (cptar.h) */
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/tree.h"
#include "cptar.h"

/* the writer's hard links: one writer per process (cp or export) */
static struct archive_entry_linkresolver *cptar_links;

struct archive *
cptar_writer (int fd, struct bx_err *e)
{
	struct archive *a = archive_write_new ();

	if (!a || archive_write_set_format_pax_restricted (a) != ARCHIVE_OK ||
	    archive_write_open_fd (a, fd) != ARCHIVE_OK) {
		err_set (e, BX_SYSTEM, 0, "tar: %s", a ? archive_error_string (a) : "out of memory");
		if (a)
			archive_write_free (a);
		return NULL;
	}
	if (!cptar_links && (cptar_links = archive_entry_linkresolver_new ()))
		archive_entry_linkresolver_set_strategy (cptar_links, archive_format (a));
	return a;
}

struct archive *
cptar_reader (int fd, struct bx_err *e)
{
	struct archive *a = archive_read_new ();

	if (!a || archive_read_support_filter_all (a) != ARCHIVE_OK ||
	    archive_read_support_format_tar (a) != ARCHIVE_OK || archive_read_open_fd (a, fd, 65536) != ARCHIVE_OK) {
		err_set (e, BX_FAIL, 0, "%s", a ? archive_error_string (a) : "out of memory");
		if (a)
			archive_read_free (a);
		return NULL;
	}
	return a;
}

static int
cptar_werr (struct archive *a, const char *path, struct bx_err *e)
{
	return err_set (e, BX_SYSTEM, 0, "%s: %s", path, archive_error_string (a));
}

static int
cptar_data (struct archive *a, int dirfd, const char *name, const char *path, struct bx_err *e)
{
	char buf[65536];
	ssize_t n;
	int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", path);
	while ((n = read (fd, buf, sizeof buf)) > 0)
		if (archive_write_data (a, buf, (size_t)n) < 0) {
			close (fd);
			return cptar_werr (a, path, e);
		}
	if (n < 0)
		err_set (e, BX_SYSTEM, errno, "%s", path);
	close (fd);
	return n < 0 ? -1 : 0;
}

static const struct idmap *cptar_uidmap, *cptar_gidmap;

void
cptar_ids_out (const struct idmap *uid, const struct idmap *gid)
{
	cptar_uidmap = uid;
	cptar_gidmap = gid;
}

/* ID of the host as the container's (65534 when it has none) */
static long long
cptar_to_ctr (const struct idmap *m, unsigned id)
{
	long long v = idmap_to_ctr (m, id);

	return v < 0 ? 65534 : v;
}

static int
cptar_put (struct archive *a, int dirfd, const char *name, const char *path, const struct stat *st, struct bx_err *e)
{
	struct archive_entry *en = archive_entry_new (), *spare = NULL;
	char target[4096], dirpath[4096];
	ssize_t n;
	int rc = 0;

	archive_entry_copy_stat (en, st);
	if (cptar_uidmap) {
		archive_entry_set_uid (en, cptar_to_ctr (cptar_uidmap, st->st_uid));
		archive_entry_set_gid (en, cptar_to_ctr (cptar_gidmap, st->st_gid));
	}
	if (S_ISDIR (st->st_mode)) {
		snprintf (dirpath, sizeof dirpath, "%s/", path);
		archive_entry_set_pathname (en, dirpath);
	} else
		archive_entry_set_pathname (en, path);
	if (S_ISLNK (st->st_mode)) {
		if ((n = readlinkat (dirfd, name, target, sizeof target - 1)) < 0) {
			archive_entry_free (en);
			return err_set (e, BX_SYSTEM, errno, "%s", path);
		}
		target[n] = 0;
		archive_entry_set_symlink (en, target);
	}
	if (!S_ISREG (st->st_mode))
		archive_entry_set_size (en, 0);
	else if (st->st_nlink > 1 && cptar_links)
		archive_entry_linkify (cptar_links, &en, &spare); /* a second name: a link entry, no data */
	if (archive_write_header (a, en) != ARCHIVE_OK)
		rc = cptar_werr (a, path, e);
	else if (S_ISREG (st->st_mode) && archive_entry_size (en) > 0)
		rc = cptar_data (a, dirfd, name, path, e);
	archive_entry_free (en);
	archive_entry_free (spare);
	return rc;
}

static int
cptar_byname (const void *x, const void *y)
{
	return strcmp (*(char *const *)x, *(char *const *)y);
}

/* the names in DIRFD, sorted, as export and Docker's walk list them */
static char **
cptar_names (int dirfd, size_t *n)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;
	int fd = dup (dirfd);

	*n = 0;
	if (fd < 0 || !(d = fdopendir (fd))) {
		if (fd >= 0)
			close (fd);
		return NULL;
	}
	while ((de = readdir (d))) {
		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
			continue;
		if (*n == cap) {
			char **nv = realloc (v, (cap = cap ? cap * 2 : 32) * sizeof *v);
			if (!nv)
				break;
			v = nv;
		}
		v[(*n)++] = strdup (de->d_name);
	}
	closedir (d);
	if (v)
		qsort (v, *n, sizeof *v, cptar_byname);
	return v;
}

static int
cptar_dir (struct archive *a, int dirfd, const char *prefix, struct bx_err *e)
{
	size_t n, k;
	char **names = cptar_names (dirfd, &n), path[4096];
	int rc = 0;

	for (k = 0; k < n; k++) {
		if (rc == 0) {
			if (prefix)
				snprintf (path, sizeof path, "%s/%s", prefix, names[k]);
			rc = cptar_tree (a, dirfd, names[k], prefix ? path : names[k], e);
		}
		free (names[k]);
	}
	free (names);
	return rc;
}

int
cptar_tree (struct archive *a, int dirfd, const char *name, const char *as, struct bx_err *e)
{
	struct stat st;
	int sub, rc;

	if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", as ? as : name);
	if (as && cptar_put (a, dirfd, name, as, &st, e) < 0)
		return -1;
	if (!S_ISDIR (st.st_mode))
		return 0;
	if ((sub = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", as ? as : name);
	rc = cptar_dir (a, sub, as, e);
	close (sub);
	return rc;
}

/* NAME without leading "/" and "./", or -1 when a ".." climbs */
static int
cptar_clean (const char *name, char *out, size_t len)
{
	const char *p = name, *q;
	size_t o = 0, l;

	while (*p) {
		while (*p == '/')
			p++;
		q = strchr (p, '/');
		l = q ? (size_t)(q - p) : strlen (p);
		if (l == 2 && !strncmp (p, "..", 2))
			return -1;
		if (l && !(l == 1 && *p == '.')) {
			if (o + l + 2 > len)
				return -1;
			if (o)
				out[o++] = '/';
			memcpy (out + o, p, l);
			o += l;
		}
		p += l;
	}
	out[o] = 0;
	return 0;
}

/* the parent directory of PATH under DESTFD, made when missing */
static int
cptar_parent (int destfd, char *path, const char **base)
{
	char *slash = strrchr (path, '/'), *p;
	int fd;

	if (!slash) {
		*base = path;
		return dup (destfd);
	}
	*slash = 0;
	*base = slash + 1;
	if ((fd = tree_open_in_root (destfd, path, O_PATH | O_DIRECTORY, 0)) >= 0 || errno != ENOENT)
		goto out;
	for (p = path;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;
		*p = 0;
		if (mkdirat (destfd, path, 0755) < 0 && errno != EEXIST) {
			*p = c;
			goto out;
		}
		*p = c;
		if (!c)
			break;
	}
	fd = tree_open_in_root (destfd, path, O_PATH | O_DIRECTORY, 0);
out:
	*slash = '/';
	return fd;
}

/* room for NAME of type MODE in PFD: what is there goes unless both are
 * directories; a directory is never replaced by a non-directory */
static int
cptar_slot (int pfd, const char *base, mode_t mode, const char *path, struct bx_err *e)
{
	struct stat st;

	if (fstatat (pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "%s", path);
	if (S_ISDIR (st.st_mode) && S_ISDIR (mode))
		return 1;
	if (S_ISDIR (st.st_mode))
		return err_set (e, BX_FAIL, 0, "cannot overwrite directory \"%s\" with non-directory", path);
	if (unlinkat (pfd, base, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", path);
	return 0;
}

static int
cptar_make (struct archive *in, struct archive_entry *en, int destfd, int pfd, const char *base, const char *path,
            struct bx_err *e)
{
	mode_t mode = archive_entry_mode (en);
	const char *hl = archive_entry_hardlink (en);
	char tpath[4096];
	int fd, tfd, rc;

	if (hl) {
		if (cptar_clean (hl, tpath, sizeof tpath) < 0 || !*tpath)
			return err_set (e, BX_FAIL, 0, "%s: link to %s: invalid path", path, hl);
		if ((tfd = tree_open_in_root (destfd, tpath, O_PATH | O_NOFOLLOW, 0)) < 0)
			return err_set (e, BX_SYSTEM, errno, "%s: link to %s", path, hl);
		rc = cptar_slot (pfd, base, S_IFREG, path, e) < 0 ? -1 : linkat (tfd, "", pfd, base, AT_EMPTY_PATH);
		close (tfd);
		return rc < 0 && !e->msg[0] ? err_set (e, BX_SYSTEM, errno, "%s", path) : rc;
	}
	if ((rc = cptar_slot (pfd, base, mode, path, e)) != 0)
		return rc < 0 ? -1 : 0;
	switch (mode & S_IFMT) {
	case S_IFDIR: rc = mkdirat (pfd, base, 0700); break;
	case S_IFLNK: rc = symlinkat (archive_entry_symlink (en), pfd, base); break;
	case S_IFREG:
		if ((fd = openat (pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
			return err_set (e, BX_SYSTEM, errno, "%s", path);
		rc = archive_read_data_into_fd (in, fd) != ARCHIVE_OK;
		close (fd);
		if (rc)
			return err_set (e, BX_FAIL, 0, "%s: %s", path, archive_error_string (in));
		break;
	default: rc = mknodat (pfd, base, mode, archive_entry_rdev (en)); break;
	}
	return rc < 0 ? err_set (e, BX_SYSTEM, errno, "%s", path) : 0;
}

static int
cptar_meta (struct archive_entry *en, int pfd, const char *base, const struct cptar_owner *own, const char *path,
            struct bx_err *e)
{
	struct timespec ts[2] = {{archive_entry_atime (en), archive_entry_atime_nsec (en)},
	                         {archive_entry_mtime (en), archive_entry_mtime_nsec (en)}};
	mode_t mode = archive_entry_mode (en);
	long long uid = own->force ? own->uid : (uid_t)archive_entry_uid (en);
	long long gid = own->force ? own->gid : (gid_t)archive_entry_gid (en);

	if (own->chown && own->uidmap) {
		uid = idmap_to_host (own->uidmap, (uint32_t)uid);
		gid = idmap_to_host (own->gidmap, (uint32_t)gid);
		if (uid < 0 || gid < 0)
			return err_set (e, BX_FAIL, 0,
			                "%s: owner %lld:%lld not mapped in the container's user namespace", path,
			                (long long)(own->force ? own->uid : archive_entry_uid (en)),
			                (long long)(own->force ? own->gid : archive_entry_gid (en)));
	}
	if (own->chown && fchownat (pfd, base, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s: chown", path);
	if (!S_ISLNK (mode) && fchmodat (pfd, base, mode & 07777, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s: chmod", path);
	if (!archive_entry_atime_is_set (en))
		ts[0] = ts[1];
	if (utimensat (pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s: times", path);
	return 0;
}

static int
cptar_entry (struct archive *in, struct archive_entry *en, int destfd, const struct cptar_owner *own, struct bx_err *e)
{
	char path[4096];
	const char *base;
	int pfd, rc;

	if (cptar_clean (archive_entry_pathname (en), path, sizeof path) < 0)
		return err_set (e, BX_FAIL, 0, "%s: invalid path: it climbs out of the destination",
		                archive_entry_pathname (en));
	if (!*path)
		return 0; /* the destination itself */
	if ((pfd = cptar_parent (destfd, path, &base)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", path);
	rc = cptar_make (in, en, destfd, pfd, base, path, e);
	if (rc == 0 && !archive_entry_hardlink (en))
		rc = cptar_meta (en, pfd, base, own, path, e);
	close (pfd);
	return rc;
}

/* a directory's times, set again once its entries are made */
struct cptar_dirtime {
	char *path;
	struct timespec ts[2];
};

static void
cptar_dirtimes (int destfd, struct cptar_dirtime *d, size_t n)
{
	int fd;

	while (n--) {
		if ((fd = tree_open_in_root (destfd, d[n].path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0)) >= 0) {
			futimens (fd, d[n].ts);
			close (fd);
		}
		free (d[n].path);
	}
}

static int
cptar_extract_all (struct archive *in, int destfd, const struct cptar_owner *own, struct bx_err *e)
{
	struct archive_entry *en;
	struct cptar_dirtime *dirs = NULL, *nd;
	size_t n = 0;
	char path[4096];
	int r, rc = 0;

	while (rc == 0 && ((r = archive_read_next_header (in, &en)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
		if ((rc = cptar_entry (in, en, destfd, own, e)) < 0 || !S_ISDIR (archive_entry_mode (en)))
			continue;
		if (cptar_clean (archive_entry_pathname (en), path, sizeof path) < 0 || !*path ||
		    !(nd = realloc (dirs, (n + 1) * sizeof *dirs)))
			continue;
		dirs = nd;
		dirs[n].path = strdup (path);
		dirs[n].ts[0] = dirs[n].ts[1] =
		    (struct timespec){archive_entry_mtime (en), archive_entry_mtime_nsec (en)};
		n += dirs[n].path != NULL;
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = err_set (e, BX_FAIL, 0, "tar: %s", archive_error_string (in));
	cptar_dirtimes (destfd, dirs, n);
	free (dirs);
	return rc;
}

int
cptar_extract (struct archive *in, int destfd, const struct cptar_owner *own, struct bx_err *e)
{
	int rc;

	if (!own->uidmap)
		return cptar_extract_all (in, destfd, own, e);
	if (idmap_fsids (idmap_root (own->uidmap), idmap_root (own->gidmap)) < 0)
		return err_set (e, BX_SYSTEM, errno, "fsuid %u", idmap_root (own->uidmap));
	rc = cptar_extract_all (in, destfd, own, e);
	idmap_fsids (0, 0);
	return rc;
}
