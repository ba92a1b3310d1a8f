/* remap - the userns-remap mapping (remap.h) */
#include "runtime/remap.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <limits.h>
#include <spawn.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/root.h"
#include "base/subid.h"
#include "runtime/settings.h"

/* dockerd's: ranges of 65536 from 100000 up (idtools' defaultRangeStart) */
#define REMAP_RANGE_START 100000
#define REMAP_RANGE_SIZE 65536

int
remap_current (int rootfd, char *buf, size_t len, struct bx_err *e)
{
	const char *env = getenv (REMAP_ENV);

	if (env) {
		snprintf (buf, len, "%s", env);
		return *env != '\0';
	}
	return settings_get (rootfd, SETTINGS_USERNS_REMAP, buf, len, e);
}

/* USER[:GROUP] split; the names or ids with the numeric ids they have */
struct remap_who {
	char user[256], group[256];
	long long uid, gid;
};

static int
remap_who (const char *spec, struct remap_who *w, struct bx_err *e)
{
	const char *colon = strchr (spec, ':');
	struct passwd *pw;
	struct group *gr;
	char *end;

	snprintf (w->user, sizeof w->user, "%.*s", (int)(colon ? (size_t)(colon - spec) : strlen (spec)), spec);
	snprintf (w->group, sizeof w->group, "%s", colon ? colon + 1 : "");
	if (!w->user[0] || (colon && !w->group[0]))
		return err_set (e, BX_USAGE, 0, "userns-remap %s: not USER[:GROUP]", spec);
	w->uid = strtoll (w->user, &end, 10);
	pw = *end ? getpwnam (w->user) : getpwuid ((uid_t)w->uid);
	if (!pw)
		return err_set (e, BX_USAGE, 0, "userns-remap %s: no such user: %s", spec, w->user);
	w->uid = pw->pw_uid;
	snprintf (w->user, sizeof w->user, "%s", pw->pw_name);
	if (!w->group[0]) {
		snprintf (w->group, sizeof w->group, "%s", w->user);
		w->gid = pw->pw_gid;
		return 0;
	}
	w->gid = strtoll (w->group, &end, 10);
	gr = *end ? getgrnam (w->group) : getgrgid ((gid_t)w->gid);
	if (!gr)
		return err_set (e, BX_USAGE, 0, "userns-remap %s: no such group: %s", spec, w->group);
	w->gid = gr->gr_gid;
	snprintf (w->group, sizeof w->group, "%s", gr->gr_name);
	return 0;
}

int
remap_check (const char *spec, struct bx_err *e)
{
	struct remap_who w;

	return strcmp (spec, REMAP_DEFAULT) == 0 ? 0 : remap_who (spec, &w, e);
}

