/* copy - COPY and ADD, as Docker copies them: a directory's contents (not
 * the directory itself) into the destination, files with their mode and
 * mtime, owned by root or --chown, --chmod over the mode; several sources
 * (or a glob) need a destination ending in "/". A source is a path of the
 * context (or of --from's tree), a here-document, or for ADD a URL; ADD
 * extracts a local tar archive */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "add.h"
#include "base/afile.h"
#include "base/cleanup.h"
#include "base/tree.h"
#include "copy.h"
#include "ctrrun.h"
#include "ignore.h"
#include "dockerfile/shword.h"
#include "meta.h"
#include "plan.h"
#include "step.h"

struct cp {
	uid_t uid;
	gid_t gid;
	int chmod; /* -1: keep */
	int add;   /* ADD, not COPY */
	int keep;  /* --from without --chown: the files keep their owners */
	/* the context's .dockerignore (NULL: none, or not the context), and
	 * the path in the context of the entry being copied */
	const struct ignore *ign;
	char rel[PATH_MAX];
	size_t rlen;
	json_t *links; /* a directory source's files with several names: "dev:ino" -> the first copy's path */
	const char *from;
	int srcroot, dstroot;
	char srcctr[CTRRUN_ID_LEN + 1]; /* --from's container, or "" */
};

static int
open_in (int root, const char *path, int flags)
{
	return tree_open_in_root (root, *path ? path : ".", flags | O_CLOEXEC, 0);
}

/* each prefix looked up from ROOT afresh, so a symlink on the way
 * resolves inside ROOT */
int
copy_mkdir_in_root (int root, const char *path, uid_t uid, gid_t gid, struct bx_err *e)
{
	_cleanup_free_ char *p = strdup (path), *pre = calloc (strlen (path) + 2, 1);
	int fd = open_in (root, "/", O_RDONLY | O_DIRECTORY);

	for (char *c = strtok (p, "/"); c && fd >= 0; c = strtok (NULL, "/")) {
		int next;
		strcat (strcat (pre, "/"), c);
		next = open_in (root, pre, O_RDONLY | O_DIRECTORY);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat (fd, c, 0755) < 0 && errno != EEXIST)
				break;
			if (fchownat (fd, c, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
				break;
			next = open_in (root, pre, O_RDONLY | O_DIRECTORY);
		}
		close (fd);
		fd = next;
	}
	if (fd < 0)
		return err_set (e, BX_FAIL, errno, "mkdir %s", path);
	return fd;
}

/* the instruction's name in messages */
static const char *
kw (const struct build *b)
{
	return strcmp (b->in->keyword, "add") == 0 ? "ADD" : "COPY";
}

/* --- one entry ------------------------------------------------------------ */

static int copy_tree (struct cp *c, int sdir, int ddir, const char *name, const char *dname, struct bx_err *e);
static int copy_entry (struct cp *c, int sdir, int ddir, const char *name, const char *dname, struct bx_err *e);

