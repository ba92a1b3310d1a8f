/* runmount - RUN --mount as BuildKit's dockerfile frontend reads it
 * (moby/buildkit frontend/dockerfile/instructions/commands_runmount.go),
 * each one handed to ctr-create as a --mount flag */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/tree.h"
#include "image/runcache.h"
#include "meta.h"
#include "plan.h"
#include "runmount.h"

/* one --mount=K=V,... as read */
struct spec {
	const char *type, *target, *source, *from, *id, *sharing, *mode, *uid, *gid, *size;
	int rw, ro, required;
};

static int
bool_opt (const char *k, const char *v, int *out, struct bx_err *e)
{
	if (!v || !strcmp (v, "true") || !strcmp (v, "1"))
		*out = 1;
	else if (!strcmp (v, "false") || !strcmp (v, "0"))
		*out = 0;
	else
		return err_set (e, BX_USAGE, 0, "invalid value for %s: %s", k, v);
	return 0;
}

static int
spec_key (struct spec *s, const char *k, const char *v, struct bx_err *e)
{
	int ro = 0;

#define STR(name, field)                                                                                               \
	if (!strcmp (k, name)) {                                                                                       \
		if (!v)                                                                                                \
			return err_set (e, BX_USAGE, 0, "invalid field '%s' must be a key=value pair", k);             \
		s->field = v;                                                                                          \
		return 0;                                                                                              \
	}
	STR ("type", type)
	STR ("target", target)
	STR ("dst", target)
	STR ("destination", target)
	STR ("source", source)
	STR ("src", source)
	STR ("from", from)
	STR ("id", id)
	STR ("sharing", sharing)
	STR ("mode", mode)
	STR ("uid", uid)
	STR ("gid", gid)
	STR ("size", size)
#undef STR
	if (!strcmp (k, "rw") || !strcmp (k, "readwrite"))
		return bool_opt (k, v, &s->rw, e);
	if (!strcmp (k, "ro") || !strcmp (k, "readonly")) {
		if (bool_opt (k, v, &ro, e) < 0)
			return -1;
		s->ro = ro;
		s->rw = !ro;
		return 0;
	}
	if (!strcmp (k, "required"))
		return bool_opt (k, v, &s->required, e);
	return err_set (e, BX_USAGE, 0, "unexpected key '%s' in '%s=%s'", k, k, v ? v : "");
}

static int
spec_parse (char *text, struct spec *s, struct bx_err *e)
{
	char *save = NULL;

	*s = (struct spec){.type = "bind"};
	for (char *kv = strtok_r (text, ",", &save); kv; kv = strtok_r (NULL, ",", &save)) {
		char *eq = strchr (kv, '=');
		if (eq)
			*eq++ = '\0';
		if (spec_key (s, kv, eq, e) < 0)
			return -1;
	}
	return 0;
}