/* Run ARGV, its output to /dev/null; BX_SYSTEM unless it exits 0 */
static int
remap_run (char *const *argv, struct bx_err *e)
{
	extern char **environ;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, rc;

	posix_spawn_file_actions_init (&fa);
	posix_spawn_file_actions_addopen (&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp (&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy (&fa);
	if (rc != 0)
		return err_set (e, BX_SYSTEM, rc, "%s", argv[0]);
	while (waitpid (pid, &st, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "waitpid");
	if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
		return err_set (e, BX_SYSTEM, 0, "%s " REMAP_DEFAULT_USER " failed (exit %d)", argv[0],
		                WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st));
	return 0;
}

/* -v START-END (or -w) for usermod, after the highest range of FILE, when
 * boxremap has none there */
static int
remap_range_arg (const char *file, long long uid, char *buf, size_t len, struct bx_err *e)
{
	struct subid_ranges r;
	uint64_t start;

	buf[0] = '\0';
	if (subid_read (file, REMAP_DEFAULT_USER, uid, &r, e) < 0)
		return -1;
	if (r.n > 0)
		return 0;
	if (subid_next_free (file, REMAP_RANGE_START, &start, e) < 0)
		return -1;
	snprintf (buf, len, "%llu-%llu", (unsigned long long)start, (unsigned long long)(start + REMAP_RANGE_SIZE - 1));
	return 0;
}

static int
remap_ranges_add (long long uid, struct bx_err *e)
{
	char u[64], g[64];
	char *argv[8] = {"usermod"};
	int n = 1;

	if (remap_range_arg (SUBID_UID_FILE, uid, u, sizeof u, e) < 0 ||
	    remap_range_arg (SUBID_GID_FILE, uid, g, sizeof g, e) < 0)
		return -1;
	if (u[0])
		argv[n++] = "-v", argv[n++] = u;
	if (g[0])
		argv[n++] = "-w", argv[n++] = g;
	argv[n++] = REMAP_DEFAULT_USER;
	argv[n] = NULL;
	return n > 2 ? remap_run (argv, e) : 0;
}

int
remap_default_user (int rootfd, struct bx_err *e)
{
	static char *const useradd[] = {"useradd", "-r", "-s", "/bin/false", "-M", REMAP_DEFAULT_USER, NULL};
	_cleanup_close_ int lock = -1;
	struct passwd *pw;

	/* rootless: the user's own subordinate ids stand for boxremap's */
	if (root_is_rootless ())
		return 0;
	if ((lock = lock_take_at (rootfd, L_SETTINGS_LOCK, LOCK_WAIT, e)) < 0)
		return -1;
	if (!(pw = getpwnam (REMAP_DEFAULT_USER))) {
		if (remap_run (useradd, e) < 0)
			return -1;
		if (!(pw = getpwnam (REMAP_DEFAULT_USER)))
			return err_set (e, BX_SYSTEM, 0, "useradd made no user " REMAP_DEFAULT_USER);
	}
	return remap_ranges_add (pw->pw_uid, e);
}

/* rootless: the host's ids of R as the user's namespace numbers them
 * (MAP its /proc/self/uid_map or gid_map); a range the namespace does
 * not hold whole is refused, naming SPEC */
static int
remap_in_ns (const char *map, struct subid_ranges *r, const char *spec, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	unsigned long long in, host, count;
	int n, found;

	if (afile_slurp_at (AT_FDCWD, map, &text, NULL, e) < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		found = 0;
		for (const char *s = text; !found && sscanf (s, "%llu %llu %llu%n", &in, &host, &count, &n) == 3;
		     s += n)
			if (r->r[i].start >= host && r->r[i].start + r->r[i].count <= host + count) {
				r->r[i].start = r->r[i].start - host + in;
				found = 1;
			}
		if (!found)
			return err_set (e, BX_USAGE, 0,
			                "userns-remap %s: range %llu-%llu: not in the user's namespace (%s)", spec,
			                (unsigned long long)r->r[i].start,
			                (unsigned long long)(r->r[i].start + r->r[i].count - 1), map);
	}
	return 0;
}

static int
remap_map (const char *file, const char *name, long long id, const char *spec, struct idmap *m, struct bx_err *e)
{
	struct subid_ranges r;

	if (subid_read (file, name, id, &r, e) < 0)
		return -1;
	if (r.n == 0)
		return err_set (e, BX_USAGE, 0, "userns-remap %s: no ranges for %s in %s", spec, name, file);
	if (root_is_rootless () &&
	    remap_in_ns (strcmp (file, SUBID_UID_FILE) ? "/proc/self/gid_map" : "/proc/self/uid_map", &r, spec, e) < 0)
		return -1;
	return idmap_from_ranges (m, &r, 0, e) < 0 ? err_wrap (e, "userns-remap %s", spec) : 0;
}

static int
remap_of (const char *spec, struct idmap *uid, struct idmap *gid, struct bx_err *e)
{
	struct remap_who w;

	if (remap_who (spec, &w, e) < 0)
		return -1;
	if (remap_map (SUBID_UID_FILE, w.user, w.uid, spec, uid, e) < 0 ||
	    remap_map (SUBID_GID_FILE, w.group, w.gid, spec, gid, e) < 0)
		return -1;
	return 0;
}

/* rootless "default": the user's namespace's ids but 0, the user's
 * subordinate ids (an ordinary user makes no boxremap) */
static int
remap_ns_default (struct idmap *uid, struct idmap *gid, struct bx_err *e)
{
	struct subid_ranges u, g;

	if (subid_read_ns ("/proc/self/uid_map", &u, e) < 0 || subid_read_ns ("/proc/self/gid_map", &g, e) < 0)
		return -1;
	if (!u.n || !g.n)
		return err_set (e, BX_USAGE, 0,
		                "userns-remap default: no subordinate ids in the user's namespace (/etc/subuid, "
		                "/etc/subgid)");
	return idmap_from_ranges (uid, &u, 0, e) < 0 || idmap_from_ranges (gid, &g, 0, e) < 0 ? -1 : 0;
}

int
remap_resolve (int rootfd, const char *spec, struct idmap *uid, struct idmap *gid, struct bx_err *e)
{
	if (strcmp (spec, REMAP_DEFAULT) != 0)
		return remap_of (spec, uid, gid, e);
	if (root_is_rootless ())
		return remap_ns_default (uid, gid, e);
	/* boxremap, or its ranges, made the first time they are missing */
	if (remap_of (REMAP_DEFAULT_USER, uid, gid, e) == 0)
		return 0;
	*e = (struct bx_err){0};
	if (remap_default_user (rootfd, e) < 0)
		return err_wrap (e, "userns-remap default");
	return remap_of (REMAP_DEFAULT_USER, uid, gid, e);
}

int
remap_bundle_maps (const char *dir, struct idmap *uid, struct idmap *gid, struct bx_err *e)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *doc, *lx;
	_cleanup_close_ int fd = -1;

	snprintf (path, sizeof path, "%s/" L_CONFIG, dir);
	fd = open (path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : err_set (e, BX_SYSTEM, errno, L_CONFIG);
	if (!(doc = json_loadfd (fd, 0, &je)))
		return err_set (e, BX_FAIL, 0, L_CONFIG ": %s", je.text);
	lx = json_object_get (doc, "linux");
	rc = json_array_size (json_object_get (lx, "uidMappings")) > 0;
	if (rc && (idmap_from_json (uid, json_object_get (lx, "uidMappings"), "linux.uidMappings", e) < 0 ||
	           idmap_from_json (gid, json_object_get (lx, "gidMappings"), "linux.gidMappings", e) < 0))
		rc = err_wrap (e, L_CONFIG);
	json_decref (doc);
	return rc;
}
