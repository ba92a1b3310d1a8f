/* cgroup - the cgroup layout, and a container's cgroup, v1 or v2: made
 * with its limits, joined, asked about OOM kills, removed
 *
 * The one owner of the layout. v1: a hierarchy per controller under
 * /sys/fs/cgroup (memory, cpu, pids, devices, cpuset, blkio, freezer). v2:
 * /sys/fs/cgroup is the cgroup2 root, the controllers enabled in the
 * parents' cgroup.subtree_control. A container's cgroup is "box/<id>"
 * under each. $BOX_CGROUP2_ROOT names a directory to use as the cgroup2
 * root instead (tests point it at a plain directory). Rootless: the root
 * is the subtree delegated to the user in the cgroup2 hierarchy
 * ($BOX_CGROUP2_MOUNT, else /sys/fs/cgroup on a v2 host), none without
 * one. The files to join
 * by (cgroup.procs; v1: tasks) are opened up front, so that joining is
 * one write(2) each, safe in a freshly cloned child. */
#ifndef BOX_CGROUP_H
#define BOX_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

#define CGROUP_MAX_DIRS 9   /* the v1 controllers box uses, and name=systemd */
#define CGROUP_PATH_LEN 240 /* "/<parent>/<64 hex>" and its NUL; --cgroup-parent up to 160 */

/* The cgroup path of container ID, relative to the hierarchy roots
 * ("/box/<id>"), as config.json's linux.cgroupsPath names it. */
void cgroup_path (const char *id, char out[CGROUP_PATH_LEN]);
/* The same under PARENT (--cgroup-parent, relative to the roots as
 * Docker's cgroupfs driver takes it): "/<parent>/<id>". */
void cgroup_path_in (const char *parent, const char *id, char out[CGROUP_PATH_LEN]);
/* True when the host's /sys/fs/cgroup is a cgroup2 root (what a container
 * mounts, whatever $BOX_CGROUP2_ROOT says). */
int cgroup_is_v2_host (void);
/* The directory of cgroup PATH ("/box/<id>", "/<parent>/<id>", an OCI
 * cgroupsPath) in controller CTRL's v1 hierarchy ("freezer"), or in the
 * cgroup2 root (CTRL then unused): 1 when it is v2, 0 v1. For the readers
 * of a cgroup's own files (runtime/freezer, runtime/ctrstats). */
int cgroup_dir_of (const char *path, const char *ctrl, char *out, size_t len);

/* a v1 devices cgroup rule, "c 1:3 rwm"; major/minor -1: any */
struct cgroup_devrule {
	int allow;
	char type; /* 'a', 'c', 'b' */
	long major, minor;
	char access[4];
};

/* a per-device block I/O limit: a weight or a throttle */
enum cgroup_blk_kind {
	CGROUP_BLK_WEIGHT,
	CGROUP_BLK_READ_BPS,
	CGROUP_BLK_WRITE_BPS,
	CGROUP_BLK_READ_IOPS,
	CGROUP_BLK_WRITE_IOPS,
};

struct cgroup_blkdev {
	enum cgroup_blk_kind kind;
	long major, minor;
	uint64_t value;
};

/* the limits a cgroup applies (config.json's linux.resources) */
struct cgroup_limits {
	int64_t memory;             /* bytes, -1 unset */
	int64_t memory_swap;        /* memory + swap, -1 unset */
	int64_t cpu_quota;          /* microseconds per period, -1 unset */
	uint64_t cpu_period;        /* 0 unset */
	uint64_t cpu_shares;        /* 0 unset */
	int64_t pids;               /* -1 unset (0 or less in the spec: unlimited) */
	int64_t memory_reservation; /* soft limit, bytes, -1 unset */
	int64_t swappiness;         /* 0..100, -1 unset */
	int oom_kill_disable;
	const char *cpuset_cpus, *cpuset_mems; /* NULL unset */
	int64_t rt_period, rt_runtime;         /* microseconds, -1 unset */
	uint64_t blkio_weight;                 /* 10..1000, 0 unset */
	struct cgroup_blkdev *blkdevs;
	size_t nblkdevs;
	struct cgroup_devrule *devrules;
	size_t ndevrules;
};

/* Set every field of L unset. */
void cgroup_limits_init (struct cgroup_limits *l);
/* Whether this host can apply L, or -1 and E naming the Docker flag the
 * host cannot apply, and why (a file the kernel lacks, cgroup v2). */
int cgroup_check (const struct cgroup_limits *l, struct bx_err *e);

/* Rootless (base/root) without a delegated cgroup v2 subtree: no cgroup
 * is made, joined or removed, and no limit applied. */
int cgroup_is_none (void);
/* The Docker flags L sets, into FLAGS (MAX at most), how many: what a
 * rootless create without a subtree warns it ignores, one line each. */
size_t cgroup_limits_flags (const struct cgroup_limits *l, const char **flags, size_t max);

struct cgroup {
	int v2;
	size_t n;                        /* directories: 1 (v2) or one per v1 controller */
	char dir[CGROUP_MAX_DIRS][4096]; /* absolute */
	int procs[CGROUP_MAX_DIRS];      /* cgroup.procs (v1: tasks), open for writing */
	int memdir;                      /* index of the memory cgroup in dir[], -1: none */
};

/* Make PATH ("/box/<id>", relative to the roots) with L's limits and open
 * its files to join by. A cgroup left from a crash is reused. */
int cgroup_create (struct cgroup *cg, const char *path, const struct cgroup_limits *l, struct bx_err *e);
/* docker update: apply L's limits (those set) to the existing PATH. */
int cgroup_update (const char *path, const struct cgroup_limits *l, struct bx_err *e);
/* Open an existing PATH to join it (ctr-exec). */
int cgroup_open (struct cgroup *cg, const char *path, struct bx_err *e);
/* Move the calling process, single-threaded, in; async-signal-safe. */
int cgroup_enter (const struct cgroup *cg);
/* How many OOM kills the memory cgroup counted; 0 when unknown. */
long cgroup_oom_kills (const struct cgroup *cg);
/* Close the fds and remove the directories (waiting briefly while the
 * kernel lets go of the last exited tasks). */
int cgroup_destroy (struct cgroup *cg, struct bx_err *e);
/* Close the fds only. */
void cgroup_close (struct cgroup *cg);
/* Give CG to UID, on v2 only as runc does: its directory and the files
 * /sys/kernel/cgroup/delegate lists (without it: cgroup.procs,
 * cgroup.threads, cgroup.subtree_control), so that the root of a
 * container's user namespace manages its own subtree. */
int cgroup_delegate (const struct cgroup *cg, uid_t uid, struct bx_err *e);

/* docker rm: container ID's cgroup (under PARENT, NULL or "": box) goes
 * from every hierarchy and from $BOX_CGROUP2_ROOT, whoever made it;
 * processes left in it (an exec that outlived the container) are killed
 * first. One already gone is no error. */
int cgroup_remove_all (const char *id, const char *parent, struct bx_err *e);

#endif
