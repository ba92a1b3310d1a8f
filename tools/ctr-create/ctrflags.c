/* ctrflags - `docker create` flags into a struct ccfg (ctrcfg.h) */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "copts.h"
#include "ctrcfg.h"
#include "runtime/ctrname.h"

enum {
	O_ROOT = 256,
	O_NAME,
	O_ENV_FILE,
	O_ENTRYPOINT,
	O_LABEL_FILE,
	O_READ_ONLY,
	O_MOUNT,
	O_TMPFS,
	O_MEMORY_SWAP,
	O_CPUS,
	O_PIDS_LIMIT,
	O_CAP_ADD,
	O_CAP_DROP,
	O_PRIVILEGED,
	O_SECURITY_OPT,
	O_INIT,
	O_STOP_SIGNAL,
	O_STOP_TIMEOUT,
	O_RM,
	O_RESTART,
	O_NETWORK,
	O_IP,
	O_NETWORK_ALIAS,
	O_ADD_HOST,
	O_DNS,
	O_EXPOSE,
	O_HELP,
	O_SHM_SIZE,
	O_GROUP_ADD,
	O_SYSCTL,
	O_CPUSET_CPUS,
	O_ULIMIT,
	O_PID,
	O_IPC,
	O_UTS,
	O_CGROUPNS,
	O_DOMAINNAME,
	O_CIDFILE,
	O_DEVICE,
	O_LOG_DRIVER,
	O_LOG_OPT,
	O_DNS_SEARCH,
	O_DNS_OPTION,
	O_CPU_QUOTA,
	O_CPU_PERIOD,
	O_MEMORY_RESERVATION,
	O_OOM_KILL_DISABLE,
	O_OOM_SCORE_ADJ,
	O_MAC_ADDRESS,
	O_VOLUMES_FROM,
};

static const struct option longopts[] = {
    {"root", required_argument, NULL, O_ROOT},
    {"name", required_argument, NULL, O_NAME},
    {"env", required_argument, NULL, 'e'},
    {"env-file", required_argument, NULL, O_ENV_FILE},
    {"workdir", required_argument, NULL, 'w'},
    {"user", required_argument, NULL, 'u'},
    {"entrypoint", required_argument, NULL, O_ENTRYPOINT},
    {"label", required_argument, NULL, 'l'},
    {"label-file", required_argument, NULL, O_LABEL_FILE},
    {"hostname", required_argument, NULL, 'h'},
    {"read-only", optional_argument, NULL, O_READ_ONLY},
    {"volume", required_argument, NULL, 'v'},
    {"mount", required_argument, NULL, O_MOUNT},
    {"tmpfs", required_argument, NULL, O_TMPFS},
    {"memory", required_argument, NULL, 'm'},
    {"memory-swap", required_argument, NULL, O_MEMORY_SWAP},
    {"cpus", required_argument, NULL, O_CPUS},
    {"pids-limit", required_argument, NULL, O_PIDS_LIMIT},
    {"cap-add", required_argument, NULL, O_CAP_ADD},
    {"cap-drop", required_argument, NULL, O_CAP_DROP},
    {"privileged", optional_argument, NULL, O_PRIVILEGED},
    {"security-opt", required_argument, NULL, O_SECURITY_OPT},
    {"init", optional_argument, NULL, O_INIT},
    {"stop-signal", required_argument, NULL, O_STOP_SIGNAL},
    {"stop-timeout", required_argument, NULL, O_STOP_TIMEOUT},
    {"tty", optional_argument, NULL, 't'},
    {"interactive", optional_argument, NULL, 'i'},
    {"rm", optional_argument, NULL, O_RM},
    {"restart", required_argument, NULL, O_RESTART},
    {"network", required_argument, NULL, O_NETWORK},
    {"net", required_argument, NULL, O_NETWORK},
    {"publish", required_argument, NULL, 'p'},
    {"publish-all", optional_argument, NULL, 'P'},
    {"ip", required_argument, NULL, O_IP},
    {"network-alias", required_argument, NULL, O_NETWORK_ALIAS},
    {"add-host", required_argument, NULL, O_ADD_HOST},
    {"dns", required_argument, NULL, O_DNS},
    {"expose", required_argument, NULL, O_EXPOSE},
    {"help", no_argument, NULL, O_HELP},
    {"shm-size", required_argument, NULL, O_SHM_SIZE},
    {"group-add", required_argument, NULL, O_GROUP_ADD},
    {"sysctl", required_argument, NULL, O_SYSCTL},
    {"cpu-shares", required_argument, NULL, 'c'},
    {"cpuset-cpus", required_argument, NULL, O_CPUSET_CPUS},
    {"ulimit", required_argument, NULL, O_ULIMIT},
    {"pid", required_argument, NULL, O_PID},
    {"ipc", required_argument, NULL, O_IPC},
    {"uts", required_argument, NULL, O_UTS},
    {"cgroupns", required_argument, NULL, O_CGROUPNS},
    {"domainname", required_argument, NULL, O_DOMAINNAME},
    {"cidfile", required_argument, NULL, O_CIDFILE},
    {"device", required_argument, NULL, O_DEVICE},
    {"log-driver", required_argument, NULL, O_LOG_DRIVER},
    {"log-opt", required_argument, NULL, O_LOG_OPT},
    {"dns-search", required_argument, NULL, O_DNS_SEARCH},
    {"dns-option", required_argument, NULL, O_DNS_OPTION},
    {"cpu-quota", required_argument, NULL, O_CPU_QUOTA},
    {"cpu-period", required_argument, NULL, O_CPU_PERIOD},
    {"memory-reservation", required_argument, NULL, O_MEMORY_RESERVATION},
    {"oom-kill-disable", optional_argument, NULL, O_OOM_KILL_DISABLE},
    {"oom-score-adj", required_argument, NULL, O_OOM_SCORE_ADJ},
    {"mac-address", required_argument, NULL, O_MAC_ADDRESS},
    {"volumes-from", required_argument, NULL, O_VOLUMES_FROM},
    {0, 0, 0, 0},
};

