/*
 * ctr-cp - files between a container and the host, and a container's
 * whole filesystem as a tar (docker cp, docker export)
 *
 * usage:  ctr-cp [--root DIR] [-a] [-L] CONTAINER:SRC DEST|-
 *         ctr-cp [--root DIR] [-a] [-L] SRC|- CONTAINER:DEST
 *         ctr-cp export [--root DIR] [-o FILE] CONTAINER
 * stdin:  a tar stream, with SRC "-"
 * stdout: a tar stream, with DEST "-" and for export without -o
 * reads:  containers/<id>/ (config.json, create.json, rootfs/: the
 *         overlay, mounted from create to rm, so stopped containers too)
 * writes: the container's rootfs (cp into it), or the host's DEST
 * stderr: Docker's words: "Error: No such container:path: CTR:PATH",
 *         "Error response from daemon: Could not find the file DIR in
 *         container CTR"
 * exit:   0 ok, 1 failed, 2 usage
 *
 * Every path in the container is resolved inside its rootfs (openat2
 * RESOLVE_IN_ROOT): neither "../" nor a symlink of the container reaches
 * the host. A path on a directory bind mount (a volume, -v HOST:PATH) is
 * copied in its source, as Docker copies into the mounted volume, with the
 * same confinement to that directory; on a read-only one, copying in is
 * refused. A file bind mount (/etc/hosts, -v FILE:PATH) is copied out of
 * its source; into it, and any other mount (tmpfs, /proc), is refused
 * ("not implemented"): the host's view of the rootfs has only the mount
 * point there.
 * Ownership as Docker 20.10's: what is copied in keeps the archive's
 * uid/gid (with -a and a container User, that user's); what is copied out
 * belongs to the caller.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/layout.h"
#include "base/root.h"
#include "base/tree.h"
#include "ctr-cp/cptar.h"
#include "runtime/ctr.h"
#include "runtime/event.h"
#include "runtime/remap.h"
#include "runtime/volevents.h"
#include "runtime/userdb.h"

struct opts {
	const char *root;
	int archive, follow;
	const char *out; /* export -o */
	const char *src, *dst;
	const char *ctr; /* as typed */
	const char *cpath;
	const char *shown; /* CPATH as typed, for messages */
	int into;          /* copy into the container */
};

struct ctr {
	char id[CTR_ID_LEN + 1];
	int rootfd, dirfd, rootfs;
	struct volevents vols; /* its volumes, for Docker's events */
	struct idmap uid, gid; /* its user namespace's, when it has one */
	int mapped;
	char rootpath[PATH_MAX];
	int inmount; /* ROOTFS is a bind mount's source (a volume's data) */
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-a] [-L] CONTAINER:SRC DEST|-\n"
	         "       %s [--root DIR] [-a] [-L] SRC|- CONTAINER:DEST\n"
	         "       %s export [--root DIR] [-o FILE] CONTAINER\n",
	         bx_prog, bx_prog, bx_prog);
	exit (err_code (BX_USAGE));
}

/* "CTR:PATH" as Docker's CLI splits it: a local path may hold ':' when it
 * starts with '/' or '.' */
static const char *
split_ctr (const char *arg, char *name, size_t len)
{
	const char *c = strchr (arg, ':');

	if (!c || *arg == '/' || *arg == '.' || c == arg || (size_t)(c - arg) >= len)
		return NULL;
	memcpy (name, arg, (size_t)(c - arg));
	name[c - arg] = 0;
	return c + 1;
}

