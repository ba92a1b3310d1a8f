#include "ocistate.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/tree.h"
#include "runtime/freezer.h"

#define STATE_FILE "state.json"
#define FIFO_FILE "exec.fifo"

int
ocistate_root_open (const char *root, int create, struct bx_err *e)
{
	int fd;

	if (create && afile_mkdir_p_at (AT_FDCWD, root, 0700, e) < 0)
		return -1;
	if ((fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "%s", root);
	return fd;
}

int
ocistate_id_valid (const char *id, struct bx_err *e)
{
	size_t n = strlen (id);

	if (!n || n >= OCISTATE_ID_MAX || !strcmp (id, ".") || !strcmp (id, ".."))
		return err_set (e, BX_USAGE, 0, "invalid id format: %s", id);
	for (const char *c = id; *c; c++)
		if (!isalnum ((unsigned char)*c) && !strchr ("_+-.", *c))
			return err_set (e, BX_USAGE, 0, "invalid id format: %s", id);
	return 0;
}

int
ocistate_reserve (int rootfd, const char *id, struct bx_err *e)
{
	int fd;

	if (mkdirat (rootfd, id, 0711) < 0)
		return err_set (e, errno == EEXIST ? BX_CONFLICT : BX_SYSTEM, errno == EEXIST ? 0 : errno,
		                errno == EEXIST ? "container with id exists: %s" : "%s", id);
	if ((fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", id);
	return fd;
}

int
ocistate_save (int dirfd, const struct ocistate *s, struct bx_err *e)
{
	json_t *j =
	    json_pack ("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:b}", "id", s->id, "pid", (json_int_t)s->pid,
	               "pidStart", (json_int_t)s->pid_start, "bundle", s->bundle, "rootfs", s->rootfs, "created",
	               s->created, "cgroup", s->cgroup, "owner", (json_int_t)s->owner, "hostMounts", s->host_mounts);
	char *text;
	int r;

	if (!j)
		return err_set (e, BX_SYSTEM, ENOMEM, "state");
	if (s->annotations)
		json_object_set (j, "annotations", s->annotations);
	if (s->hooks)
		json_object_set (j, "hooks", s->hooks);
	text = json_dumps (j, JSON_COMPACT);
	json_decref (j);
	if (!text)
		return err_set (e, BX_SYSTEM, ENOMEM, "state");
	r = afile_replace_at (dirfd, STATE_FILE, text, strlen (text), 0600, e);
	free (text);
	return r;
}

static void
copy_str (char *dst, size_t len, json_t *j, const char *key)
{
	snprintf (dst, len, "%s", json_string_value (json_object_get (j, key)) ?: "");
}

int
ocistate_load (int rootfd, const char *id, struct ocistate *s, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	json_t *j, *x;
	size_t len;
	char path[OCISTATE_ID_MAX + 16];

	memset (s, 0, sizeof *s);
	if (ocistate_id_valid (id, e) < 0)
		return -1;
	snprintf (path, sizeof path, "%s/" STATE_FILE, id);
	if (afile_slurp_at (rootfd, path, &text, &len, e) < 0) {
		if (e->sys == ENOENT)
			return err_set (e, BX_NOTFOUND, 0, "container does not exist");
		return -1;
	}
	if (!(j = json_loadb (text, len, 0, NULL)))
		return err_set (e, BX_FAIL, 0, "%s: state.json is damaged", id);
	snprintf (s->id, sizeof s->id, "%s", id);
	s->pid = (pid_t)json_integer_value (json_object_get (j, "pid"));
	s->pid_start = (uint64_t)json_integer_value (json_object_get (j, "pidStart"));
	s->owner = (uid_t)json_integer_value (json_object_get (j, "owner"));
	s->host_mounts = json_is_true (json_object_get (j, "hostMounts"));
	copy_str (s->bundle, sizeof s->bundle, j, "bundle");
	copy_str (s->rootfs, sizeof s->rootfs, j, "rootfs");
	copy_str (s->created, sizeof s->created, j, "created");
	copy_str (s->cgroup, sizeof s->cgroup, j, "cgroup");
	if ((x = json_object_get (j, "annotations")))
		s->annotations = json_incref (x);
	if ((x = json_object_get (j, "hooks")))
		s->hooks = json_incref (x);
	json_decref (j);
	return 0;
}

void
ocistate_free (struct ocistate *s)
{
	json_decref (s->annotations);
	json_decref (s->hooks);
	s->annotations = s->hooks = NULL;
}

int
ocistate_remove (int rootfd, const struct ocistate *s, struct bx_err *e)
{
	/* EINVAL: not mounted (the container never got that far) */
	if (s->host_mounts && umount2 (s->rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "unmount %s", s->rootfs);
	if (tree_remove_at (rootfd, s->id) < 0 && errno != ENOENT)
		return err_set (e, BX_SYSTEM, errno, "remove %s", s->id);
	return 0;
}

uint64_t
ocistate_pid_start (pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
	if (pid <= 0 || (fd = open (path, O_RDONLY | O_CLOEXEC)) < 0 || (n = read (fd, buf, sizeof buf - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	/* after the command's ")": state, then field 22 is the 20th */
	if (!(p = strrchr (buf, ')')) || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
	            &start) != 1)
		return 0;
	return start;
}

enum ocistate_status
ocistate_status (int rootfd, const struct ocistate *s)
{
	char fifo[OCISTATE_ID_MAX + 16];

	if (!s->pid || ocistate_pid_start (s->pid) != s->pid_start)
		return OCI_STOPPED;
	snprintf (fifo, sizeof fifo, "%s/" FIFO_FILE, s->id);
	if (faccessat (rootfd, fifo, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return OCI_CREATED;
	return freezer_is_frozen_cgroup (s->cgroup) ? OCI_PAUSED : OCI_RUNNING;
}

const char *
ocistate_status_name (enum ocistate_status st)
{
	static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
	return names[st];
}

void *
ocistate_json (const struct ocistate *s, enum ocistate_status st)
{
	json_t *j = json_pack ("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "ociVersion", "1.0.2", "id", s->id, "pid",
	                       (json_int_t)(st == OCI_STOPPED ? 0 : s->pid), "status", ocistate_status_name (st),
	                       "bundle", s->bundle, "rootfs", s->rootfs, "created", s->created, "owner", "");

	if (j && s->annotations)
		json_object_set (j, "annotations", s->annotations);
	return j;
}
