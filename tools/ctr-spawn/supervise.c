#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/layout.h"
#include "base/timestamp.h"
#include "attachsrv.h"
#include "crilog.h"
#include "launch.h"
#include "probe.h"
#include "relay.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/spawn.h"

/* Docker's restart delay: 100 ms, doubled each time up to a minute, reset
 * after 10 s of run (moby's restartmanager) */
#define BACKOFF_START_MS 100
#define BACKOFF_MAX_MS 60000
#define BACKOFF_RESET_S 10

/* errno of the first write of the container's output to its log that
 * failed (a full disk) during this run: said in State.Error and, when
 * there is room again, in a last log entry; 0 when none did */
static int log_errno;

static void
log_failed (void)
{
	if (!log_errno)
		log_errno = errno ? errno : EIO;
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

/* read what FD has into the log, to the attachers and to our caller
 * (attached); 0 at its end, where the piece of a line the log held goes
 * out; -1 once the caller's side broke. 16 KiB a read: a bigger buffer
 * costs the supervisor's RSS and saves no log bytes, lines are joined
 * across reads */
static int
log_from (int fd, struct crilog *log, int stream, struct attachsrv *as, struct relay *fg)
{
	static char buf[16384];
	ssize_t n = read (fd, buf, sizeof buf);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0) {
		if (crilog_flush (log, stream) < 0)
			log_failed ();
		return 0;
	}
	if (crilog_out (log, stream, buf, (size_t)n) < 0)
		log_failed ();
	attachsrv_out (as, stream, buf, (size_t)n);
	/* as the container's own write to a caller gone would have ended */
	return fg && relay_out (fg, stream, buf, (size_t)n) < 0 ? -1 : 1;
}

/* reap what ended (a health check is recorded); 1 once PID was, with
 * its wait status in *STATUS */
static int
reap (pid_t pid, int *status, struct probe *pr)
{
	int st, done = 0;
	pid_t p;

	while ((p = waitpid (-1, &st, WNOHANG)) > 0)
		if (p == pid) {
			*status = st;
			done = 1;
		} else
			probe_reaped (pr, p, st);
	return done;
}

