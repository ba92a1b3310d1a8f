/* supervise - what the -d supervisor of ctr-spawn does between starts:
 * the CRI log, the wait for the payload, the restart policy
 *
 * The supervisor stays small (its peak RSS is measured by bench/run): it
 * never parses config.json. Each start is made by a worker process it
 * forks (the launcher callback), which clones the container as the
 * supervisor's child (CLONE_PARENT), then hands over, through a unix
 * socket, the container's pid, its cgroup path and the fds of its output
 * (pipes, or a pty master) and of its open stdin, and exits. */
#ifndef BOX_SUPERVISE_H
#define BOX_SUPERVISE_H

#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

enum restart_kind { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED };

struct restart_policy {
	enum restart_kind kind;
	int max_retry; /* on-failure:N, 0: no limit */
};

/* Parse Docker's RestartPolicy.Name ("", "no", "on-failure", "always",
 * "unless-stopped"); -1 when unknown. */
int restart_parse (const char *name, int max_retry, struct restart_policy *p);
/* Whether a container that ended with EXIT_CODE and was restarted COUNT
 * times is started again; STOPPED: someone stopped it on purpose. */
int restart_wanted (const struct restart_policy *p, int exit_code, int count, int stopped);

/* Append BUF (N bytes read from STREAM, "stdout" or "stderr") to the
 * CRI log LOGFD: one "TIME STREAM F TEXT" entry per line, a trailing
 * piece without newline as a "P" entry. */
int crilog_write (int logfd, const char *stream, const char *buf, size_t n);

/* the worker's message to the supervisor (fds ride along: out, err, in) */
struct launch_msg {
	int code;  /* 0: the payload runs; else 125, 126, 127 */
	pid_t pid; /* the container's first process (0 when none) */
	int nfds;  /* out, err (-1 with a terminal), in (held open) */
	char cgroup[256];
	char msg[1024];
};

int launch_send (int sock, const struct launch_msg *m, const int *fds, int nfds);
int launch_recv (int sock, struct launch_msg *m, int *fds, int maxfds);

struct sv {
	int rootfd, cdir;
	const char *id;
	struct restart_policy policy;
	int restarts; /* how many times it was restarted: the worker records it */
	int report;   /* to the caller of -d, closed after the first start; -1 */
	/* in a forked worker: start the container, send a launch_msg on SOCK,
	 * return the worker's exit status */
	int (*launch) (void *arg, int sock);
	void *arg;
};

/* Start, log and wait, restart as the policy says; returns the last exit
 * code (the worker's 125/126/127 when a start failed). */
int sv_run (struct sv *sv);

#endif