/* the flag's name as Docker prints it in value errors: "-m, --memory" */
static const char *
flag_name (int c)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == c) {
			static char buf[64];
			if (c < 256)
				snprintf (buf, sizeof buf, "-%c, --%s", c, o->name);
			else
				snprintf (buf, sizeof buf, "--%s", o->name);
			return buf;
		}
	return "?";
}

/* pflag's bool values: --rm, --rm=true, --rm=false */
static int
bool_arg (int c, const char *arg, int *out, struct bx_err *e)
{
	if (!arg || strcmp (arg, "true") == 0 || strcmp (arg, "1") == 0 || strcasecmp (arg, "t") == 0)
		*out = 1;
	else if (strcmp (arg, "false") == 0 || strcmp (arg, "0") == 0 || strcasecmp (arg, "f") == 0)
		*out = 0;
	else
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: parsing "
		                "\"%s\": invalid syntax",
		                arg, flag_name (c), arg);
	return 0;
}

static int
int_arg (int c, const char *arg, long long *out, struct bx_err *e)
{
	char *end;

	errno = 0;
	*out = strtoll (arg, &end, 10);
	if (!*arg || *end || errno)
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: parsing "
		                "\"%s\": invalid syntax",
		                arg, flag_name (c), arg);
	return 0;
}

static int
size_arg (int c, const char *arg, int64_t *out, struct bx_err *e)
{
	if (copts_ram (arg, out, e) < 0)
		return err_wrap (e, "invalid argument \"%s\" for \"%s\" flag", arg, flag_name (c));
	return 0;
}

static int
cap_arg (struct ccfg *c, const char *arg, int add, struct bx_err *e)
{
	char norm[64];
	int n = caps_parse (arg, e);

	if (n < 0)
		return -1;
	caps_normal (n, norm, sizeof norm);
	json_array_append_new (add ? c->cap_add : c->cap_drop, json_string (norm));
	if (n == CAPS_ALL)
		*(add ? &c->capreq.add_all : &c->capreq.drop_all) = 1;
	else
		*(add ? &c->capreq.add : &c->capreq.drop) |= (capset_t)1 << n;
	return 0;
}

