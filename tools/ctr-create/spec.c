#include "spec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/cleanup.h"

/* moby oci/defaults.go (Docker 28): paths masked and made read-only */
static const char *const masked_paths[] = {
    "/proc/asound",      "/proc/acpi",          "/proc/interrupts", "/proc/kcore",
    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
    "/proc/sched_debug", "/proc/scsi",          "/sys/firmware",    "/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static json_t *
strings (const char *const *v, size_t n)
{
	json_t *a = json_array ();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new (a, json_string (v[i]));
	return a;
}

#define STRINGS(v) strings (v, sizeof v / sizeof v[0])

static json_t *
mount_new (const char *dest, const char *type, const char *src, json_t *opts)
{
	return json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", src, "options", opts);
}

/* Docker's default mounts; privileged: /sys and its cgroups writable */
static json_t *
default_mounts (const struct spec_decl *s)
{
	const char *sysro = s->privileged ? "rw" : "ro";
	char shm[64];

	snprintf (shm, sizeof shm, "size=%lld", (long long)(s->shm_size > 0 ? s->shm_size : 64 << 20));
	return json_pack (
	    "[o, o, o, o, o, o, o]",
	    mount_new ("/proc", "proc", "proc", json_pack ("[s, s, s]", "nosuid", "noexec", "nodev")),
	    mount_new ("/dev", "tmpfs", "tmpfs",
	               json_pack ("[s, s, s, s]", "nosuid", "strictatime", "mode=755", "size=65536k")),
	    mount_new ("/dev/pts", "devpts", "devpts",
	               json_pack ("[s, s, s, s, s, s]", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
	                          "gid=5")),
	    mount_new ("/sys", "sysfs", "sysfs", json_pack ("[s, s, s, s]", "nosuid", "noexec", "nodev", sysro)),
	    mount_new ("/sys/fs/cgroup", "cgroup", "cgroup",
	               json_pack ("[s, s, s, s]", "nosuid", "noexec", "nodev", sysro)),
	    mount_new ("/dev/mqueue", "mqueue", "mqueue", json_pack ("[s, s, s]", "nosuid", "noexec", "nodev")),
	    mount_new ("/dev/shm", "tmpfs", "shm",
	               json_pack ("[s, s, s, s, s]", "nosuid", "noexec", "nodev", "mode=1777", shm)));
}

int
spec_has_mount (json_t *mounts, const char *dest)
{
	size_t i;
	json_t *m;

	json_array_foreach (mounts, i,
	                    m) if (strcmp (json_string_value (json_object_get (m, "destination")), dest) == 0) return 1;
	return 0;
}

static size_t
depth (json_t *m)
{
	const char *p = json_string_value (json_object_get (m, "destination"));
	size_t n = 0;

	for (; p && *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	return n;
}

void
spec_mounts_sort (json_t *mounts)
{
	size_t n = json_array_size (mounts);

	/* insertion sort: stable, and the lists are short */
	for (size_t i = 1; i < n; i++) {
		json_t *m = json_incref (json_array_get (mounts, i));
		size_t j = i, d = depth (m);
		while (j > 0 && depth (json_array_get (mounts, j - 1)) > d) {
			json_array_set (mounts, j, json_array_get (mounts, j - 1));
			j--;
		}
		json_array_set_new (mounts, j, m);
	}
}

static json_t *
all_mounts (const struct spec_decl *s)
{
	json_t *def = default_mounts (s), *out = json_array (), *m;
	int user_dev = spec_has_mount (s->mounts, "/dev");
	size_t i;

	json_array_foreach (def, i, m)
	{
		const char *d = json_string_value (json_object_get (m, "destination"));
		if (spec_has_mount (s->mounts, d) || (user_dev && strncmp (d, "/dev/", 5) == 0) ||
		    (s->no_shm && strcmp (d, "/dev/shm") == 0))
			continue;
		json_array_append (out, m);
	}
	json_decref (def);
	json_array_extend (out, s->mounts);
	return out;
}

static json_t *
caps_list (capset_t c)
{
	json_t *a = json_array ();

	for (int i = 0; i < 64; i++)
		if (((c >> i) & 1) && caps_name (i))
			json_array_append_new (a, json_string (caps_name (i)));
	return a;
}

static json_t *
process (const struct spec_decl *s)
{
	json_t *gids = json_array ();
	json_t *caps = json_pack ("{s:o, s:o, s:o}", "bounding", caps_list (s->caps), "effective", caps_list (s->caps),
	                          "permitted", caps_list (s->caps));

	for (size_t i = 0; i < s->user.nsgids; i++)
		json_array_append_new (gids, json_integer (s->user.sgids[i]));
	return json_pack ("{s:b, s:{s:I, s:I, s:o}, s:O, s:O, s:s, s:o, s:b}", "terminal", s->terminal, "user", "uid",
	                  (json_int_t)s->user.uid, "gid", (json_int_t)s->user.gid, "additionalGids", gids, "args",
	                  s->args, "env", s->env, "cwd", s->cwd && *s->cwd ? s->cwd : "/", "capabilities", caps,
	                  "noNewPrivileges", s->no_new_privs);
}

static json_t *
process_with_rlimits (const struct spec_decl *s)
{
	json_t *p = process (s);

	if (p && json_array_size (s->rlimits))
		json_object_set (p, "rlimits", s->rlimits);
	if (p && s->has_oom_score_adj)
		json_object_set_new (p, "oomScoreAdj", json_integer (s->oom_score_adj));
	return p;
}

static void
ns_add (json_t *ns, const char *type, int host)
{
	if (!host)
		json_array_append_new (ns, json_pack ("{s:s}", "type", type));
}

static json_t *
namespaces (const struct spec_decl *s)
{
	json_t *ns = json_array ();

	ns_add (ns, "pid", s->pid_host);
	ns_add (ns, "user", !s->uidmap);
	if (s->net == SPEC_NET_OWN)
		json_array_append_new (ns, json_pack ("{s:s}", "type", "network"));
	else if (s->net == SPEC_NET_PATH)
		json_array_append_new (ns, json_pack ("{s:s, s:s}", "type", "network", "path", s->netns_path));
	ns_add (ns, "ipc", s->ipc_host);
	ns_add (ns, "uts", s->uts_host);
	ns_add (ns, "mount", 0);
	ns_add (ns, "cgroup", s->cgroupns_host);
	return ns;
}

static json_t *
dev_rule (int allow, const char *type, int major, int minor)
{
	json_t *r = json_pack ("{s:b, s:s}", "allow", allow, "access", "rwm");

	if (type)
		json_object_set_new (r, "type", json_string (type));
	if (major >= 0)
		json_object_set_new (r, "major", json_integer (major));
	if (minor >= 0)
		json_object_set_new (r, "minor", json_integer (minor));
	return r;
}

/* moby's device cgroup rules (oci/defaults.go), then the --device and
 * --device-cgroup-rule ones: what Docker gives runc, which appends its
 * own (lib/runtime/devcg does the same) */
static json_t *
device_rules (const struct spec_decl *s)
{
	static const int allowed[][2] = {{1, 5}, {1, 3}, {1, 9}, {1, 8}, {5, 0}, {5, 1}};
	json_t *a = json_array ();

	if (s->privileged) {
		json_array_append_new (a, dev_rule (1, NULL, -1, -1));
		return a;
	}
	json_array_append_new (a, dev_rule (0, NULL, -1, -1));
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		json_array_append_new (a, dev_rule (1, "c", allowed[i][0], allowed[i][1]));
	/* fuse: mknod is allowed (runc's "c *:* m"), opening it is not */
	json_array_append_new (a, dev_rule (0, "c", 10, 229));
	json_array_extend (a, s->device_rules);
	if (s->cgroup_rules)
		json_array_extend (a, s->cgroup_rules);
	return a;
}

static json_t *
resources (const struct spec_decl *s)
{
	json_t *r = json_pack ("{s:o}", "devices", device_rules (s));

	if (s->memory > 0 || s->memory_swap != 0 || s->memory_reservation > 0 || s->oom_kill_disable ||
	    s->memory_swappiness >= 0) {
		json_t *m = json_object ();
		if (s->memory > 0)
			json_object_set_new (m, "limit", json_integer (s->memory));
		if (s->memory_reservation > 0)
			json_object_set_new (m, "reservation", json_integer (s->memory_reservation));
		if (s->memory_swap != 0)
			json_object_set_new (m, "swap", json_integer (s->memory_swap));
		if (s->oom_kill_disable)
			json_object_set_new (m, "disableOOMKiller", json_true ());
		if (s->memory_swappiness >= 0)
			json_object_set_new (m, "swappiness", json_integer (s->memory_swappiness));
		json_object_set_new (r, "memory", m);
	}
	if (s->nano_cpus > 0 || s->cpu_shares > 0 || s->cpuset_cpus || s->cpuset_mems || s->cpu_quota ||
	    s->cpu_period || s->cpu_rt_period || s->cpu_rt_runtime) {
		json_t *cpu = json_object ();
		if (s->cpu_shares > 0)
			json_object_set_new (cpu, "shares", json_integer (s->cpu_shares));
		if (s->nano_cpus > 0) {
			json_object_set_new (cpu, "quota", json_integer (s->nano_cpus * 100000 / 1000000000));
			json_object_set_new (cpu, "period", json_integer (100000));
		}
		if (s->cpu_quota)
			json_object_set_new (cpu, "quota", json_integer (s->cpu_quota));
		if (s->cpu_period)
			json_object_set_new (cpu, "period", json_integer (s->cpu_period));
		if (s->cpuset_cpus)
			json_object_set_new (cpu, "cpus", json_string (s->cpuset_cpus));
		if (s->cpuset_mems)
			json_object_set_new (cpu, "mems", json_string (s->cpuset_mems));
		if (s->cpu_rt_period)
			json_object_set_new (cpu, "realtimePeriod", json_integer (s->cpu_rt_period));
		if (s->cpu_rt_runtime)
			json_object_set_new (cpu, "realtimeRuntime", json_integer (s->cpu_rt_runtime));
		json_object_set_new (r, "cpu", cpu);
	}
	if (s->blkio_weight || json_object_size (s->block_io_devices)) {
		json_t *b = s->block_io_devices ? json_deep_copy (s->block_io_devices) : json_object ();
		if (s->blkio_weight)
			json_object_set_new (b, "weight", json_integer (s->blkio_weight));
		json_object_set_new (r, "blockIO", b);
	}
	if (s->pids_limit > 0)
		json_object_set_new (r, "pids", json_pack ("{s:I}", "limit", (json_int_t)s->pids_limit));
	return r;
}

/* --- privileged: every host device, as runc's HostDevices finds them --- */

static int
host_devices_in (const char *dir, json_t *out, int depth_left)
{
	_cleanup_dir_ DIR *d = opendir (dir);
	struct dirent *de;

	if (!d)
		return -1;
	while ((de = readdir (d))) {
		static const char *const skip[] = {".",      "..",   "pts",         "shm",   "fd",
		                                   "mqueue", ".lxc", ".lxd-mounts", ".udev", "console"};
		char path[4096];
		struct stat st;
		size_t i;
		for (i = 0; i < sizeof skip / sizeof skip[0] && strcmp (de->d_name, skip[i]) != 0; i++)
			;
		if (i < sizeof skip / sizeof skip[0])
			continue;
		snprintf (path, sizeof path, "%s/%s", dir, de->d_name);
		if (lstat (path, &st) < 0)
			continue;
		if (S_ISDIR (st.st_mode) && depth_left > 0)
			host_devices_in (path, out, depth_left - 1);
		else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
			json_array_append_new (out, json_pack ("{s:s, s:s, s:I, s:I, s:i, s:I, s:I}", "path", path,
			                                       "type", S_ISCHR (st.st_mode) ? "c" : "b", "major",
			                                       (json_int_t)major (st.st_rdev), "minor",
			                                       (json_int_t)minor (st.st_rdev), "fileMode",
			                                       (int)(st.st_mode & 0777), "uid", (json_int_t)st.st_uid,
			                                       "gid", (json_int_t)st.st_gid));
	}
	return 0;
}

/* --device's nodes; privileged, one at a path the host's list has
 * already is left out, as dockerd leaves out a device mapped to its own
 * path */
static void
add_devices (json_t *devs, json_t *more)
{
	size_t i, j, n = json_array_size (devs);
	json_t *d, *h;

	json_array_foreach (more, i, d)
	{
		const char *p = json_string_value (json_object_get (d, "path"));
		for (j = 0; j < n; j++)
			if ((h = json_array_get (devs, j)) &&
			    !strcmp (json_string_value (json_object_get (h, "path")), p))
				break;
		if (j == n)
			json_array_append (devs, d);
	}
}

/* linux.uidMappings, gidMappings */
static json_t *
idmaps (const struct idmap *m)
{
	json_t *a = json_array ();

	for (size_t i = 0; i < m->n; i++)
		json_array_append_new (a, json_pack ("{s:I, s:I, s:I}", "containerID", (json_int_t)m->ext[i].inside,
		                                     "hostID", (json_int_t)m->ext[i].outside, "size",
		                                     (json_int_t)m->ext[i].count));
	return a;
}

/* This process's own gid map (box run rootless: inside a user namespace
 * already); 0 when it maps every gid */
static int
own_gid_map (struct idmap *m)
{
	_cleanup_file_ FILE *f = fopen ("/proc/self/gid_map", "re");
	unsigned long long in, out, n;
	struct bx_err ign = {0};

	m->n = 0;
	while (f && fscanf (f, "%llu %llu %llu", &in, &out, &n) == 3)
		if (idmap_add (m, in, out, n, &ign) < 0)
			return 0;
	return m->n > 0 && !(m->n == 1 && m->ext[0].inside == 0 && m->ext[0].count == 4294967295U);
}

/* ping for all: every gid, or in a user namespace every gid it maps from
 * 0 on (the kernel refuses a range with a gid the namespace lacks): the
 * container's own, or the one box runs in (rootless) */
static const char *
ping_groups (const struct spec_decl *s, char *buf)
{
	struct idmap own;
	const struct idmap *m = s->gidmap ? s->gidmap : own_gid_map (&own) ? &own : NULL;
	uint64_t end = 0;

	if (!m)
		return "0 2147483647";
	for (int moved = 1; moved;) {
		moved = 0;
		for (size_t i = 0; i < m->n; i++)
			if (m->ext[i].inside == end)
				end += m->ext[i].count, moved = 1;
	}
	sprintf (buf, "%d %llu", end ? 0 : 1, end ? (unsigned long long)(end - 1) : 0ULL);
	return buf;
}

static json_t *
linux_section (const struct spec_decl *s, struct bx_err *e)
{
	json_t *l = json_pack ("{s:o, s:o, s:s}", "namespaces", namespaces (s), "resources", resources (s),
	                       "cgroupsPath", s->cgroups_path);
	json_t *devs = json_array ();

	if (s->privileged && host_devices_in ("/dev", devs, 8) < 0) {
		json_decref (devs);
		json_decref (l);
		return err_set (e, BX_SYSTEM, errno, "read /dev"), NULL;
	}
	add_devices (devs, s->devices);
	json_object_set_new (l, "devices", devs);
	if (s->uidmap) {
		json_object_set_new (l, "uidMappings", idmaps (s->uidmap));
		json_object_set_new (l, "gidMappings", idmaps (s->gidmap));
	}
	if (!s->privileged) {
		json_object_set_new (l, "maskedPaths", STRINGS (masked_paths));
		json_object_set_new (l, "readonlyPaths", STRINGS (readonly_paths));
	}
	if (s->seccomp)
		json_object_set (l, "seccomp", s->seccomp);
	/* Docker: with a network namespace of its own, any port and ping for all */
	if (s->net != SPEC_NET_HOST || json_object_size (s->sysctl)) {
		char ping[32];
		json_t *sys = s->net != SPEC_NET_HOST
		                  ? json_pack ("{s:s, s:s}", "net.ipv4.ip_unprivileged_port_start", "0",
		                               "net.ipv4.ping_group_range", ping_groups (s, ping))
		                  : json_object ();
		json_object_update (sys, s->sysctl);
		json_object_set_new (l, "sysctl", sys);
	}
	return l;
}

json_t *
spec_build (const struct spec_decl *s, struct bx_err *e)
{
	json_t *lin = linux_section (s, e);

	if (!lin)
		return NULL;
	json_t *doc = json_pack ("{s:s, s:o, s:{s:s, s:b}}", "ociVersion", "1.0.2", "process", process_with_rlimits (s),
	                         "root", "path", "rootfs", "readonly", s->readonly_root);

	/* with the host's UTS namespace the runtime must not set names */
	if (doc && !s->uts_host) {
		json_object_set_new (doc, "hostname", json_string (s->hostname));
		if (s->domainname && *s->domainname)
			json_object_set_new (doc, "domainname", json_string (s->domainname));
	}
	if (doc) {
		json_object_set_new (doc, "mounts", all_mounts (s));
		json_object_set_new (doc, "linux", lin);
	} else
		json_decref (lin);
	return doc;
}

/* --- tmpfs options --- */

/* the option's kind: options of one kind override each other */
static int
flag_kind (const char *o)
{
	static const char *const fams[][2] = {
	    {"ro", "rw"},
	    {"suid", "nosuid"},
	    {"dev", "nodev"},
	    {"exec", "noexec"},
	    {"sync", "async"},
	    {"dirsync", NULL},
	    {"remount", NULL},
	    {"mand", "nomand"},
	    {"atime", "noatime"},
	    {"diratime", "nodiratime"},
	    {"bind", NULL},
	    {"rbind", NULL},
	    {"relatime", "norelatime"},
	    {"strictatime", "nostrictatime"},
	};
	static const char *const prop[] = {"private", "rprivate", "shared",     "rshared",
	                                   "slave",   "rslave",   "unbindable", "runbindable"};

	for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++)
		if (strcmp (o, fams[i][0]) == 0 || (fams[i][1] && strcmp (o, fams[i][1]) == 0))
			return (int)i + 1;
	for (size_t i = 0; i < sizeof prop / sizeof prop[0]; i++)
		if (strcmp (o, prop[i]) == 0)
			return 100;
	return 0;
}

static int
data_key_ok (const char *o, size_t n)
{
	static const char *const keys[] = {"size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol"};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen (keys[i]) == n && strncmp (o, keys[i], n) == 0)
			return 1;
	return 0;
}

