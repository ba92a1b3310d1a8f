#include "resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <poll.h>
#include <sched.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"

/* The network directory's absolute path (dnsmasq needs paths). */
static int
dir_path (int dirfd, char out[PATH_MAX], struct bx_err *e)
{
	char link[64];
	ssize_t len;

	snprintf (link, sizeof link, "/proc/self/fd/%d", dirfd);
	len = readlink (link, out, PATH_MAX - 1);
	if (len < 0)
		return err_set (e, BX_SYSTEM, errno, "directory");
	out[len] = 0;
	return 0;
}

/* The pid of the network's running dnsmasq, 0 when none runs: the pid
 * file's process must be a dnsmasq started with this pid file. */
static pid_t
resolver_pid (int dirfd, const char *dir)
{
	_cleanup_free_ char *buf = NULL;
	char path[64], cmd[8192], want[PATH_MAX + 32];
	struct bx_err ignored = {0};
	pid_t pid;
	ssize_t len;
	_cleanup_close_ int fd = -1;

	if (afile_slurp_at (dirfd, L_DNSMASQ_PID, &buf, NULL, &ignored) < 0 || (pid = atoi (buf)) <= 0)
		return 0;
	snprintf (path, sizeof path, "/proc/%d/cmdline", (int)pid);
	if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0 || (len = read (fd, cmd, sizeof cmd - 1)) <= 0)
		return 0;
	cmd[len] = 0;
	snprintf (want, sizeof want, "--pid-file=%s/" L_DNSMASQ_PID, dir);
	for (char *p = cmd; p < cmd + len; p += strlen (p) + 1)
		if (!strcmp (p, want))
			return pid;
	return 0;
}

