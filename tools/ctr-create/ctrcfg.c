#include "ctrcfg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/gomap.h"
#include "base/layout.h"
#include "base/root.h"
#include "base/timestamp.h"
#include "base/tree.h"
#include "net/net.h"
#include "net/netfiles.h"
#include "runtime/cgroup.h"
#include "runtime/ctrname.h"
#include "runtime/ocispec.h"
#include "runtime/volume.h"
#include "copts.h"
#include "secprof.h"
#include "spec.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SHM_SIZE (64LL << 20)

void
ctrcfg_init (struct ctrcfg *c, const struct ctrflags *flags)
{
	*c = (struct ctrcfg){.flags = flags};
	c->mounts = json_array ();
	c->inspect_mounts = json_array ();
	c->anon_volumes = json_array ();
}

void
ctrcfg_free (struct ctrcfg *c)
{
	json_decref (c->mounts);
	json_decref (c->inspect_mounts);
	json_decref (c->config);
	json_decref (c->args);
	json_decref (c->proc_env);
	free (c->hosts);
	free (c->resolv);
	free (c->hostname_file);
	for (size_t i = 0; i < c->nvolume_locks; i++)
		close (c->volume_locks[i]);
	free (c->volume_locks);
	json_decref (c->anon_volumes);
}

void
ctrcfg_volumes_undo (struct ctrcfg *c, int rootfd)
{
	json_t *v;
	size_t i;

	/* our own shared locks first: removal takes them exclusively */
	for (i = 0; i < c->nvolume_locks; i++)
		close (c->volume_locks[i]);
	c->nvolume_locks = 0;
	json_array_foreach (c->anon_volumes, i, v)
	    volume_remove (rootfd, json_string_value (v), NULL, &(struct bx_err){0});
}

/* A user-defined network must exist (Docker: "network X not found"); it is
 * recorded by its name, which ctr-net looks it up by. The default bridge
 * is made by ctr-net on first use. */
static int
user_network (struct ctrcfg *c, int rootfd, struct bx_err *e)
{
	const struct ctrflags *f = c->flags;
	struct net n;

	if (!strcmp (f->network, "default") || !strcmp (f->network, "bridge") || !strcmp (f->network, "none") ||
	    !strcmp (f->network, "host"))
		return 0;
	if (net_open (rootfd, f->network, &n, e) < 0)
		return -1;
	snprintf (c->net_mode, sizeof c->net_mode, "%s", n.name);
	net_close (&n);
	return 0;
}

int
ctrcfg_resolve_network (struct ctrcfg *c, int rootfd, struct bx_err *e)
{
	const struct ctrflags *f = c->flags;
	char id[CTR_ID_LEN + 1], root[4096];

	snprintf (c->net_mode, sizeof c->net_mode, "%s", strcmp (f->network, "default") ? f->network : "bridge");
	if (strncmp (f->network, "container:", 10) != 0)
		return user_network (c, rootfd, e);
	if (ctr_resolve (rootfd, f->network + 10, id, e) < 0 || root_abspath (rootfd, root, sizeof root, e) < 0)
		return -1;
	snprintf (c->net_mode, sizeof c->net_mode, "container:%s", id);
	snprintf (c->peer_dir, sizeof c->peer_dir, "%s/" L_CONTAINERS "/%s", root, id);
	snprintf (c->netns_path, sizeof c->netns_path, "%s/" L_NETNS, c->peer_dir);
	return 0;
}

static int
mode_is (const char *mode, const char *what)
{
	return mode && strcmp (mode, what) == 0;
}

/* --- merging with the image config (moby daemon/commit.go merge) --- */

static size_t
key_len (const char *kv)
{
	return strcspn (kv, "=");
}

static int
same_key (const char *a, const char *b)
{
	return key_len (a) == key_len (b) && strncmp (a, b, key_len (a)) == 0;
}

/* user env first, then the image's entries the user did not name */
static json_t *
env_merge (json_t *user, json_t *image)
{
	json_t *out = json_deep_copy (user), *v, *u;
	size_t i, k;

	json_array_foreach (image, i, v)
	{
		int found = 0;
		json_array_foreach (user, k, u) found |= same_key (json_string_value (u), json_string_value (v));
		if (!found)
			json_array_append (out, v);
	}
	return out;
}

/* Docker's ReplaceOrAppendEnvValues: a bare "K" unsets K */
static void
env_apply (json_t *env, json_t *over)
{
	json_t *v;
	size_t i;

	json_array_foreach (over, i, v)
	{
		const char *s = json_string_value (v);
		size_t k, at = (size_t)-1;
		json_t *d;
		json_array_foreach (env, k, d) if (same_key (json_string_value (d), s)) at = k;
		if (!strchr (s, '=')) {
			if (at != (size_t)-1)
				json_array_remove (env, at);
		} else if (at != (size_t)-1)
			json_array_set (env, at, v);
		else
			json_array_append (env, v);
	}
}

