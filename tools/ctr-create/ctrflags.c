/* ctrflags - `docker create` flags into a struct ctrflags, from one table */
#include "ctrflags.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/human.h"
#include "copts.h"
#include "devopts.h"
#include "runtime/ctrname.h"
#include "runtime/ctrsig.h"
#include "runtime/idalloc.h"
#include "runtime/logcfg.h"

/* what a flag takes, as getopt_long's has_arg */
enum takes {
	NOTHING = no_argument,
	BOOL = optional_argument, /* pflag's bools: --rm, --rm=false */
	VALUE = required_argument,
};

struct flag {
	const char *name;
	char letter; /* 0: none */
	enum takes takes;
	int own; /* ctr-create's, not docker create's: not listed */
	int (*set) (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e);
	size_t at; /* the field the generic handlers set */
};

#define AT(member) offsetof (struct ctrflags, member)

static void *
field (struct ctrflags *f, const struct flag *fl)
{
	return (char *)f + fl->at;
}

/* the flag's name as Docker prints it in value errors: "-m, --memory" */
static const char *
flag_name (const struct flag *fl)
{
	static char buf[64];

	if (fl->letter)
		snprintf (buf, sizeof buf, "-%c, --%s", fl->letter, fl->name);
	else
		snprintf (buf, sizeof buf, "--%s", fl->name);
	return buf;
}

/* pflag's bool values: --rm, --rm=true, --rm=false */
static int
bool_arg (const struct flag *fl, const char *arg, int *out, struct bx_err *e)
{
	if (!arg || strcmp (arg, "true") == 0 || strcmp (arg, "1") == 0 || strcasecmp (arg, "t") == 0)
		*out = 1;
	else if (strcmp (arg, "false") == 0 || strcmp (arg, "0") == 0 || strcasecmp (arg, "f") == 0)
		*out = 0;
	else
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: parsing "
		                "\"%s\": invalid syntax",
		                arg, flag_name (fl), arg);
	return 0;
}

static int
int_arg (const struct flag *fl, const char *arg, long long *out, struct bx_err *e)
{
	char *end;

	errno = 0;
	*out = strtoll (arg, &end, 10);
	if (!*arg || *end || errno)
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: parsing "
		                "\"%s\": invalid syntax",
		                arg, flag_name (fl), arg);
	return 0;
}

/* --- the generic handlers: a string, a bool, a number, a size, a duration, a list --- */

static int
set_str (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)e;
	*(const char **)field (f, fl) = arg;
	return 0;
}

static int
set_bool (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	return bool_arg (fl, arg, field (f, fl), e);
}

static int
set_int (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	long long n;

	if (int_arg (fl, arg, &n, e) < 0)
		return -1;
	*(int64_t *)field (f, fl) = n;
	return 0;
}

static int
set_size (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	if (human_ram_parse (arg, field (f, fl), e) < 0)
		return err_wrap (e, "invalid argument \"%s\" for \"%s\" flag", arg, flag_name (fl));
	return 0;
}

/* a Go duration ("1m30s"), in nanoseconds */
static int
set_duration (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	if (human_go_duration_parse (arg, field (f, fl)) < 0)
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"%s\" flag: time: invalid duration \"%s\"", arg,
		                flag_name (fl), arg);
	return 0;
}

static int
add_str (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)e;
	json_array_append_new (*(json_t **)field (f, fl), json_string (arg));
	return 0;
}

/* --pid, --ipc, --uts, --cgroupns: the modes box implements */
static int
set_ns_mode (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	static const struct {
		const char *flag;
		const char *modes[6];
	} ok[] = {
	    {"pid", {"", "host", NULL}},
	    {"ipc", {"", "private", "shareable", "host", "none", NULL}},
	    {"uts", {"", "host", NULL}},
	    {"cgroupns", {"", "host", "private", NULL}},
	};

	for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
		for (int i = 0; !strcmp (ok[k].flag, fl->name) && ok[k].modes[i]; i++)
			if (strcmp (arg, ok[k].modes[i]) == 0)
				return *(const char **)field (f, fl) = arg, 0;
	if (strncmp (arg, "container:", 10) == 0)
		return err_set (e, BX_USAGE, 0, "%s %s: not implemented", flag_name (fl), arg);
	return err_set (e, BX_USAGE, 0, "invalid %s mode: %s", flag_name (fl) + 2, arg);
}

/* one option of --userns=auto:OPT[,OPT...] (Podman's): size=N,
 * uidmapping=CTR:HOST:N, gidmapping=CTR:HOST:N */
static int
userns_auto_opt (struct ctrflags *f, const char *opt, struct bx_err *e)
{
	char *end;
	unsigned long long n;

	if (!strncmp (opt, "uidmapping=", 11))
		return idmap_add_spec (&f->auto_uidmap, opt + 11, e) < 0 ? err_wrap (e, "uidmapping") : 0;
	if (!strncmp (opt, "gidmapping=", 11))
		return idmap_add_spec (&f->auto_gidmap, opt + 11, e) < 0 ? err_wrap (e, "gidmapping") : 0;
	if (strncmp (opt, "size=", 5) != 0)
		return err_set (e, BX_USAGE, 0, "unknown option %s", opt);
	errno = 0;
	n = strtoull (opt + 5, &end, 10);
	if (opt[5] < '0' || opt[5] > '9' || *end || errno || n == 0 || n > 4294967294ULL)
		return err_set (e, BX_USAGE, 0, "the size must be a number from 1 to 4294967294");
	f->userns_size = n;
	return 0;
}

/* --userns: Docker's host, Podman's auto[:OPTS] */
static int
set_userns (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	char opts[1024], *save = NULL, *w;

	(void)fl;
	f->userns = arg;
	f->userns_size = IDALLOC_DEFAULT_SIZE;
	f->auto_uidmap.n = f->auto_gidmap.n = 0;
	if (!strcmp (arg, "") || !strcmp (arg, "host") || !strcmp (arg, "auto"))
		return 0;
	if (strncmp (arg, "auto:", 5) != 0)
		return err_set (e, BX_USAGE, 0, "--userns: invalid USER mode: %s", arg);
	if ((size_t)snprintf (opts, sizeof opts, "%s", arg + 5) >= sizeof opts)
		return err_set (e, BX_USAGE, 0, "--userns: too long");
	for (w = strtok_r (opts, ",", &save); w; w = strtok_r (NULL, ",", &save))
		if (userns_auto_opt (f, w, e) < 0)
			return err_wrap (e, "--userns %s", arg);
	return 0;
}

