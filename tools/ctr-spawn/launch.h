/* launch - the handover from the worker that starts a container to the -d
 * supervisor: over a unix socket, the container's pid, its cgroup path
 * and the fds of its output (pipes, or a pty master) and open stdin
 * (SCM_RIGHTS), or why the start failed */
#ifndef BOX_LAUNCH_H
#define BOX_LAUNCH_H

#include <sys/types.h>

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

#endif
