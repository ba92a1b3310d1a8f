/* cgroup - a container's cgroup, v1 or v2: made with its limits, joined,
 * asked about OOM kills, removed
 *
 * v1: the directory PATH under each of the memory, cpu, pids and devices
 * hierarchies (/sys/fs/cgroup/<controller>). v2: PATH under the cgroup2
 * root, when /sys/fs/cgroup is one, with the controllers enabled in the
 * parents' cgroup.subtree_control. $BOX_CGROUP2_ROOT names a directory to
 * use as the cgroup2 root instead (tests point it at a plain directory).
 * The files to join by (cgroup.procs; v1: tasks) are opened up front, so
 * that joining is one write(2) each, safe in a freshly cloned child. */
#ifndef BOX_CGROUP_H
#define BOX_CGROUP_H

#include <sys/types.h>

#include "base/err.h"
#include "runtime/ocispec.h"

#define CGROUP_MAX_DIRS 4
#define CGROUP_PATH_LEN 80 /* "/box/<64 hex>" and its NUL, with room */

/* The cgroup path of container ID, relative to the hierarchy roots
 * ("/box/<id>"), as config.json's linux.cgroupsPath names it. */
void cgroup_path (const char *id, char out[CGROUP_PATH_LEN]);

struct cgroup {
	int v2;
	size_t n;                        /* directories: 1 (v2) or one per v1 controller */
	char dir[CGROUP_MAX_DIRS][4096]; /* absolute */
	int procs[CGROUP_MAX_DIRS];      /* cgroup.procs (v1: tasks), open for writing */
	int memdir;                      /* index of the memory cgroup in dir[], -1: none */
};

/* Make PATH ("/box/<id>", relative to the roots) with R's limits and open
 * its files to join by. A cgroup left from a crash is reused. */
int cgroup_create (struct cgroup *cg, const char *path, const struct resources *r, struct bx_err *e);
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

#endif