/* --uidmap, --gidmap CONTAINER_ID:HOST_ID:COUNT, repeatable */
static int
add_idmap (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	if (idmap_add_spec (field (f, fl), arg, e) < 0)
		return err_wrap (e, "invalid argument \"%s\" for \"%s\" flag", arg, flag_name (fl));
	return 0;
}

/* --pull: Docker's three policies, checked by its client */
static int
set_pull (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	if (strcmp (arg, "always") && strcmp (arg, "missing") && strcmp (arg, "never"))
		return err_set (e, BX_USAGE, 0,
		                "invalid pull option: '%s': must be one of \"always\", \"missing\" or \"never\"", arg);
	f->pull = arg;
	return 0;
}

/* -a: the streams Config.Attach* records (the docker CLI's validateAttach) */
static int
add_attach (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	static const char *const streams[] = {"stdin", "stdout", "stderr"};

	for (unsigned i = 0; i < 3; i++)
		if (!strcasecmp (arg, streams[i])) {
			f->attach |= 1u << i;
			return 0;
		}
	return err_set (e, BX_USAGE, 0,
	                "invalid argument \"%s\" for \"%s\" flag: valid streams are STDIN, STDOUT and STDERR", arg,
	                flag_name (fl));
}

/* --- ctr-create's own questions --- */

static int
ask_help (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl, (void)arg, (void)e;
	f->ask = CTRFLAGS_HELP;
	return 0;
}

static int
ask_flags (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl, (void)arg, (void)e;
	f->ask = CTRFLAGS_FLAGS;
	return 0;
}

static int
ask_update (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl, (void)arg, (void)e;
	f->ask = CTRFLAGS_UPDATE;
	return 0;
}

static int
ask_value_flags (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl, (void)arg, (void)e;
	f->ask = CTRFLAGS_VALUE_FLAGS;
	return 0;
}

/* --- the flags with a handler of their own --- */

static int
add_env (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	return copts_env (arg, f->env_flags, e);
}

static int
add_env_file (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	return copts_env_file (arg, f->env_files, 0, e);
}

static int
add_label (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl, (void)e;
	copts_label (arg, f->labels);
	return 0;
}

/* --annotation KEY[=VALUE]: Docker 24's, for the runtime's config.json */
static int
add_annotation (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl, (void)e;
	copts_label (arg, f->annotations);
	return 0;
}

static int
add_label_file (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	return copts_env_file (arg, f->label_files, 1, e);
}

static int
set_entrypoint (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl, (void)e;
	f->entrypoint = arg;
	f->has_entrypoint = 1;
	return 0;
}

static int
set_memory_swap (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	if (strcmp (arg, "-1") == 0)
		return f->memory_swap = -1, 0;
	return set_size (f, fl, arg, e);
}

static int
set_cpus (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	return copts_cpus (arg, &f->nano_cpus, e);
}

static int
cap_arg (struct ctrflags *f, const char *arg, int add, struct bx_err *e)
{
	char norm[64];
	int n = caps_parse (arg, e);

	if (n < 0)
		return -1;
	caps_normal (n, norm, sizeof norm);
	json_array_append_new (add ? f->cap_add : f->cap_drop, json_string (norm));
	if (n == CAPS_ALL)
		*(add ? &f->capreq.add_all : &f->capreq.drop_all) = 1;
	else
		*(add ? &f->capreq.add : &f->capreq.drop) |= (capset_t)1 << n;
	return 0;
}

static int
add_cap (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	return cap_arg (f, arg, 1, e);
}

static int
drop_cap (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	return cap_arg (f, arg, 0, e);
}

/* seccomp=FILE: read now, kept as JSON and, compact, in SecurityOpt */
static int
seccomp_file (struct ctrflags *f, const char *path, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL, *compact = NULL;
	json_error_t je;

	if (afile_slurp_at (AT_FDCWD, path, &buf, NULL, e) < 0)
		return e->code = BX_USAGE, err_wrap (e, "opening seccomp profile (%s) failed", path);
	json_decref (f->seccomp_profile);
	if (!(f->seccomp_profile = json_loads (buf, 0, &je)) || !json_is_object (f->seccomp_profile))
		return err_set (e, BX_USAGE, 0, "decoding seccomp profile failed: %s: %s", path, je.text);
	compact = json_dumps (f->seccomp_profile, JSON_COMPACT);
	json_array_append_new (f->security_opt, json_sprintf ("seccomp=%s", compact ? compact : ""));
	return 0;
}

/* Docker's parseSecurityOpts */
static int
add_security_opt (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	const char *eq = strpbrk (arg, "=:");
	const char *val = eq ? eq + 1 : "";
	size_t klen = eq ? (size_t)(eq - arg) : strlen (arg);

	if (strncmp (arg, "no-new-privileges", klen) == 0 && klen == 17) {
		int v = 1;
		if (eq && bool_arg (fl, val, &v, e) < 0)
			return err_set (e, BX_USAGE, 0, "invalid --security-opt 2: \"%s\"", arg);
		f->no_new_privs = v;
	} else if (klen == 7 && strncmp (arg, "seccomp", 7) == 0 && *val) {
		if (strcmp (val, "unconfined") != 0)
			return seccomp_file (f, val, e);
		f->seccomp_unconfined = 1;
	} else if (klen == 11 && strncmp (arg, "systempaths", 11) == 0 && strcmp (val, "unconfined") == 0) {
		f->systempaths_unconfined = 1;
	} else if (!((klen == 8 && strncmp (arg, "apparmor", 8) == 0) ||
	             (klen == 5 && strncmp (arg, "label", 5) == 0)) ||
	           !*val)
		return err_set (e, BX_USAGE, 0, "invalid --security-opt 2: \"%s\"", arg);
	json_array_append_new (f->security_opt, json_string (arg));
	return 0;
}

static int
add_tmpfs (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	const char *colon = strchr (arg, ':');
	char *path = strndup (arg, colon ? (size_t)(colon - arg) : strlen (arg));

	(void)fl, (void)e;
	if (!path)
		return -1;
	json_object_set_new (f->tmpfs, path, json_string (colon ? colon + 1 : ""));
	free (path);
	return 0;
}

/* M's VolumeOptions, made when missing */
static json_t *
mount_volume_options (json_t *m)
{
	json_t *vo = json_object_get (m, "VolumeOptions");

	if (!vo)
		json_object_set_new (m, "VolumeOptions", vo = json_object ());
	return vo;
}

