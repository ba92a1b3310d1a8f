#include "runtime/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/root.h"
#include "base/tree.h"
#include "layers/flatten.h"
#include "layers/rootfs.h"
#include "runtime/ctr.h"
#include "runtime/event.h"

int
volume_check_name (const char *name, struct bx_err *e)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (i > 0 && (c == '_' || c == '.' || c == '-'))))
			break;
	}
	if (!name[i] && i == 1)
		return err_set (e, BX_USAGE, 0,
		                "create %s: volume name is too short, names should be at least two alphanumeric "
		                "characters",
		                name);
	if (name[i] || i < 2 || i > 255)
		return err_set (e, BX_USAGE, 0,
		                "create %s: \"%s\" includes invalid characters for a local volume name, only "
		                "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
		                "directory, use absolute path",
		                name, name);
	return 0;
}

int
volume_of_source (const char *root, const char *source, char *buf, size_t len)
{
	size_t rl = strlen (root), vl = strlen ("/" L_VOLUMES "/");
	const char *p = source + rl + vl, *slash;

	if (strncmp (source, root, rl) || strncmp (source + rl, "/" L_VOLUMES "/", vl))
		return 0;
	if (!(slash = strchr (p, '/')) || strcmp (slash, "/" L_VOLUME_DATA))
		return 0;
	snprintf (buf, len, "%.*s", (int)(slash - p), p);
	return 1;
}

int
volume_is_anonymous (const char *name)
{
	return strlen (name) == CTR_ID_LEN && strspn (name, "0123456789abcdef") == CTR_ID_LEN;
}

/* Docker's local driver (volume/local/local_unix.go): these keys only,
 * and each of type, device, o wants the others it names */
int
volume_check_opts (const char *name, json_t *opts, struct bx_err *e)
{
	static const char *const need[][3] = {
	    {"type", "device", NULL}, {"device", "type", NULL}, {"o", "device", "type"}};
	const char *k;
	json_t *v;

	json_object_foreach (opts, k, v)
	{
		if (strcmp (k, "type") && strcmp (k, "device") && strcmp (k, "o") && strcmp (k, "size"))
			return err_set (e, BX_USAGE, 0, "create %s: invalid option: \"%s\"", name, k);
		if (!json_is_string (v))
			return err_set (e, BX_USAGE, 0, "create %s: option %s: not a string", name, k);
	}
	if (json_object_get (opts, "size"))
		return err_set (e, BX_USAGE, 0, "create %s: quota size requested but no quota support", name);
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		for (size_t j = 1; j < 3 && need[i][j] && json_object_get (opts, need[i][0]); j++)
			if (!json_object_get (opts, need[i][j]))
				return err_set (e, BX_USAGE, 0, "create %s: missing required option: \"%s\"", name,
				                need[i][j]);
	return 0;
}

/* --- making ------------------------------------------------------------- */