/* Docker's parseSecurityOpts: a seccomp FILE is read now and kept as JSON */
static int
security_opt (struct ccfg *c, const char *arg, struct bx_err *e)
{
	const char *eq = strpbrk (arg, "=:");
	const char *val = eq ? eq + 1 : "";
	size_t klen = eq ? (size_t)(eq - arg) : strlen (arg);

	if (strncmp (arg, "no-new-privileges", klen) == 0 && klen == 17) {
		int v = 1;
		if (eq && bool_arg (O_SECURITY_OPT, val, &v, e) < 0)
			return err_set (e, BX_USAGE, 0, "invalid --security-opt 2: \"%s\"", arg);
		c->no_new_privs = v;
	} else if (klen == 7 && strncmp (arg, "seccomp", 7) == 0 && *val) {
		if (strcmp (val, "unconfined") == 0) {
			c->seccomp_unconfined = 1;
		} else {
			_cleanup_free_ char *buf = NULL, *compact = NULL;
			json_error_t je;
			if (afile_slurp_at (AT_FDCWD, val, &buf, NULL, e) < 0)
				return e->code = BX_USAGE, err_wrap (e, "opening seccomp profile (%s) failed", val);
			json_decref (c->seccomp_profile);
			if (!(c->seccomp_profile = json_loads (buf, 0, &je)) || !json_is_object (c->seccomp_profile))
				return err_set (e, BX_USAGE, 0, "decoding seccomp profile failed: %s: %s", val,
				                je.text);
			compact = json_dumps (c->seccomp_profile, JSON_COMPACT);
			json_array_append_new (c->security_opt, json_sprintf ("seccomp=%s", compact ? compact : ""));
			return 0;
		}
	} else if (klen == 11 && strncmp (arg, "systempaths", 11) == 0 && strcmp (val, "unconfined") == 0) {
		c->systempaths_unconfined = 1;
	} else if (!((klen == 8 && strncmp (arg, "apparmor", 8) == 0) ||
	             (klen == 5 && strncmp (arg, "label", 5) == 0)) ||
	           !*val)
		return err_set (e, BX_USAGE, 0, "invalid --security-opt 2: \"%s\"", arg);
	json_array_append_new (c->security_opt, json_string (arg));
	return 0;
}

static int
tmpfs_arg (struct ccfg *c, const char *arg)
{
	const char *colon = strchr (arg, ':');
	char *path = strndup (arg, colon ? (size_t)(colon - arg) : strlen (arg));

	if (!path)
		return -1;
	json_object_set_new (c->tmpfs, path, json_string (colon ? colon + 1 : ""));
	free (path);
	return 0;
}