/* volume-label=K=V into VolumeOptions.Labels, volume-opt=K=V into
 * VolumeOptions.DriverConfig.Options (WHERE), as Docker's CLI files them */
static void
mount_volume_kv (json_t *m, const char *where, const char *kv)
{
	json_t *vo = mount_volume_options (m), *dst = json_object_get (vo, where);
	const char *eq = strchr (kv, '=');
	_cleanup_free_ char *k = strndup (kv, eq ? (size_t)(eq - kv) : strlen (kv));

	if (!dst && !strcmp (where, "Labels"))
		json_object_set_new (vo, where, dst = json_object ());
	else if (!dst) {
		json_object_set_new (vo, where, json_pack ("{s:s, s:{}}", "Name", "local", "Options"));
		dst = json_object_get (vo, where);
	}
	if (!strcmp (where, "DriverConfig"))
		dst = json_object_get (dst, "Options");
	if (k)
		json_object_set_new (dst, k, json_string (eq ? eq + 1 : ""));
}

/* one key=value of --mount (flag FL) into M (HostConfig.Mounts' shape) */
static int
mount_key (const struct flag *fl, json_t *m, const char *k, const char *v, const char *spec, struct bx_err *e)
{
	int b = 1;

	if (!strcmp (k, "type"))
		json_object_set_new (m, "Type", json_string (v ? v : ""));
	else if (!strcmp (k, "source") || !strcmp (k, "src"))
		json_object_set_new (m, "Source", json_string (v ? v : ""));
	else if (!strcmp (k, "target") || !strcmp (k, "destination") || !strcmp (k, "dst"))
		json_object_set_new (m, "Target", json_string (v ? v : ""));
	else if (!strcmp (k, "readonly") || !strcmp (k, "ro")) {
		if (bool_arg (fl, v, &b, e) < 0)
			return -1;
		json_object_set_new (m, "ReadOnly", json_boolean (b));
	} else if (!strcmp (k, "volume-nocopy")) {
		if (bool_arg (fl, v, &b, e) < 0)
			return -1;
		json_object_set_new (mount_volume_options (m), "NoCopy", json_boolean (b));
	} else if (!strcmp (k, "volume-opt") || !strcmp (k, "volume-label")) {
		mount_volume_kv (m, k[7] == 'o' ? "DriverConfig" : "Labels", v ? v : "");
	} else if (!strcmp (k, "volume-driver")) {
		if (!v || strcmp (v, "local"))
			return err_set (e, BX_USAGE, 0, "error looking up volume plugin %s: plugin \"%s\" not found",
			                v ? v : "", v ? v : "");
	} else if (!strcmp (k, "tmpfs-size") || !strcmp (k, "tmpfs-mode")) {
		json_t *t = json_object_get (m, "TmpfsOptions");
		int64_t n;
		char *end;
		if (!t)
			json_object_set_new (m, "TmpfsOptions", t = json_object ());
		if (k[6] == 's' && human_ram_parse (v ? v : "", &n, e) < 0)
			return err_wrap (e, "invalid argument \"%s\" for \"--mount\" flag", spec);
		if (k[6] == 'm' && (n = strtol (v ? v : "", &end, 8), !v || !*v || *end))
			return err_set (e, BX_USAGE, 0, "invalid argument \"%s\" for \"--mount\" flag: invalid mode",
			                spec);
		json_object_set_new (t, k[6] == 's' ? "SizeBytes" : "Mode", json_integer (n));
	} else if (strcmp (k, "bind-propagation") != 0 || !v || strcmp (v, "rprivate") != 0)
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--mount\" flag: unexpected key '%s' in '%s'", spec, k,
		                spec);
	return 0;
}

/* The next field of a CSV line at *P (Docker reads --mount as CSV:
 * "volume-opt=o=size=1m,uid=1000" quoted keeps its comma), unquoted in
 * place; NULL at the end. */
static char *
csv_field (char **p)
{
	char *start = *p, *r, *w;

	if (!start)
		return NULL;
	if (*start != '"') {
		char *comma = strchr (start, ',');
		*p = comma ? comma + 1 : NULL;
		if (comma)
			*comma = '\0';
		return start;
	}
	for (r = w = start + 1; *r && !(r[0] == '"' && r[1] != '"'); r++)
		*w++ = *r == '"' ? *++r : *r;
	*p = *r && r[1] == ',' ? r + 2 : NULL;
	*w = '\0';
	return start + 1;
}

/* --mount type=bind|volume|tmpfs,source=..,target=..[,readonly] */
static int
add_mount (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	_cleanup_free_ char *s = strdup (arg);
	json_t *m = json_pack ("{s:s}", "Type", "volume");
	char *p = s, *kv;
	const char *type, *target;

	while ((kv = csv_field (&p))) {
		if (!*kv)
			continue;
		char *eq = strchr (kv, '=');
		if (eq)
			*eq = '\0';
		if (mount_key (fl, m, kv, eq ? eq + 1 : NULL, arg, e) < 0)
			return json_decref (m), -1;
	}
	type = json_string_value (json_object_get (m, "Type"));
	target = json_string_value (json_object_get (m, "Target"));
	json_array_append_new (f->mount_specs, m);
	if (strcmp (type, "bind") && strcmp (type, "volume") && strcmp (type, "tmpfs"))
		return err_set (e, BX_USAGE, 0, "invalid argument \"%s\" for \"--mount\" flag: mount type unknown",
		                arg);
	if (!target || !*target)
		return err_set (e, BX_USAGE, 0, "invalid argument \"%s\" for \"--mount\" flag: target is required",
		                arg);
	if (!strcmp (type, "bind") && !json_object_get (m, "Source"))
		return err_set (e, BX_USAGE, 0,
		                "invalid mount config for type \"bind\": field Source must not be empty");
	return 0;
}

/* Docker's namespaced sysctls: IPC ones and the network's */
static int
add_sysctl (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	                                  "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
	const char *eq = strchr (arg, '=');
	char key[256];
	int ok = 0;

	(void)fl;
	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof key)
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--sysctl\" flag: %s is not a valid "
		                "sysctl value",
		                arg, arg);
	snprintf (key, sizeof key, "%.*s", (int)(eq - arg), arg);
	for (size_t i = 0; i < sizeof ipc / sizeof ipc[0]; i++)
		ok |= strcmp (key, ipc[i]) == 0;
	ok |= strncmp (key, "fs.mqueue.", 10) == 0 || strncmp (key, "net.", 4) == 0;
	if (!ok)
		return err_set (e, BX_USAGE, 0, "sysctl '%s' is not allowed", arg);
	json_object_set_new (f->sysctls, key, json_string (eq + 1));
	return 0;
}

