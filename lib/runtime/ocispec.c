#include "runtime/ocispec.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"

#define MAX_OPS 512

static const struct {
	const char *name;
	unsigned long set, clear, prop;
	int rec;
} mount_flags[] = {
    {"ro", MS_RDONLY, 0, 0, 0},
    {"rw", 0, MS_RDONLY, 0, 0},
    {"nosuid", MS_NOSUID, 0, 0, 0},
    {"suid", 0, MS_NOSUID, 0, 0},
    {"nodev", MS_NODEV, 0, 0, 0},
    {"dev", 0, MS_NODEV, 0, 0},
    {"noexec", MS_NOEXEC, 0, 0, 0},
    {"exec", 0, MS_NOEXEC, 0, 0},
    {"sync", MS_SYNCHRONOUS, 0, 0, 0},
    {"async", 0, MS_SYNCHRONOUS, 0, 0},
    {"dirsync", MS_DIRSYNC, 0, 0, 0},
    {"remount", MS_REMOUNT, 0, 0, 0},
    {"mand", MS_MANDLOCK, 0, 0, 0},
    {"nomand", 0, MS_MANDLOCK, 0, 0},
    {"atime", 0, MS_NOATIME, 0, 0},
    {"noatime", MS_NOATIME, 0, 0, 0},
    {"diratime", 0, MS_NODIRATIME, 0, 0},
    {"nodiratime", MS_NODIRATIME, 0, 0, 0},
    {"relatime", MS_RELATIME, 0, 0, 0},
    {"norelatime", 0, MS_RELATIME, 0, 0},
    {"strictatime", MS_STRICTATIME, 0, 0, 0},
    {"nostrictatime", 0, MS_STRICTATIME, 0, 0},
    {"bind", MS_BIND, 0, 0, 0},
    {"rbind", MS_BIND, 0, 0, 1},
    {"private", 0, 0, MS_PRIVATE, 0},
    {"rprivate", 0, 0, MS_PRIVATE, 1},
    {"shared", 0, 0, MS_SHARED, 0},
    {"rshared", 0, 0, MS_SHARED, 1},
    {"slave", 0, 0, MS_SLAVE, 0},
    {"rslave", 0, 0, MS_SLAVE, 1},
    {"unbindable", 0, 0, MS_UNBINDABLE, 0},
    {"runbindable", 0, 0, MS_UNBINDABLE, 1},
};

int
ocispec_mount_flag (const char *opt, unsigned long *set, unsigned long *clear, unsigned long *prop, int *rec)
{
	for (size_t i = 0; i < sizeof mount_flags / sizeof mount_flags[0]; i++) {
		if (strcmp (opt, mount_flags[i].name))
			continue;
		*set |= mount_flags[i].set;
		*clear |= mount_flags[i].clear;
		if (mount_flags[i].prop)
			*prop = mount_flags[i].prop;
		if (mount_flags[i].rec)
			*rec = 1;
		return 1;
	}
	return 0;
}

