/* ctrflags - `docker create` flags, as parsed, from one table
 *
 * Each flag is one row of the table in ctrflags.c: its long name, its
 * letter, whether it takes a value, and the handler that checks the value
 * (Docker's spelling and error words) and records it here. Parsing
 * changes nothing; it only reads what some flags name (--env-file,
 * --label-file, seccomp=FILE, --device). The same table lists the flags
 * (--flags, --value-flags), which box(1) and the completions read instead
 * of keeping a copy.
 */
#ifndef BOX_CTRFLAGS_H
#define BOX_CTRFLAGS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "base/idmap.h"
#include "caps.h"

/* what the command line asks for */
enum ctrflags_ask {
	CTRFLAGS_CREATE,        /* a container */
	CTRFLAGS_HELP,          /* --help */
	CTRFLAGS_FLAGS,         /* --flags: docker create's flags */
	CTRFLAGS_VALUE_FLAGS,   /* --value-flags: those that take a value */
	CTRFLAGS_UPDATE,        /* --update: docker update of the containers in cmd */
	CTRFLAGS_REFUSED,       /* values Docker's daemon refuses at create (e says which) */
	CTRFLAGS_REFUSED_START, /* values it refuses at start: the log driver's */
};

struct ctrflags {
	const char *root, *name, *image;
	json_t *env_flags, *env_files; /* -e, --env-file entries (arrays) */
	json_t *labels, *label_files;  /* -l; --label-file (objects): -l wins */
	json_t *annotations;           /* --annotation (object): config.json's, HostConfig's */
	const char *workdir, *user, *entrypoint, *hostname, *stop_signal;
	int has_entrypoint, has_stop_timeout, stop_timeout;
	int read_only, tty, interactive, auto_remove, privileged, init, publish_all;
	int no_new_privs, seccomp_unconfined, systempaths_unconfined;
	int no_sync;             /* --no-sync: a container thrown away after its run */
	json_t *seccomp_profile; /* seccomp=FILE, Docker's format */
	json_t *binds, *tmpfs;   /* -v strings; --tmpfs {path: opts} */
	json_t *mount_specs;     /* --mount, as HostConfig.Mounts objects */
	json_t *volumes_from;    /* --volumes-from (array) */
	int64_t memory, memory_swap, nano_cpus, pids_limit;
	struct capreq capreq;
	json_t *cap_add, *cap_drop, *security_opt;
	json_t *restart;            /* {Name, MaximumRetryCount} */
	const char *network;        /* default, bridge, none, host, container:X, NAME */
	json_t *exposed, *bindings; /* -p, --expose */
	const char *ip;
	json_t *aliases, *add_hosts, *dns, *dns_search, *dns_options;
	int64_t shm_size, cpu_shares, cpu_quota, cpu_period, memory_reservation;
	int64_t memory_swappiness; /* -1: unset */
	int64_t cpu_rt_period, cpu_rt_runtime, blkio_weight;
	json_t *blkio[5]; /* --blkio-weight-device, --device-{read,write}-{bps,iops}: HostConfig's lists */
	int oom_kill_disable, has_oom_score_adj, oom_score_adj;
	const char *mac_address;
	const char *cpuset_cpus, *cpuset_mems, *cgroup_parent, *domainname, *cidfile;
	const char *pid_mode, *ipc_mode, *uts_mode, *cgroupns_mode; /* "" or "host" ... */
	json_t *group_add;                                          /* --group-add (array) */
	json_t *sysctls;                                            /* --sysctl (object) */
	json_t *ulimits, *rlimits;                                  /* --ulimit: HostConfig.Ulimits, process.rlimits */
	json_t *devices;                                            /* --device: HostConfig.Devices */
	json_t *oci_devices, *device_rules;                         /* and as linux.devices, their cgroup rules */
	json_t *device_cgroup_rules, *oci_cgroup_rules;             /* --device-cgroup-rule: as typed, as rules */
	json_t *log_config;                                         /* {Type, Config} */
	const char *health_cmd;                                     /* --health-*: HealthConfig, ns */
	int64_t health_interval, health_timeout, health_start_period, health_start_interval, health_retries;
	int no_healthcheck;
	const char *pull;     /* --pull: always, missing (NULL) or never; box pulls, ctr-create never does */
	int quiet;            /* -q: the missing image is not reported (box pulls it quietly) */
	int detach;           /* --detached (box run -d): no stream attached, Config.Attach* false */
	unsigned attach;      /* -a STREAM: 1 stdin, 2 stdout, 4 stderr; 0: Docker's default */
	json_t *given;        /* {flag name: true} for each flag given (docker update's) */
	const char *userns;   /* --userns: NULL, "host", "auto", "auto:size=N" */
	uint64_t userns_size; /* auto's size */
	struct idmap auto_uidmap, auto_gidmap; /* auto's uidmapping=, gidmapping= (Podman's) */
	struct idmap uidmap, gidmap;           /* --uidmap, --gidmap (Podman's) */
	char **cmd;
	int ncmd;
	enum ctrflags_ask ask;
};

void ctrflags_init (struct ctrflags *f);
void ctrflags_free (struct ctrflags *f);
/* Parse argv: Docker's flags, then IMAGE and the command; each flag and
 * value is checked, and the combinations Docker refuses. What the command
 * line asks for, or -1 with E set (BX_USAGE, as Docker words it). */
int ctrflags_parse (struct ctrflags *f, int argc, char **argv, struct bx_err *e);
/* Whether docker update takes flag NAME (long name, without dashes). */
int ctrflags_is_update (const char *name);
/* docker create's flags, one a line ("-e", "--env", ...), in the table's
 * order; with VALUES only those that take a value. -1 when OUT fails. */
int ctrflags_print (FILE *out, int values);

#endif
