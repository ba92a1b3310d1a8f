/* ctrcfg - `docker create` flags and an image config merged as Docker
 * merges them, and the documents of a container bundle made from them
 *
 * ccfg_parse_args checks every flag and value (Docker's spelling and error
 * words) before anything is touched; ccfg_merge applies the image config
 * (ENTRYPOINT/CMD, Env, Labels, WorkingDir, User, ExposedPorts,
 * StopSignal, Volumes); ccfg_in_rootfs resolves what needs the mounted
 * rootfs (the user, the working directory, volumes); then the JSON.
 */
#ifndef BOX_CTRCFG_H
#define BOX_CTRCFG_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "caps.h"
#include "runtime/ctr.h"
#include "runtime/userdb.h"

/* where the --init binary comes from (Debian's tini-static) */
#define CCFG_INIT_BINARY "/usr/bin/tini-static"
#define CCFG_INIT_PATH "/sbin/docker-init"

struct ccfg {
	/* flags */
	const char *root, *name, *image;
	json_t *env_flags, *env_files; /* -e, --env-file entries (arrays) */
	json_t *labels, *label_files;  /* -l; --label-file (objects): -l wins */
	const char *workdir, *user, *entrypoint, *hostname, *stop_signal;
	int has_entrypoint, has_stop_timeout, stop_timeout;
	int read_only, tty, interactive, auto_remove, privileged, init, publish_all;
	int no_new_privs, seccomp_unconfined, systempaths_unconfined;
	json_t *seccomp_profile; /* seccomp=FILE, Docker's format */
	json_t *binds, *tmpfs;   /* -v strings; --tmpfs {path: opts} */
	json_t *mount_specs;     /* --mount, as HostConfig.Mounts objects */
	json_t *volumes_from;    /* --volumes-from (array) */
	int64_t memory, memory_swap, nano_cpus, pids_limit;
	struct capreq capreq;
	json_t *cap_add, *cap_drop, *security_opt;
	json_t *restart;            /* {Name, MaximumRetryCount} */
	const char *network;        /* bridge, none, host, container:X, NAME */
	json_t *exposed, *bindings; /* -p, --expose */
	const char *ip;
	json_t *aliases, *add_hosts, *dns, *dns_search, *dns_options;
	int64_t shm_size, cpu_shares, cpu_quota, cpu_period, memory_reservation;
	int oom_kill_disable, has_oom_score_adj, oom_score_adj;
	const char *mac_address;
	const char *cpuset_cpus, *domainname, *cidfile;
	const char *pid_mode, *ipc_mode, *uts_mode, *cgroupns_mode; /* "" or "host" ... */
	json_t *group_add;                                          /* --group-add (array) */
	json_t *sysctls;                                            /* --sysctl (object) */
	json_t *ulimits, *rlimits;                                  /* --ulimit: HostConfig.Ulimits, process.rlimits */
	json_t *devices;                                            /* --device: HostConfig.Devices */
	json_t *oci_devices, *device_rules;
	json_t *log_config; /* {Type, Config} */
	char **cmd;
	int ncmd;

	/* merged (ccfg_merge, ccfg_resolve_network, ccfg_in_rootfs) */
	char id[CTR_ID_LEN + 1];
	char name_final[256];
	char image_id[80];
	char created[CTR_TIME_LEN];
	char net_mode[128];     /* as recorded: container:<full id> */
	char netns_path[4200];  /* for bridge/user networks and container: */
	char peer_dir[4200];    /* container:X: that container's directory */
	json_t *config;         /* Docker's Config */
	json_t *args;           /* the process's argv */
	json_t *proc_env;       /* the process's environment */
	json_t *mounts;         /* the container's own OCI mounts */
	json_t *inspect_mounts; /* Docker's inspect "Mounts" */
	struct userdb_ids ids;
	const char *hostname_final;
	char *hosts, *resolv, *hostname_file;
	char bundle[4200]; /* final bundle path */
};

void ccfg_init (struct ccfg *c);
void ccfg_free (struct ccfg *c);
/* Parse argv (Docker's flags, then IMAGE and the command). -1 with E set;
 * E clear means --help was asked for. */
int ccfg_parse_args (struct ccfg *c, int argc, char **argv, struct bx_err *e);
/* --network container:X names an existing container (BX_NOTFOUND). */
int ccfg_resolve_network (struct ccfg *c, int rootfd, struct bx_err *e);
/* Merge the image config (IMG_CONFIG: the image's config blob) for the
 * container ID named NAME. */
int ccfg_merge (struct ccfg *c, json_t *img_config, const char *id, const char *name, const char *image_id,
                struct bx_err *e);
/* The user, the working directory (made when missing), volumes (made
 * and pre-filled on first use) and the mounts; BUNDLE_TMP is where the
 * bundle is being built (its files are named by their final path). */
int ccfg_in_rootfs (struct ccfg *c, int rootfd, int rootfs, const char *bundle_tmp, struct bx_err *e);
/* hosts, hostname, resolv.conf contents */
int ccfg_etc_files (struct ccfg *c, struct bx_err *e);
/* config.json and create.json (new references) */
json_t *ccfg_config_json (struct ccfg *c, struct bx_err *e);
json_t *ccfg_create_json (struct ccfg *c, struct bx_err *e);

#endif