static void flag (struct runmount *m, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
flag (struct runmount *m, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start (ap, fmt);
	if (vasprintf (&s, fmt, ap) >= 0) {
		json_array_append_new (m->flags, json_string ("--mount"));
		json_array_append_new (m->flags, json_string (s));
	}
	va_end (ap);
	free (s);
}

/* tmp/run-PID, made on first use */
static int
tmp_dir (struct build *b, struct runmount *m, struct bx_err *e)
{
	char name[64];

	if (m->tmpfd >= 0)
		return m->tmpfd;
	snprintf (name, sizeof name, L_TMP "/" L_RUN_TMP "%d", (int)getpid ());
	mkdirat (b->rootfd, L_TMP, 0700);
	if (mkdirat (b->rootfd, name, 0700) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "%s", name);
	if ((m->tmpfd = openat (b->rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", name);
	return m->tmpfd;
}

/* the host path of the file tmp/run-PID/NAME */
static void
tmp_path (struct build *b, const char *name, char *out, size_t len)
{
	snprintf (out, len, "%s/" L_TMP "/" L_RUN_TMP "%d/%s", b->o->rootpath, (int)getpid (), name);
}

/* the absolute host path of PATH inside ROOT, looked up confined to it */
static int
path_in (int root, const char *path, char *out, size_t len, struct bx_err *e)
{
	_cleanup_close_ int fd = tree_open_in_root (root, *path ? path : ".", O_PATH | O_CLOEXEC, 0);
	char proc[64];
	ssize_t n;

	if (fd < 0)
		return err_set (e, BX_NOTFOUND, errno, "%s", path);
	snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
	if ((n = readlink (proc, out, len - 1)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", proc);
	out[n] = '\0';
	if (strchr (out, ','))
		return err_set (e, BX_USAGE, 0, "%s: a comma in the path cannot be mounted", out);
	return 0;
}

static int
copy_tree (const char *from, const char *to, struct bx_err *e)
{
	pid_t pid = fork ();
	int st;

	if (pid < 0)
		return err_set (e, BX_SYSTEM, errno, "fork");
	if (pid == 0) {
		execlp ("cp", "cp", "-a", "--", from, to, (char *)NULL);
		_exit (127);
	}
	while (waitpid (pid, &st, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "waitpid");
	return WIFEXITED (st) && WEXITSTATUS (st) == 0 ? 0 : err_set (e, BX_SYSTEM, 0, "copying %s failed", from);
}

/* the root that from= names (a stage or an image, in a container made for
 * it and never run), else the context */
static int
bind_root (struct build *b, struct runmount *m, const struct spec *s, struct bx_err *e)
{
	struct build_stage *st;
	char id[CTRRUN_ID_LEN + 1];
	json_t *nop;
	int rc;

	if (!s->from) {
		if (b->ctxfd < 0)
			return err_set (e, BX_USAGE, 0, "no build context (the Dockerfile came on stdin)");
		return dup (b->ctxfd);
	}
	st = plan_stage_ref (b, s->from, b->cur - b->stages);
	nop = json_pack ("[s]", "/bin/true");
	rc = ctrrun_create (b, st ? st->id : s->from, nop, NULL, id, e);
	json_decref (nop);
	if (rc < 0)
		return err_wrap (e, "from=%s", s->from);
	json_array_append_new (m->ctrs, json_string (id));
	return ctrrun_open (b, id, L_ROOTFS, e);
}

static int
mount_bind (struct build *b, struct runmount *m, const struct spec *s, struct bx_err *e)
{
	_cleanup_close_ int root = bind_root (b, m, s, e);
	char src[PATH_MAX], copy[PATH_MAX], name[32];

	if (root < 0 || path_in (root, s->source ? s->source : "/", src, sizeof src, e) < 0)
		return -1;
	/* rw: the RUN may write, its writes are dropped; a stage's container
	 * is dropped anyway, the context is never written */
	if (s->rw && !s->from) {
		snprintf (name, sizeof name, "bind-%zu", m->n);
		tmp_path (b, name, copy, sizeof copy);
		if (tmp_dir (b, m, e) < 0 || copy_tree (src, copy, e) < 0)
			return -1;
		snprintf (src, sizeof src, "%s", copy);
	}
	flag (m, "type=bind,source=%s,target=%s%s", src, s->target, s->rw ? "" : ",readonly");
	return 0;
}

static int
num (const char *k, const char *v, int base, long dflt, long *out, struct bx_err *e)
{
	char *end;

	if (!v) {
		*out = dflt;
		return 0;
	}
	*out = strtol (v, &end, base);
	if (!*v || *end || *out < 0)
		return err_set (e, BX_USAGE, 0, "invalid %s: %s", k, v);
	return 0;
}

/* cache/run/<hex of the id>: made MODE, UID:GID the first time, with
 * SEED's contents (from=, else empty); made in tmp/run-PID and renamed
 * into place whole, so that a RUN never sees it half filled */
static int
cache_dir (struct build *b, struct runmount *m, const char *hex, long mode, long uid, long gid, const char *seed,
           struct bx_err *e)
{
	char path[PATH_MAX], name[32], tmp[PATH_MAX + 64], from[PATH_MAX + 8];

	snprintf (path, sizeof path, L_RUN_CACHE "/%s", hex);
	if (afile_mkdir_p_at (b->rootfd, L_RUN_CACHE, 0700, e) < 0)
		return -1;
	if (faccessat (b->rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	snprintf (name, sizeof name, "new-cache-%zu", m->n);
	if (tmp_dir (b, m, e) < 0)
		return -1;
	if (mkdirat (m->tmpfd, name, 0700) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", path);
	tmp_path (b, name, tmp, sizeof tmp);
	snprintf (from, sizeof from, "%s/.", seed ? seed : "");
	if (seed && copy_tree (from, tmp, e) < 0)
		return -1;
	/* after the copy, which gives it the seed's own */
	if (fchownat (m->tmpfd, name, uid, gid, 0) < 0 || fchmodat (m->tmpfd, name, mode, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", path);
	/* another build made it meanwhile: theirs stays */
	if (renameat (m->tmpfd, name, b->rootfd, path) < 0 && errno != EEXIST && errno != ENOTEMPTY)
		return err_set (e, BX_SYSTEM, errno, "%s", path);
	return 0;
}

/* sharing=shared holds the directory's lock shared (prune waits for it),
 * locked waits for it alone, private takes a fresh directory when another
 * RUN holds it */
static int
cache_lock (struct build *b, struct runmount *m, const struct spec *s, const char *hex, int *fresh, struct bx_err *e)
{
	const char *sh = s->sharing ? s->sharing : "shared";
	char name[DIGEST_STR_LEN + 16];
	int fd, *l;

	*fresh = 0;
	if (strcmp (sh, "shared") && strcmp (sh, "locked") && strcmp (sh, "private"))
		return err_set (e, BX_USAGE, 0, "unrecognized sharing mode %s", sh);
	snprintf (name, sizeof name, "%s.lock", hex);
	_cleanup_close_ int dir = openat (b->rootfd, L_RUN_CACHE, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = lock_take_at (dir, name,
	                   !strcmp (sh, "shared")    ? LOCK_SHARED
	                   : !strcmp (sh, "private") ? LOCK_TRY
	                                             : LOCK_WAIT,
	                   e);
	if (fd < 0 && e->code == BX_CONFLICT) {
		*fresh = 1;
		return 0;
	}
	if (fd < 0 || !(l = realloc (m->locks, (m->nlocks + 1) * sizeof *l)))
		return fd < 0 ? -1 : (close (fd), err_set (e, BX_SYSTEM, ENOMEM, "locks"));
	m->locks = l;
	m->locks[m->nlocks++] = fd;
	return 0;
}

static int
mount_cache (struct build *b, struct runmount *m, const struct spec *s, struct bx_err *e)
{
	char hex[DIGEST_STR_LEN + 1], src[PATH_MAX], name[32];
	const char *id = s->id ? s->id : s->target;
	long mode, uid, gid;
	int fresh;

	char seed[PATH_MAX];

	if (num ("mode", s->mode, 8, 0755, &mode, e) < 0 || num ("uid", s->uid, 10, 0, &uid, e) < 0 ||
	    num ("gid", s->gid, 10, 0, &gid, e) < 0)
		return -1;
	runcache_name (id, hex);
	/* from=: a stage's or an image's tree (or the context's) to start with */
	if (s->from) {
		_cleanup_close_ int root = bind_root (b, m, s, e);
		if (root < 0 || path_in (root, s->source ? s->source : "/", seed, sizeof seed, e) < 0)
			return -1;
	}
	if (cache_dir (b, m, hex, mode, uid, gid, s->from ? seed : NULL, e) < 0 ||
	    cache_lock (b, m, s, hex, &fresh, e) < 0)
		return -1;
	if (fresh) {
		snprintf (name, sizeof name, "cache-%zu", m->n);
		if (tmp_dir (b, m, e) < 0 || mkdirat (m->tmpfd, name, mode) < 0 ||
		    fchownat (m->tmpfd, name, uid, gid, 0) < 0)
			return err_set (e, BX_SYSTEM, errno, "a private cache directory");
		tmp_path (b, name, src, sizeof src);
	} else
		snprintf (src, sizeof src, "%s/" L_RUN_CACHE "/%s", b->o->rootpath, hex);
	flag (m, "type=bind,source=%s,target=%s%s", src, s->target, s->ro ? ",readonly" : "");
	return 0;
}

static int
mount_tmpfs (struct runmount *m, const struct spec *s)
{
	if (s->size)
		flag (m, "type=tmpfs,target=%s,tmpfs-size=%s", s->target, s->size);
	else
		flag (m, "type=tmpfs,target=%s", s->target);
	return 0;
}

/* the secret ID's bytes: --secret id=ID,src=FILE or env=VAR; 1 when the
 * build was given none */
static int
secret_read (struct build *b, const char *id, char **data, size_t *len, struct bx_err *e)
{
	json_t *s = json_object_get (b->o->secrets, id);
	const char *src = json_string_value (json_object_get (s, "src"));
	const char *env = json_string_value (json_object_get (s, "env"));
	const char *v;

	if (!s)
		return 1;
	if (src)
		return afile_slurp_at (AT_FDCWD, src, data, len, e) < 0 ? err_wrap (e, "secret %s", id) : 0;
	if (!(v = getenv (env)))
		return err_set (e, BX_USAGE, 0, "secret %s: the variable %s is not set", id, env);
	*data = strdup (v);
	*len = strlen (v);
	return 0;
}

static int
put_file (struct build *b, struct runmount *m, const char *data, size_t len, long mode, long uid, long gid, char *path,
          size_t plen, struct bx_err *e)
{
	char name[32];
	_cleanup_close_ int fd = -1;

	snprintf (name, sizeof name, "file-%zu", m->n);
	if (tmp_dir (b, m, e) < 0)
		return -1;
	if ((fd = openat (m->tmpfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
	    afile_write_all (fd, data, len) < 0 || fchown (fd, uid, gid) < 0 || fchmod (fd, mode) < 0)
		return err_set (e, BX_SYSTEM, errno, "tmp/%s", name);
	tmp_path (b, name, path, plen);
	return 0;
}

static int
mount_secret (struct build *b, struct runmount *m, struct spec *s, struct bx_err *e)
{
	_cleanup_free_ char *data = NULL, *target = NULL, *tcopy = NULL;
	char path[PATH_MAX];
	const char *id = s->id;
	long mode, uid, gid;
	size_t len = 0;
	int rc;

	if (!id && s->target)
		id = basename (tcopy = strdup (s->target));
	if (!id || !*id)
		return err_set (e, BX_USAGE, 0, "secret ID missing from mount options");
	if (!s->target && asprintf (&target, "/run/secrets/%s", id) >= 0)
		s->target = target;
	if (num ("mode", s->mode, 8, 0400, &mode, e) < 0 || num ("uid", s->uid, 10, 0, &uid, e) < 0 ||
	    num ("gid", s->gid, 10, 0, &gid, e) < 0 || (rc = secret_read (b, id, &data, &len, e)) < 0)
		return -1;
	if (rc == 1)
		return s->required
		           ? err_set (e, BX_USAGE, 0, "secret %s: not provided (--secret id=%s,src=FILE)", id, id)
		           : 0;
	if (put_file (b, m, data, len, mode, uid, gid, path, sizeof path, e) < 0)
		return -1;
	flag (m, "type=bind,source=%s,target=%s,readonly", path, s->target);
	json_array_append_new (m->targets, json_string (s->target));
	return 0;
}

/* the agent socket --ssh ID=SOCKET gave, bound at the target (buildkit's
 * /run/buildkit/ssh_agent.N), SSH_AUTH_SOCK naming it */
static int
mount_ssh (struct build *b, struct runmount *m, struct spec *s, struct bx_err *e)
{
	const char *id = s->id ? s->id : "default";
	const char *sock = json_string_value (json_object_get (b->o->ssh, id));
	_cleanup_free_ char *target = NULL;
	char path[PATH_MAX];
	struct stat st;

	if (!sock)
		return s->required ? err_set (e, BX_USAGE, 0, "ssh %s: not provided (--ssh %s=SOCKET)", id, id) : 0;
	if (!s->target && asprintf (&target, "/run/buildkit/ssh_agent.%zu", m->nssh) >= 0)
		s->target = target;
	if (!realpath (sock, path) || stat (path, &st) < 0)
		return err_set (e, BX_USAGE, errno, "ssh %s: %s", id, sock);
	if (!S_ISSOCK (st.st_mode) || strchr (path, ','))
		return err_set (e, BX_USAGE, 0, "ssh %s: %s: %s", id, sock,
		                S_ISSOCK (st.st_mode) ? "a comma in the path cannot be mounted" : "not a socket");
	flag (m, "type=bind,source=%s,target=%s", path, s->target);
	if (m->nssh++ == 0) {
		json_array_append_new (m->flags, json_string ("-e"));
		json_array_append_new (m->flags, json_sprintf ("SSH_AUTH_SOCK=%s", s->target));
	}
	json_array_append_new (m->targets, json_string (s->target));
	return 0;
}

static int
add_spec (struct build *b, struct runmount *m, struct spec *s, struct bx_err *e)
{
	int rc;

	if (!strcmp (s->type, "secret"))
		return mount_secret (b, m, s, e);
	if (!strcmp (s->type, "ssh"))
		return mount_ssh (b, m, s, e);
	if (!s->target || !*s->target)
		return err_set (e, BX_USAGE, 0, "mount destination (target) is required");
	if (!strcmp (s->type, "bind"))
		rc = mount_bind (b, m, s, e);
	else if (!strcmp (s->type, "cache"))
		rc = mount_cache (b, m, s, e);
	else if (!strcmp (s->type, "tmpfs"))
		rc = mount_tmpfs (m, s);
	else
		return err_set (e, BX_USAGE, 0, "unsupported mount type \"%s\"", s->type);
	if (rc == 0)
		json_array_append_new (m->targets, json_string (s->target));
	return rc;
}

int
runmount_parse (struct build *b, struct runmount *m, struct bx_err *e)
{
	*m = (struct runmount){.flags = json_array (),
	                       .targets = json_array (),
	                       .stubs = json_array (),
	                       .ctrs = json_array (),
	                       .tmpfd = -1};
	for (size_t i = 0; i < b->in->nflags; i++) {
		_cleanup_free_ char *v = NULL;
		struct spec s;
		if (strncmp (b->in->flags[i], "--mount=", 8) != 0)
			continue;
		if (build_expand (b, b->in->flags[i] + 8, &v, e) < 0)
			return -1;
		_cleanup_free_ char *abs = NULL;
		int rc = spec_parse (v, &s, e);
		/* a relative target is under the WORKDIR, as buildkit takes it */
		if (rc == 0 && s.target && *s.target && s.target[0] != '/')
			s.target = abs = meta_workdir_join (b, s.target);
		if (rc < 0 || add_spec (b, m, &s, e) < 0)
			return build_errf (b, e, e->code, "RUN --mount=%s: %s", b->in->flags[i] + 8, e->msg);
		m->n++;
	}
	return 0;
}

int
runmount_file (struct build *b, struct runmount *m, const char *target, const char *data, size_t len, mode_t mode,
               struct bx_err *e)
{
	char path[PATH_MAX];

	if (put_file (b, m, data, len, mode, 0, 0, path, sizeof path, e) < 0)
		return build_wrap (b, e);
	m->n++;
	flag (m, "type=bind,source=%s,target=%s,readonly", path, target);
	json_array_append_new (m->targets, json_string (target));
	return 0;
}

void
runmount_note_stubs (struct runmount *m, int rootfs)
{
	json_t *v;
	size_t i;

	json_array_foreach (m->targets, i, v)
	{
		_cleanup_free_ char *p = strdup (json_string_value (v));
		size_t len = strlen (p);
		/* the topmost component missing: the runtime makes it, and what is under it */
		for (size_t at = 1; at <= len; at++) {
			char save = p[at];
			int fd;
			if (save != '/' && save != '\0')
				continue;
			p[at] = '\0';
			fd = tree_open_in_root (rootfs, p, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
			if (fd < 0 && errno == ENOENT) {
				json_array_append_new (
				    m->stubs, json_pack ("{s:s, s:s}", "top", p, "full", json_string_value (v)));
				break;
			}
			if (fd >= 0)
				close (fd);
			p[at] = save;
		}
	}
}

/* FULL's empty components up to TOP removed, deepest first: an empty
 * file or directory is a mount point, what the RUN wrote is kept */
static void
unstub (int rootfs, const char *top, const char *full)
{
	_cleanup_free_ char *p = strdup (full);
	size_t toplen = strlen (top);

	while (strlen (p) >= toplen) {
		char *slash = strrchr (p, '/');
		int fd = tree_open_in_root (rootfs, slash == p ? "/" : (*slash = '\0', p),
		                            O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		struct stat st;
		int gone;
		if (fd < 0)
			return;
		gone = fstatat (fd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		       ((S_ISREG (st.st_mode) && st.st_size == 0 && unlinkat (fd, slash + 1, 0) == 0) ||
		        (S_ISDIR (st.st_mode) && unlinkat (fd, slash + 1, AT_REMOVEDIR) == 0));
		close (fd);
		if (!gone || slash == p)
			return;
	}
}

void
runmount_remove_stubs (struct runmount *m, int rootfs)
{
	json_t *v;
	size_t i;

	/* the last made first: one under another is removed before it */
	for (i = json_array_size (m->stubs); i-- > 0;) {
		v = json_array_get (m->stubs, i);
		unstub (rootfs, json_string_value (json_object_get (v, "top")),
		        json_string_value (json_object_get (v, "full")));
	}
}

void
runmount_release (struct build *b, struct runmount *m)
{
	char name[64];
	struct bx_err ign = {0};
	json_t *v;
	size_t i;

	json_array_foreach (m->ctrs, i, v) ctrrun_remove (b, json_string_value (v), &ign);
	if (m->tmpfd >= 0) {
		close (m->tmpfd);
		snprintf (name, sizeof name, L_TMP "/" L_RUN_TMP "%d", (int)getpid ());
		tree_remove_at (b->rootfd, name);
	}
	for (i = 0; i < m->nlocks; i++)
		close (m->locks[i]);
	free (m->locks);
	json_decref (m->flags);
	json_decref (m->targets);
	json_decref (m->stubs);
	json_decref (m->ctrs);
	*m = (struct runmount){.tmpfd = -1};
}
