#include "runtime/ctrsig.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "runtime/cgroup.h"
#include "runtime/event.h"
#include "runtime/freezer.h"

int
ctrsig_parse (const char *s)
{
	char *end;
	long n;

	if (isdigit ((unsigned char)s[0])) {
		n = strtol (s, &end, 10);
		return *end || n < 1 || n > SIGRTMAX ? -1 : (int)n;
	}
	if (!strncasecmp (s, "SIG", 3))
		s += 3;
	for (int i = 1; i < SIGRTMIN; i++) {
		const char *name = sigabbrev_np (i);
		if (name && !strcasecmp (name, s))
			return i;
	}
	return -1;
}

int
ctrsig_pidfd (const struct ctr_state *s, struct bx_err *e)
{
	int fd;

	if (strcmp (s->status, "running") || s->pid <= 0)
		return err_set (e, BX_CONFLICT, 0, "not running");
	if ((fd = pidfd_open (s->pid, 0)) < 0) {
		if (errno == ESRCH)
			return err_set (e, BX_CONFLICT, 0, "not running");
		return err_set (e, BX_SYSTEM, errno, "pidfd_open %d", (int)s->pid);
	}
	/* the fd pins the process: checked now, the pid cannot be recycled under us */
	if (ctr_proc_start_time (s->pid) != s->pid_start) {
		close (fd);
		return err_set (e, BX_CONFLICT, 0, "not running");
	}
	return fd;
}

int
ctrsig_exit_wait (int pidfd, int timeout_ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;

	while ((r = poll (&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return r != 0;
}

int
ctrsig_recorded_wait (int dirfd, struct bx_err *e)
{
	int fd = lock_take_at (dirfd, L_CTR_LOCK, LOCK_SHARED, e);

	if (fd < 0)
		return err_wrap (e, "wait for the exit to be recorded");
	close (fd);
	return 0;
}

int
ctrsig_restarts (json_t *create)
{
	json_t *hc = json_object_get (create, "HostConfig");
	const char *p = json_string_value (json_object_get (json_object_get (hc, "RestartPolicy"), "Name"));

	return p && *p && strcmp (p, "no");
}

void
ctrsig_stop_params (json_t *create, int *sig, int *timeout)
{
	json_t *cfg = json_object_get (create, "Config");
	const char *s = json_string_value (json_object_get (cfg, "StopSignal"));
	json_t *t = json_object_get (cfg, "StopTimeout");

	*sig = s && ctrsig_parse (s) > 0 ? ctrsig_parse (s) : SIGTERM;
	*timeout = json_is_integer (t) ? (int)json_integer_value (t) : 10;
}

static int
mark_stopped (int dirfd, struct bx_err *e)
{
	int fd = openat (dirfd, L_STOPPED, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "create " L_STOPPED);
	close (fd);
	return 0;
}

int
ctrsig_cancel_restart (int dirfd, const struct ctr_state *s, struct bx_err *e)
{
	int fd;

	if (mark_stopped (dirfd, e) < 0)
		return -1;
	if (strcmp (s->status, "restarting") || s->monitor <= 0 || (fd = pidfd_open (s->monitor, 0)) < 0)
		return 0;
	/* the pidfd pins the process: the supervisor recorded, not a recycled pid */
	if (ctr_proc_start_time (s->monitor) == s->monitor_start)
		pidfd_send_signal (fd, SIGTERM, NULL, 0);
	close (fd);
	return 0;
}

int
ctrsig_send (int pidfd, const char *cgpath, int sig)
{
	struct bx_err ign = {0};
	int r = pidfd_send_signal (pidfd, sig, NULL, 0);

	if (freezer_is_frozen_cgroup (cgpath))
		freezer_thaw_cgroup (cgpath, &ign);
	return r;
}

int
ctrsig_stop (int rootfd, int dirfd, const char *id, int sig, int timeout, struct bx_err *e)
{
	char cgpath[CGROUP_PATH_LEN];
	_cleanup_close_ int pidfd = -1;
	struct ctr_state s;

	/* first the marker: a supervisor that sees the exit must not restart */
	if (mark_stopped (dirfd, e) < 0 || ctr_state_read (dirfd, &s, e) < 0)
		return -1;
	ctr_state_settle (&s);
	if (!strcmp (s.status, "restarting"))
		return ctrsig_cancel_restart (dirfd, &s, e) < 0 ? -1 : ctrsig_recorded_wait (dirfd, e);
	if ((pidfd = ctrsig_pidfd (&s, e)) < 0)
		return e->code == BX_CONFLICT ? 0 : -1;
	ctr_cgroup_path_at (dirfd, id, cgpath);
	if (ctrsig_send (pidfd, cgpath, sig) < 0 && errno != ESRCH)
		return err_set (e, BX_SYSTEM, errno, "send signal %d", sig);
	if (!ctrsig_exit_wait (pidfd, timeout < 0 ? -1 : timeout * 1000)) {
		/* Docker records the SIGKILL past the timeout, before the die */
		event_ctr (rootfd, id, "kill", "signal", "9");
		if (ctrsig_send (pidfd, cgpath, SIGKILL) < 0 && errno != ESRCH)
			return err_set (e, BX_SYSTEM, errno, "send SIGKILL");
	}
	ctrsig_exit_wait (pidfd, -1);
	return ctrsig_recorded_wait (dirfd, e);
}