static char *
path_clean (const char *p)
{
	char *out = malloc (strlen (p) + 2), *o = out;

	if (!out)
		return NULL;
	*o++ = '/';
	while (*p) {
		size_t n;
		p += strspn (p, "/");
		n = strcspn (p, "/");
		if (n == 1 && p[0] == '.')
			;
		else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > out + 1 && *--o != '/')
				;
			if (o == out)
				o = out + 1;
		} else if (n) {
			if (o > out + 1)
				*o++ = '/';
			memcpy (o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
	return out;
}

static json_t *
cmd_args (const struct ctrcfg *c)
{
	const struct ctrflags *f = c->flags;
	json_t *a = json_array ();

	for (int i = 0; i < f->ncmd; i++)
		json_array_append_new (a, json_string (f->cmd[i]));
	return a;
}

/* ENTRYPOINT/CMD: run args replace CMD; --entrypoint replaces ENTRYPOINT
 * and drops the image's CMD; "" clears ENTRYPOINT */
static int
command_merge (struct ctrcfg *c, json_t *ic, json_t *cfg, struct bx_err *e)
{
	const struct ctrflags *f = c->flags;
	json_t *cmd = f->ncmd ? cmd_args (c) : NULL, *entry = NULL, *v;
	size_t i;

	if (f->has_entrypoint)
		entry = f->entrypoint[0] ? json_pack ("[s]", f->entrypoint) : NULL;
	else {
		entry = json_incref (json_object_get (ic, "Entrypoint"));
		if (!cmd)
			cmd = json_incref (json_object_get (ic, "Cmd"));
	}
	if (json_is_array (entry) && json_array_size (entry) == 0)
		entry = (json_decref (entry), NULL);
	if (json_is_array (cmd) && json_array_size (cmd) == 0)
		cmd = (json_decref (cmd), NULL);
	json_object_set_new (cfg, "Cmd", cmd && json_is_array (cmd) ? cmd : json_null ());
	json_object_set_new (cfg, "Entrypoint", entry && json_is_array (entry) ? entry : json_null ());
	c->args = json_array ();
	json_array_foreach (json_object_get (cfg, "Entrypoint"), i, v) json_array_append (c->args, v);
	json_array_foreach (json_object_get (cfg, "Cmd"), i, v) json_array_append (c->args, v);
	if (json_array_size (c->args) == 0)
		return err_set (e, BX_USAGE, 0, "No command specified"); /* Docker's words */
	if (f->init) {
		json_array_insert_new (c->args, 0, json_string ("--"));
		json_array_insert_new (c->args, 0, json_string (CTRCFG_INIT_PATH));
	}
	return 0;
}

static int
peer_hostname (const char *dir, char *buf, size_t len)
{
	_cleanup_close_ int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *s = NULL;
	struct bx_err ignored = {0};

	if (fd < 0 || afile_slurp_at (fd, L_HOSTNAME, &s, NULL, &ignored) < 0 || !*s)
		return -1;
	s[strcspn (s, "\n")] = '\0';
	snprintf (buf, len, "%s", s);
	return 0;
}

static void
hostname_pick (struct ctrcfg *c)
{
	const struct ctrflags *f = c->flags;
	static char host[256];

	if (f->hostname)
		c->hostname = f->hostname;
	else if (strcmp (c->net_mode, "host") == 0 && gethostname (host, sizeof host) == 0)
		c->hostname = host;
	else if (c->peer_dir[0] && peer_hostname (c->peer_dir, host, sizeof host) == 0)
		c->hostname = host; /* --network container:X takes X's name, as Docker */
	else {
		snprintf (host, CTR_SHORT_LEN + 1, "%s", c->id);
		c->hostname = host;
	}
}

static json_t *
objects_merge (json_t *base, json_t *over)
{
	json_t *out = json_is_object (base) ? json_deep_copy (base) : json_object ();

	json_object_update (out, over);
	return out;
}

/* O (taken) with its keys in the order Go's encoding/json writes a map's,
 * as inspect shows ExposedPorts and PortBindings; O itself without memory */
static json_t *
keys_sorted (json_t *o)
{
	json_t *out = gomap_sorted (o);

	if (!out)
		return o;
	json_decref (o);
	return out;
}

/* the process's environment: Docker's defaults (CreateDaemonEnvironment),
 * replaced or extended by Config.Env */
static json_t *
process_env (const struct ctrcfg *c, json_t *env)
{
	const struct ctrflags *f = c->flags;
	json_t *out = json_pack ("[s]", DEFAULT_PATH);

	json_array_append_new (out, json_sprintf ("HOSTNAME=%s", c->hostname));
	if (f->tty)
		json_array_append_new (out, json_string ("TERM=xterm"));
	env_apply (out, env);
	return out;
}

/* Config.Healthcheck: the flags' (the docker client's HealthConfig), each
 * field they leave unset taken from the image's, as moby's merge does, in
 * Go's field order; NULL when neither has one */
static json_t *
healthcheck_merge (const struct ctrflags *f, json_t *image)
{
	static const char *const keys[] = {"Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"};
	const int64_t v[] = {f->health_interval, f->health_timeout, f->health_start_period, f->health_start_interval,
	                     f->health_retries};
	json_t *hc, *t = json_object_get (image, "Test");
	int any = f->health_cmd != NULL;

	for (size_t i = 0; i < 5; i++)
		any |= v[i] != 0;
	if (f->no_healthcheck)
		return json_pack ("{s:[s]}", "Test", "NONE");
	if (!any && !json_is_object (image))
		return NULL;
	hc = json_object ();
	if (f->health_cmd)
		json_object_set_new (hc, "Test", json_pack ("[ss]", "CMD-SHELL", f->health_cmd));
	else if (json_array_size (t))
		json_object_set (hc, "Test", t);
	for (size_t i = 0; i < 5; i++) {
		json_t *img = json_object_get (image, keys[i]);
		if (v[i])
			json_object_set_new (hc, keys[i], json_integer (v[i]));
		else if (json_integer_value (img))
			json_object_set (hc, keys[i], img);
	}
	return hc;
}

int
ctrcfg_merge (struct ctrcfg *c, json_t *img_config, const char *id, const char *name, const char *image_id,
              struct bx_err *e)
{
	const struct ctrflags *f = c->flags;
	json_t *ic = json_object_get (img_config, "config"), *user_env, *cfg, *env, *hc, *labels;
	const char *wd = f->workdir ? f->workdir : json_string_value (json_object_get (ic, "WorkingDir"));
	const char *user = f->user ? f->user : json_string_value (json_object_get (ic, "User"));
	const char *sig = f->stop_signal ? f->stop_signal : json_string_value (json_object_get (ic, "StopSignal"));
	_cleanup_free_ char *wdc = wd && *wd ? path_clean (wd) : NULL;

	snprintf (c->id, sizeof c->id, "%s", id);
	snprintf (c->name, sizeof c->name, "%s", name);
	snprintf (c->image_id, sizeof c->image_id, "%s", image_id);
	timestamp_now (c->created);
	hostname_pick (c);
	user_env = json_deep_copy (f->env_files);
	json_array_extend (user_env, f->env_flags);
	env = env_merge (user_env, json_object_get (ic, "Env"));
	json_decref (user_env);
	/* the docker CLI's: without -a stdout and stderr, stdin with -i; none with -d */
	cfg = json_pack ("{s:s, s:s, s:s, s:b, s:b, s:b}", "Hostname", c->hostname, "Domainname",
	                 f->domainname ? f->domainname : "", "User", user ? user : "", "AttachStdin",
	                 !f->detach && (f->interactive || (f->attach & 1)), "AttachStdout",
	                 !f->detach && (!f->attach || (f->attach & 2)), "AttachStderr",
	                 !f->detach && (!f->attach || (f->attach & 4)));
	json_object_set_new (cfg, "ExposedPorts",
	                     keys_sorted (objects_merge (json_object_get (ic, "ExposedPorts"), f->exposed)));
	if (json_object_size (json_object_get (cfg, "ExposedPorts")) == 0)
		json_object_del (cfg, "ExposedPorts");
	json_object_set_new (cfg, "Tty", json_boolean (f->tty));
	json_object_set_new (cfg, "OpenStdin", json_boolean (f->interactive));
	/* the docker CLI's, for a stdin attached and kept open (-i) */
	json_object_set_new (cfg, "StdinOnce", json_boolean (!f->detach && f->interactive));
	json_object_set_new (cfg, "Env", env);
	c->config = cfg;
	if (command_merge (c, ic, cfg, e) < 0)
		return -1;
	if ((hc = healthcheck_merge (f, json_object_get (ic, "Healthcheck"))))
		json_object_set_new (cfg, "Healthcheck", hc);
	json_object_set_new (cfg, "Image", json_string (f->image));
	json_object_set (cfg, "Volumes",
	                 json_object_get (ic, "Volumes") ? json_object_get (ic, "Volumes") : json_null ());
	json_object_set_new (cfg, "WorkingDir", json_string (wdc ? wdc : ""));
	json_object_set_new (cfg, "OnBuild", json_null ());
	labels = objects_merge (json_object_get (ic, "Labels"), f->label_files);
	json_object_update (labels, f->labels);
	json_object_set_new (cfg, "Labels", keys_sorted (labels));
	if (sig && *sig)
		json_object_set_new (cfg, "StopSignal", json_string (sig));
	if (f->has_stop_timeout)
		json_object_set_new (cfg, "StopTimeout", json_integer (f->stop_timeout));
	c->proc_env = process_env (c, env);
	return 0;
}

/* --- inside the rootfs --- */

/* mkdir -p DIR inside ROOTFS as Docker's securejoin does: symlinks are
 * followed by hand, relative to the rootfs ("/" and ".." stop at its top),
 * so a dangling link makes its target inside the rootfs, never outside */
static int
mkdir_in_root (int rootfs, const char *dir, struct bx_err *e)
{
	char done[4096] = "", todo[8192], link[4096];
	int links = 0;

	snprintf (todo, sizeof todo, "%s", dir);
	while (todo[0]) {
		size_t n = strcspn (todo, "/"), dl = strlen (done);
		char comp[256], rest[8192];
		_cleanup_close_ int parent = -1;
		struct stat st;
		ssize_t ln;
		snprintf (comp, sizeof comp, "%.*s", (int)(n < sizeof comp ? n : sizeof comp - 1), todo);
		snprintf (rest, sizeof rest, "%s", todo[n] ? todo + n + 1 : "");
		snprintf (todo, sizeof todo, "%s", rest);
		if (!comp[0] || strcmp (comp, ".") == 0)
			continue;
		if (strcmp (comp, "..") == 0) {
			char *slash = strrchr (done, '/');
			*(slash ? slash : done) = '\0';
			continue;
		}
		if ((parent = tree_open_in_root (rootfs, dl ? done : "/", O_PATH | O_DIRECTORY, 0)) < 0)
			return err_set (e, BX_FAIL, errno, "working directory %s", dir);
		if (fstatat (parent, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT || (mkdirat (parent, comp, 0755) < 0 && errno != EEXIST))
				return err_set (e, BX_FAIL, errno, "mkdir working directory %s", dir);
		} else if (S_ISLNK (st.st_mode)) {
			if (++links > 40 || (ln = readlinkat (parent, comp, link, sizeof link - 1)) < 0)
				return err_set (e, BX_FAIL, links > 40 ? ELOOP : errno, "working directory %s", dir);
			link[ln] = '\0';
			if (link[0] == '/')
				done[0] = '\0';
			snprintf (todo, sizeof todo, "%s/%s", link, rest);
			continue;
		} else if (!S_ISDIR (st.st_mode))
			return err_set (e, BX_FAIL, ENOTDIR, "working directory %s", dir);
		if (dl + n + 2 > sizeof done)
			return err_set (e, BX_USAGE, ENAMETOOLONG, "working directory %s", dir);
		snprintf (done + dl, sizeof done - dl, "/%s", comp);
	}
	return 0;
}

static void
add_bind (struct ctrcfg *c, const char *src, const char *dest, int ro, const char *mode)
{
	json_t *opts = json_pack ("[s]", "rbind");

	if (ro)
		json_array_append_new (opts, json_string ("ro"));
	json_array_append_new (opts, json_string ("rprivate"));
	json_array_append_new (c->mounts, json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type", "bind",
	                                             "source", src, "options", opts));
	json_array_append_new (c->inspect_mounts,
	                       json_pack ("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type", "bind", "Source", src,
	                                  "Destination", dest, "Mode", mode, "RW", !ro, "Propagation", "rprivate"));
}