/* --ulimit name=soft[:hard] */
static int
add_ulimit (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	static const char *const names[] = {"as",      "core",     "cpu",        "data",   "fsize", "locks",
	                                    "memlock", "msgqueue", "nice",       "nofile", "nproc", "rss",
	                                    "rtprio",  "rttime",   "sigpending", "stack"};
	const char *eq = strchr (arg, '=');
	char name[32], up[48], *end;
	long long soft, hard;
	size_t i;

	(void)fl;
	if (!eq || (size_t)(eq - arg) >= sizeof name)
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--ulimit\" flag: invalid ulimit argument: "
		                "%s",
		                arg, arg);
	snprintf (name, sizeof name, "%.*s", (int)(eq - arg), arg);
	for (i = 0; i < sizeof names / sizeof names[0] && strcmp (names[i], name); i++)
		;
	if (i == sizeof names / sizeof names[0])
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--ulimit\" flag: invalid ulimit type: %s", arg, name);
	soft = strtoll (eq + 1, &end, 10);
	hard = *end == ':' ? strtoll (end + 1, &end, 10) : soft;
	if (*end || !eq[1] || soft > hard)
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--ulimit\" flag: ulimit soft limit must "
		                "be less than or equal to hard limit: %s",
		                arg, arg);
	for (i = 0; name[i]; i++)
		name[i] = (char)(name[i] - 32 * (name[i] >= 'a' && name[i] <= 'z'));
	snprintf (up, sizeof up, "RLIMIT_%s", name);
	for (i = 0; name[i]; i++)
		name[i] = (char)(name[i] + 32 * (name[i] >= 'A' && name[i] <= 'Z'));
	json_array_append_new (f->ulimits, json_pack ("{s:s, s:I, s:I}", "Name", name, "Hard", (json_int_t)hard, "Soft",
	                                              (json_int_t)soft));
	json_array_append_new (
	    f->rlimits, json_pack ("{s:s, s:I, s:I}", "type", up, "hard", (json_int_t)hard, "soft", (json_int_t)soft));
	return 0;
}

/* --device /dev/x[:/dev/y][:rwm] */
static int
add_device (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	return devopts_device (arg, f->devices, f->oci_devices, f->device_rules, e);
}

/* --device-cgroup-rule 'c 1:3 rwm' */
static int
add_device_cgroup_rule (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	return devopts_cgroup_rule (arg, f->device_cgroup_rules, f->oci_cgroup_rules, e);
}

static int
key_cmp (const void *a, const void *b)
{
	return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* CFG's keys in Go's order (sorted), as Docker's inspect shows them */
static int
log_opts_sort (json_t *cfg, struct bx_err *e)
{
	json_t *copy = json_copy (cfg), *v;
	const char **keys = calloc (json_object_size (cfg) + 1, sizeof *keys), *k;
	size_t n = 0;

	if (!copy || !keys) {
		json_decref (copy);
		free (keys);
		return err_set (e, BX_SYSTEM, ENOMEM, "--log-opt");
	}
	json_object_foreach (copy, k, v) keys[n++] = k;
	qsort (keys, n, sizeof *keys, key_cmp);
	json_object_clear (cfg);
	for (size_t i = 0; i < n; i++)
		json_object_set (cfg, keys[i], json_object_get (copy, keys[i]));
	json_decref (copy);
	free (keys);
	return 0;
}

static int
add_log_opt (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	const char *eq = strchr (arg, '=');
	char *k;

	(void)fl;
	if (eq == arg)
		return err_set (e, BX_USAGE, 0, "invalid key/value pair format in logging opts: %s", arg);
	/* the docker client's: "KEY" alone is KEY with an empty value */
	if (!(k = eq ? strndup (arg, (size_t)(eq - arg)) : strdup (arg)))
		return err_set (e, BX_SYSTEM, ENOMEM, "--log-opt");
	json_object_set_new (json_object_get (f->log_config, "Config"), k, json_string (eq ? eq + 1 : ""));
	free (k);
	return log_opts_sort (json_object_get (f->log_config, "Config"), e);
}

static int
set_stop_signal (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	if (ctrsig_parse (arg) < 0)
		return err_set (e, BX_USAGE, 0, "Invalid signal: %s", arg);
	f->stop_signal = arg;
	return 0;
}

static int
set_stop_timeout (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	long long n;

	if (int_arg (fl, arg, &n, e) < 0)
		return -1;
	f->stop_timeout = (int)n, f->has_stop_timeout = 1;
	return 0;
}

static int
set_restart (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	json_decref (f->restart);
	return (f->restart = copts_restart (arg, e)) ? 0 : -1;
}

static int
set_network (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl, (void)e;
	f->network = arg;
	return 0;
}

static int
add_publish (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	return copts_publish (arg, f->exposed, f->bindings, e);
}

static int
add_expose (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	return copts_expose (arg, f->exposed, e);
}

static int
set_ip (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	f->ip = arg;
	if (!copts_is_ip (arg) || strchr (arg, ':'))
		return err_set (e, BX_USAGE, 0, "invalid IPv4 address: %s", arg);
	return 0;
}

static int
add_host (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	char host[256], ip[64];

	(void)fl;
	if (copts_add_host (arg, host, sizeof host, ip, sizeof ip, e) < 0)
		return -1;
	json_array_append_new (f->add_hosts, json_sprintf ("%s:%s", host, ip));
	return 0;
}

static int
add_dns (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	if (!copts_is_ip (arg))
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--dns\" flag: IP address is not "
		                "correctly formatted: %s",
		                arg, arg);
	json_array_append_new (f->dns, json_string (arg));
	return 0;
}

/* --cpuset-cpus, --cpuset-mems */
static int
set_cpuset (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	if (!copts_is_cpuset (arg) || !*arg)
		return err_set (e, BX_USAGE, 0, "invalid value %s for cpuset %s", arg, fl->name + 7);
	*(const char **)field (f, fl) = arg;
	return 0;
}

/* --blkio-weight-device, --device-{read,write}-{bps,iops}: f->blkio[] in this order */
static int
add_blkio (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	static const char *const names[] = {"blkio-weight-device", "device-read-bps", "device-write-bps",
	                                    "device-read-iops", "device-write-iops"};
	size_t k = 0;

	while (strcmp (names[k], fl->name) != 0)
		k++;
	if (copts_blkio_device (arg, k == 0 ? 0 : k < 3 ? 1 : 2, f->blkio[k], e) < 0)
		return err_wrap (e, "invalid argument \"%s\" for \"%s\" flag", arg, flag_name (fl));
	return 0;
}