static int
earliest (int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* a signal for the payload: passed on, but a terminal's new size goes
 * to its pty */
static void
pass_on (pid_t pid, int sig, struct relay *fg)
{
	if (sig == SIGWINCH && fg && relay_resize (fg))
		return;
	kill (pid, sig);
}

/* our caller's reader of stream K went: the container's writes there fail
 * from now on, as they did when they went straight to it (a pty closed
 * hangs its session up) */
static void
caller_gone (int fds[3], int k, struct attachsrv *as, struct relay *fg)
{
	close (fds[k]);
	fds[k] = -1;
	if (fg->pty) {
		fg->to = fg->in = -1;
		attachsrv_start (as, -1, 0);
	}
}

/* our caller's input ended: a stdin pipe is closed for everyone */
static void
input_ended (int fds[3], struct attachsrv *as)
{
	close (fds[2]);
	fds[2] = -1;
	attachsrv_start (as, -1, 0);
}

int
supervise_wait (pid_t pid, int fds[3], int sigfd, struct crilog *log, struct probe *pr, struct attachsrv *as,
                struct relay *fg)
{
	struct pollfd p[5 + 1 + ATTACHSRV_MAX] = {
	    {fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}, {sigfd, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
	int status = 0, reaped = 0, r;
	size_t na, nf;

	while (p[0].fd >= 0 || p[1].fd >= 0 || !reaped) {
		int n;
		p[3].fd = probe_fd (pr);
		nf = fg && !reaped ? relay_fds (fg, p + 4) : 0;
		if (!nf)
			p[4].fd = -1;
		na = attachsrv_fds (as, p + 5);
		n = poll (p, 5 + (nfds_t)na, earliest (crilog_due_ms (log), reaped ? -1 : probe_due_ms (pr)));
		if (crilog_expire (log) < 0)
			log_failed ();
		if (!reaped)
			probe_tick (pr);
		if (n <= 0)
			continue;
		if (p[3].fd >= 0 && p[3].revents)
			probe_output (pr);
		for (int k = 0; k < 2; k++)
			if (p[k].revents && (r = log_from (p[k].fd, log, k, as, fg)) <= 0) {
				p[k].fd = -1;
				if (r < 0)
					caller_gone (fds, k, as, fg);
			}
		if (nf && relay_ready (fg, p + 4, nf) && fds[2] >= 0)
			input_ended (fds, as);
		attachsrv_ready (as, p + 5, na);
		if (p[2].revents) {
			struct signalfd_siginfo si;
			if (read (sigfd, &si, sizeof si) != (ssize_t)sizeof si)
				continue;
			if (si.ssi_signo == SIGCHLD)
				reaped |= reap (pid, &status, pr);
			else if (!reaped)
				pass_on (pid, (int)si.ssi_signo, fg);
		}
	}
	return status;
}

/* Docker's die, with the exit code */
static void
die_event (struct sv *sv, int code)
{
	static struct event_attrs a; /* static: 8 KiB off the stack, touched only as far as used */
	char n[16];

	memcpy (a.buf, sv->ev->buf, sv->ev->len + 1);
	a.len = sv->ev->len;
	snprintf (n, sizeof n, "%d", code);
	event_attrs_add (&a, "exitCode", n);
	event_log (sv->rootfd, "container", "die", sv->id, &a);
	volevents_log (sv->vols, sv->rootfd, sv->id, "unmount");
}

/* the exit in state, the cgroup gone. RESTART: the policy starts it
 * again after the delay: "restarting" (Docker's Restarting, its count
 * already up), which lasts only as long as we do (ctr_state_settle).
 * The state first: on a full disk it is rewritten in its own block, where
 * the log may have no room for a last word */
static void
record_exit (struct sv *sv, struct crilog *log, const struct launch_msg *m, int code, int count, int restart)
{
	struct ctr_state s;
	struct cgroup cg;
	struct bx_err e = {0};
	char lost[200] = "";
	int oom = 0;

	if (log_errno)
		snprintf (lost, sizeof lost, "log incomplete: the container's output could not all be written: %s",
		          strerror (log_errno));

	if (m->cgroup[0] && cgroup_open (&cg, m->cgroup, &e) == 0) {
		oom = cgroup_oom_kills (&cg) > 0;
		cgroup_destroy (&cg, &e);
	}
	if (ctr_state_read (sv->cdir, &s, &e) < 0)
		memset (&s, 0, sizeof s);
	snprintf (s.status, sizeof s.status, restart ? "restarting" : "exited");
	s.exit_code = code;
	s.oom_killed = oom;
	s.restart_count = count + restart;
	s.pid = 0;
	s.pid_start = 0;
	s.monitor = restart ? getpid () : 0;
	s.monitor_start = restart ? ctr_proc_start_time (s.monitor) : 0;
	timestamp_now (s.finished);
	if (lost[0])
		snprintf (s.error, sizeof s.error, "%s", lost);
	/* before the record: a stop that waits for it tells its stop after */
	die_event (sv, code);
	ctr_state_write (sv->cdir, &s, 1, &e);
	if (lost[0]) {
		strcat (lost, "\n");
		crilog_out (log, 1, lost, strlen (lost));
		log_errno = 0;
	}
}

/* a restart called off during its delay (a stop, docker rm -f) */
static void
record_given_up (struct sv *sv)
{
	struct ctr_state s;
	struct bx_err e = {0};

	if (ctr_state_read (sv->cdir, &s, &e) < 0 || strcmp (s.status, "restarting"))
		return;
	snprintf (s.status, sizeof s.status, "exited");
	s.monitor = 0;
	s.monitor_start = 0;
	ctr_state_write (sv->cdir, &s, 1, &e);
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

/* docker update --restart of a running container: when create.json
 * changed since the policy was read, a child reads it again (JSON in the
 * supervisor would cost it 170 KB of RSS) and sends the policy back */
static void
policy_refresh (struct sv *sv)
{
	struct stat st;
	struct restart_policy p;
	int fds[2];
	pid_t pid;

	if (fstatat (sv->cdir, L_CREATE_JSON, &st, 0) < 0 ||
	    (st.st_mtim.tv_sec == sv->policy_mtime.tv_sec && st.st_mtim.tv_nsec == sv->policy_mtime.tv_nsec) ||
	    pipe2 (fds, O_CLOEXEC) < 0)
		return;
	if ((pid = fork ()) == 0) {
		struct bx_err e = {0};
		json_t *j = ctr_create_read (sv->cdir, &e);
		json_t *rp = json_object_get (json_object_get (j, "HostConfig"), "RestartPolicy");
		if (j && restart_parse (json_string_value (json_object_get (rp, "Name")),
		                        (int)json_integer_value (json_object_get (rp, "MaximumRetryCount")), &p) == 0)
			(void)!write (fds[1], &p, sizeof p);
		_exit (0);
	}
	close (fds[1]);
	if (pid > 0 && read (fds[0], &p, sizeof p) == (ssize_t)sizeof p) {
		sv->policy = p;
		sv->policy_mtime = st.st_mtim;
	}
	close (fds[0]);
	if (pid > 0)
		waitpid (pid, NULL, 0);
}

int
supervise_run (struct sv *sv)
{
	int sigfd = signals_block (), count = 0, code = 0, again;
	static struct crilog log;  /* static: its held pieces are 32 KiB */
	static struct probe probe; /* static: its output buffer is 4 KiB */
	static struct attachsrv as;
	const struct probe_ctr pc = {
	    .rootfd = sv->rootfd, .cdir = sv->cdir, .root = sv->root, .id = sv->id, .ev = sv->ev};
	long delay = BACKOFF_START_MS;

	crilog_open (&log, sv->cdir, &sv->log);
	attachsrv_open (&as, sv->cdir);
	for (;;) {
		struct launch_msg m;
		int fds[3], status;
		time_t t0;
		launch (sv, &m, fds);
		report_first (sv, &m);
		if (m.code) {
			attachsrv_close (&as, sv->cdir);
			return m.code;
		}
		/* a pty: its master is fds[0], no stderr; else the stdin pipe, if open */
		attachsrv_start (&as, fds[1] < 0 ? fds[0] : fds[2], fds[1] < 0);
		/* a stop that saw it "restarting" and came while it started: the
		 * stopper waits for its end, which it must not start at all */
		if (count && faccessat (sv->cdir, L_STOPPED, F_OK, 0) == 0)
			kill (m.pid, SIGKILL);
		t0 = time (NULL);
		probe_begin (&probe, &sv->health, &pc);
		status = supervise_wait (m.pid, fds, sigfd, &log, &probe, &as, NULL);
		probe_end (&probe);
		for (int i = 0; i < 3; i++)
			if (fds[i] >= 0)
				close (fds[i]);
		code = spawn_exit_code (status);
		policy_refresh (sv);
		again = restart_wanted (&sv->policy, code, count, faccessat (sv->cdir, L_STOPPED, F_OK, 0) == 0);
		record_exit (sv, &log, &m, code, count, again);
		attachsrv_exit (&as, code);
		if (!again)
			break;
		if (time (NULL) - t0 >= BACKOFF_RESET_S)
			delay = BACKOFF_START_MS;
		if (!backoff (sigfd, delay) || faccessat (sv->cdir, L_STOPPED, F_OK, 0) == 0) {
			record_given_up (sv);
			break;
		}
		delay = delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay * 2;
		sv->restarts = ++count;
	}
	attachsrv_close (&as, sv->cdir);
	return code;
}