/* one key=value of --mount into M (HostConfig.Mounts' shape) */
static int
mount_key (json_t *m, const char *k, const char *v, const char *spec, struct bx_err *e)
{
	int b = 1;

	if (!strcmp (k, "type"))
		json_object_set_new (m, "Type", json_string (v ? v : ""));
	else if (!strcmp (k, "source") || !strcmp (k, "src"))
		json_object_set_new (m, "Source", json_string (v ? v : ""));
	else if (!strcmp (k, "target") || !strcmp (k, "destination") || !strcmp (k, "dst"))
		json_object_set_new (m, "Target", json_string (v ? v : ""));
	else if (!strcmp (k, "readonly") || !strcmp (k, "ro")) {
		if (bool_arg (O_MOUNT, v, &b, e) < 0)
			return -1;
		json_object_set_new (m, "ReadOnly", json_boolean (b));
	} else if (!strcmp (k, "volume-nocopy")) {
		if (bool_arg (O_MOUNT, v, &b, e) < 0)
			return -1;
		json_object_set_new (m, "VolumeOptions", json_pack ("{s:b}", "NoCopy", b));
	} else if (!strcmp (k, "tmpfs-size") || !strcmp (k, "tmpfs-mode")) {
		json_t *t = json_object_get (m, "TmpfsOptions");
		int64_t n;
		char *end;
		if (!t)
			json_object_set_new (m, "TmpfsOptions", t = json_object ());
		if (k[6] == 's' && copts_ram (v ? v : "", &n, e) < 0)
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

/* --mount type=bind|volume|tmpfs,source=..,target=..[,readonly] */
static int
mount_arg (struct ccfg *c, const char *arg, struct bx_err *e)
{
	_cleanup_free_ char *s = strdup (arg);
	json_t *m = json_pack ("{s:s}", "Type", "volume");
	char *save = NULL, *kv;
	const char *type, *target;

	for (kv = s ? strtok_r (s, ",", &save) : NULL; kv; kv = strtok_r (NULL, ",", &save)) {
		char *eq = strchr (kv, '=');
		if (eq)
			*eq = '\0';
		if (mount_key (m, kv, eq ? eq + 1 : NULL, arg, e) < 0)
			return json_decref (m), -1;
	}
	type = json_string_value (json_object_get (m, "Type"));
	target = json_string_value (json_object_get (m, "Target"));
	json_array_append_new (c->mount_specs, m);
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
sysctl_arg (struct ccfg *c, const char *arg, struct bx_err *e)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	                                  "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
	const char *eq = strchr (arg, '=');
	char key[256];
	int ok = 0;

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
	json_object_set_new (c->sysctls, key, json_string (eq + 1));
	return 0;
}

/* --ulimit name=soft[:hard] */
static int
ulimit_arg (struct ccfg *c, const char *arg, struct bx_err *e)
{
	static const char *const names[] = {"as",      "core",     "cpu",        "data",   "fsize", "locks",
	                                    "memlock", "msgqueue", "nice",       "nofile", "nproc", "rss",
	                                    "rtprio",  "rttime",   "sigpending", "stack"};
	const char *eq = strchr (arg, '=');
	char name[32], up[48], *end;
	long long soft, hard;
	size_t i;

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
	json_array_append_new (c->ulimits, json_pack ("{s:s, s:I, s:I}", "Name", name, "Hard", (json_int_t)hard, "Soft",
	                                              (json_int_t)soft));
	json_array_append_new (
	    c->rlimits, json_pack ("{s:s, s:I, s:I}", "type", up, "hard", (json_int_t)hard, "soft", (json_int_t)soft));
	return 0;
}

/* --device /dev/x[:/dev/y][:rwm] */
static int
device_arg (struct ccfg *c, const char *arg, struct bx_err *e)
{
	_cleanup_free_ char *s = strdup (arg);
	char *host = s, *ctr = NULL, *perm = "rwm", *colon;
	struct stat st;
	const char *type;

	if (!s)
		return err_set (e, BX_SYSTEM, ENOMEM, "--device");
	if ((colon = strchr (host, ':'))) {
		*colon = '\0';
		ctr = colon + 1;
		if ((colon = strchr (ctr, ':'))) {
			*colon = '\0';
			perm = colon + 1;
		} else if (strspn (ctr, "rwm") == strlen (ctr) && *ctr) {
			perm = ctr;
			ctr = NULL;
		}
	}
	if (!ctr || !*ctr)
		ctr = host;
	if (!*perm || strspn (perm, "rwm") != strlen (perm) || ctr[0] != '/')
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--device\" flag: bad format for path: %s", arg, arg);
	if (stat (host, &st) < 0)
		return err_set (e, BX_USAGE, errno,
		                "error gathering device information while adding custom device \"%s\"", host);
	if (!S_ISCHR (st.st_mode) && !S_ISBLK (st.st_mode))
		return err_set (e, BX_USAGE, 0,
		                "error gathering device information while adding custom device \"%s\": "
		                "not a device node",
		                host);
	type = S_ISCHR (st.st_mode) ? "c" : "b";
	json_array_append_new (c->devices, json_pack ("{s:s, s:s, s:s}", "PathOnHost", host, "PathInContainer", ctr,
	                                              "CgroupPermissions", perm));
	json_array_append_new (c->oci_devices,
	                       json_pack ("{s:s, s:s, s:I, s:I, s:i, s:I, s:I}", "path", ctr, "type", type, "major",
	                                  (json_int_t)major (st.st_rdev), "minor", (json_int_t)minor (st.st_rdev),
	                                  "fileMode", (int)(st.st_mode & 0777), "uid", (json_int_t)st.st_uid, "gid",
	                                  (json_int_t)st.st_gid));
	json_array_append_new (c->device_rules, json_pack ("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", type,
	                                                   "major", (json_int_t)major (st.st_rdev), "minor",
	                                                   (json_int_t)minor (st.st_rdev), "access", perm));
	return 0;
}

/* --pid, --ipc, --uts, --cgroupns: the modes box implements */
static int
ns_mode (int opt, const char *arg, const char **out, struct bx_err *e)
{
	static const char *const ok[][5] = {
	    [0] = {"", "host", NULL},
	    [1] = {"", "private", "shareable", "host", "none"},
	    [2] = {"", "host", NULL},
	    [3] = {"", "host", "private", NULL},
	};
	int k = opt == O_PID ? 0 : opt == O_IPC ? 1 : opt == O_UTS ? 2 : 3;

	for (int i = 0; i < 5 && ok[k][i]; i++)
		if (strcmp (arg, ok[k][i]) == 0)
			return *out = arg, 0;
	if (strncmp (arg, "container:", 10) == 0)
		return err_set (e, BX_USAGE, 0, "%s %s: not implemented", flag_name (opt), arg);
	return err_set (e, BX_USAGE, 0, "invalid %s mode: %s", flag_name (opt) + 2, arg);
}

static int
log_opt (struct ccfg *c, const char *arg, struct bx_err *e)
{
	const char *eq = strchr (arg, '=');
	char *k;

	if (!eq || eq == arg)
		return err_set (e, BX_USAGE, 0, "invalid key/value pair format in logging opts: %s", arg);
	if (!(k = strndup (arg, (size_t)(eq - arg))))
		return err_set (e, BX_SYSTEM, ENOMEM, "--log-opt");
	json_object_set_new (json_object_get (c->log_config, "Config"), k, json_string (eq + 1));
	free (k);
	return 0;
}

static int
mac_ok (const char *s)
{
	unsigned b[6];
	int n = 0;

	return strlen (s) == 17 &&
	       sscanf (s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) == 6 && n == 17;
}

static int
option2 (struct ccfg *c, int opt, const char *arg, struct bx_err *e)
{
	long long n;

	switch (opt) {
	case O_SHM_SIZE: return size_arg (opt, arg, &c->shm_size, e);
	case O_GROUP_ADD: json_array_append_new (c->group_add, json_string (arg)); return 0;
	case O_SYSCTL: return sysctl_arg (c, arg, e);
	case 'c': return int_arg (opt, arg, &n, e) < 0 ? -1 : (c->cpu_shares = n, 0);
	case O_CPUSET_CPUS:
		if (strspn (arg, "0123456789,-") != strlen (arg) || !*arg)
			return err_set (e, BX_USAGE, 0, "invalid value %s for cpuset cpus", arg);
		c->cpuset_cpus = arg;
		return 0;
	case O_ULIMIT: return ulimit_arg (c, arg, e);
	case O_PID: return ns_mode (opt, arg, &c->pid_mode, e);
	case O_IPC: return ns_mode (opt, arg, &c->ipc_mode, e);
	case O_UTS: return ns_mode (opt, arg, &c->uts_mode, e);
	case O_CGROUPNS: return ns_mode (opt, arg, &c->cgroupns_mode, e);
	case O_DOMAINNAME: c->domainname = arg; return 0;
	case O_CIDFILE:
		if (access (arg, F_OK) == 0)
			return err_set (e, BX_USAGE, 0,
			                "container ID file found, make sure the other container isn't "
			                "running or delete %s",
			                arg);
		c->cidfile = arg;
		return 0;
	case O_DEVICE: return device_arg (c, arg, e);
	case O_LOG_DRIVER: json_object_set_new (c->log_config, "Type", json_string (arg)); return 0;
	case O_LOG_OPT: return log_opt (c, arg, e);
	case O_DNS_SEARCH: json_array_append_new (c->dns_search, json_string (arg)); return 0;
	case O_DNS_OPTION: json_array_append_new (c->dns_options, json_string (arg)); return 0;
	case O_CPU_QUOTA: return int_arg (opt, arg, &n, e) < 0 ? -1 : (c->cpu_quota = n, 0);
	case O_CPU_PERIOD: return int_arg (opt, arg, &n, e) < 0 ? -1 : (c->cpu_period = n, 0);
	case O_MEMORY_RESERVATION: return size_arg (opt, arg, &c->memory_reservation, e);
	case O_OOM_KILL_DISABLE: return bool_arg (opt, arg, &c->oom_kill_disable, e);
	case O_OOM_SCORE_ADJ:
		if (int_arg (opt, arg, &n, e) < 0)
			return -1;
		if (n < -1000 || n > 1000)
			return err_set (e, BX_USAGE, 0, "Invalid value %lld, range for oom score adj is [-1000, 1000]",
			                n);
		c->oom_score_adj = (int)n, c->has_oom_score_adj = 1;
		return 0;
	case O_VOLUMES_FROM: json_array_append_new (c->volumes_from, json_string (arg)); return 0;
	case O_MAC_ADDRESS:
		if (!mac_ok (arg))
			return err_set (e, BX_USAGE, 0, "%s is not a valid mac address", arg);
		c->mac_address = arg;
		return 0;
	}
	return err_set (e, BX_USAGE, 0, "unknown flag");
}

static int
option (struct ccfg *c, int opt, const char *arg, struct bx_err *e)
{
	long long n;
	char host[256], ip[64];

	switch (opt) {
	case O_ROOT: c->root = arg; return 0;
	case O_NAME: c->name = arg; return 0;
	case 'e': return copts_env (arg, c->env_flags, e);
	case O_ENV_FILE: return copts_env_file (arg, c->env_files, 0, e);
	case 'w': c->workdir = arg; return 0;
	case 'u': c->user = arg; return 0;
	case O_ENTRYPOINT: c->entrypoint = arg, c->has_entrypoint = 1; return 0;
	case 'l': copts_label (arg, c->labels); return 0;
	case O_LABEL_FILE: return copts_env_file (arg, c->label_files, 1, e);
	case 'h': c->hostname = arg; return 0;
	case O_READ_ONLY: return bool_arg (opt, arg, &c->read_only, e);
	case 'v': json_array_append_new (c->binds, json_string (arg)); return 0;
	case O_MOUNT: return mount_arg (c, arg, e);
	case O_TMPFS: return tmpfs_arg (c, arg);
	case 'm': return size_arg (opt, arg, &c->memory, e);
	case O_MEMORY_SWAP:
		if (strcmp (arg, "-1") == 0)
			return c->memory_swap = -1, 0;
		return size_arg (opt, arg, &c->memory_swap, e);
	case O_CPUS: return copts_cpus (arg, &c->nano_cpus, e);
	case O_PIDS_LIMIT: return int_arg (opt, arg, &n, e) < 0 ? -1 : (c->pids_limit = n, 0);
	case O_CAP_ADD: return cap_arg (c, arg, 1, e);
	case O_CAP_DROP: return cap_arg (c, arg, 0, e);
	case O_PRIVILEGED: return bool_arg (opt, arg, &c->privileged, e);
	case O_SECURITY_OPT: return security_opt (c, arg, e);
	case O_INIT: return bool_arg (opt, arg, &c->init, e);
	case O_STOP_SIGNAL: c->stop_signal = arg; return copts_signal (arg, e) < 0 ? -1 : 0;
	case O_STOP_TIMEOUT:
		if (int_arg (opt, arg, &n, e) < 0)
			return -1;
		c->stop_timeout = (int)n, c->has_stop_timeout = 1;
		return 0;
	case 't': return bool_arg (opt, arg, &c->tty, e);
	case 'i': return bool_arg (opt, arg, &c->interactive, e);
	case O_RM: return bool_arg (opt, arg, &c->auto_remove, e);
	case O_RESTART: json_decref (c->restart); return (c->restart = copts_restart (arg, e)) ? 0 : -1;
	case O_NETWORK: c->network = strcmp (arg, "default") == 0 ? "bridge" : arg; return 0;
	case 'p': return copts_publish (arg, c->exposed, c->bindings, e);
	case 'P': return bool_arg (opt, arg, &c->publish_all, e);
	case O_IP:
		c->ip = arg;
		if (!copts_is_ip (arg) || strchr (arg, ':'))
			return err_set (e, BX_USAGE, 0, "invalid IPv4 address: %s", arg);
		return 0;
	case O_NETWORK_ALIAS: json_array_append_new (c->aliases, json_string (arg)); return 0;
	case O_ADD_HOST:
		if (copts_add_host (arg, host, sizeof host, ip, sizeof ip, e) < 0)
			return -1;
		json_array_append_new (c->add_hosts, json_sprintf ("%s:%s", host, ip));
		return 0;
	case O_DNS:
		if (!copts_is_ip (arg))
			return err_set (e, BX_USAGE, 0,
			                "invalid argument \"%s\" for \"--dns\" flag: IP address is not "
			                "correctly formatted: %s",
			                arg, arg);
		json_array_append_new (c->dns, json_string (arg));
		return 0;
	case O_EXPOSE: return copts_expose (arg, c->exposed, e);
	}
	return option2 (c, opt, arg, e);
}

/* pflag's words for a flag it does not know or that lacks its value */
static int
bad_flag (int argc, char **argv, int ch, int missing, struct bx_err *e)
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
	(void)ch;
	if (missing)
		return err_set (e, BX_USAGE, 0, "flag needs an argument: '%c' in -%c", optopt, optopt);
	return err_set (e, BX_USAGE, 0, "unknown shorthand flag: '%c' in %s", optopt, arg);
}

