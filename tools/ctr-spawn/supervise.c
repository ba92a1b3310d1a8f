#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/layout.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/spawn.h"

/* Docker's restart delay: 100 ms, doubled each time, reset after 10 s of run */
#define BACKOFF_START_MS 100
#define BACKOFF_RESET_S 10

int
restart_parse (const char *name, int max_retry, struct restart_policy *p)
{
	p->max_retry = max_retry > 0 ? max_retry : 0;
	if (!name || !*name || !strcmp (name, "no"))
		p->kind = RESTART_NO;
	else if (!strcmp (name, "on-failure"))
		p->kind = RESTART_ON_FAILURE;
	else if (!strcmp (name, "always"))
		p->kind = RESTART_ALWAYS;
	else if (!strcmp (name, "unless-stopped"))
		p->kind = RESTART_UNLESS_STOPPED;
	else
		return -1;
	return 0;
}

int
restart_wanted (const struct restart_policy *p, int exit_code, int count, int stopped)
{
	if (stopped)
		return 0;
	switch (p->kind) {
	case RESTART_NO: return 0;
	case RESTART_ON_FAILURE: return exit_code != 0 && (!p->max_retry || count < p->max_retry);
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED: return 1;
	}
	return 0;
}

/* the log's output buffer: static, so the supervisor's size is known */
static char logbuf[16384];
static size_t loglen;

static int
log_flush (int fd)
{
	int r = afile_write_all (fd, logbuf, loglen);
	loglen = 0;
	return r;
}

static int
log_entry (int fd, const char *head, size_t hlen, const char *text, size_t n, char tag)
{
	while (hlen + n + 3 > sizeof logbuf - loglen) {
		size_t room;
		if (loglen && log_flush (fd) < 0)
			return -1;
		room = sizeof logbuf - hlen - 3;
		if (n <= room)
			break;
		/* a line longer than the buffer: split into partial entries */
		if (log_entry (fd, head, hlen, text, room, 'P') < 0 || log_flush (fd) < 0)
			return -1;
		text += room;
		n -= room;
	}
	memcpy (logbuf + loglen, head, hlen);
	loglen += hlen;
	logbuf[loglen++] = tag;
	logbuf[loglen++] = ' ';
	memcpy (logbuf + loglen, text, n);
	loglen += n;
	logbuf[loglen++] = '\n';
	return 0;
}

int
crilog_write (int logfd, const char *stream, const char *buf, size_t n)
{
	char now[CTR_TIME_LEN], head[CTR_TIME_LEN + 16];
	size_t hlen;

	ctr_time_now (now);
	hlen = (size_t)snprintf (head, sizeof head, "%s %s ", now, stream);
	while (n) {
		const char *nl = memchr (buf, '\n', n);
		size_t len = nl ? (size_t)(nl - buf) : n;
		if (log_entry (logfd, head, hlen, buf, len, nl ? 'F' : 'P') < 0)
			return -1;
		len += nl ? 1 : 0;
		buf += len;
		n -= len;
	}
	return log_flush (logfd);
}

int
launch_send (int sock, const struct launch_msg *m, const int *fds, int nfds)
{
	char cbuf[CMSG_SPACE (3 * sizeof (int))] = {0};
	struct iovec iov = {(void *)m, sizeof *m};
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	if (nfds > 0) {
		h.msg_control = cbuf;
		h.msg_controllen = CMSG_SPACE (nfds * sizeof (int));
		c = CMSG_FIRSTHDR (&h);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN (nfds * sizeof (int));
		memcpy (CMSG_DATA (c), fds, nfds * sizeof (int));
	}
	return sendmsg (sock, &h, MSG_NOSIGNAL) == (ssize_t)sizeof *m ? 0 : -1;
}