static int
set_meta (struct cp *c, int ddir, const char *dname, const struct stat *st, struct bx_err *e)
{
	struct timespec ts[2] = {st->st_mtim, st->st_mtim};
	mode_t mode = c->chmod >= 0 ? (mode_t)c->chmod : st->st_mode & 07777;
	uid_t uid = c->keep ? st->st_uid : c->uid;
	gid_t gid = c->keep ? st->st_gid : c->gid;

	if (fchownat (ddir, dname, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set (e, BX_FAIL, errno, "chown %s", dname);
	if (!S_ISLNK (st->st_mode) && fchmodat (ddir, dname, mode, 0) < 0)
		return err_set (e, BX_FAIL, errno, "chmod %s", dname);
	if (utimensat (ddir, dname, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set (e, BX_FAIL, errno, "utimes %s", dname);
	return 0;
}

/* the source's file capabilities and user.* xattrs onto DDIR/DNAME, after
 * its chown (which drops a capability) */
static int
copy_xattrs (int in, int ddir, const char *dname, struct bx_err *e)
{
	char names[4096], val[4096];
	ssize_t n = flistxattr (in, names, sizeof names), vn;
	_cleanup_close_ int out = -1;

	for (char *x = names; n > 0 && x < names + n; x += strlen (x) + 1) {
		if (strcmp (x, "security.capability") && strncmp (x, "user.", 5))
			continue;
		if (out < 0 && (out = openat (ddir, dname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return err_set (e, BX_FAIL, errno, "%s", dname);
		if ((vn = fgetxattr (in, x, val, sizeof val)) >= 0 && fsetxattr (out, x, val, vn, 0) < 0)
			return err_set (e, BX_FAIL, errno, "%s: setting %s", dname, x);
	}
	return 0;
}

static int
copy_file (int in, const char *name, int ddir, const char *dname, const struct stat *st, struct bx_err *e)
{
	_cleanup_close_ int out = -1;
	off_t left = st->st_size;

	unlinkat (ddir, dname, 0);
	out = openat (ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (in < 0 || out < 0)
		return err_set (e, BX_FAIL, errno, "%s", in < 0 ? name : dname);
	while (left > 0) {
		ssize_t n = sendfile (out, in, NULL, left > (1 << 30) ? (1 << 30) : (size_t)left);
		if (n <= 0)
			return err_set (e, BX_SYSTEM, n < 0 ? errno : EIO, "copying %s", name);
		left -= n;
	}
	return 0;
}

static int
copy_dir (struct cp *c, int sdir, const char *name, int ddir, const char *dname, struct bx_err *e)
{
	_cleanup_close_ int s = openat (sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), d = -1;
	_cleanup_dir_ DIR *dp = NULL;
	struct dirent *de;

	if (mkdirat (ddir, dname, 0755) < 0 && errno != EEXIST)
		return err_set (e, BX_FAIL, errno, "mkdir %s", dname);
	d = openat (ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s < 0 || d < 0 || !(dp = fdopendir (dup (s))))
		return err_set (e, BX_FAIL, errno, "%s", s < 0 ? name : dname);
	while ((de = readdir (dp)))
		if (strcmp (de->d_name, ".") && strcmp (de->d_name, "..") &&
		    copy_tree (c, s, d, de->d_name, de->d_name, e) < 0)
			return -1;
	return 0;
}

/* SDIR/NAME as DDIR/DNAME, unless the .dockerignore left it out of the
 * context */
static int
copy_tree (struct cp *c, int sdir, int ddir, const char *name, const char *dname, struct bx_err *e)
{
	size_t keep = c->rlen;
	struct stat st;
	int rc;

	if (!c->ign)
		return copy_entry (c, sdir, ddir, name, dname, e);
	if (keep + strlen (name) + 2 > sizeof c->rel)
		return err_set (e, BX_FAIL, ENAMETOOLONG, "%s", name);
	c->rlen += sprintf (c->rel + keep, "%s%s", keep ? "/" : "", name);
	if (fstatat (sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		rc = err_set (e, BX_FAIL, errno, "%s", name);
	else
		rc =
		    ignore_sent (c->ign, c->rel, S_ISDIR (st.st_mode)) ? copy_entry (c, sdir, ddir, name, dname, e) : 0;
	c->rel[c->rlen = keep] = '\0';
	return rc;
}

/* a second name of a file copied already becomes a hard link to the copy,
 * as Docker's tar of a directory source makes it: 1 when done. The copy
 * is found by its path in the destination root, which may be a detached
 * mount (step_rootfs): no host path reaches it */
static int
link_again (struct cp *c, const struct stat *st, int ddir, const char *dname)
{
	char key[64], proc[64];
	const char *first;
	_cleanup_close_ int fd = -1;

	snprintf (key, sizeof key, "%ju:%ju", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
	if (!(first = json_string_value (json_object_get (c->links, key))) ||
	    (fd = tree_open_in_root (c->dstroot, first, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0)) < 0)
		return 0;
	snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
	unlinkat (ddir, dname, 0);
	return linkat (AT_FDCWD, proc, ddir, dname, AT_SYMLINK_FOLLOW) == 0;
}

/* FD's path as the kernel names it */
static ssize_t
fd_path (int fd, char *out, size_t len)
{
	char proc[64];
	ssize_t n;

	snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
	if ((n = readlink (proc, out, len - 1)) >= 0)
		out[n] = '\0';
	return n;
}

/* the copy DDIR/DNAME, by its path under the destination root */
static void
remember_link (struct cp *c, const struct stat *st, int ddir, const char *dname)
{
	char key[64], root[PATH_MAX], dir[PATH_MAX];
	ssize_t r;

	if (!c->links || (r = fd_path (c->dstroot, root, sizeof root)) < 0 || fd_path (ddir, dir, sizeof dir) < 0)
		return;
	if (!strcmp (root, "/"))
		r = 0;
	if (strncmp (dir, root, (size_t)r) != 0)
		return;
	snprintf (key, sizeof key, "%ju:%ju", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
	json_object_set_new (c->links, key, json_sprintf ("./%s/%s", dir + r, dname));
}

static int
copy_entry (struct cp *c, int sdir, int ddir, const char *name, const char *dname, struct bx_err *e)
{
	struct stat st;
	char target[4096];
	ssize_t n;

	if (fstatat (sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set (e, BX_FAIL, errno, "%s", name);
	if (S_ISDIR (st.st_mode)) {
		if (copy_dir (c, sdir, name, ddir, dname, e) < 0)
			return -1;
	} else if (S_ISREG (st.st_mode)) {
		_cleanup_close_ int in = -1;
		if (st.st_nlink > 1 && link_again (c, &st, ddir, dname))
			return 0;
		in = openat (sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (copy_file (in, name, ddir, dname, &st, e) < 0 || set_meta (c, ddir, dname, &st, e) < 0 ||
		    copy_xattrs (in, ddir, dname, e) < 0)
			return -1;
		if (st.st_nlink > 1)
			remember_link (c, &st, ddir, dname);
		return 0;
	} else if (S_ISLNK (st.st_mode)) {
		if ((n = readlinkat (sdir, name, target, sizeof target - 1)) < 0)
			return err_set (e, BX_FAIL, errno, "%s", name);
		target[n] = '\0';
		unlinkat (ddir, dname, 0);
		if (symlinkat (target, ddir, dname) < 0)
			return err_set (e, BX_FAIL, errno, "%s", dname);
	} else {
		unlinkat (ddir, dname, 0);
		if (mknodat (ddir, dname, st.st_mode, st.st_rdev) < 0)
			return err_set (e, BX_FAIL, errno, "%s", dname);
	}
	return set_meta (c, ddir, dname, &st, e);
}

/* --- the instruction ------------------------------------------------------ */

/* NAME (a user or group name, or a number) in the image's FILE
 * (etc/passwd, etc/group): its id, or -1 */
static long
lookup_id (int rootfs, const char *file, const char *name)
{
	_cleanup_close_ int fd = -1;
	_cleanup_file_ FILE *f = NULL;
	char line[1024], *end;
	long n = strtol (name, &end, 10);

	if (*name && !*end)
		return n;
	if ((fd = open_in (rootfs, file, O_RDONLY)) < 0 || !(f = fdopen (fd, "r")))
		return -1;
	fd = -1;
	while (fgets (line, sizeof line, f)) {
		char *save = NULL, *nm = strtok_r (line, ":", &save), *x = strtok_r (NULL, ":", &save),
		     *id = strtok_r (NULL, ":", &save);
		(void)x;
		if (nm && id && strcmp (nm, name) == 0)
			return strtol (id, NULL, 10);
	}
	return -1;
}

static int
parse_chown (struct build *b, struct cp *c, const char *spec, struct bx_err *e)
{
	_cleanup_free_ char *u = NULL;
	char *g;
	long uid, gid;

	if (build_expand (b, spec, &u, e) < 0)
		return -1;
	if ((g = strchr (u, ':')))
		*g++ = '\0';
	uid = lookup_id (c->dstroot, "/etc/passwd", u);
	gid = g ? lookup_id (c->dstroot, "/etc/group", g) : uid;
	if (uid < 0 || gid < 0)
		return build_errf (b, e, BX_FAIL, "%s: unable to find %s %s", kw (b), uid < 0 ? "user" : "group",
		                   uid < 0 ? u : g);
	c->uid = uid;
	c->gid = gid;
	return 0;
}

static int
parse_flags (struct build *b, struct cp *c, const char **chown, struct bx_err *e)
{
	int add = strcmp (b->in->keyword, "add") == 0;

	c->chmod = -1;
	c->add = add;
	for (size_t i = 0; i < b->in->nflags; i++) {
		const char *f = b->in->flags[i];
		char *end;
		if (!strncmp (f, "--chown=", 8))
			*chown = f + 8;
		else if (!strncmp (f, "--chmod=", 8)) {
			c->chmod = strtol (f + 8, &end, 8);
			if (!f[8] || *end || c->chmod > 07777)
				return build_errf (b, e, BX_USAGE, "invalid chmod parameter: %s", f + 8);
		} else if (!strncmp (f, "--from=", 7) && !add)
			c->from = f + 7;
		else if (!strcmp (f, "--link") || !strcmp (f, "--link=true") || !strcmp (f, "--link=false"))
			; /* buildkit's independent layer; the classic builder's copy makes the same files */
		else if (!strncmp (f, "--parents", 9) || !strncmp (f, "--exclude", 9) ||
		         !strncmp (f, "--checksum", 10) || !strncmp (f, "--keep-git-dir", 14))
			return build_errf (b, e, BX_USAGE, "%s %.*s: not implemented", add ? "ADD" : "COPY",
			                   (int)strcspn (f, "="), f);
		else
			return build_errf (b, e, BX_USAGE, "%s: unknown flag: %s", add ? "ADD" : "COPY", f);
	}
	return 0;
}

static int
is_glob (const char *s)
{
	return strpbrk (s, "*?[") != NULL;
}

static int
by_string (const void *a, const void *b)
{
	return strcmp (json_string_value (*(json_t *const *)a), json_string_value (*(json_t *const *)b));
}

static void
sort_strings (json_t *arr)
{
	size_t n = json_array_size (arr);
	json_t **v = calloc (n + 1, sizeof *v);

	for (size_t i = 0; i < n; i++)
		v[i] = json_incref (json_array_get (arr, i));
	if (n)
		qsort (v, n, sizeof *v, by_string);
	json_array_clear (arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new (arr, v[i]);
	free (v);
}

/* the paths under ROOT that PAT matches, component by component (Go's
 * filepath.Match: '*' stops at '/') */
static void
glob_in (int root, const struct ignore *ign, const char *dir, const char *pat, json_t *out)
{
	size_t n = strcspn (pat, "/");
	_cleanup_free_ char *comp = strndup (pat, n);
	_cleanup_close_ int fd = open_in (root, dir, O_RDONLY | O_DIRECTORY);
	_cleanup_dir_ DIR *dp = fd >= 0 ? fdopendir (dup (fd)) : NULL;
	struct dirent *de;
	json_t *found = json_array ();
	size_t i;
	json_t *v;

	while (dp && (de = readdir (dp))) {
		char *p = NULL;
		struct stat st;
		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, "..") || fnmatch (comp, de->d_name, 0))
			continue;
		if (asprintf (&p, "%s/%s", dir, de->d_name) >= 0 &&
		    (!ign || (fstatat (fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		              ignore_sent (ign, p + 1, S_ISDIR (st.st_mode)))))
			json_array_append_new (found, json_string (p));
		free (p);
	}
	sort_strings (found);
	json_array_foreach (found, i, v)
	{
		if (pat[n] == '/' && pat[n + 1])
			glob_in (root, ign, json_string_value (v), pat + n + 1, out);
		else
			json_array_append (out, v);
	}
	json_decref (found);
}

static int
is_url (const char *s)
{
	return !strncmp (s, "http://", 7) || !strncmp (s, "https://", 8);
}

/* the instruction's argument I names a here-document: [digits]<<[-]WORD */
static int
is_heredoc (const struct build *b, size_t i)
{
	const char *a = b->in->args[i].s;

	return b->in->nheredocs && !b->in->json && !strncmp (a + strspn (a, "0123456789"), "<<", 2);
}

/* the sources: globs expanded, each "/"-rooted in the source tree; a URL
 * as it is; here-document N as "<<N" */
static int
sources (struct build *b, struct cp *c, char **words, size_t n, json_t *out, struct bx_err *e)
{
	size_t doc = 0;

	for (size_t i = 0; i < n; i++) {
		const char *w = words[i];
		size_t before = json_array_size (out);
		if (is_heredoc (b, i) && doc < b->in->nheredocs) {
			json_array_append_new (out, json_sprintf ("<<%zu", doc++));
			continue;
		}
		if (is_url (w) && !c->add)
			return build_errf (b, e, BX_USAGE, "COPY %s: source can't be a URL for COPY", w);
		if (is_url (w) && !c->from) {
			json_array_append_new (out, json_string (w));
			continue;
		}
		if (!strncmp (w, "git@", 4) || (is_url (w) && strstr (w, ".git")))
			return build_errf (b, e, BX_USAGE, "ADD %s: git sources: not implemented", w);
		if (!is_glob (w)) {
			json_array_append_new (out, json_sprintf ("/%s", w));
			continue;
		}
		glob_in (c->srcroot, c->ign, "", w + strspn (w, "/"), out);
		if (json_array_size (out) == before)
			return build_errf (b, e, BX_NOTFOUND, "%s %s: no source files were specified", kw (b), w);
	}
	return 0;
}

/* the path of FD below the source tree's root, or NULL */
static char *
path_below_root (const struct cp *c, int fd)
{
	char link[64], root[PATH_MAX], p[PATH_MAX];
	ssize_t rn, pn;

	snprintf (link, sizeof link, "/proc/self/fd/%d", c->srcroot);
	if ((rn = readlink (link, root, sizeof root - 1)) < 0)
		return NULL;
	snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
	if ((pn = readlink (link, p, sizeof p - 1)) < 0)
		return NULL;
	root[rn] = p[pn] = '\0';
	if (strcmp (root, p) == 0)
		return strdup (".");
	if (strncmp (p, root, rn) || p[rn] != '/')
		return NULL;
	return strdup (p + rn + 1);
}

/* SRC, opened as FD, was sent with the context: both the path as written
 * and where its links lead; C->rel is where it is */
static int
sent (struct cp *c, const char *src, int fd, int dir)
{
	_cleanup_free_ char *as = strdup (src + 1), *real = path_below_root (c, fd);

	if (!as || !real)
		return 0;
	ignore_clean (as);
	if ((strcmp (as, ".") && !ignore_sent (c->ign, as, dir)) ||
	    (strcmp (real, ".") && !ignore_sent (c->ign, real, dir)))
		return 0;
	c->rlen = strcmp (real, ".") ? (size_t)snprintf (c->rel, sizeof c->rel, "%s", real) : 0;
	c->rel[c->rlen] = '\0';
	return 1;
}

/* one source SRC (a path in the source tree) into DDIR, as DNAME (a file
 * into a file's name) or, for a directory, its contents into DDIR */
static int
copy_source (struct build *b, struct cp *c, const char *src, int ddir, const char *dname, struct bx_err *e)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (c->srcroot < 0)
		return build_errf (b, e, BX_USAGE, "%s: no build context (the Dockerfile came on stdin)", kw (b));
	fd = open_in (c->srcroot, src, O_RDONLY | O_NOCTTY);
	if (fd >= 0 && c->ign && fstat (fd, &st) == 0 && !sent (c, src, fd, S_ISDIR (st.st_mode))) {
		close (fd);
		fd = -1;
		errno = ENOENT;
	}
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == EXDEV || errno == ELOOP))
		return build_errf (b, e, BX_NOTFOUND, "%s %s: file not found in %s", kw (b), src + 1,
		                   c->from ? c->from : "build context");
	if (fd < 0 || fstat (fd, &st) < 0)
		return build_errf (b, e, BX_FAIL, "%s %s: %s", kw (b), src + 1, strerror (errno));
	if (c->add && S_ISREG (st.st_mode) && add_is_archive (fd)) {
		return add_untar (fd, c->dstroot, ddir, e) < 0
		           ? build_errf (b, e, e->code, "ADD %s: %s", src + 1, e->msg)
		           : 0;
	}
	if (S_ISDIR (st.st_mode)) {
		_cleanup_dir_ DIR *dp = fdopendir (dup (fd));
		struct dirent *de;
		int rc = 0;
		c->links = json_object ();
		while (rc == 0 && dp && (de = readdir (dp)))
			if (strcmp (de->d_name, ".") && strcmp (de->d_name, "..") &&
			    copy_tree (c, fd, ddir, de->d_name, de->d_name, e) < 0)
				rc = build_wrap (b, e);
		json_decref (c->links);
		c->links = NULL;
		return rc;
	}
	if (!S_ISREG (st.st_mode))
		return build_errf (b, e, BX_USAGE, "%s %s: not a regular file or directory", kw (b), src + 1);
	if (copy_file (fd, src, ddir, dname, &st, e) < 0 || set_meta (c, ddir, dname, &st, e) < 0 ||
	    copy_xattrs (fd, ddir, dname, e) < 0)
		return build_wrap (b, e);
	return 0;
}

/* a here-document's body, its variables expanded unless its delimiter was
 * quoted; quotes in it are text, not the word's quoting */
static int
heredoc_text (struct build *b, const struct df_heredoc *h, char **out, struct bx_err *e)
{
	_cleanup_free_ char *q = NULL;
	size_t n = 0;

	if (!h->expand)
		return (*out = strndup (h->content, h->len)) ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "here-document");
	if (!(q = malloc (2 * h->len + 1)))
		return err_set (e, BX_SYSTEM, ENOMEM, "here-document");
	for (size_t i = 0; i < h->len; i++) {
		if (h->content[i] == '\'' || h->content[i] == '"')
			q[n++] = (char)b->df->escape;
		q[n++] = h->content[i];
	}
	q[n] = '\0';
	return build_expand (b, q, out, e);
}

static int
copy_heredoc (struct build *b, struct cp *c, const struct df_heredoc *h, int ddir, const char *base, struct bx_err *e)
{
	const char *name = base ? base : h->name;
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	struct stat st;

	if (heredoc_text (b, h, &text, e) < 0)
		return -1;
	len = h->expand ? strlen (text) : h->len;
	unlinkat (ddir, name, 0);
	fd = openat (ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || afile_write_all (fd, text, len) < 0 || fstat (fd, &st) < 0)
		return build_errf (b, e, BX_FAIL, "%s <<%s: %s", kw (b), h->name, strerror (errno));
	/* 0644 as buildkit makes the file, whatever the umask */
	st.st_mode = S_IFREG | 0644;
	return set_meta (c, ddir, name, &st, e) < 0 ? build_wrap (b, e) : 0;
}

static int
copy_url (struct build *b, struct cp *c, const char *url, int ddir, const char *base, struct bx_err *e)
{
	_cleanup_free_ char *name = base ? strdup (base) : add_url_name (url);
	struct stat st;

	if (!name)
		return build_errf (b, e, BX_SYSTEM, "ADD %s: out of memory", url);
	if (add_fetch (url, ddir, &name, e) < 0)
		return build_errf (b, e, e->code, "ADD %s: %s", url, e->msg);
	if (fstatat (ddir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return build_errf (b, e, BX_SYSTEM, "ADD %s: %s", url, strerror (errno));
	return set_meta (c, ddir, name, &st, e) < 0 ? build_wrap (b, e) : 0;
}

/* one source (see sources) into DDIR: as BASE, or by its own name */
static int
copy_one (struct build *b, struct cp *c, const char *s, int ddir, const char *base, struct bx_err *e)
{
	const char *slash = strrchr (s, '/');

	if (*s == '/')
		return copy_source (b, c, s, ddir, base ? base : slash[1] ? slash + 1 : ".", e);
	if (!strncmp (s, "<<", 2))
		return copy_heredoc (b, c, &b->in->heredocs[strtoul (s + 2, NULL, 10)], ddir, base, e);
	return copy_url (b, c, s, ddir, base, e);
}

/* DEST inside the image: absolute, against WORKDIR */
static char *
dest_path (struct build *b, const char *dest)
{
	return meta_workdir_join (b, dest);
}

static int
copy_all (struct build *b, struct cp *c, json_t *srcs, const char *dest, int todir, struct bx_err *e)
{
	_cleanup_free_ char *abs = dest_path (b, dest), *parent = NULL, *base = NULL;
	_cleanup_close_ int ddir = -1, probe = -1;
	const char *first = json_string_value (json_array_get (srcs, 0));
	struct stat st;
	int archive = 0;
	json_t *v;
	size_t i;

	/* one directory source, or an archive ADD extracts: its contents go
	 * into DEST */
	if (json_array_size (srcs) == 1 && *first == '/' &&
	    (probe = open_in (c->srcroot, first, O_RDONLY | O_NOCTTY)) >= 0 && fstat (probe, &st) == 0 &&
	    (S_ISDIR (st.st_mode) || (archive = c->add && S_ISREG (st.st_mode) && add_is_archive (probe))))
		todir = 1;
	if (probe >= 0)
		close (probe), probe = -1;
	/* an existing directory takes a file by its own name */
	if (!todir && (probe = open_in (c->dstroot, abs, O_RDONLY | O_DIRECTORY)) >= 0)
		todir = 1;
	if (!todir) {
		char *slash = strrchr (abs, '/');
		parent = strndup (abs, slash - abs);
		base = strdup (slash + 1);
	}
	/* Docker's untar makes the directories it needs root's, whatever
	 * --chown says */
	if ((ddir = copy_mkdir_in_root (c->dstroot, todir ? abs : parent, archive ? 0 : c->uid, archive ? 0 : c->gid,
	                                e)) < 0)
		return build_wrap (b, e);
	json_array_foreach (srcs, i, v)
	{
		if (copy_one (b, c, json_string_value (v), ddir, todir ? NULL : base, e) < 0)
			return -1;
	}
	return 0;
}

static int
source_root (struct build *b, struct cp *c, struct bx_err *e)
{
	_cleanup_free_ char *from = NULL;
	struct build_stage *s;
	json_t *nop;
	int rc;

	/* without a context, here-documents and URLs are still sources */
	if (!c->from) {
		c->srcroot = b->ctxfd < 0 ? -1 : dup (b->ctxfd);
		c->ign = b->ign;
		return 0;
	}
	if (build_expand (b, c->from, &from, e) < 0)
		return -1;
	s = plan_stage_ref (b, from, b->cur - b->stages);
	nop = json_pack ("[s]", "/bin/true");
	/* the stage's image, or an image of the store, as a container's rootfs */
	rc = ctrrun_create (b, s ? s->id : from, nop, NULL, c->srcctr, e);
	json_decref (nop);
	if (rc < 0)
		return build_wrap (b, e);
	if ((c->srcroot = ctrrun_open (b, c->srcctr, "rootfs", e)) < 0)
		return build_wrap (b, e);
	return 0;
}

static char *
copy_history (struct build *b, char **w, size_t n)
{
	_cleanup_free_ char *sh = meta_join (meta_shell (b));
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream (&out, &len);

	fprintf (f, "%s #(nop) %s", sh, strcmp (b->in->keyword, "add") ? "COPY" : "ADD");
	for (size_t i = 0; i + 1 < n; i++)
		fprintf (f, " %s", w[i]);
	fprintf (f, " in %s ", w[n - 1]);
	fclose (f);
	return out;
}

static int
expand_words (struct build *b, char ***w, size_t *n, struct bx_err *e)
{
	*w = calloc (b->in->nargs + 1, sizeof **w);
	*n = 0;
	for (size_t i = 0; i < b->in->nargs; i++, (*n)++)
		if (build_expand (b, b->in->args[i].s, &(*w)[i], e) < 0)
			return -1;
	return 0;
}

static int
copy_into (struct build *b, struct cp *c, char **w, size_t n, const char *chown, struct bx_err *e)
{
	json_t *srcs = json_array ();
	const char *dest = w[n - 1];
	int todir = dest[strlen (dest) - 1] == '/', rc;

	/* Docker's copy from an image keeps the owners unless told */
	c->keep = c->from && !chown;
	if ((chown && parse_chown (b, c, chown, e) < 0) || source_root (b, c, e) < 0 ||
	    sources (b, c, w, n - 1, srcs, e) < 0)
		rc = -1;
	else if (json_array_size (srcs) > 1 && !todir)
		rc =
		    build_errf (b, e, BX_USAGE,
		                "When using %s with more than one source file, the destination must be a directory and "
		                "end with a /",
		                strcmp (b->in->keyword, "add") ? "COPY" : "ADD");
	else
		rc = copy_all (b, c, srcs, dest, todir, e);
	json_decref (srcs);
	return rc;
}

int
copy_run (struct build *b, struct bx_err *e)
{
	struct cp c = {.srcroot = -1, .dstroot = -1};
	const char *chown = NULL;
	char **w = NULL, id[CTRRUN_ID_LEN + 1] = "";
	size_t n = 0;
	struct bx_err re = {0};
	int rc = parse_flags (b, &c, &chown, e);

	if (rc == 0 && b->in->nargs < 2)
		rc = build_errf (b, e, BX_USAGE, "%s requires at least two arguments", kw (b));
	if (rc == 0)
		rc = expand_words (b, &w, &n, e);
	if (rc == 0 && (rc = step_rootfs (b, id, &c.dstroot, e)) < 0) {
		step_discard (b, id);
		build_wrap (b, e);
	}
	if (rc == 0) {
		if (copy_into (b, &c, w, n, chown, e) < 0)
			rc = -1;
		if (c.srcctr[0])
			ctrrun_remove (b, c.srcctr, &re);
	}
	if (c.srcroot >= 0)
		close (c.srcroot);
	/* the step's own overlay goes with its last fd */
	if (c.dstroot >= 0)
		close (c.dstroot);
	if (rc < 0 && c.dstroot >= 0)
		step_discard (b, id);
	if (rc == 0) {
		_cleanup_free_ char *by = copy_history (b, w, n);
		rc = step_commit (b, id, by, e) < 0 ? build_wrap (b, e) : 0;
	}
	shword_free (w);
	return rc;
}