static int
vols_open (int rootfd, int make, struct bx_err *e)
{
	int fd;

	if (make && mkdirat (rootfd, L_VOLUMES, 0701) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "mkdir " L_VOLUMES);
	if ((fd = openat (rootfd, L_VOLUMES, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, L_VOLUMES);
	return fd;
}

/* volume.json: only what docker volume create was given */
static int
meta_write (int dir, json_t *labels, json_t *opts, struct bx_err *e)
{
	_cleanup_free_ char *s = NULL;
	json_t *doc;

	if (!json_object_size (labels) && !json_object_size (opts))
		return 0;
	doc = json_pack ("{s:O, s:O}", "Labels", json_object_size (labels) ? labels : json_null (), "Options",
	                 json_object_size (opts) ? opts : json_null ());
	s = doc ? json_dumps (doc, JSON_SORT_KEYS) : NULL;
	json_decref (doc);
	if (!s)
		return err_set (e, BX_SYSTEM, ENOMEM, L_VOLUME_JSON);
	return afile_write_at (dir, L_VOLUME_JSON, s, strlen (s), 0600, e);
}

/* Build volumes/NAME.tmp-PID; TMP gets its name. */
static int
volume_build (int vols, const char *name, json_t *labels, json_t *opts, char *tmp, size_t len, struct bx_err *e)
{
	_cleanup_close_ int dir = -1;

	snprintf (tmp, len, "%s.tmp-%d", name, (int)getpid ());
	tree_remove_at (vols, tmp);
	if (mkdirat (vols, tmp, 0701) < 0 || (dir = openat (vols, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    mkdirat (dir, L_VOLUME_DATA, 0755) < 0)
		return err_set (e, BX_SYSTEM, errno, "volume %s", name);
	return meta_write (dir, labels, opts, e);
}

/* Docker's volume events: the local driver's */
static void
volume_event (int rootfd, const char *name, const char *action)
{
	struct event_attrs a = {.len = 0};

	event_attrs_add (&a, "driver", "local");
	event_log (rootfd, "volume", action, name, &a);
}

int
volume_create (int rootfd, const char *name, json_t *labels, json_t *opts, int *created, struct bx_err *e)
{
	_cleanup_close_ int vols = -1;
	char tmp[512];
	struct stat st;

	if (created)
		*created = 0;
	if (volume_check_name (name, e) < 0 || volume_check_opts (name, opts, e) < 0)
		return -1;
	if ((vols = vols_open (rootfd, 1, e)) < 0)
		return -1;
	/* dockerd logs a create for a volume there already too (each -v) */
	if (fstatat (vols, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		volume_event (rootfd, name, "create");
		return 0;
	}
	if (volume_build (vols, name, labels, opts, tmp, sizeof tmp, e) < 0) {
		tree_remove_at (vols, tmp);
		return -1;
	}
	if (renameat (vols, tmp, vols, name) < 0) {
		int sys = errno;
		tree_remove_at (vols, tmp);
		/* made by someone else meanwhile: theirs is as good */
		if (sys == EEXIST || sys == ENOTEMPTY) {
			volume_event (rootfd, name, "create");
			return 0;
		}
		return err_set (e, BX_SYSTEM, sys, "volume %s", name);
	}
	if (created)
		*created = 1;
	volume_event (rootfd, name, "create");
	return 0;
}

/* --- reading ------------------------------------------------------------ */

/* volumes/NAME/, opened; BX_NOTFOUND in Docker's words */
static int
volume_open (int vols, const char *name, struct bx_err *e)
{
	int fd;

	if (!*name || strchr (name, '/') || afile_is_tmp_name (name) || name[0] == '.' ||
	    (fd = openat (vols, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return err_set (e, BX_NOTFOUND, 0, "get %s: no such volume", name);
	return fd;
}

/* {"Labels":.., "Options":..} of the volume DIR; both null without the file */
static json_t *
meta_read (int dir, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	json_t *doc;

	if (afile_slurp_at (dir, L_VOLUME_JSON, &buf, &len, e) < 0) {
		if (e->code != BX_NOTFOUND)
			return NULL;
		*e = (struct bx_err){0};
		return json_pack ("{s:n, s:n}", "Labels", "Options");
	}
	if (!(doc = json_loadb (buf, len, 0, NULL)))
		return err_set (e, BX_FAIL, 0, L_VOLUME_JSON ": not JSON"), NULL;
	return doc;
}

/* Go's time.RFC3339 of T in local time, as Docker formats CreatedAt */
static void
rfc3339_local (time_t t, char *buf, size_t len)
{
	struct tm tm;
	long off;

	localtime_r (&t, &tm);
	strftime (buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	if (!off)
		snprintf (buf + strlen (buf), len - strlen (buf), "Z");
	else
		snprintf (buf + strlen (buf), len - strlen (buf), "%c%02ld:%02ld", off < 0 ? '-' : '+', labs (off) / 60,
		          labs (off) % 60);
}

json_t *
volume_inspect (int rootfd, const char *name, struct bx_err *e)
{
	_cleanup_close_ int vols = vols_open (rootfd, 0, e), dir = -1;
	char root[4096], created[64], mp[4400];
	struct stat st;
	json_t *meta, *doc;

	if (vols < 0)
		return err_set (e, BX_NOTFOUND, 0, "get %s: no such volume", name), NULL;
	if ((dir = volume_open (vols, name, e)) < 0)
		return NULL;
	if (fstat (dir, &st) < 0 || root_abspath (rootfd, root, sizeof root, e) < 0)
		return err_set (e, BX_SYSTEM, errno, "volume %s", name), NULL;
	if (!(meta = meta_read (dir, e)))
		return err_wrap (e, "volume %s", name), NULL;
	rfc3339_local (st.st_mtime, created, sizeof created);
	snprintf (mp, sizeof mp, "%s/" L_VOLUMES "/%s/" L_VOLUME_DATA, root, name);
	doc = json_pack ("{s:s, s:s, s:O, s:s, s:s, s:O, s:s}", "CreatedAt", created, "Driver", "local", "Labels",
	                 json_object_get (meta, "Labels"), "Mountpoint", mp, "Name", name, "Options",
	                 json_object_get (meta, "Options"), "Scope", "local");
	json_decref (meta);
	return doc;
}

int
volume_names (int rootfd, char ***names, size_t *n, struct bx_err *e)
{
	int fd = vols_open (rootfd, 0, e);
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (fd < 0 && e->code == BX_NOTFOUND) {
		*e = (struct bx_err){0};
		return 0;
	}
	if (fd < 0 || !(d = fdopendir (fd)))
		return fd < 0 ? -1 : (close (fd), err_set (e, BX_SYSTEM, errno, L_VOLUMES));
	while ((de = readdir (d))) {
		if (de->d_name[0] == '.' || afile_is_tmp_name (de->d_name) || de->d_type != DT_DIR)
			continue;
		if (*n == cap) {
			char **p = realloc (*names, (cap = cap ? cap * 2 : 16) * sizeof *p);
			if (!p)
				return volume_names_free (*names, *n), err_set (e, BX_SYSTEM, ENOMEM, L_VOLUMES);
			*names = p;
		}
		if (!((*names)[*n] = strdup (de->d_name)))
			return volume_names_free (*names, *n), err_set (e, BX_SYSTEM, ENOMEM, L_VOLUMES);
		(*n)++;
	}
	return 0;
}

void
volume_names_free (char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free (names[i]);
	free (names);
}

/* The volumes container ID's create.json names, added to USAGE */
static void
usage_add (int rootfd, const char *id, json_t *usage)
{
	struct bx_err ign = {0};
	_cleanup_close_ int dir = ctr_open (rootfd, id, &ign);
	json_t *doc = dir < 0 ? NULL : ctr_create_read (dir, &ign), *m, *list;
	size_t i;

	json_array_foreach (json_object_get (doc, "Mounts"), i, m)
	{
		const char *type = json_string_value (json_object_get (m, "Type"));
		const char *name = json_string_value (json_object_get (m, "Name"));
		if (!type || strcmp (type, "volume") || !name)
			continue;
		if (!(list = json_object_get (usage, name)))
			json_object_set_new (usage, name, list = json_array ());
		json_array_append_new (list, json_string (id));
	}
	json_decref (doc);
}

json_t *
volume_usage (int rootfd, struct bx_err *e)
{
	int fd = openat (rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	json_t *usage = json_object ();
	struct dirent *de;

	if (fd >= 0 && !d)
		close (fd);
	if (!d && errno != ENOENT) {
		json_decref (usage);
		return err_set (e, BX_SYSTEM, errno, L_CONTAINERS), NULL;
	}
	while (d && (de = readdir (d)))
		if (strlen (de->d_name) == CTR_ID_LEN && strspn (de->d_name, "0123456789abcdef") == CTR_ID_LEN)
			usage_add (rootfd, de->d_name, usage);
	return usage;
}

/* --- removing ----------------------------------------------------------- */

static uint64_t size_sum; /* nftw gives its callback no argument */

static int
size_add (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path, (void)ftw;
	if (flag == FTW_F && !S_ISDIR (st->st_mode))
		size_sum += (uint64_t)st->st_size;
	return 0;
}

static uint64_t
data_size (int rootfd, const char *name)
{
	char root[4096], data[4400];
	struct bx_err ign = {0};

	if (root_abspath (rootfd, root, sizeof root, &ign) < 0)
		return 0;
	snprintf (data, sizeof data, "%s/" L_VOLUMES "/%s/" L_VOLUME_DATA, root, name);
	size_sum = 0;
	nftw (data, size_add, 16, FTW_PHYS | FTW_MOUNT);
	return size_sum;
}

/* "remove NAME: volume is in use - [ID ...]" when USERS has any */
static int
in_use (const char *name, json_t *users, struct bx_err *e)
{
	char ids[900] = "";
	size_t off = 0, i;
	json_t *v;

	if (!json_array_size (users))
		return 0;
	json_array_foreach (users, i, v) off += (size_t)snprintf (ids + off, off < sizeof ids ? sizeof ids - off : 0,
	                                                          "%s%s", i ? " " : "", json_string_value (v));
	return err_set (e, BX_CONFLICT, 0, "remove %s: volume is in use - [%s]", name, ids);
}

/* With DIR locked: still volumes/NAME, not renamed away meanwhile */
static int
still_there (int vols, int dir, const char *name)
{
	struct stat a, b;

	return fstat (dir, &a) == 0 && fstatat (vols, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

int
volume_remove (int rootfd, const char *name, uint64_t *bytes, struct bx_err *e)
{
	_cleanup_close_ int vols = vols_open (rootfd, 0, e), dir = -1;
	char tmp[512];
	json_t *usage;
	int rc;

	if (vols < 0)
		return err_set (e, BX_NOTFOUND, 0, "get %s: no such volume", name);
	if ((dir = volume_open (vols, name, e)) < 0)
		return -1;
	/* the containers being made with it exist once this is ours */
	if (flock (dir, LOCK_EX) < 0)
		return err_set (e, BX_SYSTEM, errno, "lock volume %s", name);
	if (!still_there (vols, dir, name))
		return err_set (e, BX_NOTFOUND, 0, "get %s: no such volume", name);
	if (!(usage = volume_usage (rootfd, e)))
		return -1;
	rc = in_use (name, json_object_get (usage, name), e);
	json_decref (usage);
	if (rc < 0)
		return -1;
	if (bytes)
		*bytes = data_size (rootfd, name);
	snprintf (tmp, sizeof tmp, "%s.tmp-%d", name, (int)getpid ());
	if (renameat (vols, name, vols, tmp) < 0)
		return err_set (e, BX_SYSTEM, errno, "remove %s", name);
	if (tree_remove_at (vols, tmp) < 0)
		return err_set (e, BX_SYSTEM, errno, "remove %s", name);
	volume_event (rootfd, name, "destroy");
	return 0;
}

void
volume_reap (int rootfd)
{
	struct bx_err ign = {0};
	int fd = vols_open (rootfd, 0, &ign);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	struct dirent *de;

	if (fd >= 0 && !d)
		close (fd);
	while (d && (de = readdir (d))) {
		const char *t = afile_is_tmp_name (de->d_name) ? strstr (de->d_name, ".tmp-") : NULL;
		long pid = t ? strtol (t + 5, NULL, 10) : 0;
		/* a zombie is a dead worker whose parent has not reaped it yet */
		if (pid > 0 && !ctr_proc_start_time ((pid_t)pid))
			tree_remove_at (dirfd (d), de->d_name);
	}
}

/* --- a container's use -------------------------------------------------- */

static int
dir_is_empty (int fd)
{
	int dup = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = dup < 0 ? NULL : fdopendir (dup);
	struct dirent *de;

	if (dup >= 0 && !d)
		close (dup);
	while (d && (de = readdir (d)))
		if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
			return 0;
	return 1;
}

/* Copy the image's directory ROOTFS/DEST (if it is one) into the empty
 * directory DATA, its owner and mode too (Docker's copyExistingContents) */
static int
copy_up (int rootfs, const char *dest, int data, struct bx_err *e)
{
	_cleanup_close_ int src = tree_open_in_root (rootfs, dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	static const char *const self[] = {"."};
	struct stat st;

	if (src < 0 || !dir_is_empty (data))
		return 0; /* nothing there (or not a directory), or filled already */
	if (fstat (src, &st) < 0)
		return err_set (e, BX_SYSTEM, errno, "stat %s", dest);
	if (fchown (data, st.st_uid, st.st_gid) < 0 || fchmod (data, st.st_mode & 07777) < 0)
		return err_set (e, BX_SYSTEM, errno, "volume data");
	if (flatten_layers (src, self, 1, data, rootfs_opaque_xattr (), e) < 0)
		return err_wrap (e, "copy %s", dest);
	return 0;
}

/* o's words, then "ro" when the container mounts it read-only */
static json_t *
mount_options (const char *o, int ro, const char *first)
{
	_cleanup_free_ char *s = strdup (o ? o : "");
	json_t *list = json_array ();
	char *save = NULL, *w;

	if (first)
		json_array_append_new (list, json_string (first));
	for (w = s ? strtok_r (s, ",", &save) : NULL; w; w = strtok_r (NULL, ",", &save))
		json_array_append_new (list, json_string (w));
	if (ro)
		json_array_append_new (list, json_string ("ro"));
	return list;
}

static int
o_has_bind (const char *o)
{
	_cleanup_free_ char *s = strdup (o ? o : "");
	char *save = NULL, *w;

	for (w = s ? strtok_r (s, ",", &save) : NULL; w; w = strtok_r (NULL, ",", &save))
		if (!strcmp (w, "bind") || !strcmp (w, "rbind"))
			return 1;
	return 0;
}

/* The OCI mount at DEST for a volume with options OPTS (NULL: its data) */
static json_t *
oci_mount (const char *mountpoint, json_t *opts, const char *dest, int ro)
{
	const char *type = json_string_value (json_object_get (opts, "type"));
	const char *device = json_string_value (json_object_get (opts, "device"));
	const char *o = json_string_value (json_object_get (opts, "o"));
	json_t *list;

	if (!type || !device) {
		list = mount_options (NULL, ro, "rbind");
		json_array_append_new (list, json_string ("rprivate"));
		return json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type", "bind", "source", mountpoint,
		                  "options", list);
	}
	if (o_has_bind (o)) {
		list = mount_options (o, ro, NULL);
		json_array_append_new (list, json_string ("rprivate"));
		return json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type", "bind", "source", device,
		                  "options", list);
	}
	return json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", device, "options",
	                  mount_options (o, ro, NULL));
}

/* Fill the volume from ROOTFS/DEST when it is empty: its _data, or the
 * directory a bind volume binds (Docker's words when that is missing) */
static int
fill (int dir, const char *mountpoint, json_t *opts, int rootfs, const char *dest, struct bx_err *e)
{
	const char *device = json_string_value (json_object_get (opts, "device"));
	const char *type = json_string_value (json_object_get (opts, "type"));
	_cleanup_close_ int data = -1;

	if (type && device && !o_has_bind (json_string_value (json_object_get (opts, "o"))))
		return 0; /* a tmpfs (or a device) is mounted afresh: nothing to fill */
	if (type && device) {
		if ((data = open (device, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			return err_set (e, BX_FAIL, errno, "failed to mount local volume: mount %s:%s, flags: 0x1000",
			                device, mountpoint);
	} else if ((data = openat (dir, L_VOLUME_DATA, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", mountpoint);
	/* one filler at a time; the data's own lock, not the volume's, which
	 * this creator may hold shared already (-v v:/a -v v:/b) */
	if (flock (data, LOCK_EX) < 0)
		return err_set (e, BX_SYSTEM, errno, "lock %s", mountpoint);
	return copy_up (rootfs, dest, data, e);
}

/* volumes/NAME/, locked shared (no removal until the container exists),
 * and still there */
static int
use_open (int rootfd, const char *name, struct bx_err *e)
{
	_cleanup_close_ int vols = vols_open (rootfd, 0, e);
	int dir;

	if (vols < 0 || (dir = volume_open (vols, name, e)) < 0)
		return err_set (e, BX_NOTFOUND, 0, "get %s: no such volume", name);
	if (flock (dir, LOCK_SH) < 0) {
		close (dir);
		return err_set (e, BX_SYSTEM, errno, "lock volume %s", name);
	}
	if (!still_there (vols, dir, name)) {
		close (dir);
		return err_set (e, BX_NOTFOUND, 0, "get %s: no such volume", name);
	}
	return dir;
}

int
volume_use (int rootfd, const char *name, int rootfs, const char *dest, int ro, struct volume_use *u, struct bx_err *e)
{
	_cleanup_close_ int dir = -1;
	json_t *meta, *opts;
	char root[4096];

	memset (u, 0, sizeof *u);
	u->lockfd = -1;
	if (root_abspath (rootfd, root, sizeof root, e) < 0 || (dir = use_open (rootfd, name, e)) < 0)
		return -1;
	if ((size_t)snprintf (u->mountpoint, sizeof u->mountpoint, "%s/" L_VOLUMES "/%s/" L_VOLUME_DATA, root, name) >=
	    sizeof u->mountpoint)
		return err_set (e, BX_USAGE, ENAMETOOLONG, "volume %s", name);
	if (!(meta = meta_read (dir, e)))
		return err_wrap (e, "volume %s", name);
	opts = json_object_get (meta, "Options");
	if (rootfs >= 0 && fill (dir, u->mountpoint, opts, rootfs, dest, e) < 0) {
		json_decref (meta);
		return err_wrap (e, "volume %s", name);
	}
	u->mount = oci_mount (u->mountpoint, opts, dest, ro);
	json_decref (meta);
	u->lockfd = dir;
	dir = -1;
	return 0;
}

int
volume_own (int rootfd, const char *name, unsigned uid, unsigned gid, struct bx_err *e)
{
	char path[PATH_MAX];
	_cleanup_close_ int data = -1;
	struct stat st;

	snprintf (path, sizeof path, L_VOLUMES "/%s/" L_VOLUME_DATA, name);
	if ((data = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, "volume %s", name);
	if (flock (data, LOCK_EX) < 0 || fstat (data, &st) < 0)
		return err_set (e, BX_SYSTEM, errno, "volume %s", name);
	if (st.st_uid != 0 || st.st_gid != 0 || !dir_is_empty (data))
		return 0;
	if (fchown (data, uid, gid) < 0)
		return err_set (e, BX_SYSTEM, errno, "volume %s: chown", name);
	return 0;
}

void
volume_use_end (struct volume_use *u)
{
	if (!u->mount)
		return;
	json_decref (u->mount);
	u->mount = NULL;
	if (u->lockfd >= 0)
		close (u->lockfd);
	u->lockfd = -1;
}