static void
parse_cp (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"archive", no_argument, NULL, 'a'},
	                                   {"follow-link", no_argument, NULL, 'L'},
	                                   {0, 0, 0, 0}};
	static char sname[256], dname[256];
	const char *sp, *dp;
	int c;

	while ((c = getopt_long (argc, argv, "+aL", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'a': o->archive = 1; break;
		case 'L': o->follow = 1; break;
		default: err_flag (argv); usage ();
		}
	}
	if (argc - optind != 2)
		usage ();
	o->src = argv[optind];
	o->dst = argv[optind + 1];
	sp = split_ctr (o->src, sname, sizeof sname);
	dp = split_ctr (o->dst, dname, sizeof dname);
	if (sp && dp)
		err_die (BX_USAGE, "copying between containers is not supported");
	if (!sp && !dp)
		err_die (BX_USAGE, "must specify at least one container source");
	o->into = dp != NULL;
	o->ctr = o->into ? dname : sname;
	o->cpath = o->shown = o->into ? dp : sp;
}

static void
parse_export (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"root", required_argument, NULL, 'R'}, {"output", required_argument, NULL, 'o'}, {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "+o:", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'o': o->out = optarg; break;
		default: err_flag (argv); usage ();
		}
	}
	if (argc - optind != 1)
		usage ();
	o->ctr = argv[optind];
}

/* strerror as Go words it: lowercase */
static const char *
go_strerror (int err)
{
	static char buf[256];

	snprintf (buf, sizeof buf, "%s", strerror (err));
	buf[0] = (char)tolower ((unsigned char)buf[0]);
	return buf;
}

/* Docker's CLI prints these as they are, "Error:" and all */
static int fail (int code, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static int
fail (int code, const char *fmt, ...)
{
	va_list ap;

	va_start (ap, fmt);
	vfprintf (stderr, fmt, ap);
	va_end (ap);
	fputc ('\n', stderr);
	return code;
}

/* an overlay mounted (or a copied root) has entries; a bare mount point none */
static int
has_entries (int dirfd)
{
	int fd = dup (dirfd), n = 0;
	DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close (fd);
		return 0;
	}
	while (!n && (de = readdir (d)))
		n = strcmp (de->d_name, ".") && strcmp (de->d_name, "..");
	closedir (d);
	return n;
}

/* A remapped container's tree is idmapped: owners shift both ways */
static int
ctr_ids (struct ctr *c, struct bx_err *e)
{
	char dir[64];
	int r;

	snprintf (dir, sizeof dir, "/proc/self/fd/%d", c->dirfd);
	if ((r = remap_bundle_maps (dir, &c->uid, &c->gid, e)) < 0)
		return err_wrap (e, "container %.12s", c->id);
	c->mapped = r > 0;
	return 0;
}

static int
ctr_load (const struct opts *o, struct ctr *c, struct bx_err *e)
{
	char link[64];
	ssize_t n;

	c->dirfd = c->rootfs = -1;
	c->vols = (struct volevents){0};
	if ((c->rootfd = root_open (o->root, e)) < 0 || ctr_resolve (c->rootfd, o->ctr, c->id, e) < 0 ||
	    (c->dirfd = ctr_open (c->rootfd, c->id, e)) < 0)
		return -1;
	if ((c->rootfs = openat (c->dirfd, L_ROOTFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "container %.12s: %s", c->id, L_ROOTFS);
	if (!has_entries (c->rootfs))
		return err_set (e, BX_FAIL, 0,
		                "container %.12s: its root filesystem is not mounted (start it once): not implemented",
		                c->id);
	snprintf (link, sizeof link, "/proc/self/fd/%d", c->rootfs);
	if ((n = readlink (link, c->rootpath, sizeof c->rootpath - 1)) < 0)
		return err_set (e, BX_SYSTEM, errno, "container %.12s: %s", c->id, L_ROOTFS);
	c->rootpath[n] = 0;
	return ctr_ids (c, e);
}

/* FD's path inside the container ("/..."), from the kernel's own name */
static int
ctr_path_of (const struct ctr *c, int fd, char *out, size_t len)
{
	char link[64], real[PATH_MAX];
	size_t rl = strlen (c->rootpath);
	ssize_t n;

	snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink (link, real, sizeof real - 1)) < 0)
		return -1;
	real[n] = 0;
	if (strncmp (real, c->rootpath, rl) || (real[rl] && real[rl] != '/'))
		return errno = EXDEV, -1;
	snprintf (out, len, "%s", real[rl] ? real + rl : "/");
	return 0;
}