/* U's lock is the plan's until the container exists */
static int
volume_keep (struct ctrcfg *c, struct volume_use *u, struct bx_err *e)
{
	int *p = realloc (c->volume_locks, (c->nvolume_locks + 1) * sizeof *p);

	if (!p)
		return err_set (e, BX_SYSTEM, ENOMEM, "volume");
	c->volume_locks = p;
	p[c->nvolume_locks++] = u->lockfd;
	u->lockfd = -1;
	return 0;
}

/* Volume NAME (NULL: a new anonymous one) at DEST, made when missing with
 * OPTS and LABELS (--mount's volume-opt, volume-label) and filled from
 * ROOTFS (-1: nocopy) when empty */
static int
volume_mount (struct ctrcfg *c, int rootfd, int rootfs, const char *name, const char *dest, int ro, const char *mode,
              json_t *opts, json_t *labels, struct bx_err *e)
{
	char anon[CTR_ID_LEN + 1];
	struct volume_use u;
	int rc;

	if (!name) {
		if (ctrname_new_id (anon, e) < 0)
			return -1;
		name = anon;
		json_array_append_new (c->anon_volumes, json_string (anon));
	}
	/* removed between the two: made again, once */
	for (int tries = 0;; tries++) {
		if (volume_create (rootfd, name, labels, opts, NULL, e) < 0)
			return -1;
		if (volume_use (rootfd, name, rootfs, dest, ro, &u, e) == 0)
			break;
		if (e->code != BX_NOTFOUND || tries)
			return -1;
		*e = (struct bx_err){0};
	}
	if (c->users.on && volume_own (rootfd, name, idmap_root (&c->users.uid), idmap_root (&c->users.gid), e) < 0) {
		volume_use_end (&u);
		return -1;
	}
	json_array_append (c->mounts, u.mount);
	json_array_append_new (c->inspect_mounts,
	                       json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "Type", "volume", "Name", name,
	                                  "Source", u.mountpoint, "Destination", dest, "Driver", "local", "Mode", mode,
	                                  "RW", !ro, "Propagation", ""));
	rc = volume_keep (c, &u, e);
	volume_use_end (&u);
	return rc;
}

