/* spec - the OCI runtime-spec config.json of a container, as Docker's
 * daemon (moby oci/defaults.go, daemon/oci_linux.go) would write it
 *
 * The caller decides (ctr-create merges image config and flags into a
 * struct spec_decl); spec_build turns the decisions into the document: Docker's
 * default mounts, masked and read-only paths, device rules, namespaces and
 * capabilities, with the container's own parts added.
 */
#ifndef BOX_SPEC_H
#define BOX_SPEC_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/idmap.h"
#include "caps.h"
#include "runtime/userdb.h"

enum spec_net {
	SPEC_NET_OWN,  /* a new network namespace ("none": lo only) */
	SPEC_NET_PATH, /* join the namespace bind-mounted at netns_path */
	SPEC_NET_HOST, /* the host's: no network namespace */
};

struct spec_decl {
	json_t *args; /* array of strings, borrowed */
	json_t *env;  /* array of "K=V", borrowed */
	const char *cwd;
	struct userdb_ids user;
	int terminal;
	int readonly_root;
	int privileged;
	int no_new_privs;
	capset_t caps;   /* bounding = effective = permitted */
	json_t *seccomp; /* linux.seccomp, borrowed; NULL: none */
	const char *hostname;
	enum spec_net net;
	const char *netns_path;        /* SPEC_NET_PATH */
	json_t *mounts;                /* the container's own mounts (OCI objects), borrowed;
	                                  they replace default mounts at the same destination */
	int64_t memory;                /* bytes; 0: no limit */
	int64_t memory_swap;           /* memory + swap; 0: unset, -1: unlimited */
	int64_t nano_cpus;             /* 1e9 per CPU; 0: no limit */
	int64_t pids_limit;            /* > 0: a limit */
	int64_t shm_size;              /* bytes of /dev/shm */
	int64_t cpu_shares;            /* 0: unset */
	int64_t cpu_quota, cpu_period; /* --cpu-quota, --cpu-period (µs); 0: unset */
	int64_t memory_reservation;    /* 0: unset */
	int oom_kill_disable;
	int has_oom_score_adj, oom_score_adj;
	const char *cpuset_cpus, *cpuset_mems; /* NULL: unset */
	int64_t memory_swappiness;             /* -1: unset */
	int64_t cpu_rt_period, cpu_rt_runtime; /* 0: unset */
	int64_t blkio_weight;                  /* 0: unset */
	json_t *block_io_devices; /* linux.resources.blockIO's device lists (object, borrowed; may be NULL) */
	const char *cgroups_path;
	const char *domainname;                          /* NULL: unset */
	int pid_host, ipc_host, uts_host, cgroupns_host; /* share the host's namespace */
	int no_shm;                                      /* --ipc none: no /dev/shm */
	json_t *sysctl;                      /* --sysctl, over Docker's own (object, borrowed; may be NULL) */
	json_t *rlimits;                     /* process.rlimits (array, borrowed; may be NULL) */
	json_t *devices;                     /* --device: linux.devices entries (array, borrowed; may be NULL) */
	json_t *device_rules;                /* and their cgroup rules, after the defaults (array, borrowed) */
	json_t *cgroup_rules;                /* --device-cgroup-rule's, after those (array, borrowed; may be NULL) */
	const struct idmap *uidmap, *gidmap; /* a user namespace of its own with these; NULL: the host's */
};

/* The config.json document (new reference); NULL only when out of memory
 * or, for a privileged container, when /dev cannot be read. */
json_t *spec_build (const struct spec_decl *s, struct bx_err *e);

/* 1 when an OCI mount in MOUNTS has destination DEST. */
int spec_has_mount (json_t *mounts, const char *dest);

/* Sort an array of OCI mounts by the depth of their destination (stable),
 * so a mount never hides one made inside it, as Docker does. */
void spec_mounts_sort (json_t *mounts);

/* Docker's MergeTmpfsOptions over "noexec,nosuid,nodev,rprivate" then
 * OPTS (comma separated; may be NULL): later options win over earlier
 * ones of the same kind. BX_USAGE: invalid tmpfs option "x". */
json_t *spec_tmpfs_options (const char *opts, struct bx_err *e);

#endif
