#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/human.h"
#include "base/timestamp.h"
#include "runtime/spawn.h"

/* moby's defaults (api/types/container: DefaultHealthcheck...) */
#define DEFAULT_INTERVAL 30000000000LL
#define DEFAULT_TIMEOUT 30000000000LL
#define DEFAULT_START_INTERVAL 5000000000LL
#define DEFAULT_RETRIES 3

static int64_t
ns_or (json_t *hc, const char *key, int64_t def)
{
	int64_t v = json_integer_value (json_object_get (hc, key));

	return v > 0 ? v : def;
}

int
probe_cfg_parse (json_t *hc, struct probe_cfg *c)
{
	json_t *test = json_object_get (hc, "Test");
	const char *kind = json_string_value (json_array_get (test, 0));
	size_t n = json_array_size (test), k = 0;

	*c = (struct probe_cfg){0};
	if (!kind || (strcmp (kind, "CMD") && strcmp (kind, "CMD-SHELL")) || n < 2)
		return 0;
	if (!(c->test = calloc (n + 2, sizeof *c->test)))
		return probe_cfg_free (c), -1;
	/* /bin/sh -c, as Docker: the image's SHELL is not the container's */
	if (!strcmp (kind, "CMD-SHELL") && (!(c->test[k++] = strdup ("/bin/sh")) || !(c->test[k++] = strdup ("-c"))))
		return probe_cfg_free (c), -1;
	for (size_t i = 1; i < n; i++)
		if (json_is_string (json_array_get (test, i)) &&
		    !(c->test[k++] = strdup (json_string_value (json_array_get (test, i)))))
			return probe_cfg_free (c), -1;
	c->interval = ns_or (hc, "Interval", DEFAULT_INTERVAL);
	c->timeout = ns_or (hc, "Timeout", DEFAULT_TIMEOUT);
	c->start_period = ns_or (hc, "StartPeriod", 0);
	c->start_interval = ns_or (hc, "StartInterval", DEFAULT_START_INTERVAL);
	c->retries = (int)ns_or (hc, "Retries", DEFAULT_RETRIES);
	return 0;
}

void
probe_cfg_free (struct probe_cfg *c)
{
	for (size_t i = 0; c->test && c->test[i]; i++)
		free (c->test[i]);
	free (c->test);
	c->test = NULL;
}

