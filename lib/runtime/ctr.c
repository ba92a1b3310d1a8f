#include "runtime/ctr.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "runtime/cgroup.h"

static void
copy_str (char *dst, size_t n, const char *src)
{
	snprintf (dst, n, "%s", src);
}

static void
state_set (struct ctr_state *s, const char *k, const char *v)
{
	if (!strcmp (k, "status"))
		copy_str (s->status, sizeof s->status, v);
	else if (!strcmp (k, "pid"))
		s->pid = atoi (v);
	else if (!strcmp (k, "pid_start"))
		s->pid_start = strtoull (v, NULL, 10);
	else if (!strcmp (k, "monitor"))
		s->monitor = atoi (v);
	else if (!strcmp (k, "monitor_start"))
		s->monitor_start = strtoull (v, NULL, 10);
	else if (!strcmp (k, "exit_code"))
		s->exit_code = atoi (v);
	else if (!strcmp (k, "oom_killed"))
		s->oom_killed = atoi (v);
	else if (!strcmp (k, "restart_count"))
		s->restart_count = atoi (v);
	else if (!strcmp (k, "created"))
		copy_str (s->created, sizeof s->created, v);
	else if (!strcmp (k, "started"))
		copy_str (s->started, sizeof s->started, v);
	else if (!strcmp (k, "finished"))
		copy_str (s->finished, sizeof s->finished, v);
	else if (!strcmp (k, "error"))
		copy_str (s->error, sizeof s->error, v);
}

json_t *
ctr_create_read (int dirfd, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	json_error_t je;
	json_t *doc;
	size_t len;

	if (afile_slurp_at (dirfd, L_CREATE_JSON, &buf, &len, e) < 0)
		return NULL;
	if (!(doc = json_loadb (buf, len, 0, &je)))
		return err_set (e, BX_FAIL, 0, L_CREATE_JSON ": line %d: %s", je.line, je.text), NULL;
	return doc;
}

int
ctr_create_read_opt (int dirfd, json_t **out, struct bx_err *e)
{
	if ((*out = ctr_create_read (dirfd, e)))
		return 0;
	if (e->code != BX_NOTFOUND)
		return -1;
	*e = (struct bx_err){0};
	return 0;
}

int
ctr_create_edit (int dirfd, ctr_create_edit_fn *fn, void *arg, struct bx_err *e)
{
	/* a new open file description: the lock goes with it, not with DIRFD */
	_cleanup_close_ int lock = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *s = NULL;
	json_t *doc;
	int rc = -1;

	if (lock < 0 || flock (lock, LOCK_EX) < 0)
		return err_set (e, BX_SYSTEM, errno, "lock the container directory");
	if (!(doc = ctr_create_read (dirfd, e)))
		return -1;
	if (fn (doc, arg, e) < 0)
		goto out;
	if (!(s = json_dumps (doc, JSON_COMPACT))) {
		err_set (e, BX_SYSTEM, ENOMEM, L_CREATE_JSON);
		goto out;
	}
	rc = afile_write_at (dirfd, L_CREATE_JSON, s, strlen (s), 0644, e);
out:
	json_decref (doc);
	return rc;
}

void
ctr_cgroup_path (json_t *create, const char *id, char *out)
{
	const char *p = json_string_value (json_object_get (json_object_get (create, "HostConfig"), "CgroupParent"));

	if (p && *p)
		cgroup_path_in (p, id, out);
	else
		cgroup_path (id, out);
}

void
ctr_cgroup_path_at (int dirfd, const char *id, char *out)
{
	struct bx_err ign = {0};
	json_t *create = ctr_create_read (dirfd, &ign);

	ctr_cgroup_path (create, id, out);
	json_decref (create);
}

int
ctr_state_read (int dirfd, struct ctr_state *s, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL;

	memset (s, 0, sizeof *s);
	if (afile_slurp_at (dirfd, L_STATE, &buf, NULL, e) < 0)
		return err_wrap (e, "state");
	for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
		char *eq = strchr (line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		state_set (s, line, eq + 1);
	}
	return 0;
}

/* A value on one line: the error text is the only free-form field. */
static void
one_line (char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < n; i++)
		dst[i] = src[i] == '\n' ? ' ' : src[i];
	dst[i] = '\0';
}

int
ctr_state_write (int dirfd, const struct ctr_state *s, int durable, struct bx_err *e)
{
	char buf[1024], err[256];
	int n;

	one_line (err, sizeof err, s->error);
	n = snprintf (buf, sizeof buf,
	              "status=%s\npid=%d\npid_start=%llu\nmonitor=%d\nmonitor_start=%llu\n"
	              "exit_code=%d\noom_killed=%d\nrestart_count=%d\n"
	              "created=%s\nstarted=%s\nfinished=%s\nerror=%s\n",
	              s->status, (int)s->pid, s->pid_start, (int)s->monitor, s->monitor_start, s->exit_code,
	              s->oom_killed, s->restart_count, s->created, s->started, s->finished, err);
	return afile_replace_reserved_at (dirfd, L_STATE, buf, (size_t)n, 0600, durable, e);
}