/* Why dnsmasq failed: the last line of its log, or its exit status. */
static const char *
last_log_line (int dirfd, int status)
{
	static char line[512];
	_cleanup_free_ char *buf = NULL;
	struct bx_err ignored = {0};
	char *end, *start;

	snprintf (line, sizeof line, "exit %d", WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
	if (afile_slurp_at (dirfd, L_DNSMASQ_LOG, &buf, NULL, &ignored) < 0)
		return line;
	end = buf + strlen (buf);
	while (end > buf && end[-1] == '\n')
		*--end = 0;
	start = strrchr (buf, '\n');
	start = start ? start + 1 : buf;
	if (*start)
		snprintf (line, sizeof line, "%s", start);
	return line;
}

/* Run dnsmasq with ARGS (after its common ones) for the directory DIRFD
 * (DIR: its path), which holds its pid file and log; inside the network
 * namespace NSFD unless it is -1. Returns once it listens. */
static int
resolver_spawn (int dirfd, const char *dir, int nsfd, char *const *args, int nargs, struct bx_err *e)
{
	char a_pid[PATH_MAX + 16], a_log[PATH_MAX + 24];
	char *argv[32] = {(char *)"dnsmasq", (char *)"--conf-file=/dev/null", a_pid, (char *)"--bind-interfaces",
	                  (char *)"--no-hosts",
	                  /* root: the hosts file lives in the state directory, which
	                   * the unprivileged user dnsmasq would switch to may not read */
	                  (char *)"--user=root", (char *)"--domain-needed", (char *)"--no-negcache",
	                  (char *)"--cache-size=0", a_log};
	int argc = 10, status;
	pid_t pid;

	for (int i = 0; i < nargs && argc < 31; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	snprintf (a_pid, sizeof a_pid, "--pid-file=%s/" L_DNSMASQ_PID, dir);
	/* the log stays open in the directory: whoever cleans a test's
	 * directory of processes finds dnsmasq too */
	snprintf (a_log, sizeof a_log, "--log-facility=%s/" L_DNSMASQ_LOG, dir);
	pid = fork ();
	if (pid == 0) {
		int null = open ("/dev/null", O_RDWR);
		/* stderr into the log: why it could not start is read from there;
		 * the daemon must not keep the caller's stderr open */
		int log = openat (dirfd, L_DNSMASQ_LOG, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2 (null, 0), dup2 (null, 1), dup2 (log >= 0 ? log : null, 2);
		if (nsfd >= 0 && setns (nsfd, CLONE_NEWNET) < 0)
			_exit (126);
		execvp (argv[0], argv);
		_exit (127);
	}
	if (pid < 0)
		return err_set (e, BX_SYSTEM, errno, "run dnsmasq");
	/* dnsmasq's first process exits once the daemon listens (or failed) */
	while (waitpid (pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "wait for dnsmasq");
	if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
		return err_set (e, BX_SYSTEM, 0, "dnsmasq failed to start: %s", last_log_line (dirfd, status));
	return 0;
}

/* --bind-interfaces lists the host's interfaces and then asks about each:
 * one deleted in between (any other network going away) fails the start
 * with ENODEV, which a second look does not meet */
static int
resolver_spawn_retry (int dirfd, const char *dir, int nsfd, char *const *args, int nargs, struct bx_err *e)
{
	int rc;

	for (int tries = 0;; tries++) {
		rc = resolver_spawn (dirfd, dir, nsfd, args, nargs, e);
		if (rc == 0 || tries == 4 || !strstr (e->msg, "failed to find list of interfaces"))
			return rc;
		usleep (20000);
	}
}

int
resolver_start (int dirfd, struct in_addr gw, struct bx_err *e)
{
	char dir[PATH_MAX], addr[INET_ADDRSTRLEN], a_hosts[PATH_MAX + 16], a_listen[64];

	if (dir_path (dirfd, dir, e) < 0)
		return -1;
	if (resolver_pid (dirfd, dir))
		return 0;
	if (faccessat (dirfd, L_NET_HOSTS, F_OK, 0) < 0 && afile_write_at (dirfd, L_NET_HOSTS, "", 0, 0644, e) < 0)
		return -1;
	inet_ntop (AF_INET, &gw, addr, sizeof addr);
	snprintf (a_hosts, sizeof a_hosts, "--addn-hosts=%s/" L_NET_HOSTS, dir);
	snprintf (a_listen, sizeof a_listen, "--listen-address=%s", addr);
	return resolver_spawn_retry (dirfd, dir, -1, (char *[]){a_listen, a_hosts}, 2, e);
}

int
resolver_ctr_start (int cdir, int nsfd, char *const *hosts, int nhosts, char *const *servers, int nservers,
                    struct bx_err *e)
{
	char dir[PATH_MAX], *args[24], a[20][PATH_MAX + 16];
	int n = 0;

	if (dir_path (cdir, dir, e) < 0)
		return -1;
	args[n++] = (char *)"--listen-address=" RESOLVER_CTR_ADDR;
	for (int i = 0; i < nhosts && n < 20; i++, n++)
		snprintf (args[n] = a[n], sizeof a[n], "--addn-hosts=%s", hosts[i]);
	/* the host's resolvers, reached from inside as the container would */
	args[n++] = (char *)"--no-resolv";
	for (int i = 0; i < nservers && n < 20; i++, n++)
		snprintf (args[n] = a[n], sizeof a[n], "--server=%s", servers[i]);
	return resolver_spawn (cdir, dir, nsfd, args, n, e);
}

void
resolver_ctr_hup (int cdir)
{
	char dir[PATH_MAX];
	struct bx_err ignored = {0};
	pid_t pid;

	if (dir_path (cdir, dir, &ignored) == 0 && (pid = resolver_pid (cdir, dir)) > 0)
		kill (pid, SIGHUP);
}

int
resolver_update (int dirfd, const char *hosts, struct bx_err *e)
{
	char dir[PATH_MAX];
	pid_t pid;

	if (afile_replace_at (dirfd, L_NET_HOSTS, hosts, strlen (hosts), 0644, e) < 0 || dir_path (dirfd, dir, e) < 0)
		return -1;
	if ((pid = resolver_pid (dirfd, dir)) > 0)
		kill (pid, SIGHUP);
	return 0;
}

void
resolver_ctr_stop (int cdir)
{
	resolver_stop (cdir);
}

void
resolver_stop (int dirfd)
{
	char dir[PATH_MAX];
	struct bx_err ignored = {0};
	pid_t pid;

	if (dir_path (dirfd, dir, &ignored) < 0 || (pid = resolver_pid (dirfd, dir)) <= 0)
		return;
	/* its socket on the gateway address must be gone before the bridge
	 * is: wait (at most a second) until the process has ended */
	int pfd = (int)syscall (SYS_pidfd_open, pid, 0);
	kill (pid, SIGTERM);
	if (pfd >= 0) {
		poll (&(struct pollfd){.fd = pfd, .events = POLLIN}, 1, 1000);
		close (pfd);
	}
	unlinkat (dirfd, L_DNSMASQ_PID, 0);
}