int
launch_recv (int sock, struct launch_msg *m, int *fds, int maxfds)
{
	char cbuf[CMSG_SPACE (3 * sizeof (int))];
	struct iovec iov = {m, sizeof *m};
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *c;
	ssize_t n;

	for (int i = 0; i < maxfds; i++)
		fds[i] = -1;
	while ((n = recvmsg (sock, &h, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof *m)
		return -1;
	m->msg[sizeof m->msg - 1] = m->cgroup[sizeof m->cgroup - 1] = '\0';
	for (c = CMSG_FIRSTHDR (&h); c; c = CMSG_NXTHDR (&h, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (int)((c->cmsg_len - CMSG_LEN (0)) / sizeof (int));
			memcpy (fds, CMSG_DATA (c), (size_t)(k < maxfds ? k : maxfds) * sizeof (int));
		}
	return 0;
}

/* one start: fork the worker and take its message */
static void
launch (struct sv *sv, struct launch_msg *m, int fds[3])
{
	int sp[2];
	pid_t w;

	memset (m, 0, sizeof *m);
	m->code = SPAWN_FAILED;
	snprintf (m->msg, sizeof m->msg, "container %.12s: the start failed", sv->id);
	if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return;
	if ((w = fork ()) == 0) {
		close (sp[0]);
		_exit (sv->launch (sv->arg, sp[1]));
	}
	close (sp[1]);
	if (w < 0 || launch_recv (sp[0], m, fds, 3) < 0) {
		m->code = SPAWN_FAILED;
		snprintf (m->msg, sizeof m->msg, "container %.12s: the start failed", sv->id);
	}
	close (sp[0]);
}

static void
report_first (struct sv *sv, const struct launch_msg *m)
{
	if (sv->report < 0)
		return;
	if (write (sv->report, m, sizeof *m) < 0)
		sv->report = sv->report; /* the caller is gone: nobody to tell */
	close (sv->report);
	sv->report = -1;
}

/* read one chunk of FD into the log; 0 at its end */
static int
log_from (int fd, int logfd, const char *stream)
{
	static char buf[8192];
	ssize_t n = read (fd, buf, sizeof buf);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	crilog_write (logfd, stream, buf, (size_t)n);
	return 1;
}

/* reap what ended; 1 once PID was, with its wait status in *STATUS */
static int
reap (pid_t pid, int *status)
{
	int st, done = 0;
	pid_t p;

	while ((p = waitpid (-1, &st, WNOHANG)) > 0)
		if (p == pid) {
			*status = st;
			done = 1;
		}
	return done;
}

/* log the output until it ends and the payload was reaped */
static int
wait_and_log (pid_t pid, int fds[3], int sigfd, int logfd)
{
	struct pollfd p[3] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}, {sigfd, POLLIN, 0}};
	int status = 0, reaped = 0;

	while (p[0].fd >= 0 || p[1].fd >= 0 || !reaped) {
		if (poll (p, 3, -1) < 0)
			continue;
		if (p[0].revents && !log_from (p[0].fd, logfd, "stdout"))
			p[0].fd = -1;
		if (p[1].revents && !log_from (p[1].fd, logfd, "stderr"))
			p[1].fd = -1;
		if (p[2].revents) {
			struct signalfd_siginfo si;
			if (read (sigfd, &si, sizeof si) != (ssize_t)sizeof si)
				continue;
			if (si.ssi_signo == SIGCHLD)
				reaped |= reap (pid, &status);
			else if (!reaped)
				kill (pid, (int)si.ssi_signo);
		}
	}
	return status;
}

/* the exit in state, the cgroup gone; the exit code */
static int
record_exit (struct sv *sv, const struct launch_msg *m, int status, int count)
{
	struct ctr_state s;
	struct cgroup cg;
	struct bx_err e = {0};
	int oom = 0;

	if (m->cgroup[0] && cgroup_open (&cg, m->cgroup, &e) == 0) {
		oom = cgroup_oom_kills (&cg) > 0;
		cgroup_destroy (&cg, &e);
	}
	if (ctr_state_read (sv->cdir, &s, &e) < 0)
		memset (&s, 0, sizeof s);
	snprintf (s.status, sizeof s.status, "exited");
	s.exit_code = spawn_exit_code (status);
	s.oom_killed = oom;
	s.restart_count = count;
	s.pid = s.monitor = 0;
	s.pid_start = s.monitor_start = 0;
	ctr_time_now (s.finished);
	ctr_state_write (sv->cdir, &s, 1, &e);
	return s.exit_code;
}

static long
now_ms (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* the restart delay; a signal other than SIGCHLD (a stop) cuts it short: 0 then */
static int
backoff (int sigfd, long ms)
{
	struct pollfd p = {sigfd, POLLIN, 0};
	long end = now_ms () + ms, left;
	int st;

	while ((left = end - now_ms ()) > 0) {
		struct signalfd_siginfo si;
		if (poll (&p, 1, (int)left) <= 0)
			continue;
		if (read (sigfd, &si, sizeof si) == (ssize_t)sizeof si && si.ssi_signo != SIGCHLD)
			return 0;
		while (waitpid (-1, &st, WNOHANG) > 0)
			;
	}
	return 1;
}

static int
signals_block (void)
{
	static const int sigs[] = {SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
	sigset_t set;

	sigemptyset (&set);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset (&set, sigs[i]);
	sigprocmask (SIG_BLOCK, &set, NULL);
	return signalfd (-1, &set, SFD_CLOEXEC);
}

int
sv_run (struct sv *sv)
{
	int sigfd = signals_block (), count = 0, code = 0;
	int logfd = openat (sv->cdir, L_LOG, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	long delay = BACKOFF_START_MS;

	for (;;) {
		struct launch_msg m;
		int fds[3], status;
		time_t t0;
		launch (sv, &m, fds);
		report_first (sv, &m);
		if (m.code)
			return m.code;
		t0 = time (NULL);
		status = wait_and_log (m.pid, fds, sigfd, logfd);
		for (int i = 0; i < 3; i++)
			if (fds[i] >= 0)
				close (fds[i]);
		code = record_exit (sv, &m, status, count);
		if (!restart_wanted (&sv->policy, code, count, faccessat (sv->cdir, L_STOPPED, F_OK, 0) == 0))
			break;
		if (time (NULL) - t0 >= BACKOFF_RESET_S)
			delay = BACKOFF_START_MS;
		if (!backoff (sigfd, delay) || faccessat (sv->cdir, L_STOPPED, F_OK, 0) == 0)
			break;
		delay *= 2;
		sv->restarts = ++count;
	}
	return code;
}