/* a mount of config.json: where, and for a bind mount its source */
struct mnt {
	char dest[PATH_MAX];
	char src[PATH_MAX]; /* "" unless a bind mount */
	int ro;
};

static int
mnt_has_opt (json_t *m, const char *opt)
{
	json_t *v;
	size_t k;

	json_array_foreach (json_object_get (m, "options"), k,
	                    v) if (!strcmp (json_string_value (v) ?: "", opt)) return 1;
	return 0;
}

/* PATH (in the container) at or under one of its mounts, the last one
 * listed that holds it (the topmost): the rootfs has only the mount
 * point there. 1 with *OUT set, 0 when on the rootfs itself. */
static int
ctr_mount_under (const struct ctr *c, const char *path, struct mnt *out)
{
	json_t *cfg, *m;
	size_t k, l;
	int fd, found = 0;

	if (c->inmount || (fd = openat (c->dirfd, "config.json", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	cfg = json_loadfd (fd, 0, NULL);
	close (fd);
	json_array_foreach (json_object_get (cfg, "mounts"), k, m)
	{
		const char *d = json_string_value (json_object_get (m, "destination"));
		const char *src = json_string_value (json_object_get (m, "source"));
		const char *type = json_string_value (json_object_get (m, "type"));
		if (!d || !*d)
			continue;
		l = strlen (d);
		while (l > 1 && d[l - 1] == '/')
			l--;
		if (strncmp (path, d, l) || (path[l] && path[l] != '/' && l != 1))
			continue;
		found = 1;
		snprintf (out->dest, sizeof out->dest, "%.*s", (int)l, d);
		out->ro = mnt_has_opt (m, "ro");
		*out->src = 0;
		if (src && ((type && !strcmp (type, "bind")) || mnt_has_opt (m, "bind") || mnt_has_opt (m, "rbind")))
			snprintf (out->src, sizeof out->src, "%s", src);
	}
	json_decref (cfg);
	return found;
}

/* the name a copy of PATH gets: its last part, "." for "DIR/." */
static void
copy_name (const char *path, char *out, size_t len)
{
	char tmp[PATH_MAX], *b;
	size_t l = strlen (path);

	if ((l >= 2 && !strcmp (path + l - 2, "/.")) || !strcmp (path, ".")) {
		snprintf (out, len, ".");
		return;
	}
	snprintf (tmp, sizeof tmp, "%s", path);
	while ((l = strlen (tmp)) > 1 && tmp[l - 1] == '/')
		tmp[l - 1] = 0;
	b = basename (tmp);
	snprintf (out, len, "%s", !strcmp (b, "/") ? "." : b);
}

static int
ends_slash (const char *p)
{
	size_t l = strlen (p);
	return l && p[l - 1] == '/';
}

/* a child writes NAME of DIRFD as AS into a pipe; the caller extracts it */
static int
tar_pipe (int dirfd, const char *name, const char *as, pid_t *pid, struct bx_err *e)
{
	int p[2];

	if (pipe2 (p, O_CLOEXEC) < 0 || (*pid = fork ()) < 0)
		return err_set (e, BX_SYSTEM, errno, "pipe");
	if (*pid == 0) {
		struct bx_err ce = {0};
		struct archive *a;
		close (p[0]);
		if (!(a = cptar_writer (p[1], &ce)) || cptar_tree (a, dirfd, name, as, &ce) < 0 ||
		    archive_write_close (a) != ARCHIVE_OK)
			_exit (ce.msg[0] ? (err_report (&ce), 1) : 1);
		_exit (0);
	}
	close (p[1]);
	return p[0];
}

static int
extract_from (int fd, pid_t pid, int destfd, const struct cptar_owner *own, struct bx_err *e)
{
	struct archive *in = cptar_reader (fd, e);
	int rc = in ? cptar_extract (in, destfd, own, e) : -1, st = 0;

	if (in)
		archive_read_free (in);
	close (fd);
	if (pid > 0 && (waitpid (pid, &st, 0) < 0 || !WIFEXITED (st) || WEXITSTATUS (st)))
		return rc < 0 ? rc : err_set (e, BX_FAIL, 0, "the copy failed");
	return rc;
}

/* where a copy lands: DIRFD/AS, after Docker's rules for an existing
 * directory, an existing file and a new name */
struct landing {
	const char *dir; /* the directory to open */
	char as[NAME_MAX + 1];
};

static int
land (const char *dst, int dst_exists, int dst_isdir, int src_isdir, const char *srcname, struct landing *l)
{
	static char dir[PATH_MAX];

	if (dst_exists && dst_isdir) {
		l->dir = dst;
		snprintf (l->as, sizeof l->as, "%s", srcname);
		return 0;
	}
	if (dst_exists && src_isdir)
		return -1;
	if (!dst_exists && !src_isdir && ends_slash (dst))
		return -2;
	snprintf (dir, sizeof dir, "%s", dst);
	l->dir = dirname (dir);
	copy_name (dst, l->as, sizeof l->as);
	return 0;
}

static int
cp_out (const struct opts *o, struct ctr *c)
{
	struct bx_err e = {0};
	char cpath[PATH_MAX], parent[PATH_MAX], base[NAME_MAX + 1], srcname[NAME_MAX + 1];
	struct mnt mnt;
	struct stat st, dst;
	struct landing l;
	struct cptar_owner own = {0};
	pid_t pid;
	int fd, pfd, destfd, dst_exists, rc;

	fd = tree_open_in_root (c->rootfs, o->cpath, O_PATH | (o->follow ? 0 : O_NOFOLLOW), 0);
	if (fd < 0 || ctr_path_of (c, fd, cpath, sizeof cpath) < 0 || fstat (fd, &st) < 0)
		return fail (BX_FAIL, "Error: No such container:path: %s:%s", o->ctr, o->shown);
	close (fd);
	if (ctr_mount_under (c, cpath, &mnt))
		return fail (BX_FAIL,
		             "Error: %s:%s is reached through a symlink into the container's mount %s: not implemented",
		             o->ctr, o->shown, mnt.dest);
	snprintf (parent, sizeof parent, "%s", cpath);
	snprintf (base, sizeof base, "%s", strcmp (cpath, "/") ? basename (cpath) : ".");
	if ((pfd = tree_open_in_root (c->rootfs, dirname (parent), O_RDONLY | O_DIRECTORY, 0)) < 0)
		return fail (BX_FAIL, "Error: No such container:path: %s:%s", o->ctr, o->shown);
	copy_name (o->shown, srcname, sizeof srcname);
	cptar_ids_out (c->mapped ? &c->uid : NULL, c->mapped ? &c->gid : NULL);
	if (!strcmp (o->dst, "-")) {
		struct archive *a = cptar_writer (1, &e);
		rc = a && cptar_tree (a, pfd, base, srcname, &e) == 0 && archive_write_close (a) == ARCHIVE_OK ? 0 : -1;
		if (a)
			archive_write_free (a);
		close (pfd);
		return rc < 0 ? err_report (&e) : 0;
	}
	dst_exists = stat (o->dst, &dst) == 0;
	rc = land (o->dst, dst_exists, dst_exists && S_ISDIR (dst.st_mode), S_ISDIR (st.st_mode), srcname, &l);
	if (rc == -1)
		return fail (BX_FAIL, "cannot copy directory");
	if (rc == -2)
		return fail (BX_FAIL, "no such directory");
	if ((destfd = open (l.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail (BX_FAIL, "lstat %s: %s", l.dir, strerror (errno));
	if ((fd = tar_pipe (pfd, base, l.as, &pid, &e)) >= 0)
		fd = extract_from (fd, pid, destfd, &own, &e);
	close (pfd);
	close (destfd);
	return fd < 0 ? err_report (&e) : 0;
}

/* the owner of what -a copies in: the container's User, if any */
static int
owner_in (const struct opts *o, const struct ctr *c, struct cptar_owner *own, struct bx_err *e)
{
	json_t *create;
	const char *user;
	struct userdb_ids ids;
	int rc = 0;

	own->chown = 1;
	own->uidmap = c->mapped ? &c->uid : NULL;
	own->gidmap = c->mapped ? &c->gid : NULL;
	if (!o->archive)
		return 0;
	if (!(create = ctr_create_read (c->dirfd, e)))
		return -1;
	user = json_string_value (json_object_get (json_object_get (create, "Config"), "User"));
	if (user && *user) {
		if ((rc = userdb_resolve (c->rootfs, user, &ids, e)) == 0) {
			own->force = 1;
			own->uid = ids.uid;
			own->gid = ids.gid;
		}
	}
	json_decref (create);
	return rc;
}

/* the container's directory DIR for writing, refused on one of its mounts */
static int
open_dest (const struct opts *o, const struct ctr *c, const char *dir, const char *as, int *destfd)
{
	char cpath[PATH_MAX], target[PATH_MAX + NAME_MAX + 2];
	struct mnt mnt;

	if ((*destfd = tree_open_in_root (c->rootfs, dir, O_RDONLY | O_DIRECTORY, 0)) < 0 ||
	    ctr_path_of (c, *destfd, cpath, sizeof cpath) < 0)
		return fail (BX_FAIL, "Error response from daemon: Could not find the file %s in container %s", dir,
		             o->ctr);
	snprintf (target, sizeof target, "%s/%s", strcmp (cpath, "/") ? cpath : "", strcmp (as, ".") ? as : "");
	if (ctr_mount_under (c, target, &mnt))
		return fail (BX_FAIL,
		             "Error: %s:%s is reached through a symlink into the container's mount %s: not implemented",
		             o->ctr, o->shown, mnt.dest);
	return 0;
}

static int
cp_in (const struct opts *o, struct ctr *c)
{
	struct bx_err e = {0};
	struct cptar_owner own = {0};
	struct stat st;
	struct landing l;
	char srcname[NAME_MAX + 1], real[PATH_MAX], sdir[PATH_MAX], sbase[NAME_MAX + 1];
	int fd, destfd, exists, isdir = 0, rc, sfd;
	pid_t pid;

	if (owner_in (o, c, &own, &e) < 0)
		return err_report (&e);
	fd = tree_open_in_root (c->rootfs, o->cpath, O_PATH, 0);
	exists = fd >= 0;
	if (exists) {
		isdir = fstat (fd, &st) == 0 && S_ISDIR (st.st_mode);
		close (fd);
	}
	if (!strcmp (o->src, "-")) {
		if (!isdir)
			return fail (BX_FAIL, "Error: destination \"%s:%s\" must be a directory", o->ctr, o->shown);
		if (open_dest (o, c, o->cpath, ".", &destfd))
			return BX_FAIL;
		rc = extract_from (0, 0, destfd, &own, &e);
		close (destfd);
		return rc < 0 ? err_report (&e) : 0;
	}
	if ((o->follow ? stat (o->src, &st) : lstat (o->src, &st)) < 0)
		return fail (BX_FAIL, "lstat %s: %s", o->src, go_strerror (errno));
	copy_name (o->src, srcname, sizeof srcname);
	rc = land (o->cpath, exists, isdir, S_ISDIR (st.st_mode), srcname, &l);
	if (rc == -1)
		return fail (BX_FAIL, "Error response from daemon: cannot copy directory");
	if (rc == -2)
		return fail (BX_FAIL, "Error response from daemon: no such directory");
	if (open_dest (o, c, l.dir, l.as, &destfd))
		return BX_FAIL;
	/* the source is the host's, named by the caller: its symlinks are the caller's */
	if (!(o->follow ? realpath (o->src, real) : strncpy (real, o->src, sizeof real - 1))) {
		close (destfd);
		return fail (BX_FAIL, "%s: %s", o->src, strerror (errno));
	}
	real[sizeof real - 1] = 0;
	while (strlen (real) > 1 && ends_slash (real))
		real[strlen (real) - 1] = 0;
	snprintf (sdir, sizeof sdir, "%s", real);
	snprintf (sbase, sizeof sbase, "%s", strcmp (real, "/") ? basename (real) : ".");
	if ((sfd = open (dirname (sdir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		close (destfd);
		return fail (BX_FAIL, "%s: %s", o->src, strerror (errno));
	}
	if ((fd = tar_pipe (sfd, sbase, l.as, &pid, &e)) >= 0)
		fd = extract_from (fd, pid, destfd, &own, &e);
	close (sfd);
	close (destfd);
	return fd < 0 ? err_report (&e) : 0;
}

static int export(const struct opts *o, struct ctr *c)
{
	struct bx_err e = {0};
	struct archive *a;
	int fd = 1, rc;

	if (!o->out && isatty (1))
		return fail (BX_FAIL, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
	if (o->out && (fd = open (o->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return fail (BX_FAIL, "failed to export container: %s: %s", o->out, strerror (errno));
	cptar_ids_out (c->mapped ? &c->uid : NULL, c->mapped ? &c->gid : NULL);
	rc = (a = cptar_writer (fd, &e)) && cptar_tree (a, c->rootfs, ".", NULL, &e) == 0 &&
	             archive_write_close (a) == ARCHIVE_OK
	         ? 0
	         : -1;
	if (a)
		archive_write_free (a);
	if (fd != 1 && close (fd) < 0 && rc == 0)
		rc = err_set (&e, BX_SYSTEM, errno, "%s", o->out);
	return rc < 0 ? err_report (&e) : 0;
}

/* The copy, with the events of the calls docker cp makes: into the
 * container a stat of the destination, then the extract; out of it the
 * archive. dockerd mounts the container's volumes for each call (a mount
 * and an unmount event of each volume) and logs extract-to-dir or
 * archive-path. */
static int
copy (const struct opts *o, struct ctr *c)
{
	struct bx_err e = {0};
	json_t *create = ctr_create_read (c->dirfd, &e);
	int rc;

	volevents_read (&c->vols, json_object_get (create, "Mounts"));
	json_decref (create);
	if (o->into) {
		volevents_log (&c->vols, c->rootfd, c->id, "mount");
		volevents_log (&c->vols, c->rootfd, c->id, "unmount");
	}
	volevents_log (&c->vols, c->rootfd, c->id, "mount");
	rc = o->into ? cp_in (o, c) : cp_out (o, c);
	if (rc == 0)
		event_ctr (c->rootfd, c->id, o->into ? "extract-to-dir" : "archive-path", NULL, NULL);
	volevents_log (&c->vols, c->rootfd, c->id, "unmount");
	return rc;
}

/* The source of a file bind mount (/etc/hosts, -v FILE:PATH), copied
 * out: its directory is the root the copy works in, the file its one
 * path; the copy keeps the name it has in the container. FD: -1 when M
 * is not a file's. */
static int
file_mount_enter (struct opts *o, struct ctr *c, const struct mnt *m, int *fd)
{
	static char name[NAME_MAX + 2];
	char dir[PATH_MAX];
	const char *slash = strrchr (m->src, '/');
	struct stat st;
	ssize_t n;

	*fd = -1;
	if (!*m->src || stat (m->src, &st) < 0 || !S_ISREG (st.st_mode) || !slash)
		return 0;
	if (o->into)
		return fail (BX_FAIL,
		             "Error: %s:%s is the container's file mount %s: copying into it is not implemented",
		             o->ctr, o->shown, m->dest);
	snprintf (dir, sizeof dir, "%.*s", slash == m->src ? 1 : (int)(slash - m->src), m->src);
	snprintf (name, sizeof name, "/%s", slash + 1);
	if ((*fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail (BX_FAIL, "%s: %s", dir, strerror (errno));
	close (c->rootfs);
	c->rootfs = *fd;
	c->inmount = 1;
	snprintf (dir, sizeof dir, "/proc/self/fd/%d", *fd);
	if ((n = readlink (dir, c->rootpath, sizeof c->rootpath - 1)) < 0)
		return fail (BX_FAIL, "%s: %s", m->src, strerror (errno));
	c->rootpath[n] = 0;
	o->cpath = name;
	return 0;
}

/* CONTAINER:PATH on one of the container's mounts, as typed (the mount
 * point may not exist in the rootfs yet): a directory bind mount (a
 * volume's data, a -v HOST:PATH) becomes the root the copy works in, as
 * Docker copies into the mounted volume; a file bind mount is copied out
 * of its source; any other is refused */
static int
mount_enter (struct opts *o, struct ctr *c)
{
	static char rest[PATH_MAX];
	char path[PATH_MAX];
	struct mnt m;
	ssize_t n;
	int fd, rc;

	snprintf (path, sizeof path, "%s%s", *o->cpath == '/' ? "" : "/", o->cpath);
	if (!ctr_mount_under (c, path, &m))
		return 0;
	if (!strcmp (path, m.dest) && ((rc = file_mount_enter (o, c, &m, &fd)) || fd >= 0))
		return rc;
	if (!*m.src || (fd = open (m.src, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail (
		    BX_FAIL,
		    "Error: %s:%s is on the container's mount %s (not a directory bind mount): not implemented", o->ctr,
		    o->shown, m.dest);
	if (o->into && m.ro) {
		close (fd);
		return fail (BX_FAIL, "Error response from daemon: mounted volume is marked read-only");
	}
	close (c->rootfs);
	c->rootfs = fd;
	c->inmount = 1;
	snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
	if ((n = readlink (path, c->rootpath, sizeof c->rootpath - 1)) < 0)
		return fail (BX_FAIL, "%s: %s", m.src, strerror (errno));
	c->rootpath[n] = 0;
	snprintf (path, sizeof path, "%s%s", *o->cpath == '/' ? "" : "/", o->cpath);
	snprintf (rest, sizeof rest, "%s", path[strlen (m.dest)] ? path + strlen (m.dest) : "/");
	o->cpath = rest;
	return 0;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct ctr c;
	struct bx_err e = {0};
	int is_export = argc > 1 && !strcmp (argv[1], "export"), rc;

	err_prog_init (argv[0]);
	if (is_export)
		parse_export (argc - 1, argv + 1, &o);
	else
		parse_cp (argc, argv, &o);
	if (ctr_load (&o, &c, &e) < 0) {
		if (e.code != BX_NOTFOUND)
			return err_report (&e);
		if (is_export)
			return fail (BX_FAIL, "Error response from daemon: %s", e.msg);
		return fail (BX_FAIL, "Error: No such container:path: %s:%s", o.ctr, o.shown);
	}
	if (!is_export && (rc = mount_enter (&o, &c)))
		return rc;
	rc = is_export ? export(&o, &c) : copy (&o, &c);
	if (rc == 0 && is_export)
		event_ctr (c.rootfd, c.id, "export", NULL, NULL);
	volevents_free (&c.vols);
	close (c.rootfs);
	close (c.dirfd);
	close (c.rootfd);
	return rc;
}