const char *
ocispec_getenv (const char *const *env, const char *name)
{
	size_t n = strlen (name);

	for (; env && *env; env++)
		if (!strncmp (*env, name, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static json_t *
get (json_t *o, const char *key)
{
	json_t *x = json_object_get (o, key);
	return json_is_null (x) ? NULL : x;
}

static const char *
get_str (json_t *o, const char *key)
{
	return json_string_value (get (o, key));
}

static int
bad (struct bx_err *e, const char *what)
{
	return err_set (e, BX_USAGE, 0, "config.json: %s", what);
}

/* a NULL-terminated array of the strings of A (none: an empty array) */
static int
str_array (json_t *a, const char ***out, const char *what, struct bx_err *e)
{
	size_t i, n = json_is_array (a) ? json_array_size (a) : 0;
	json_t *it;

	if (a && !json_is_array (a))
		return bad (e, what);
	if (!(*out = calloc (n + 1, sizeof **out)))
		return err_set (e, BX_SYSTEM, errno, "config.json");
	json_array_foreach (a, i, it)
	{
		if (!json_is_string (it))
			return bad (e, what);
		(*out)[i] = json_string_value (it);
	}
	return 0;
}

static struct op *
op_add (struct spec *s, enum op_kind kind, const char *dest)
{
	struct op *o;

	if (s->nops == MAX_OPS)
		return NULL;
	o = &s->ops[s->nops++];
	memset (o, 0, sizeof *o);
	o->kind = kind;
	o->dest = dest;
	return o;
}

static int caps_read (json_t *c, uint64_t *bits, const char *set, struct bx_err *e);

static int
process_caps (json_t *p, struct spec *s, struct bx_err *e)
{
	static const char *const sets[CAPSET_N] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
	json_t *c = get (p, "capabilities");

	if (!c)
		return 0;
	s->has_caps = 1;
	for (int i = 0; i < CAPSET_N; i++)
		if (caps_read (get (c, sets[i]), &s->caps[i], sets[i], e) < 0)
			return -1;
	return 0;
}

/* capability names as the kernel numbers them (linux/capability.h) */
static const char *const cap_names[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};

static int
caps_read (json_t *a, uint64_t *bits, const char *set, struct bx_err *e)
{
	size_t i;
	json_t *it;

	*bits = 0;
	if (a && !json_is_array (a))
		return bad (e, "process.capabilities: not arrays");
	json_array_foreach (a, i, it)
	{
		const char *n = json_string_value (it);
		size_t k;
		if (!n || strncasecmp (n, "CAP_", 4))
			return err_set (e, BX_USAGE, 0, "config.json: process.capabilities.%s: bad name %s", set,
			                n ? n : "(not a string)");
		for (k = 0; k < sizeof cap_names / sizeof cap_names[0] && strcasecmp (n + 4, cap_names[k]); k++)
			;
		/* Docker and crun skip what this kernel does not know */
		if (k < sizeof cap_names / sizeof cap_names[0])
			*bits |= 1ULL << k;
	}
	return 0;
}

static int
rlimit_resource (const char *name)
{
	static const struct {
		const char *n;
		int r;
	} t[] = {{"RLIMIT_AS", RLIMIT_AS},
	         {"RLIMIT_CORE", RLIMIT_CORE},
	         {"RLIMIT_CPU", RLIMIT_CPU},
	         {"RLIMIT_DATA", RLIMIT_DATA},
	         {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	         {"RLIMIT_LOCKS", RLIMIT_LOCKS},
	         {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	         {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	         {"RLIMIT_NICE", RLIMIT_NICE},
	         {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	         {"RLIMIT_NPROC", RLIMIT_NPROC},
	         {"RLIMIT_RSS", RLIMIT_RSS},
	         {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	         {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	         {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	         {"RLIMIT_STACK", RLIMIT_STACK}};

	for (size_t i = 0; name && i < sizeof t / sizeof t[0]; i++)
		if (!strcmp (name, t[i].n))
			return t[i].r;
	return -1;
}

static int
process_rlimits (json_t *a, struct spec *s, struct bx_err *e)
{
	size_t i;
	json_t *it;

	if (!a)
		return 0;
	if (!json_is_array (a))
		return bad (e, "process.rlimits: not an array");
	if (!(s->rlimits = calloc (json_array_size (a) + 1, sizeof *s->rlimits)))
		return err_set (e, BX_SYSTEM, errno, "config.json");
	json_array_foreach (a, i, it)
	{
		struct rlim *r = &s->rlimits[s->nrlimits++];
		const char *type = get_str (it, "type");
		if ((r->resource = rlimit_resource (type)) < 0)
			return err_set (e, BX_USAGE, 0, "config.json: process.rlimits: unknown type %s",
			                type ? type : "(none)");
		r->soft = (uint64_t)json_integer_value (get (it, "soft"));
		r->hard = (uint64_t)json_integer_value (get (it, "hard"));
	}
	return 0;
}

static int
process_user (json_t *u, struct spec *s, struct bx_err *e)
{
	json_t *g = get (u, "additionalGids"), *it;
	size_t i;

	s->uid = (uid_t)json_integer_value (get (u, "uid"));
	s->gid = (gid_t)json_integer_value (get (u, "gid"));
	if (!g)
		return 0;
	if (!json_is_array (g))
		return bad (e, "process.user.additionalGids: not an array");
	if (!(s->gids = calloc (json_array_size (g) + 1, sizeof *s->gids)))
		return err_set (e, BX_SYSTEM, errno, "config.json");
	json_array_foreach (g, i, it) s->gids[s->ngids++] = (gid_t)json_integer_value (it);
	return 0;
}

static int
process_read (json_t *p, struct spec *s, struct bx_err *e)
{
	json_t *oom;

	if (!json_is_object (p))
		return bad (e, "no process");
	if (str_array (get (p, "args"), &s->args, "process.args: not strings", e) < 0 ||
	    str_array (get (p, "env"), &s->env, "process.env: not strings", e) < 0)
		return -1;
	if (!s->args[0])
		return bad (e, "process.args: empty");
	s->cwd = get_str (p, "cwd") ? get_str (p, "cwd") : "/";
	s->terminal = json_is_true (get (p, "terminal"));
	s->nnp = json_is_true (get (p, "noNewPrivileges"));
	if ((oom = get (p, "oomScoreAdj"))) {
		s->has_oom_score_adj = 1;
		s->oom_score_adj = (int)json_integer_value (oom);
	}
	if (process_user (get (p, "user"), s, e) < 0 || process_caps (p, s, e) < 0 ||
	    procattr_read (p, get (s->json, "linux"), &s->attr, e) < 0)
		return -1;
	return process_rlimits (get (p, "rlimits"), s, e);
}

static int
ns_type (const char *t)
{
	static const struct {
		const char *n;
		int f;
	} m[] = {{"pid", CLONE_NEWPID}, {"network", CLONE_NEWNET},   {"mount", CLONE_NEWNS},  {"ipc", CLONE_NEWIPC},
	         {"uts", CLONE_NEWUTS}, {"cgroup", CLONE_NEWCGROUP}, {"user", CLONE_NEWUSER}, {"time", CLONE_NEWTIME}};

	for (size_t i = 0; t && i < sizeof m / sizeof m[0]; i++)
		if (!strcmp (t, m[i].n))
			return m[i].f;
	return 0;
}

static int
namespaces_read (json_t *a, struct spec *s, struct bx_err *e)
{
	size_t i;
	json_t *it;

	json_array_foreach (a, i, it)
	{
		const char *t = get_str (it, "type"), *path = get_str (it, "path");
		int f = ns_type (t);
		if (!f)
			return err_set (e, BX_USAGE, 0, "config.json: linux.namespaces: unknown type %s",
			                t ? t : "(none)");
		if (path && *path) {
			if (s->njoins == sizeof s->joins / sizeof s->joins[0])
				return bad (e, "linux.namespaces: too many");
			s->joins[s->njoins++] = (struct ns_join){f, path};
		} else {
			s->clone_flags |= f;
		}
	}
	return 0;
}

/* KEY of O (when given and not empty) into *M, allocated */
static int
idmap_read (json_t *o, const char *where, const char *key, const struct idmap **m, struct bx_err *e)
{
	json_t *arr = get (o, key);
	struct idmap *x;
	char name[64];

	if (!arr || (json_is_array (arr) && json_array_size (arr) == 0))
		return 0;
	if (!(x = calloc (1, sizeof *x)))
		return err_set (e, BX_SYSTEM, errno, "config.json");
	*m = x;
	snprintf (name, sizeof name, "%s.%s", where, key);
	return idmap_from_json (x, arr, name, e) < 0 ? err_wrap (e, "config.json") : 0;
}

/* O's uidMappings and gidMappings (WHERE: "linux" or "mounts[N]") */
static int
idmaps_read (json_t *o, const char *where, struct userns_maps *m, struct bx_err *e)
{
	return idmap_read (o, where, "uidMappings", &m->uid, e) < 0 ? -1
	                                                            : idmap_read (o, where, "gidMappings", &m->gid, e);
}

/* runc's rules: maps only with a user namespace, and both of them for
 * one of its own (a joined one has its maps already) */
static int
userns_read (json_t *lx, struct spec *s, struct bx_err *e)
{
	if (idmaps_read (lx, "linux", &s->idmaps, e) < 0)
		return -1;
	for (size_t i = 0; i < s->njoins; i++) {
		s->userns |= s->joins[i].type == CLONE_NEWUSER;
		s->mntns |= s->joins[i].type == CLONE_NEWNS;
	}
	s->userns |= !!(s->clone_flags & CLONE_NEWUSER);
	s->mntns |= !!(s->clone_flags & CLONE_NEWNS);
	if (!s->userns && (s->idmaps.uid || s->idmaps.gid))
		return bad (e, s->idmaps.uid ? "linux.uidMappings: given, but linux.namespaces has no user namespace"
		                             : "linux.gidMappings: given, but linux.namespaces has no user namespace");
	if ((s->clone_flags & CLONE_NEWUSER) && (!s->idmaps.uid || !s->idmaps.gid))
		return bad (e, !s->idmaps.uid ? "linux.uidMappings: missing: a user namespace of its own needs it"
		                              : "linux.gidMappings: missing: a user namespace of its own needs it");
	return 0;
}

/* linux.timeOffsets: the clocks of a time namespace of the container's
 * own, written before anything enters it */
static int
timeoffsets_read (json_t *t, struct spec *s, struct bx_err *e)
{
	const char *k;
	json_t *v;

	if (!t)
		return 0;
	if (!json_is_object (t))
		return bad (e, "linux.timeOffsets: not an object");
	json_object_foreach (t, k, v)
	{
		int c = !strcmp (k, "monotonic") ? 0 : !strcmp (k, "boottime") ? 1 : -1;
		json_t *secs = get (v, "secs"), *ns = get (v, "nanosecs");
		if (c < 0)
			return err_set (e, BX_USAGE, 0,
			                "config.json: linux.timeOffsets.%s: unknown clock (monotonic, boottime)", k);
		if (!json_is_object (v) || (secs && !json_is_integer (secs)) ||
		    (ns &&
		     (!json_is_integer (ns) || json_integer_value (ns) < 0 || json_integer_value (ns) > 999999999)))
			return err_set (
			    e, BX_USAGE, 0,
			    "config.json: linux.timeOffsets.%s: secs an integer, nanosecs from 0 to 999999999", k);
		s->timeoff[c] = (struct ocispec_timeoff){1, secs ? (int64_t)json_integer_value (secs) : 0,
		                                         ns ? (uint32_t)json_integer_value (ns) : 0};
	}
	if (!(s->clone_flags & CLONE_NEWTIME))
		return bad (e, "linux.timeOffsets: given, but linux.namespaces has no time namespace of its own");
	return 0;
}

static int64_t
int_or (json_t *o, const char *key, int64_t dflt)
{
	json_t *x = get (o, key);
	return json_is_integer (x) ? (int64_t)json_integer_value (x) : dflt;
}

static int
devrules_read (json_t *a, struct cgroup_limits *r, struct bx_err *e)
{
	size_t i;
	json_t *it;

	if (!json_is_array (a))
		return 0;
	if (!(r->devrules = calloc (json_array_size (a) + 1, sizeof *r->devrules)))
		return err_set (e, BX_SYSTEM, errno, "config.json");
	json_array_foreach (a, i, it)
	{
		struct cgroup_devrule *d = &r->devrules[r->ndevrules++];
		const char *t = get_str (it, "type"), *acc = get_str (it, "access");
		d->allow = json_is_true (get (it, "allow"));
		d->type = t && (*t == 'c' || *t == 'b') ? *t : 'a';
		d->major = int_or (it, "major", -1);
		d->minor = int_or (it, "minor", -1);
		snprintf (d->access, sizeof d->access, "%s", acc && *acc ? acc : "rwm");
	}
	return 0;
}

/* linux.resources.blockIO's device lists, in cgroup_blk_kind order */
static const char *const blk_lists[] = {"weightDevice", "throttleReadBpsDevice", "throttleWriteBpsDevice",
                                        "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};

static int
blkio_read (json_t *b, struct cgroup_limits *r, struct bx_err *e)
{
	size_t n = 0, i;
	json_t *it;

	r->blkio_weight = (uint64_t)int_or (b, "weight", 0);
	for (size_t k = 0; k < 5; k++)
		n += json_array_size (get (b, blk_lists[k]));
	if (!n)
		return 0;
	if (!(r->blkdevs = calloc (n, sizeof *r->blkdevs)))
		return err_set (e, BX_SYSTEM, errno, "config.json");
	for (size_t k = 0; k < 5; k++)
		json_array_foreach (get (b, blk_lists[k]), i, it)
		{
			struct cgroup_blkdev *d = &r->blkdevs[r->nblkdevs++];
			d->kind = (enum cgroup_blk_kind)k;
			d->major = (long)int_or (it, "major", 0);
			d->minor = (long)int_or (it, "minor", 0);
			d->value = (uint64_t)int_or (it, k ? "rate" : "weight", 0);
		}
	return 0;
}

int
ocispec_resources (struct json_t *r, struct cgroup_limits *res, struct bx_err *e)
{
	json_t *mem = get (r, "memory"), *cpu = get (r, "cpu"), *pids = get (r, "pids");

	cgroup_limits_init (res);
	res->memory = int_or (mem, "limit", -1);
	res->memory_swap = int_or (mem, "swap", -1);
	res->memory_reservation = int_or (mem, "reservation", -1);
	res->swappiness = int_or (mem, "swappiness", -1);
	res->oom_kill_disable = json_is_true (get (mem, "disableOOMKiller"));
	res->cpu_quota = int_or (cpu, "quota", -1);
	res->cpu_period = (uint64_t)int_or (cpu, "period", 0);
	res->cpu_shares = (uint64_t)int_or (cpu, "shares", 0);
	res->cpuset_cpus = get_str (cpu, "cpus");
	res->cpuset_mems = get_str (cpu, "mems");
	res->rt_period = int_or (cpu, "realtimePeriod", -1);
	res->rt_runtime = int_or (cpu, "realtimeRuntime", -1);
	res->pids = int_or (pids, "limit", -1);
	if (res->pids == 0)
		res->pids = -1;
	if (blkio_read (get (r, "blockIO"), res, e) < 0)
		return -1;
	return devrules_read (get (r, "devices"), res, e);
}

void
ocispec_resources_free (struct cgroup_limits *res)
{
	free (res->devrules);
	free (res->blkdevs);
	res->devrules = NULL;
	res->blkdevs = NULL;
}

/* a mount's options: flags, propagation, and the rest as data */
static int
mount_options (json_t *opts, struct op *o, char **data, struct bx_err *e)
{
	unsigned long set = 0, clear = 0;
	char buf[4096] = "";
	size_t len = 0, i;
	json_t *it;

	json_array_foreach (opts, i, it)
	{
		const char *opt = json_string_value (it);
		if (!opt)
			return bad (e, "mounts: options must be strings");
		if (ocispec_mount_flag (opt, &set, &clear, &o->prop, &o->rec))
			continue;
		if (!strcmp (opt, "idmap") || !strcmp (opt, "ridmap")) {
			o->idmap = *opt == 'r' ? 2 : 1;
			continue;
		}
		/* mount (2) data; tmpcopyup is not a mount option */
		if (!strcmp (opt, "tmpcopyup"))
			continue;
		len += (size_t)snprintf (buf + len, sizeof buf - len, "%s%s", len ? "," : "", opt);
		if (len >= sizeof buf)
			return bad (e, "mounts: options too long");
	}
	o->flags = set & ~clear;
	o->ro = !!(o->flags & MS_RDONLY);
	if (len && !(*data = strdup (buf)))
		return err_set (e, BX_SYSTEM, errno, "config.json");
	return 0;
}

/* mounts[I]'s uidMappings/gidMappings and idmap/ridmap: an idmapped
 * bind mount (mappings imply idmap, as in runc); without mappings of its
 * own, the container's (runtime-spec 1.2) */
static int
mount_idmap (json_t *m, size_t i, struct op *o, const struct spec *s, struct bx_err *e)
{
	char where[32];

	snprintf (where, sizeof where, "mounts[%zu]", i);
	if (idmaps_read (m, where, &o->idmaps, e) < 0)
		return -1;
	if (!o->idmap && !o->idmaps.uid && !o->idmaps.gid)
		return 0;
	if (!o->idmap)
		o->idmap = 1;
	if (o->kind != OP_BIND)
		return err_set (e, BX_USAGE, 0, "config.json: %s (%s): idmap: only bind mounts can be idmapped", where,
		                o->dest);
	if (!o->idmaps.uid && !o->idmaps.gid) {
		if (!s->idmaps.uid)
			return err_set (e, BX_USAGE, 0,
			                "config.json: %s (%s): idmap: no uidMappings, and the container has none",
			                where, o->dest);
		o->idmaps = s->idmaps;
	}
	if (!o->idmaps.uid || !o->idmaps.gid)
		return err_set (e, BX_USAGE, 0, "config.json: %s (%s): idmap: both uidMappings and gidMappings needed",
		                where, o->dest);
	return 0;
}

static int
mounts_read (json_t *a, struct spec *s, int *has_dev_tmpfs, struct bx_err *e)
{
	size_t i;
	json_t *it;

	json_array_foreach (a, i, it)
	{
		const char *dest = get_str (it, "destination"), *type = get_str (it, "type");
		char *data = NULL;
		struct op *o;
		if (!dest || dest[0] != '/')
			return bad (e, "mounts: destination must be an absolute path");
		if (!(o = op_add (s, OP_MOUNT, dest)))
			return bad (e, "mounts: too many");
		o->source = get_str (it, "source");
		o->fstype = type;
		if (mount_options (get (it, "options"), o, &data, e) < 0)
			return -1;
		o->data = data;
		if ((o->flags & MS_BIND) || (type && !strcmp (type, "bind")))
			o->kind = OP_BIND;
		else if (type && !strcmp (type, "cgroup"))
			o->kind = OP_CGROUPFS;
		else if (!type)
			return err_set (e, BX_USAGE, 0, "config.json: mount %s: no type", dest);
		if (o->kind == OP_BIND && (!o->source || o->source[0] != '/'))
			return err_set (e, BX_USAGE, 0, "config.json: bind mount %s: source must be absolute", dest);
		if (mount_idmap (it, i, o, s, e) < 0)
			return -1;
		if (!strcmp (dest, "/dev") && o->kind == OP_MOUNT && !strcmp (type, "tmpfs"))
			*has_dev_tmpfs = 1;
	}
	return 0;
}

static int
mknod_op (struct spec *s, const char *path, mode_t mode, unsigned maj, unsigned min, uid_t uid, gid_t gid)
{
	struct op *o = op_add (s, OP_MKNOD, path);

	if (!o)
		return -1;
	o->mode = mode;
	o->dev = makedev (maj, min);
	o->uid = uid;
	o->gid = gid;
	return 0;
}

/* the devices every container has (runtime-spec config-linux.md "Default
 * Devices"), and the links Docker adds */
static int
default_devices (struct spec *s, struct bx_err *e)
{
	static const struct {
		const char *path;
		unsigned maj, min;
	} d[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
	         {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
	static const char *const links[][2] = {{"/dev/fd", "/proc/self/fd"},
	                                       {"/dev/stdin", "/proc/self/fd/0"},
	                                       {"/dev/stdout", "/proc/self/fd/1"},
	                                       {"/dev/stderr", "/proc/self/fd/2"},
	                                       {"/dev/ptmx", "pts/ptmx"},
	                                       /* crun links it always (runc when /proc/kcore
	                                        * exists); dangling, it is harmless */
	                                       {"/dev/core", "/proc/kcore"}};

	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
		if (mknod_op (s, d[i].path, S_IFCHR | 0666, d[i].maj, d[i].min, 0, 0) < 0)
			return bad (e, "too many setup steps");
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		struct op *o = op_add (s, OP_SYMLINK, links[i][0]);
		if (!o)
			return bad (e, "too many setup steps");
		o->source = links[i][1];
	}
	return 0;
}

static int
devices_read (json_t *a, struct spec *s, struct bx_err *e)
{
	size_t i;
	json_t *it;

	json_array_foreach (a, i, it)
	{
		const char *path = get_str (it, "path"), *t = get_str (it, "type");
		json_t *fm = get (it, "fileMode");
		mode_t mode = fm ? (mode_t)json_integer_value (fm) : 0666;
		if (!path || !t || !strchr ("cubp", *t))
			return bad (e, "linux.devices: path and type c, b, u or p needed");
		mode |= *t == 'b' ? S_IFBLK : *t == 'p' ? S_IFIFO : S_IFCHR;
		if (mknod_op (s, path, mode, (unsigned)int_or (it, "major", 0), (unsigned)int_or (it, "minor", 0),
		              (uid_t)int_or (it, "uid", 0), (gid_t)int_or (it, "gid", 0)) < 0)
			return bad (e, "too many setup steps");
	}
	return 0;
}

static int
path_ops (json_t *a, struct spec *s, enum op_kind kind, struct bx_err *e)
{
	size_t i;
	json_t *it;

	json_array_foreach (a, i, it)
	{
		const char *p = json_string_value (it);
		if (!p || p[0] != '/')
			return bad (e, "linux.maskedPaths/readonlyPaths: absolute paths needed");
		if (!op_add (s, kind, p))
			return bad (e, "too many setup steps");
	}
	return 0;
}

static int
sysctl_ops (json_t *o, struct spec *s, struct bx_err *e)
{
	const char *k;
	json_t *v;

	json_object_foreach (o, k, v)
	{
		struct op *op;
		if (!json_is_string (v) || strstr (k, ".."))
			return err_set (e, BX_USAGE, 0, "config.json: linux.sysctl: bad entry %s", k);
		if (!(op = op_add (s, OP_SYSCTL, NULL)))
			return bad (e, "too many setup steps");
		op->source = k;
		op->data = json_string_value (v);
	}
	return 0;
}

static int
propagation_op (const char *p, struct spec *s, struct bx_err *e)
{
	unsigned long set = 0, clear = 0, prop = MS_PRIVATE;
	int rec = 1;
	struct op *o;

	if (p && *p && (!ocispec_mount_flag (p, &set, &clear, &prop, &rec) || set || clear))
		return err_set (e, BX_USAGE, 0, "config.json: linux.rootfsPropagation: %s", p);
	if (!(o = op_add (s, OP_PROPAGATE, "/")))
		return bad (e, "too many setup steps");
	o->prop = prop;
	o->rec = rec;
	return 0;
}

/* the cgroup file systems after the other mounts and devices, unless
 * something is mounted below them: the child joins its cgroup (slow on
 * v1: an RCU grace period) while it makes the rest */
static void
cgroupfs_last (struct spec *s)
{
	struct op tmp[MAX_OPS];
	size_t n = 0, k = 0;

	for (size_t i = 0; i < s->nops; i++)
		for (size_t j = i + 1; s->ops[i].kind == OP_CGROUPFS && j < s->nops; j++)
			if (s->ops[j].dest && !strncmp (s->ops[j].dest, s->ops[i].dest, strlen (s->ops[i].dest)))
				return;
	for (size_t i = 0; i < s->nops; i++)
		if (s->ops[i].kind != OP_CGROUPFS)
			s->ops[k++] = s->ops[i];
		else
			tmp[n++] = s->ops[i];
	memcpy (s->ops + k, tmp, n * sizeof *tmp);
}

/* the setup steps, in the order the child runs them */
static int
ops_build (json_t *cfg, json_t *lx, struct spec *s, struct bx_err *e)
{
	int dev_tmpfs = 0;

	if (!(s->ops = calloc (MAX_OPS, sizeof *s->ops)))
		return err_set (e, BX_SYSTEM, errno, "config.json");
	if (mounts_read (get (cfg, "mounts"), s, &dev_tmpfs, e) < 0)
		return -1;
	if (dev_tmpfs && default_devices (s, e) < 0)
		return -1;
	if (devices_read (get (lx, "devices"), s, e) < 0)
		return -1;
	cgroupfs_last (s);
	if (s->terminal && !op_add (s, OP_CONSOLE, "/dev/console"))
		return bad (e, "too many setup steps");
	op_add (s, OP_PIVOT, "/");
	if (sysctl_ops (get (lx, "sysctl"), s, e) < 0 || path_ops (get (lx, "maskedPaths"), s, OP_MASK, e) < 0 ||
	    path_ops (get (lx, "readonlyPaths"), s, OP_RDONLY, e) < 0)
		return -1;
	if (json_is_true (get (get (cfg, "root"), "readonly")) && !op_add (s, OP_ROOT_RO, "/"))
		return bad (e, "too many setup steps");
	return propagation_op (get_str (lx, "rootfsPropagation"), s, e);
}

static int
root_read (json_t *cfg, const char *bundle, struct spec *s, struct bx_err *e)
{
	const char *p = get_str (get (cfg, "root"), "path");

	if (!p || !*p)
		return bad (e, "root.path: missing");
	if (snprintf (s->rootfs, sizeof s->rootfs, "%s%s%s", p[0] == '/' ? "" : bundle, p[0] == '/' ? "" : "/", p) >=
	    (int)sizeof s->rootfs)
		return bad (e, "root.path: too long");
	s->hostname = get_str (cfg, "hostname");
	return 0;
}

int
ocispec_read (int bundlefd, const char *bundle, struct spec *s, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	json_error_t je;
	json_t *cfg, *lx;
	size_t len;

	memset (s, 0, sizeof *s);
	if (afile_slurp_at (bundlefd, L_CONFIG, &buf, &len, e) < 0)
		return err_wrap (e, "config.json");
	if (!(cfg = json_loadb (buf, len, 0, &je)))
		return err_set (e, BX_USAGE, 0, "config.json: line %d: %s", je.line, je.text);
	s->json = cfg;
	lx = get (cfg, "linux");
	if (process_read (get (cfg, "process"), s, e) < 0 || root_read (cfg, bundle, s, e) < 0 ||
	    namespaces_read (get (lx, "namespaces"), s, e) < 0 || userns_read (lx, s, e) < 0 ||
	    timeoffsets_read (get (lx, "timeOffsets"), s, e) < 0 ||
	    ocispec_resources (get (lx, "resources"), &s->res, e) < 0)
		return -1;
	if (get (lx, "intelRdt"))
		return bad (e, "linux.intelRdt: Intel RDT (resctrl) is not supported");
	s->cgroups_path = get_str (lx, "cgroupsPath");
	s->seccomp = get (lx, "seccomp");
	return ops_build (cfg, lx, s, e);
}

int
ocispec_process_replace (struct spec *s, void *process, struct bx_err *e)
{
	free (s->args);
	free (s->env);
	free (s->gids);
	free (s->rlimits);
	s->args = s->env = NULL;
	s->gids = NULL;
	s->ngids = s->nrlimits = 0;
	s->rlimits = NULL;
	s->has_caps = s->nnp = s->terminal = s->has_oom_score_adj = 0;
	memset (s->caps, 0, sizeof s->caps);
	if (json_object_set_new (s->json, "process", process) < 0)
		return err_set (e, BX_SYSTEM, ENOMEM, "process");
	return process_read (process, s, e);
}

int
ocispec_cap_number (const char *name)
{
	if (!strncasecmp (name, "CAP_", 4))
		name += 4;
	for (size_t k = 0; k < sizeof cap_names / sizeof cap_names[0]; k++)
		if (!strcasecmp (name, cap_names[k]))
			return (int)k;
	return -1;
}

void
ocispec_free (struct spec *s)
{
	for (size_t i = 0; i < s->nops; i++) {
		if (s->ops[i].kind <= OP_CGROUPFS)
			free ((char *)s->ops[i].data);
		if (s->ops[i].kind == OP_BIND && s->ops[i].idmaps.uid != s->idmaps.uid) {
			free ((void *)s->ops[i].idmaps.uid);
			free ((void *)s->ops[i].idmaps.gid);
		}
	}
	free ((void *)s->idmaps.uid);
	free ((void *)s->idmaps.gid);
	free (s->ops);
	free (s->args);
	free (s->env);
	free (s->gids);
	free (s->rlimits);
	ocispec_resources_free (&s->res);
	json_decref (s->json);
	memset (s, 0, sizeof *s);
}