/* Combinations Docker refuses. */
static int
check_combinations (struct ccfg *c, struct bx_err *e)
{
	const char *restart = json_string_value (json_object_get (c->restart, "Name"));
	int container_net = strncmp (c->network, "container:", 10) == 0;

	if (c->auto_remove && restart && strcmp (restart, "no") != 0)
		return err_set (e, BX_USAGE, 0, "conflicting options: cannot specify both --restart and --rm");
	if (c->workdir && c->workdir[0] != '/')
		return err_set (e, BX_USAGE, 0,
		                "the working directory '%s' is invalid, it needs to be an absolute path", c->workdir);
	if (c->nano_cpus && c->cpu_period)
		return err_set (e, BX_USAGE, 0, "Conflicting options: Nano CPUs and CPU Period cannot both be set");
	if (c->nano_cpus && c->cpu_quota)
		return err_set (e, BX_USAGE, 0, "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
	if (c->cpu_period && (c->cpu_period < 1000 || c->cpu_period > 1000000))
		return err_set (e, BX_USAGE, 0,
		                "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
	if (c->cpu_quota > 0 && c->cpu_quota < 1000)
		return err_set (e, BX_USAGE, 0, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
	if (c->memory > 0 && c->memory_reservation > c->memory)
		return err_set (e, BX_USAGE, 0,
		                "Minimum memory limit can not be less than memory reservation limit, see usage");
	if (c->memory > 0 && c->memory < 6 * 1024 * 1024)
		return err_set (e, BX_USAGE, 0, "Minimum memory limit allowed is 6MB");
	if (c->memory_swap > 0 && c->memory == 0)
		return err_set (e, BX_USAGE, 0,
		                "You should always set the Memory limit when using Memoryswap limit, see usage");
	if (c->memory_swap > 0 && c->memory_swap < c->memory)
		return err_set (e, BX_USAGE, 0,
		                "Minimum memoryswap limit should be larger than memory limit, see usage");
	if (container_net && c->hostname)
		return err_set (e, BX_USAGE, 0, "conflicting options: hostname and the network mode");
	if (container_net && (json_object_size (c->bindings) || c->publish_all))
		return err_set (e, BX_USAGE, 0,
		                "conflicting options: port publishing and the container type network mode");
	if ((container_net || !strcmp (c->network, "host")) &&
	    (json_array_size (c->dns) || json_array_size (c->dns_search) || json_array_size (c->dns_options)))
		return err_set (e, BX_USAGE, 0, "conflicting options: dns and the network mode");
	if (c->uts_mode && !strcmp (c->uts_mode, "host") && c->hostname)
		return err_set (e, BX_USAGE, 0, "conflicting options: hostname and the UTS mode");
	if (!strcmp (c->network, "host") && json_object_size (c->sysctls)) {
		const char *k;
		json_t *v;
		json_object_foreach (c->sysctls, k, v) if (!strncmp (k, "net.", 4)) return err_set (
		    e, BX_USAGE, 0, "sysctl '%s=%s' not allowed in host network namespace", k, json_string_value (v));
	}
	if (c->ipc_mode && !strcmp (c->ipc_mode, "host")) {
		const char *k;
		json_t *v;
		json_object_foreach (c->sysctls, k, v) if (strncmp (k, "net.", 4) != 0) return err_set (
		    e, BX_USAGE, 0, "sysctl '%s=%s' not allowed in host IPC namespace", k, json_string_value (v));
	}
	if (c->name && ctrname_check (c->name, e) < 0)
		return -1;
	return 0;
}

int
ccfg_parse_args (struct ccfg *c, int argc, char **argv, struct bx_err *e)
{
	int ch;

	opterr = 0;
	while ((ch = getopt_long (argc, argv, "+:e:w:u:l:h:v:m:p:c:Pti", longopts, NULL)) != -1) {
		if (ch == '?' || ch == ':')
			return bad_flag (argc, argv, ch, ch == ':', e);
		if (ch == O_HELP)
			return -1;
		if (option (c, ch, optarg, e) < 0)
			return -1;
	}
	if (optind >= argc)
		return err_set (e, BX_USAGE, 0, "\"create\" requires at least 1 argument");
	c->image = argv[optind];
	c->cmd = argv + optind + 1;
	c->ncmd = argc - optind - 1;
	return check_combinations (c, e);
}