/* true when OUT holds an option of the same kind (or data key) as O */
static int
collides (json_t *out, const char *o)
{
	size_t i, n = strcspn (o, "=");
	json_t *v;

	json_array_foreach (out, i, v)
	{
		const char *p = json_string_value (v);
		if (flag_kind (o) ? flag_kind (p) == flag_kind (o) : (strncmp (p, o, n) == 0 && p[n] == '='))
			return 1;
	}
	return 0;
}

json_t *
spec_tmpfs_options (const char *opts, struct bx_err *e)
{
	json_t *all = json_pack ("[s, s, s, s]", "noexec", "nosuid", "nodev", "rprivate"), *out = json_array ();
	const char *p = opts;

	while (p && *p) {
		size_t n = strcspn (p, ",");
		json_array_append_new (all, json_stringn (p, n));
		p += n + (p[n] == ',');
	}
	/* the last of each kind wins: walk backwards, prepend */
	for (size_t i = json_array_size (all); i-- > 0;) {
		const char *o = json_string_value (json_array_get (all, i));
		size_t n = strcspn (o, "=");
		if (strcmp (o, "defaults") == 0)
			continue;
		if (!flag_kind (o) && (!o[n] || !data_key_ok (o, n))) {
			err_set (e, BX_USAGE, 0, "invalid tmpfs option \"%.*s\"", (int)n, o);
			json_decref (all);
			json_decref (out);
			return NULL;
		}
		if (!collides (out, o))
			json_array_insert_new (out, 0, json_string (o));
	}
	json_decref (all);
	return out;
}