unsigned long long
ctr_proc_start_time (pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int field;

	if (pid <= 0)
		return 0;
	snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if ((n = read (fd, buf, sizeof buf - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields start after the last ')' */
	if (!(p = strrchr (buf, ')')))
		return 0;
	/* a zombie has ended: only its entry waits for a parent that may never
	 * reap it (an init that does not, a supervisor killed meanwhile) */
	if (p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
		return 0;
	for (field = 2; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field == 22)
		start = strtoull (p, NULL, 10);
	return start;
}

static int
same_process (pid_t pid, unsigned long long start)
{
	return pid > 0 && start && ctr_proc_start_time (pid) == start;
}

int
ctr_state_settle (struct ctr_state *s)
{
	if (!strcmp (s->status, "restarting")) {
		/* between two runs: the last exit stands, only the wait is over */
		if (same_process (s->monitor, s->monitor_start))
			return 0;
	} else if (strcmp (s->status, "running")) {
		return 0;
	} else if (same_process (s->pid, s->pid_start) &&
	           (!s->monitor || same_process (s->monitor, s->monitor_start))) {
		return 0;
	} else {
		s->exit_code = 255;
	}
	copy_str (s->status, sizeof s->status, "exited");
	if (!s->finished[0])
		timestamp_now (s->finished);
	return 1;
}

void
ctr_test_crash (const char *point)
{
	const char *want = getenv ("BOX_TEST_CRASH");

	if (want && !strcmp (want, point))
		kill (getpid (), SIGKILL);
}

static int
is_hex_prefix (const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isxdigit ((unsigned char)s[i]) || isupper ((unsigned char)s[i]))
			return 0;
	return i > 0 && i <= CTR_ID_LEN;
}

static int
resolve_name (int rootfd, const char *name, char id[CTR_ID_LEN + 1])
{
	char path[512], target[CTR_ID_LEN + 2];
	ssize_t n;

	if (snprintf (path, sizeof path, L_NAMES "/%s", name[0] == '/' ? name + 1 : name) >= (int)sizeof path ||
	    strchr (name + 1, '/'))
		return -1;
	n = readlinkat (rootfd, path, target, sizeof target);
	if (n != CTR_ID_LEN)
		return -1;
	memcpy (id, target, CTR_ID_LEN);
	id[CTR_ID_LEN] = '\0';
	return 0;
}

static int
resolve_prefix (int rootfd, const char *prefix, char id[CTR_ID_LEN + 1], struct bx_err *e)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	size_t len = strlen (prefix);
	int fd, found = 0;

	if ((fd = openat (rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	if (!(d = fdopendir (fd))) {
		close (fd);
		return 0;
	}
	while ((de = readdir (d))) {
		if (strlen (de->d_name) != CTR_ID_LEN || strncmp (de->d_name, prefix, len))
			continue;
		if (found++)
			return err_set (e, BX_USAGE, 0, "multiple IDs found with provided prefix: %s", prefix);
		memcpy (id, de->d_name, CTR_ID_LEN + 1);
	}
	return found;
}

int
ctr_resolve (int rootfd, const char *what, char id[CTR_ID_LEN + 1], struct bx_err *e)
{
	int r;

	/* Docker: an exact id, then an exact name, then a unique id prefix */
	if (strlen (what) == CTR_ID_LEN && is_hex_prefix (what) && faccessat (rootfd, L_CONTAINERS, F_OK, 0) == 0) {
		char path[CTR_ID_LEN + 16];
		snprintf (path, sizeof path, L_CONTAINERS "/%s", what);
		if (faccessat (rootfd, path, F_OK, 0) == 0) {
			memcpy (id, what, CTR_ID_LEN + 1);
			return 0;
		}
	}
	if (resolve_name (rootfd, what, id) == 0)
		return 0;
	if (is_hex_prefix (what)) {
		if ((r = resolve_prefix (rootfd, what, id, e)) < 0)
			return -1;
		if (r == 1)
			return 0;
	}
	return err_set (e, BX_NOTFOUND, 0, "No such container: %s", what);
}

int
ctr_open (int rootfd, const char *id, struct bx_err *e)
{
	char path[CTR_ID_LEN + 16];
	int fd;

	snprintf (path, sizeof path, L_CONTAINERS "/%s", id);
	if ((fd = openat (rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno == ENOENT ? 0 : errno,
		                "No such container: %s", id);
	return fd;
}

int
ctr_each (int rootfd, char **args, int n, ctr_each_fn *fn, void *arg, ctr_each_report_fn *report)
{
	char id[CTR_ID_LEN + 1];
	int rc = 0;

	for (int i = 0; i < n; i++) {
		struct bx_err e = {0};
		if (ctr_resolve (rootfd, args[i], id, &e) < 0 || fn (rootfd, args[i], id, arg, &e) < 0) {
			report (args[i], &e);
			rc = BX_FAIL;
		} else
			report (args[i], NULL);
	}
	return rc;
}
