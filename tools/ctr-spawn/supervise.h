/* supervise - what the -d supervisor of ctr-spawn does between starts:
 * the CRI log (crilog), the wait for the payload, the health checks
 * (probe), the restart policy (restart); the wait is an attached
 * ctr-spawn's too (relay adds its caller's terminal)
 *
 * The supervisor stays small (its peak RSS is measured by bench/run): it
 * never parses config.json. Each start is made by a worker process it
 * forks (the launcher callback), which clones the container as the
 * supervisor's child (CLONE_PARENT), then hands over, through a unix
 * socket, the container's pid, its cgroup path and the fds of its output
 * (pipes, or a pty master) and of its open stdin (launch), and exits. */
#ifndef BOX_SUPERVISE_H
#define BOX_SUPERVISE_H

#include <sys/types.h>
#include <time.h>

#include "probe.h"
#include "restart.h"
#include "runtime/event.h"
#include "runtime/logcfg.h"
#include "runtime/volevents.h"

struct sv {
	int rootfd, cdir;
	const char *root, *id; /* the state directory's path, for ctr-exec */
	struct restart_policy policy;
	struct timespec policy_mtime; /* create.json's when POLICY was read: docker update changes it */
	struct probe_cfg health;      /* Config.Healthcheck, read before the fork */
	struct logcfg log;            /* HostConfig.LogConfig, read before the fork */
	int restarts;                 /* how many times it was restarted: the worker records it */
	int report;                   /* to the caller of -d, closed after the first start; -1 */
	/* in a forked worker: start the container, send a launch_msg on SOCK,
	 * return the worker's exit status */
	int (*launch) (void *arg, int sock);
	void *arg;
	const struct event_attrs *ev; /* the container's event attributes: die is the supervisor's */
	const struct volevents *vols; /* its volumes: their unmount too */
};

/* Start, log and wait, restart as the policy says; returns the last exit
 * code (the worker's 125/126/127 when a start failed). */
int supervise_run (struct sv *sv);

struct crilog;
struct attachsrv;
struct relay;

/* One run of the payload PID: its output (FDS[0], FDS[1]: pipes, or a
 * pty master and -1) to LOG, to the attachers of AS and, attached, to our
 * caller through FG (NULL for the supervisor), until it ends and PID was
 * reaped; its input (FDS[2], the stdin pipe, or -1) fed by AS and FG; the
 * health checks of PR run meanwhile; a signal read from SIGFD passed on.
 * An fd closed here is -1 in FDS after. Returns PID's wait status. */
int supervise_wait (pid_t pid, int fds[3], int sigfd, struct crilog *log, struct probe *pr, struct attachsrv *as,
                    struct relay *fg);

#endif