static long
now_ms (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* moby's getInterval: the start interval while starting in the start period */
static void
schedule (struct probe *p)
{
	long since = now_ms () - p->started_ms;
	int64_t ns = p->cfg->interval;

	if (since < p->cfg->start_period / 1000000 && p->status == HEALTH_STARTING)
		ns = p->cfg->start_interval;
	p->due_ms = now_ms () + (long)(ns / 1000000);
}

void
probe_begin (struct probe *p, const struct probe_cfg *cfg, const struct probe_ctr *ctr)
{
	struct bx_err e = {0};

	*p = (struct probe){.cfg = cfg, .ctr = ctr, .fd = -1};
	if (!cfg->test)
		return;
	p->started_ms = now_ms ();
	p->status = HEALTH_STARTING;
	health_begin (ctr->cdir, &e);
	schedule (p);
}

int
probe_fd (const struct probe *p)
{
	return p->fd;
}

int
probe_due_ms (const struct probe *p)
{
	long left;

	if (!p->cfg || !p->cfg->test)
		return -1;
	left = p->due_ms - now_ms ();
	return left < 0 ? 0 : left > 3600000 ? 3600000 : (int)left;
}

/* ctr-exec CONTAINER TEST..., its output and error on OUT, our signals
 * unblocked; posix_spawn (a vfork) copies none of our pages */
static pid_t
check_spawn (const struct probe *p, int out)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	size_t n = 0;
	char **argv;
	sigset_t none;
	pid_t pid = -1;

	while (p->cfg->test[n])
		n++;
	if (!(argv = calloc (n + 5, sizeof *argv)))
		return -1;
	argv[0] = "ctr-exec", argv[1] = "--root", argv[2] = (char *)p->ctr->root, argv[3] = (char *)p->ctr->id;
	memcpy (argv + 4, p->cfg->test, n * sizeof *argv);
	sigemptyset (&none);
	posix_spawn_file_actions_init (&fa);
	/* not an attached ctr-spawn's stdin: the caller's terminal */
	posix_spawn_file_actions_addopen (&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2 (&fa, out, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2 (&fa, out, STDERR_FILENO);
	posix_spawnattr_init (&at);
	posix_spawnattr_setsigmask (&at, &none);
	posix_spawnattr_setflags (&at, POSIX_SPAWN_SETSIGMASK);
	if (posix_spawnp (&pid, argv[0], &fa, &at, argv, environ) != 0)
		pid = -1;
	posix_spawnattr_destroy (&at);
	posix_spawn_file_actions_destroy (&fa);
	free (argv);
	return pid;
}

static void
check_start (struct probe *p)
{
	int fds[2];
	pid_t pid;

	p->len = 0;
	p->truncated = 0;
	timestamp_now (p->start);
	if (pipe2 (fds, O_CLOEXEC) < 0) {
		schedule (p);
		return;
	}
	pid = check_spawn (p, fds[1]);
	close (fds[1]);
	if (pid < 0) {
		close (fds[0]);
		schedule (p);
		return;
	}
	fcntl (fds[0], F_SETFL, O_NONBLOCK);
	p->pid = pid;
	p->fd = fds[0];
	p->due_ms = now_ms () + (long)(p->cfg->timeout / 1000000);
}

/* Docker's event of a new status, "health_status: healthy" */
static void
status_event (const struct probe *p, int st)
{
	static struct event_attrs a; /* static: 8 KiB off the stack, touched only as far as used */

	memcpy (a.buf, p->ctr->ev->buf, p->ctr->ev->len + 1);
	a.len = p->ctr->ev->len;
	event_log (p->ctr->rootfd, "container",
	           st == HEALTH_HEALTHY ? "health_status: healthy" : "health_status: unhealthy", p->ctr->id, &a);
}

/* the result of the check that ran, recorded; the next one scheduled */
static void
check_done (struct probe *p, int code)
{
	struct health_result r = {.exit_code = code, .output = p->out, .len = p->len, .truncated = p->truncated};
	struct bx_err e = {0};
	int grace = now_ms () - p->started_ms < p->cfg->start_period / 1000000;
	int st;

	if (p->fd >= 0)
		close (p->fd);
	p->fd = -1;
	p->pid = 0;
	snprintf (r.start, sizeof r.start, "%s", p->start);
	timestamp_now (r.end);
	if ((st = health_record (p->ctr->cdir, &r, p->cfg->retries, grace, &e)) >= 0 && st != p->status &&
	    st != HEALTH_STARTING)
		status_event (p, st);
	if (st >= 0)
		p->status = st;
	schedule (p);
}

void
probe_output (struct probe *p)
{
	char junk[4096];
	ssize_t n;

	for (;;) {
		size_t room = sizeof p->out - p->len;
		n = room ? read (p->fd, p->out + p->len, room) : read (p->fd, junk, sizeof junk);
		if (n <= 0)
			break;
		if (room)
			p->len += (size_t)n;
		else
			p->truncated = 1;
	}
	/* its end: the writers are gone, the reap records the result */
	if (n == 0) {
		close (p->fd);
		p->fd = -1;
	}
}

void
probe_tick (struct probe *p)
{
	char d[48];

	if (!p->cfg || !p->cfg->test || now_ms () < p->due_ms)
		return;
	if (!p->pid) {
		check_start (p);
		return;
	}
	/* moby: exit code -1 and these words; the check dies with its ctr-exec
	 * (its parent-death signal) */
	kill (p->pid, SIGKILL);
	human_go_duration (p->cfg->timeout, d, sizeof d);
	p->len = (size_t)snprintf (p->out, sizeof p->out, "Health check exceeded timeout (%s)", d);
	p->truncated = 0;
	check_done (p, -1);
}

int
probe_reaped (struct probe *p, pid_t pid, int status)
{
	if (!p->pid || pid != p->pid)
		return 0;
	if (p->fd >= 0)
		probe_output (p);
	check_done (p, spawn_exit_code (status));
	return 1;
}

void
probe_end (struct probe *p)
{
	struct bx_err e = {0};

	if (!p->cfg || !p->cfg->test)
		return;
	if (p->pid)
		kill (p->pid, SIGKILL);
	if (p->fd >= 0)
		close (p->fd);
	p->fd = -1;
	p->pid = 0;
	health_end (p->ctr->cdir, &e);
}
