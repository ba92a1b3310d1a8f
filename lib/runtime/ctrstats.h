/* ctrstats - what a container uses, read from its cgroup and its network
 * namespace: docker stats' figures and docker top's processes
 *
 * One reader for box stats and an OCI runtime's `events --stats`. v1: the
 * cpuacct, memory, pids and blkio hierarchies; v2: cpu.stat, memory.*,
 * pids.current, io.stat of the one cgroup (runtime/cgroup's layout).
 * Network bytes are the counters of the namespace's interfaces but lo
 * (/proc/PID/net/dev), none for a container that shares our namespace
 * (--network host).
 * Where a v1 blkio cgroup was not made for the container (an older box),
 * its block I/O is the sum of its live processes' /proc/PID/io
 * read_bytes/write_bytes. */
#ifndef BOX_CTRSTATS_H
#define BOX_CTRSTATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

struct ctrstats {
	uint64_t cpu_ns;              /* CPU time of the cgroup, ns */
	uint64_t system_ns;           /* the host's CPU time (/proc/stat), ns, when read */
	unsigned online_cpus;         /* the host's online CPUs */
	uint64_t mem_usage;           /* bytes, without the inactive file cache (docker stats) */
	uint64_t mem_limit;           /* bytes; the host's memory when unlimited or more */
	uint64_t net_rx, net_tx;      /* bytes */
	uint64_t blk_read, blk_write; /* bytes */
	uint64_t pids;
};

/* Read the figures of the container whose cgroup is PATH (relative to the
 * hierarchy roots, ctr_cgroup_path); PID is its first process (its
 * network namespace). BX_NOTFOUND when its cgroup is gone (it stopped). */
int ctrstats_read_cgroup (const char *path, pid_t pid, struct ctrstats *s, struct bx_err *e);
/* The processes of cgroup PATH, malloc'd, in *OUT (*N of them);
 * BX_NOTFOUND when it has none. */
int ctrstats_pids_cgroup (const char *path, pid_t **out, size_t *n, struct bx_err *e);
/* docker stats' CPU %: the cgroup's CPU time over the host's between two
 * readings, times the CPUs; 0 when either did not move. */
double ctrstats_cpu_percent (const struct ctrstats *prev, const struct ctrstats *now);

#endif