/* "nocopy" among -v's mode words */
static int
mode_nocopy (const char *mode)
{
	size_t n = strlen ("nocopy");

	for (const char *p = strstr (mode, "nocopy"); p; p = strstr (p + 1, "nocopy"))
		if ((p == mode || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
	return 0;
}

/* -v SRC:DEST[:MODE] or -v DEST (Docker's linux parser) */
static int
bind_arg (struct ctrcfg *c, int rootfd, int rootfs, const char *raw, struct bx_err *e)
{
	_cleanup_free_ char *s = strdup (raw), *dest = NULL;
	char *part[3];
	int n, ro;

	if (!s)
		return err_set (e, BX_SYSTEM, ENOMEM, "-v");
	if (copts_volume_split (s, raw, part, &n, &ro, e) < 0)
		return -1;
	if (!(dest = path_clean (n == 1 ? part[0] : part[1])) || strcmp (dest, "/") == 0)
		return err_set (e, BX_USAGE, 0, "invalid specification: destination can't be '/'");
	if (n == 1)
		return volume_mount (c, rootfd, rootfs, NULL, dest, 0, "", NULL, NULL, e);
	if (part[0][0] != '/')
		return volume_mount (c, rootfd, n == 3 && mode_nocopy (part[2]) ? -1 : rootfs, part[0], dest, ro,
		                     n == 3 ? part[2] : "z", NULL, NULL, e);
	/* -v makes a missing host directory, as Docker does */
	if (access (part[0], F_OK) < 0 && afile_mkdir_p_at (AT_FDCWD, part[0], 0755, e) < 0)
		return err_wrap (e, "bind source path");
	add_bind (c, part[0], dest, ro, n == 3 ? part[2] : "");
	return 0;
}

/* --mount: like -v, but a bind source must exist (Docker's rule) */
static int
mount_spec (struct ctrcfg *c, int rootfd, int rootfs, json_t *m, struct bx_err *e)
{
	const char *type = json_string_value (json_object_get (m, "Type"));
	const char *src = json_string_value (json_object_get (m, "Source"));
	_cleanup_free_ char *dest = path_clean (json_string_value (json_object_get (m, "Target")));
	int ro = json_is_true (json_object_get (m, "ReadOnly"));
	json_t *t = json_object_get (m, "TmpfsOptions"), *vo = json_object_get (m, "VolumeOptions");

	if (!dest || json_string_value (json_object_get (m, "Target"))[0] != '/' || strcmp (dest, "/") == 0)
		return err_set (e, BX_USAGE, 0,
		                "invalid mount config for type \"%s\": invalid mount path: '%s' mount "
		                "path must be absolute",
		                type, json_string_value (json_object_get (m, "Target")));
	if (strcmp (type, "tmpfs") == 0) {
		char opts[128] = "";
		json_t *o;
		if (json_object_get (t, "SizeBytes"))
			snprintf (opts, sizeof opts, "size=%lld",
			          (long long)json_integer_value (json_object_get (t, "SizeBytes")));
		if (json_object_get (t, "Mode"))
			snprintf (opts + strlen (opts), sizeof opts - strlen (opts), "%smode=%llo", opts[0] ? "," : "",
			          (long long)json_integer_value (json_object_get (t, "Mode")));
		if (ro)
			snprintf (opts + strlen (opts), sizeof opts - strlen (opts), "%sro", opts[0] ? "," : "");
		if (!(o = spec_tmpfs_options (opts, e)))
			return -1;
		json_array_append_new (c->mounts, json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type",
		                                             "tmpfs", "source", "tmpfs", "options", o));
		return 0;
	}
	if (strcmp (type, "bind") == 0) {
		if (src[0] != '/' || access (src, F_OK) < 0)
			return err_set (e, BX_USAGE, 0,
			                "invalid mount config for type \"bind\": bind source path does not "
			                "exist: %s",
			                src);
		add_bind (c, src, dest, ro, ro ? "ro" : "");
		return 0;
	}
	/* volume-nocopy: no rootfs to copy from */
	if (json_is_true (json_object_get (vo, "NoCopy")))
		rootfs = -1;
	return volume_mount (c, rootfd, rootfs, src && *src ? src : NULL, dest, ro, "z",
	                     json_object_get (json_object_get (vo, "DriverConfig"), "Options"),
	                     json_object_get (vo, "Labels"), e);
}

/* --volumes-from X[:ro|rw]: X's binds and volumes (its create.json
 * Mounts) at the same places, read-only as in X unless the mode says;
 * this container's own mounts win where both mount */
static int
volumes_from (struct ctrcfg *c, int rootfd, const char *spec, struct bx_err *e)
{
	_cleanup_free_ char *name = strdup (spec);
	_cleanup_close_ int dir = -1;
	char id[CTR_ID_LEN + 1], *mode = name ? strchr (name, ':') : NULL;
	json_t *doc, *m;
	size_t i;

	if (!name)
		return err_set (e, BX_SYSTEM, ENOMEM, "--volumes-from");
	if (mode)
		*mode++ = '\0';
	if (mode && strcmp (mode, "ro") && strcmp (mode, "rw"))
		return err_set (e, BX_USAGE, 0, "invalid mode: %s", mode);
	if (ctr_resolve (rootfd, name, id, e) < 0 || (dir = ctr_open (rootfd, id, e)) < 0)
		return -1;
	if (!(doc = ctr_create_read (dir, e)))
		return err_set (e, BX_FAIL, 0, "--volumes-from %s: create.json unreadable", name);
	json_array_foreach (json_object_get (doc, "Mounts"), i, m)
	{
		const char *dest = json_string_value (json_object_get (m, "Destination"));
		const char *src = json_string_value (json_object_get (m, "Source"));
		const char *type = json_string_value (json_object_get (m, "Type"));
		int ro = mode ? !strcmp (mode, "ro") : !json_is_true (json_object_get (m, "RW"));
		const char *vol = json_string_value (json_object_get (m, "Name"));
		if (!dest || !src || !type || spec_has_mount (c->mounts, dest))
			continue;
		/* X's volume, by name: the same mount, kept while this one is made */
		if (!strcmp (type, "volume") && vol) {
			if (volume_mount (c, rootfd, -1, vol, dest, ro, ro ? "ro" : "", NULL, NULL, e) < 0)
				return json_decref (doc), -1;
			continue;
		}
		add_bind (c, src, dest, ro, ro ? "ro" : "");
	}
	json_decref (doc);
	return 0;
}

static int
user_mounts (struct ctrcfg *c, int rootfd, int rootfs, struct bx_err *e)
{
	const struct ctrflags *f = c->flags;
	const char *path;
	json_t *v;
	size_t i;

	json_array_foreach (f->binds, i, v) if (bind_arg (c, rootfd, rootfs, json_string_value (v), e) < 0) return -1;
	json_object_foreach (f->tmpfs, path, v)
	{
		json_t *opts;
		if (path[0] != '/')
			return err_set (e, BX_USAGE, 0, "invalid mount path: '%s' mount path must be absolute", path);
		if (!(opts = spec_tmpfs_options (json_string_value (v), e)))
			return -1;
		json_array_append_new (c->mounts, json_pack ("{s:s, s:s, s:s, s:o}", "destination", path, "type",
		                                             "tmpfs", "source", "tmpfs", "options", opts));
	}
	json_array_foreach (f->mount_specs, i, v) if (mount_spec (c, rootfd, rootfs, v, e) < 0) return -1;
	json_array_foreach (f->volumes_from, i,
	                    v) if (volumes_from (c, rootfd, json_string_value (v), e) < 0) return -1;
	/* the image's VOLUMEs nobody mounted: anonymous volumes */
	json_object_foreach (json_object_get (c->config, "Volumes"), path, v)
	{
		_cleanup_free_ char *dest = path_clean (path);
		if (dest && !spec_has_mount (c->mounts, dest) &&
		    volume_mount (c, rootfd, rootfs, NULL, dest, 0, "", NULL, NULL, e) < 0)
			return -1;
	}
	return 0;
}

/* /etc/hosts, /etc/hostname, /etc/resolv.conf: the bundle's own files, or
 * the peer's for --network container:X; skipped where the user mounts */
static void
network_mounts (struct ctrcfg *c)
{
	const struct ctrflags *f = c->flags;
	static const char *const files[][2] = {
	    {L_RESOLV, "/etc/resolv.conf"}, {L_HOSTNAME, "/etc/hostname"}, {L_HOSTS, "/etc/hosts"}};
	const char *dir = c->peer_dir[0] ? c->peer_dir : c->bundle;

	for (size_t i = 0; i < 3; i++) {
		char src[4300];
		json_t *opts = json_pack ("[s, s]", "rbind", "rprivate");
		if (spec_has_mount (c->mounts, files[i][1])) {
			json_decref (opts);
			continue;
		}
		if (f->read_only)
			json_array_append_new (opts, json_string ("ro"));
		snprintf (src, sizeof src, "%s/%s", dir, files[i][0]);
		json_array_append_new (c->mounts, json_pack ("{s:s, s:s, s:s, s:o}", "destination", files[i][1], "type",
		                                             "bind", "source", src, "options", opts));
	}
}

/* The working directory, made as the container's root when remapped: its
 * rootfs is idmapped, and owned by the container as Docker's is */
static int
workdir_make (struct ctrcfg *c, int rootfs, const char *wd, struct bx_err *e)
{
	int rc;

	if (!c->users.on)
		return mkdir_in_root (rootfs, wd, e);
	if (idmap_fsids (idmap_root (&c->users.uid), idmap_root (&c->users.gid)) < 0)
		return err_set (e, BX_SYSTEM, errno, "working directory %s: fsuid", wd);
	rc = mkdir_in_root (rootfs, wd, e);
	idmap_fsids (0, 0);
	return rc;
}

int
ctrcfg_in_rootfs (struct ctrcfg *c, int rootfd, int rootfs, const char *bundle_tmp, struct bx_err *e)
{
	const struct ctrflags *f = c->flags;
	json_t *v;
	size_t i;
	const char *wd = json_string_value (json_object_get (c->config, "WorkingDir"));
	const char *tmp = strstr (bundle_tmp, ".tmp-");

	snprintf (c->bundle, sizeof c->bundle, "%.*s", tmp ? (int)(tmp - bundle_tmp) : (int)strlen (bundle_tmp),
	          bundle_tmp);
	if (!c->peer_dir[0] && strcmp (c->net_mode, "none") && strcmp (c->net_mode, "host"))
		snprintf (c->netns_path, sizeof c->netns_path, "%s/" L_NETNS, c->bundle);
	if (userdb_resolve (rootfs, json_string_value (json_object_get (c->config, "User")), &c->ids, e) < 0)
		return -1;
	json_array_foreach (f->group_add, i,
	                    v) if (userdb_group_add (rootfs, json_string_value (v), &c->ids, e) < 0) return -1;
	/* --ipc host: the host's /dev/shm, as Docker binds it */
	if (mode_is (f->ipc_mode, "host"))
		json_array_append_new (c->mounts,
		                       json_pack ("{s:s, s:s, s:s, s:[s, s]}", "destination", "/dev/shm", "type",
		                                  "bind", "source", "/dev/shm", "options", "rbind", "rprivate"));
	if (wd && *wd && workdir_make (c, rootfs, wd, e) < 0)
		return -1;
	if (user_mounts (c, rootfd, rootfs, e) < 0)
		return -1;
	network_mounts (c);
	spec_mounts_sort (c->mounts);
	if (f->init) {
		if (access (CTRCFG_INIT_BINARY, X_OK) < 0)
			return err_set (e, BX_FAIL, errno, "--init: %s", CTRCFG_INIT_BINARY);
		json_array_append_new (c->mounts,
		                       json_pack ("{s:s, s:s, s:s, s:[s, s]}", "destination", CTRCFG_INIT_PATH, "type",
		                                  "bind", "source", CTRCFG_INIT_BINARY, "options", "bind", "ro"));
	}
	return 0;
}

int
ctrcfg_etc_files (struct ctrcfg *c, struct bx_err *e)
{
	const struct ctrflags *f = c->flags;
	int host = strcmp (c->net_mode, "host") == 0;

	if (netfiles_hosts (host, f->add_hosts, &c->hosts, e) < 0 ||
	    netfiles_resolv (host, f->dns, f->dns_search, f->dns_options, &c->resolv, e) < 0)
		return -1;
	if (asprintf (&c->hostname_file, "%s\n", c->hostname) < 0)
		return err_set (e, BX_SYSTEM, ENOMEM, "hostname");
	return 0;
}

/* --- the documents --- */

static json_t *
seccomp_section (struct ctrcfg *c, capset_t caps, struct bx_err *e)
{
	const struct ctrflags *f = c->flags;
	json_t *prof, *out;

	if (f->privileged || f->seccomp_unconfined)
		return NULL;
	prof = f->seccomp_profile ? json_incref (f->seccomp_profile) : secprof_docker_default ();
	out = secprof_to_oci (prof, caps, e);
	json_decref (prof);
	if (!out && e->code)
		err_wrap (e, "seccomp profile");
	return out;
}

/* dockerd's default-cgroupns-mode: the host's on a cgroup v1 host,
 * private on v2 */
static const char *
cgroupns_mode (const struct ctrflags *f)
{
	if (f->cgroupns_mode && *f->cgroupns_mode)
		return f->cgroupns_mode;
	return cgroup_is_v2_host () ? "private" : "host";
}

/* what spec_build turns into config.json, but seccomp; CGPATH is borrowed */
static struct spec_decl
decisions (const struct ctrcfg *c, const char *cgpath)
{
	const struct ctrflags *f = c->flags;

	return (struct spec_decl){
	    .args = c->args,
	    .env = c->proc_env,
	    .cwd = json_string_value (json_object_get (c->config, "WorkingDir")),
	    .user = c->ids,
	    .terminal = f->tty,
	    .readonly_root = f->read_only,
	    .privileged = f->privileged,
	    .no_new_privs = f->no_new_privs,
	    .caps = caps_tweak (&f->capreq, f->privileged),
	    .hostname = c->hostname,
	    .net = strcmp (c->net_mode, "host") == 0 ? SPEC_NET_HOST
	           : c->netns_path[0]                ? SPEC_NET_PATH
	                                             : SPEC_NET_OWN,
	    .netns_path = c->netns_path,
	    .mounts = c->mounts,
	    .memory = f->memory,
	    .memory_swap = f->memory_swap == 0 && f->memory > 0 ? 2 * f->memory : f->memory_swap,
	    .nano_cpus = f->nano_cpus,
	    .pids_limit = f->pids_limit,
	    .shm_size = f->shm_size ? f->shm_size : SHM_SIZE,
	    .cgroups_path = cgpath,
	    .cpu_shares = f->cpu_shares,
	    .cpuset_cpus = f->cpuset_cpus,
	    .cpuset_mems = f->cpuset_mems,
	    .memory_swappiness = f->memory_swappiness,
	    .cpu_rt_period = f->cpu_rt_period,
	    .cpu_rt_runtime = f->cpu_rt_runtime,
	    .blkio_weight = f->blkio_weight,
	    .domainname = f->domainname,
	    .pid_host = mode_is (f->pid_mode, "host"),
	    .ipc_host = mode_is (f->ipc_mode, "host"),
	    .uts_host = mode_is (f->uts_mode, "host"),
	    .cgroupns_host = !strcmp (cgroupns_mode (f), "host"),
	    .no_shm = mode_is (f->ipc_mode, "none"),
	    .sysctl = f->sysctls,
	    .rlimits = f->rlimits,
	    .devices = f->oci_devices,
	    .device_rules = f->device_rules,
	    .cgroup_rules = f->oci_cgroup_rules,
	    .cpu_quota = f->cpu_quota,
	    .cpu_period = f->cpu_period,
	    .memory_reservation = f->memory_reservation,
	    .oom_kill_disable = f->oom_kill_disable,
	    .has_oom_score_adj = f->has_oom_score_adj,
	    .oom_score_adj = f->oom_score_adj,
	    .uidmap = c->users.on ? &c->users.uid : NULL,
	    .gidmap = c->users.on ? &c->users.gid : NULL,
	};
}

/* HostConfig's blkio device lists as linux.resources.blockIO's: each
 * path's device numbers, as the daemon finds them at create */
static json_t *
blkio_devices (const struct ctrflags *f, struct bx_err *e)
{
	static const char *const oci[] = {"weightDevice", "throttleReadBpsDevice", "throttleWriteBpsDevice",
	                                  "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
	json_t *out = json_object (), *it;
	size_t i;

	for (size_t k = 0; k < 5; k++)
		json_array_foreach (f->blkio[k], i, it)
		{
			const char *path = json_string_value (json_object_get (it, "Path"));
			struct stat st;
			if (stat (path, &st) < 0) {
				json_decref (out);
				return err_set (e, BX_USAGE, errno, "%s", path), NULL;
			}
			if (!json_object_get (out, oci[k]))
				json_object_set_new (out, oci[k], json_array ());
			json_array_append_new (json_object_get (out, oci[k]),
			                       json_pack ("{s:I, s:I, s:O}", "major", (json_int_t)major (st.st_rdev),
			                                  "minor", (json_int_t)minor (st.st_rdev),
			                                  k ? "rate" : "weight",
			                                  json_object_get (it, k ? "Rate" : "Weight")));
		}
	return out;
}

/* rootless without a delegated cgroup v2 subtree: no cgroup, so each
 * limit given is warned of once and ignored, as rootless Podman does */
static void
rootless_warn (const struct cgroup_limits *l)
{
	const char *flags[32];
	size_t n = cgroup_limits_flags (l, flags, 32);

	for (size_t k = 0; k < n; k++)
		err_warn ("%s: resource limits are not supported and ignored on rootless systems without a delegated "
		          "cgroup v2 subtree",
		          flags[k]);
}

/* a limit this host cannot apply stops the container at create, as
 * Docker's daemon refuses it, rather than at its start */
static int
resources_check (json_t *doc, struct bx_err *e)
{
	struct cgroup_limits l;
	int r = ocispec_resources (json_object_get (json_object_get (doc, "linux"), "resources"), &l, e);

	if (r == 0)
		r = cgroup_check (&l, e);
	if (r == 0 && cgroup_is_none ())
		rootless_warn (&l);
	ocispec_resources_free (&l);
	return r;
}

json_t *
ctrcfg_config_json (struct ctrcfg *c, struct bx_err *e)
{
	char cgpath[CGROUP_PATH_LEN];
	struct spec_decl s;
	json_t *doc;

	if (c->flags->cgroup_parent && *c->flags->cgroup_parent)
		cgroup_path_in (c->flags->cgroup_parent, c->id, cgpath);
	else
		cgroup_path (c->id, cgpath);
	s = decisions (c, cgpath);
	if (!(s.block_io_devices = blkio_devices (c->flags, e)))
		return NULL;
	s.seccomp = seccomp_section (c, s.caps, e);
	if (!s.seccomp && e->code)
		return json_decref (s.block_io_devices), NULL;
	doc = spec_build (&s, e);
	json_decref (s.seccomp);
	json_decref (s.block_io_devices);
	if (doc && resources_check (doc, e) < 0)
		return json_decref (doc), NULL;
	if (doc && json_object_size (c->flags->annotations))
		json_object_set (doc, "annotations", c->flags->annotations);
	if (doc && c->flags->systempaths_unconfined) {
		json_object_del (json_object_get (doc, "linux"), "maskedPaths");
		json_object_del (json_object_get (doc, "linux"), "readonlyPaths");
	}
	return doc;
}

static json_t *
list_or_null (json_t *a)
{
	return json_array_size (a) ? json_incref (a) : json_null ();
}

/* the resource keys of HostConfig this box sets, as Docker 20.10 shows
 * them: BlkioWeightDevice [] when empty, the throttles null */
static void
host_config_resources (const struct ctrflags *f, json_t *h)
{
	static const char *const keys[] = {"BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps",
	                                   "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps"};

	json_object_set_new (h, "CpusetMems", json_string (f->cpuset_mems ? f->cpuset_mems : ""));
	json_object_set_new (h, "CgroupParent", json_string (f->cgroup_parent ? f->cgroup_parent : ""));
	json_object_set_new (h, "MemorySwappiness",
	                     f->memory_swappiness >= 0 ? json_integer (f->memory_swappiness) : json_null ());
	json_object_set_new (h, "CpuRealtimePeriod", json_integer (f->cpu_rt_period));
	json_object_set_new (h, "CpuRealtimeRuntime", json_integer (f->cpu_rt_runtime));
	json_object_set_new (h, "KernelMemory", json_integer (0));
	json_object_set_new (h, "KernelMemoryTCP", json_integer (0));
	json_object_set_new (h, "BlkioWeight", json_integer (f->blkio_weight));
	json_object_set (h, keys[0], f->blkio[0]);
	for (size_t k = 1; k < 5; k++)
		json_object_set_new (h, keys[k], list_or_null (f->blkio[k]));
}

static json_t *
host_config (struct ctrcfg *c)
{
	const struct ctrflags *f = c->flags;
	json_t *restart =
	    f->restart ? json_incref (f->restart) : json_pack ("{s:s, s:i}", "Name", "no", "MaximumRetryCount", 0);
	/* Docker records "default" for no --network; it is the default bridge */
	const char *mode = strcmp (f->network, "default") ? c->net_mode : "default";
	json_t *h = json_pack ("{s:o, s:s, s:o, s:o, s:b}", "Binds", list_or_null (f->binds), "NetworkMode", mode,
	                       "PortBindings", keys_sorted (json_incref (f->bindings)), "RestartPolicy", restart,
	                       "AutoRemove", f->auto_remove);

	json_object_set_new (h, "CapAdd", list_or_null (f->cap_add));
	json_object_set_new (h, "CapDrop", list_or_null (f->cap_drop));
	json_object_set (h, "Dns", f->dns);
	json_object_set (h, "DnsOptions", f->dns_options);
	json_object_set (h, "DnsSearch", f->dns_search);
	json_object_set_new (h, "ExtraHosts", list_or_null (f->add_hosts));
	json_object_set_new (h, "Privileged", json_boolean (f->privileged));
	json_object_set_new (h, "PublishAllPorts", json_boolean (f->publish_all));
	json_object_set_new (h, "ReadonlyRootfs", json_boolean (f->read_only));
	json_object_set_new (h, "SecurityOpt", list_or_null (f->security_opt));
	if (json_object_size (f->tmpfs))
		json_object_set (h, "Tmpfs", f->tmpfs);
	json_object_set_new (h, "ShmSize", json_integer (f->shm_size ? f->shm_size : SHM_SIZE));
	json_object_set_new (h, "CpuShares", json_integer (f->cpu_shares));
	json_object_set_new (h, "CpuPeriod", json_integer (f->cpu_period));
	json_object_set_new (h, "CpuQuota", json_integer (f->cpu_quota));
	json_object_set_new (h, "MemoryReservation", json_integer (f->memory_reservation));
	json_object_set_new (h, "OomKillDisable", json_boolean (f->oom_kill_disable));
	json_object_set_new (h, "OomScoreAdj", json_integer (f->oom_score_adj));
	json_object_set_new (h, "CpusetCpus", json_string (f->cpuset_cpus ? f->cpuset_cpus : ""));
	host_config_resources (f, h);
	json_object_set_new (h, "GroupAdd", list_or_null (f->group_add));
	if (json_object_size (f->sysctls))
		json_object_set (h, "Sysctls", f->sysctls);
	if (json_object_size (f->annotations))
		json_object_set (h, "Annotations", f->annotations);
	json_object_set_new (h, "Ulimits", list_or_null (f->ulimits));
	json_object_set (h, "Devices", f->devices);
	json_object_set_new (h, "DeviceCgroupRules", list_or_null (f->device_cgroup_rules));
	json_object_set_new (h, "PidMode", json_string (f->pid_mode ? f->pid_mode : ""));
	json_object_set_new (h, "IpcMode", json_string (f->ipc_mode && *f->ipc_mode ? f->ipc_mode : "private"));
	json_object_set_new (h, "UTSMode", json_string (f->uts_mode ? f->uts_mode : ""));
	json_object_set_new (h, "UsernsMode", json_string (f->userns ? f->userns : ""));
	json_object_set_new (h, "CgroupnsMode", json_string (cgroupns_mode (f)));
	json_object_set (h, "LogConfig", f->log_config);
	json_object_set_new (h, "Memory", json_integer (f->memory));
	json_object_set_new (h, "MemorySwap",
	                     json_integer (f->memory_swap == 0 && f->memory > 0 ? 2 * f->memory : f->memory_swap));
	json_object_set_new (h, "NanoCpus", json_integer (f->nano_cpus));
	json_object_set_new (h, "PidsLimit", f->pids_limit ? json_integer (f->pids_limit) : json_null ());
	json_object_set_new (h, "Init", f->init ? json_true () : json_null ());
	json_object_set_new (h, "Mounts", list_or_null (f->mount_specs));
	json_object_set_new (h, "VolumesFrom", list_or_null (f->volumes_from));
	return h;
}

static json_t *
networking_config (struct ctrcfg *c)
{
	const struct ctrflags *f = c->flags;
	json_t *ep = json_object (), *eps = json_object ();

	if (strncmp (c->net_mode, "container:", 10) != 0) {
		json_object_set_new (ep, "IPAMConfig",
		                     f->ip ? json_pack ("{s:s}", "IPv4Address", f->ip) : json_null ());
		json_object_set_new (ep, "Aliases", list_or_null (f->aliases));
		if (f->mac_address)
			json_object_set_new (ep, "MacAddress", json_string (f->mac_address));
		json_object_set_new (eps, c->net_mode, ep);
	} else
		json_decref (ep);
	return json_pack ("{s:o}", "EndpointsConfig", eps);
}

json_t *
ctrcfg_create_json (struct ctrcfg *c, struct bx_err *e)
{
	const struct ctrflags *f = c->flags;
	char resolv[4300], hostname[4300], hosts[4300], name[260];
	json_t *args = json_deep_copy (c->args), *doc;
	json_t *path = json_incref (json_array_get (args, 0));

	json_array_remove (args, 0);
	snprintf (resolv, sizeof resolv, "%s/" L_RESOLV, c->peer_dir[0] ? c->peer_dir : c->bundle);
	snprintf (hostname, sizeof hostname, "%s/" L_HOSTNAME, c->peer_dir[0] ? c->peer_dir : c->bundle);
	snprintf (hosts, sizeof hosts, "%s/" L_HOSTS, c->peer_dir[0] ? c->peer_dir : c->bundle);
	snprintf (name, sizeof name, "/%s", c->name);
	doc = json_pack ("{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Id", c->id, "Created",
	                 c->created, "Path", path, "Args", args, "Name", name, "Image", c->image_id, "ImageRef",
	                 f->image, "ResolvConfPath", resolv, "HostnamePath", hostname, "HostsPath", hosts, "Driver",
	                 "overlay2", "Platform", "linux");
	if (!doc)
		return err_set (e, BX_SYSTEM, ENOMEM, "create.json"), NULL;
	json_object_set (doc, "Config", c->config);
	json_object_set_new (doc, "HostConfig", host_config (c));
	json_object_set_new (doc, "NetworkingConfig", networking_config (c));
	json_object_set (doc, "Mounts", c->inspect_mounts);
	return doc;
}