/* Docker 20.10 took the flag and warned; box refuses it in the same words */
static int
refuse_kernel_memory (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)f, (void)fl, (void)arg;
	return err_set (e, BX_USAGE, 0,
	                "--kernel-memory: Specifying a kernel memory limit is deprecated and will be removed in a "
	                "future release.");
}

/* --cidfile: a file that must not exist yet (Docker's rule) */
static int
set_cidfile (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl;
	if (access (arg, F_OK) == 0)
		return err_set (e, BX_USAGE, 0,
		                "container ID file found, make sure the other container isn't "
		                "running or delete %s",
		                arg);
	f->cidfile = arg;
	return 0;
}

static int
set_log_driver (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	(void)fl, (void)e;
	json_object_set_new (f->log_config, "Type", json_string (arg));
	return 0;
}

static int
set_oom_score_adj (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	long long n;

	if (int_arg (fl, arg, &n, e) < 0)
		return -1;
	if (n < -1000 || n > 1000)
		return err_set (e, BX_USAGE, 0, "Invalid value %lld, range for oom score adj is [-1000, 1000]", n);
	f->oom_score_adj = (int)n, f->has_oom_score_adj = 1;
	return 0;
}

static int
set_mac_address (struct ctrflags *f, const struct flag *fl, const char *arg, struct bx_err *e)
{
	unsigned b[6];
	int n = 0;

	(void)fl;
	if (strlen (arg) != 17 ||
	    sscanf (arg, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 || n != 17)
		return err_set (e, BX_USAGE, 0, "%s is not a valid mac address", arg);
	f->mac_address = arg;
	return 0;
}

/* Every flag ctr-create takes; --flags lists docker create's in this
 * order. getopt_long takes a unique prefix of a long name, as before. */
static const struct flag flags[] = {
    {"root", 0, VALUE, 1, set_str, AT (root)},
    {"name", 0, VALUE, 0, set_str, AT (name)},
    {"env", 'e', VALUE, 0, add_env, 0},
    {"env-file", 0, VALUE, 0, add_env_file, 0},
    {"workdir", 'w', VALUE, 0, set_str, AT (workdir)},
    {"user", 'u', VALUE, 0, set_str, AT (user)},
    {"entrypoint", 0, VALUE, 0, set_entrypoint, 0},
    {"label", 'l', VALUE, 0, add_label, 0},
    {"label-file", 0, VALUE, 0, add_label_file, 0},
    {"annotation", 0, VALUE, 0, add_annotation, 0},
    {"hostname", 'h', VALUE, 0, set_str, AT (hostname)},
    {"read-only", 0, BOOL, 0, set_bool, AT (read_only)},
    {"volume", 'v', VALUE, 0, add_str, AT (binds)},
    {"mount", 0, VALUE, 0, add_mount, 0},
    {"tmpfs", 0, VALUE, 0, add_tmpfs, 0},
    {"memory", 'm', VALUE, 0, set_size, AT (memory)},
    {"memory-swap", 0, VALUE, 0, set_memory_swap, AT (memory_swap)},
    {"cpus", 0, VALUE, 0, set_cpus, 0},
    {"pids-limit", 0, VALUE, 0, set_int, AT (pids_limit)},
    {"cap-add", 0, VALUE, 0, add_cap, 0},
    {"cap-drop", 0, VALUE, 0, drop_cap, 0},
    {"privileged", 0, BOOL, 0, set_bool, AT (privileged)},
    {"security-opt", 0, VALUE, 0, add_security_opt, 0},
    {"init", 0, BOOL, 0, set_bool, AT (init)},
    {"stop-signal", 0, VALUE, 0, set_stop_signal, 0},
    {"stop-timeout", 0, VALUE, 0, set_stop_timeout, 0},
    {"tty", 't', BOOL, 0, set_bool, AT (tty)},
    {"interactive", 'i', BOOL, 0, set_bool, AT (interactive)},
    {"attach", 'a', VALUE, 0, add_attach, 0},
    {"detached", 0, BOOL, 0, set_bool, AT (detach)},
    {"rm", 0, BOOL, 0, set_bool, AT (auto_remove)},
    {"restart", 0, VALUE, 0, set_restart, 0},
    {"network", 0, VALUE, 0, set_network, 0},
    {"net", 0, VALUE, 0, set_network, 0},
    {"publish", 'p', VALUE, 0, add_publish, 0},
    {"publish-all", 'P', BOOL, 0, set_bool, AT (publish_all)},
    {"ip", 0, VALUE, 0, set_ip, 0},
    {"network-alias", 0, VALUE, 0, add_str, AT (aliases)},
    {"add-host", 0, VALUE, 0, add_host, 0},
    {"dns", 0, VALUE, 0, add_dns, 0},
    {"expose", 0, VALUE, 0, add_expose, 0},
    {"help", 0, NOTHING, 1, ask_help, 0},
    {"shm-size", 0, VALUE, 0, set_size, AT (shm_size)},
    {"group-add", 0, VALUE, 0, add_str, AT (group_add)},
    {"sysctl", 0, VALUE, 0, add_sysctl, 0},
    {"cpu-shares", 'c', VALUE, 0, set_int, AT (cpu_shares)},
    {"cpuset-cpus", 0, VALUE, 0, set_cpuset, AT (cpuset_cpus)},
    {"cpuset-mems", 0, VALUE, 0, set_cpuset, AT (cpuset_mems)},
    {"ulimit", 0, VALUE, 0, add_ulimit, 0},
    {"pid", 0, VALUE, 0, set_ns_mode, AT (pid_mode)},
    {"ipc", 0, VALUE, 0, set_ns_mode, AT (ipc_mode)},
    {"uts", 0, VALUE, 0, set_ns_mode, AT (uts_mode)},
    {"cgroupns", 0, VALUE, 0, set_ns_mode, AT (cgroupns_mode)},
    {"userns", 0, VALUE, 0, set_userns, 0},
    {"uidmap", 0, VALUE, 0, add_idmap, AT (uidmap)},
    {"gidmap", 0, VALUE, 0, add_idmap, AT (gidmap)},
    {"domainname", 0, VALUE, 0, set_str, AT (domainname)},
    {"cidfile", 0, VALUE, 0, set_cidfile, 0},
    {"device", 0, VALUE, 0, add_device, 0},
    {"device-cgroup-rule", 0, VALUE, 0, add_device_cgroup_rule, 0},
    {"log-driver", 0, VALUE, 0, set_log_driver, 0},
    {"log-opt", 0, VALUE, 0, add_log_opt, 0},
    {"dns-search", 0, VALUE, 0, add_str, AT (dns_search)},
    {"dns-option", 0, VALUE, 0, add_str, AT (dns_options)},
    {"cpu-quota", 0, VALUE, 0, set_int, AT (cpu_quota)},
    {"cpu-period", 0, VALUE, 0, set_int, AT (cpu_period)},
    {"memory-reservation", 0, VALUE, 0, set_size, AT (memory_reservation)},
    {"oom-kill-disable", 0, BOOL, 0, set_bool, AT (oom_kill_disable)},
    {"memory-swappiness", 0, VALUE, 0, set_int, AT (memory_swappiness)},
    {"kernel-memory", 0, VALUE, 0, refuse_kernel_memory, 0},
    {"cpu-rt-period", 0, VALUE, 0, set_int, AT (cpu_rt_period)},
    {"cpu-rt-runtime", 0, VALUE, 0, set_int, AT (cpu_rt_runtime)},
    {"cgroup-parent", 0, VALUE, 0, set_str, AT (cgroup_parent)},
    {"blkio-weight", 0, VALUE, 0, set_int, AT (blkio_weight)},
    {"blkio-weight-device", 0, VALUE, 0, add_blkio, 0},
    {"device-read-bps", 0, VALUE, 0, add_blkio, 0},
    {"device-write-bps", 0, VALUE, 0, add_blkio, 0},
    {"device-read-iops", 0, VALUE, 0, add_blkio, 0},
    {"device-write-iops", 0, VALUE, 0, add_blkio, 0},
    {"oom-score-adj", 0, VALUE, 0, set_oom_score_adj, 0},
    {"mac-address", 0, VALUE, 0, set_mac_address, 0},
    {"volumes-from", 0, VALUE, 0, add_str, AT (volumes_from)},
    {"health-cmd", 0, VALUE, 0, set_str, AT (health_cmd)},
    {"health-interval", 0, VALUE, 0, set_duration, AT (health_interval)},
    {"health-timeout", 0, VALUE, 0, set_duration, AT (health_timeout)},
    {"health-start-period", 0, VALUE, 0, set_duration, AT (health_start_period)},
    {"health-start-interval", 0, VALUE, 0, set_duration, AT (health_start_interval)},
    {"health-retries", 0, VALUE, 0, set_int, AT (health_retries)},
    {"no-healthcheck", 0, BOOL, 0, set_bool, AT (no_healthcheck)},
    {"pull", 0, VALUE, 0, set_pull, 0},
    {"quiet", 'q', BOOL, 0, set_bool, AT (quiet)},
    {"flags", 0, NOTHING, 1, ask_flags, 0},
    {"value-flags", 0, NOTHING, 1, ask_value_flags, 0},
    {"update", 0, NOTHING, 1, ask_update, 0},
    {"no-sync", 0, BOOL, 1, set_bool, AT (no_sync)},
};

/* docker update's flags (Docker 20.10), parsed by the rows above */
static const char *const update_flags[] = {"blkio-weight",   "cpu-period",    "cpu-quota", "cpu-rt-period",
                                           "cpu-rt-runtime", "cpu-shares",    "cpus",      "cpuset-cpus",
                                           "cpuset-mems",    "kernel-memory", "memory",    "memory-reservation",
                                           "memory-swap",    "pids-limit",    "restart",   NULL};

int
ctrflags_is_update (const char *name)
{
	for (size_t i = 0; update_flags[i]; i++)
		if (!strcmp (update_flags[i], name))
			return 1;
	return 0;
}

#define NFLAGS (sizeof flags / sizeof flags[0])

/* getopt_long's tables, made from ours: a long option's val is 256 + its
 * row, a letter stands for itself */
static void
getopt_tables (struct option *longopts, char *shortopts)
{
	char *s = shortopts;

	*s++ = '+'; /* IMAGE ends the flags: the command's own follow */
	*s++ = ':'; /* a missing value: ':', not '?' */
	for (size_t i = 0; i < NFLAGS; i++) {
		longopts[i] = (struct option){flags[i].name, (int)flags[i].takes, NULL, 256 + (int)i};
		if (flags[i].letter) {
			*s++ = flags[i].letter;
			if (flags[i].takes == VALUE)
				*s++ = ':';
		}
	}
	longopts[NFLAGS] = (struct option){0, 0, 0, 0};
	*s = '\0';
}

/* the row getopt_long's answer CH stands for; NULL: a bad flag */
static const struct flag *
flag_of (int ch)
{
	if (ch >= 256)
		return &flags[ch - 256];
	for (size_t i = 0; i < NFLAGS; i++)
		if (flags[i].letter == ch)
			return &flags[i];
	return NULL;
}

/* pflag's words for a flag it does not know or that lacks its value */
static int
bad_flag (int argc, char **argv, int missing, struct bx_err *e)
{
	const char *arg = argv[optind - 1 < argc ? optind - 1 : argc - 1];

	/* a short flag inside a group ("-tx") leaves optind on that group */
	if (optind < argc && argv[optind][0] == '-' && argv[optind][1] != '-' && optopt &&
	    strchr (argv[optind], optopt))
		arg = argv[optind];
	if (arg[0] == '-' && arg[1] == '-') {
		int n = (int)strcspn (arg, "=");
		if (missing)
			return err_set (e, BX_USAGE, 0, "flag needs an argument: %.*s", n, arg);
		return err_set (e, BX_USAGE, 0, "unknown flag: %.*s", n, arg);
	}
	if (missing)
		return err_set (e, BX_USAGE, 0, "flag needs an argument: '%c' in -%c", optopt, optopt);
	return err_set (e, BX_USAGE, 0, "unknown shorthand flag: '%c' in %s", optopt, arg);
}

/* Resource limits Docker refuses, alone or together. */
static int
limits_check (const struct ctrflags *f, struct bx_err *e)
{
	if (f->nano_cpus && f->cpu_period)
		return err_set (e, BX_USAGE, 0, "Conflicting options: Nano CPUs and CPU Period cannot both be set");
	if (f->nano_cpus && f->cpu_quota)
		return err_set (e, BX_USAGE, 0, "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
	if (f->cpu_period && (f->cpu_period < 1000 || f->cpu_period > 1000000))
		return err_set (e, BX_USAGE, 0,
		                "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
	if (f->cpu_quota > 0 && f->cpu_quota < 1000)
		return err_set (e, BX_USAGE, 0, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
	if (f->memory > 0 && f->memory_reservation > f->memory)
		return err_set (e, BX_USAGE, 0,
		                "Minimum memory limit can not be less than memory reservation limit, see usage");
	if (f->memory > 0 && f->memory < 6 * 1024 * 1024)
		return err_set (e, BX_USAGE, 0, "Minimum memory limit allowed is 6MB");
	if (f->memory_swap > 0 && f->memory == 0)
		return err_set (e, BX_USAGE, 0,
		                "You should always set the Memory limit when using Memoryswap limit, see usage");
	if (f->memory_swap > 0 && f->memory_swap < f->memory)
		return err_set (e, BX_USAGE, 0,
		                "Minimum memoryswap limit should be larger than memory limit, see usage");
	if (f->memory_swappiness != -1 && (f->memory_swappiness < 0 || f->memory_swappiness > 100))
		return err_set (e, BX_USAGE, 0, "Invalid value: %lld, valid memory swappiness range is 0-100",
		                (long long)f->memory_swappiness);
	if (f->blkio_weight && (f->blkio_weight < 10 || f->blkio_weight > 1000))
		return err_set (e, BX_USAGE, 0, "Range of blkio weight is from 10 to 1000");
	if (f->cpu_rt_runtime && f->cpu_rt_period && f->cpu_rt_period < f->cpu_rt_runtime)
		return err_set (e, BX_USAGE, 0, "cpu real-time runtime cannot be higher than cpu real-time period");
	if (f->cgroup_parent && (strstr (f->cgroup_parent, "..") || strlen (f->cgroup_parent) > 160))
		return err_set (e, BX_USAGE, 0, "invalid cgroup parent: %s", f->cgroup_parent);
	return 0;
}

/* --sysctl keys a namespace shared with the host refuses: the network's
 * (NET) or all the others */
static int
sysctls_refused (const struct ctrflags *f, int net, const char *ns, struct bx_err *e)
{
	const char *k;
	json_t *v;

	json_object_foreach (f->sysctls, k, v)
	{
		if ((strncmp (k, "net.", 4) == 0) == net)
			return err_set (e, BX_USAGE, 0, "sysctl '%s=%s' not allowed in host %s namespace", k,
			                json_string_value (v), ns);
	}
	return 0;
}

/* Namespace modes Docker refuses with other flags. */
static int
modes_check (const struct ctrflags *f, struct bx_err *e)
{
	int container_net = strncmp (f->network, "container:", 10) == 0;

	if (container_net && f->hostname)
		return err_set (e, BX_USAGE, 0, "conflicting options: hostname and the network mode");
	if (container_net && (json_object_size (f->bindings) || f->publish_all))
		return err_set (e, BX_USAGE, 0,
		                "conflicting options: port publishing and the container type network mode");
	if ((container_net || !strcmp (f->network, "host")) &&
	    (json_array_size (f->dns) || json_array_size (f->dns_search) || json_array_size (f->dns_options)))
		return err_set (e, BX_USAGE, 0, "conflicting options: dns and the network mode");
	if (f->uts_mode && !strcmp (f->uts_mode, "host") && f->hostname)
		return err_set (e, BX_USAGE, 0, "conflicting options: hostname and the UTS mode");
	if (!strcmp (f->network, "host") && sysctls_refused (f, 1, "network", e) < 0)
		return -1;
	if (f->ipc_mode && !strcmp (f->ipc_mode, "host") && sysctls_refused (f, 0, "IPC", e) < 0)
		return -1;
	return 0;
}

/* --userns against the explicit maps; one map given stands for both,
 * as Podman takes it */
static int
userns_check (struct ctrflags *f, struct bx_err *e)
{
	if (f->userns && *f->userns && (f->uidmap.n || f->gidmap.n))
		return err_set (e, BX_USAGE, 0, "conflicting options: --userns and --uidmap/--gidmap");
	if (f->uidmap.n && !f->gidmap.n)
		f->gidmap = f->uidmap;
	else if (f->gidmap.n && !f->uidmap.n)
		f->uidmap = f->gidmap;
	if (f->privileged && ((f->userns && !strncmp (f->userns, "auto", 4)) || f->uidmap.n))
		return err_set (e, BX_USAGE, 0,
		                "privileged mode is incompatible with user namespaces.  You must run the container in "
		                "the host namespace when running privileged mode");
	return 0;
}

/* The docker client's checks of --health-*, in its order */
static int
health_check (const struct ctrflags *f, struct bx_err *e)
{
	const struct {
		const char *flag;
		int64_t v;
	} h[] = {{"interval", f->health_interval},
	         {"timeout", f->health_timeout},
	         {"retries", f->health_retries},
	         {"start-period", f->health_start_period},
	         {"start-interval", f->health_start_interval}};
	const size_t n = sizeof h / sizeof h[0];
	int any = f->health_cmd != NULL;

	for (size_t i = 0; i < n; i++)
		any |= h[i].v != 0;
	if (f->no_healthcheck && any)
		return err_set (e, BX_USAGE, 0, "--no-healthcheck conflicts with --health-* options");
	for (size_t i = 0; i < n; i++)
		if (h[i].v < 0)
			return err_set (e, BX_USAGE, 0, "--health-%s cannot be negative", h[i].flag);
	return 0;
}

/* The daemon's check of them (validateHealthCheck): 1ms at least */
static int
health_limits_check (const struct ctrflags *f, struct bx_err *e)
{
	const struct {
		const char *field;
		int64_t v;
	} h[] = {{"Interval", f->health_interval},
	         {"Timeout", f->health_timeout},
	         {"StartPeriod", f->health_start_period},
	         {"StartInterval", f->health_start_interval}};

	for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
		if (h[i].v && h[i].v < 1000000)
			return err_set (e, BX_USAGE, 0, "%s in Healthcheck cannot be less than 1ms", h[i].field);
	return 0;
}

/* Combinations Docker's client refuses (its runconfig parse). */
static int
client_check (const struct ctrflags *f, struct bx_err *e)
{
	const char *restart = json_string_value (json_object_get (f->restart, "Name"));
	const char *log = json_string_value (json_object_get (f->log_config, "Type"));
	struct logcfg none;

	if (f->auto_remove && restart && *restart && strcmp (restart, "no") != 0)
		return err_set (e, BX_USAGE, 0, "Conflicting options: --restart and --rm");
	/* the driver none's one check (no options) is the client's */
	if (log && !strcmp (log, "none") && logcfg_parse (f->log_config, &none, e) < 0)
		return -1;
	return health_check (f, e);
}

/* The log driver alone, as Docker's daemon looks it up at create */
static int
log_driver_check (const struct ctrflags *f, struct bx_err *e)
{
	json_t *driver = json_pack ("{s:O?}", "Type", json_object_get (f->log_config, "Type"));
	struct logcfg log;
	int rc = driver ? logcfg_parse (driver, &log, e) : err_set (e, BX_SYSTEM, ENOMEM, "--log-driver");

	json_decref (driver);
	return rc;
}

/* Values and combinations Docker's daemon refuses: at create, or
 * (CTRFLAGS_REFUSED_START) the log driver's options, which Docker checks
 * at start and box at once */
static int
daemon_check (struct ctrflags *f, struct bx_err *e)
{
	struct logcfg log;

	if (f->workdir && f->workdir[0] != '/')
		return err_set (e, BX_USAGE, 0,
		                "the working directory '%s' is invalid, it needs to be an absolute path", f->workdir),
		       CTRFLAGS_REFUSED;
	if (limits_check (f, e) < 0 || copts_restart_check (f->restart, e) < 0 || modes_check (f, e) < 0 ||
	    health_limits_check (f, e) < 0 || userns_check (f, e) < 0 || (f->name && ctrname_check (f->name, e) < 0) ||
	    log_driver_check (f, e) < 0)
		return CTRFLAGS_REFUSED;
	if (logcfg_parse (f->log_config, &log, e) < 0)
		return CTRFLAGS_REFUSED_START;
	return CTRFLAGS_CREATE;
}

void
ctrflags_init (struct ctrflags *f)
{
	json_t **lists[] = {
	    &f->env_flags,       &f->env_files,    &f->binds,      &f->mount_specs,  &f->volumes_from,
	    &f->group_add,       &f->ulimits,      &f->rlimits,    &f->devices,      &f->oci_devices,
	    &f->cap_add,         &f->device_rules, &f->cap_drop,   &f->security_opt, &f->aliases,
	    &f->add_hosts,       &f->dns,          &f->dns_search, &f->dns_options,  &f->device_cgroup_rules,
	    &f->oci_cgroup_rules};
	json_t **objects[] = {&f->labels,  &f->label_files, &f->tmpfs,      &f->sysctls,
	                      &f->exposed, &f->bindings,    &f->annotations};

	*f = (struct ctrflags){.network = "default", .memory_swappiness = -1};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		*lists[i] = json_array ();
	for (size_t i = 0; i < 5; i++)
		f->blkio[i] = json_array ();
	f->given = json_object ();
	for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++)
		*objects[i] = json_object ();
	f->log_config = json_pack ("{s:s, s:{}}", "Type", "json-file", "Config");
}

void
ctrflags_free (struct ctrflags *f)
{
	json_t *all[] = {f->env_flags,
	                 f->env_files,
	                 f->labels,
	                 f->label_files,
	                 f->mount_specs,
	                 f->volumes_from,
	                 f->binds,
	                 f->tmpfs,
	                 f->cap_add,
	                 f->cap_drop,
	                 f->security_opt,
	                 f->exposed,
	                 f->bindings,
	                 f->aliases,
	                 f->add_hosts,
	                 f->dns,
	                 f->dns_search,
	                 f->dns_options,
	                 f->group_add,
	                 f->sysctls,
	                 f->ulimits,
	                 f->rlimits,
	                 f->devices,
	                 f->oci_devices,
	                 f->device_rules,
	                 f->log_config,
	                 f->restart,
	                 f->seccomp_profile,
	                 f->device_cgroup_rules,
	                 f->oci_cgroup_rules};

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		json_decref (all[i]);
	for (size_t i = 0; i < 5; i++)
		json_decref (f->blkio[i]);
	json_decref (f->given);
	json_decref (f->annotations);
}

/* --update: docker update's flags only, at least one, and a container */
static int
update_check (struct ctrflags *f, int argc, char **argv, struct bx_err *e)
{
	const char *k;
	json_t *v;
	int n = 0;

	json_object_foreach (f->given, k, v)
	{
		if (!strcmp (k, "root") || !strcmp (k, "update"))
			continue;
		if (!ctrflags_is_update (k))
			return err_set (e, BX_USAGE, 0, "unknown flag: --%s", k);
		n++;
	}
	if (optind >= argc)
		return err_set (e, BX_USAGE, 0, "\"update\" requires at least 1 argument");
	if (!n) /* the docker client's own words, exit 1 */
		return err_set (e, BX_FAIL, 0, "you must provide one or more flags when using this command");
	f->cmd = argv + optind;
	f->ncmd = argc - optind;
	/* the daemon's checks */
	if (limits_check (f, e) < 0 || copts_restart_check (f->restart, e) < 0)
		return CTRFLAGS_REFUSED;
	return CTRFLAGS_UPDATE;
}

int
ctrflags_parse (struct ctrflags *f, int argc, char **argv, struct bx_err *e)
{
	struct option longopts[NFLAGS + 1];
	char shortopts[2 * NFLAGS + 3];
	const struct flag *fl;
	int ch;

	getopt_tables (longopts, shortopts);
	opterr = 0;
	while ((ch = getopt_long (argc, argv, shortopts, longopts, NULL)) != -1) {
		if (!(fl = flag_of (ch)))
			return bad_flag (argc, argv, ch == ':', e);
		if (fl->set (f, fl, optarg, e) < 0)
			return -1;
		json_object_set_new (f->given, fl->name, json_true ());
		if (f->ask != CTRFLAGS_CREATE && f->ask != CTRFLAGS_UPDATE)
			return (int)f->ask;
	}
	if (f->ask == CTRFLAGS_UPDATE)
		return update_check (f, argc, argv, e);
	if (optind >= argc)
		return err_set (e, BX_USAGE, 0, "\"create\" requires at least 1 argument");
	f->image = argv[optind];
	f->cmd = argv + optind + 1;
	f->ncmd = argc - optind - 1;
	return client_check (f, e) < 0 ? -1 : daemon_check (f, e);
}

int
ctrflags_print (FILE *out, int values)
{
	for (size_t i = 0; i < NFLAGS; i++) {
		if (flags[i].own || (values && flags[i].takes != VALUE))
			continue;
		if (flags[i].letter)
			fprintf (out, "-%c\n", flags[i].letter);
		fprintf (out, "--%s\n", flags[i].name);
	}
	return fflush (out) == EOF || ferror (out) ? -1 : 0;
}
