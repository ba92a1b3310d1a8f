/* probe - a running container's health checks, run by the loop that
 * waits for it (supervise: the -d supervisor's, an attached ctr-spawn's)
 *
 * Config.Healthcheck (create.json) is read before the supervisor forks
 * (probe_cfg_parse); the supervisor then keeps a timer, and for each check
 * starts `ctr-exec CONTAINER CMD...` (posix_spawn; it joins the container as box exec
 * does) with its output on a pipe, reads up to 4096 bytes of it, kills it
 * at its timeout, and records the result through lib/runtime/health; a
 * change of status is Docker's "health_status: healthy" event.
 * Docker's moby daemon/health.go, timing and words included: the first
 * check one interval after the start, the next one interval after each
 * result (the start interval while starting within the start period). */
#ifndef BOX_PROBE_H
#define BOX_PROBE_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/ctr.h"
#include "runtime/event.h"
#include "runtime/health.h"

struct probe_cfg {
	char **test; /* the command: CMD's, or /bin/sh -c for CMD-SHELL; NULL: none */
	int64_t interval, timeout, start_period, start_interval; /* ns, Docker's defaults in */
	int retries;
};

/* the container a probe checks */
struct probe_ctr {
	int rootfd, cdir;
	const char *root, *id;        /* the state directory's path, for ctr-exec; its id */
	const struct event_attrs *ev; /* its event attributes: a change of status is an event */
};

struct probe {
	const struct probe_cfg *cfg;
	const struct probe_ctr *ctr;
	long started_ms; /* CLOCK_MONOTONIC, the container's start */
	long due_ms;     /* the next check, or the running one's deadline */
	int status;      /* enum health_status */
	pid_t pid;       /* the check's ctr-exec; 0: none runs */
	int fd;          /* its output; -1 */
	char start[CTR_TIME_LEN];
	char out[HEALTH_OUTPUT_MAX];
	size_t len;
	int truncated;
};

/* Config.Healthcheck (HC may be NULL) into C; C->test NULL when the
 * container has no check (none, or Test ["NONE"]). -1: out of memory. */
int probe_cfg_parse (json_t *hc, struct probe_cfg *c);
void probe_cfg_free (struct probe_cfg *c);

/* The container CTR started: "starting", the first check one interval on. */
void probe_begin (struct probe *p, const struct probe_cfg *cfg, const struct probe_ctr *ctr);
/* The check's output fd to poll, -1 when none runs. */
int probe_fd (const struct probe *p);
/* Milliseconds until probe_tick has something to do (-1: never). */
int probe_due_ms (const struct probe *p);
/* Start the check that is due; kill, and record, one past its timeout. */
void probe_tick (struct probe *p);
/* Read what the check wrote (its fd is readable). */
void probe_output (struct probe *p);
/* PID ended with STATUS: 1 when it was the check (recorded now). */
int probe_reaped (struct probe *p, pid_t pid, int status);
/* The container ended: the check killed, the health "unhealthy". */
void probe_end (struct probe *p);

#endif
