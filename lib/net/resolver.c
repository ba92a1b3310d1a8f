#include "net/resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <poll.h>
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
#include "base/netfile.h"
#include "net/netstore.h"

/* The network directory's absolute path (dnsmasq needs paths). */
static int
net_path (struct net *n, char out[PATH_MAX], struct bx_err *e)
{
	char link[64];
	ssize_t len;

	snprintf (link, sizeof link, "/proc/self/fd/%d", n->dirfd);
	len = readlink (link, out, PATH_MAX - 1);
	if (len < 0)
		return err_set (e, BX_SYSTEM, errno, "network %s: directory", n->name);
	out[len] = 0;
	return 0;
}

/* The pid of the network's running dnsmasq, 0 when none runs: the pid
 * file's process must be a dnsmasq started with this pid file. */
static pid_t
resolver_pid (struct net *n, const char *dir)
{
	_cleanup_free_ char *buf = NULL;
	char path[64], cmd[8192], want[PATH_MAX + 32];
	struct bx_err ignored = {0};
	pid_t pid;
	ssize_t len;
	_cleanup_close_ int fd = -1;

	if (afile_slurp_at (n->dirfd, L_DNSMASQ_PID, &buf, NULL, &ignored) < 0 || (pid = atoi (buf)) <= 0)
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
last_log_line (struct net *n, int status)
{
	static char line[512];
	_cleanup_free_ char *buf = NULL;
	struct bx_err ignored = {0};
	char *end, *start;

	snprintf (line, sizeof line, "exit %d", WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
	if (afile_slurp_at (n->dirfd, L_DNSMASQ_LOG, &buf, NULL, &ignored) < 0)
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

static int
resolver_spawn (struct net *n, const char *dir, struct bx_err *e)
{
	char gw[INET_ADDRSTRLEN], a_pid[PATH_MAX + 16], a_hosts[PATH_MAX + 16], a_log[PATH_MAX + 24], a_listen[64];
	pid_t pid;
	int status;
	char *argv[] = {(char *)"dnsmasq", (char *)"--conf-file=/dev/null", a_pid, a_listen,
	                (char *)"--bind-interfaces", (char *)"--no-hosts", a_hosts,
	                /* root: the hosts file lives in the state directory, which
	                 * the unprivileged user dnsmasq would switch to may not read */
	                (char *)"--user=root", (char *)"--domain-needed", (char *)"--no-negcache",
	                (char *)"--cache-size=0", a_log, NULL};

	inet_ntop (AF_INET, &n->gw, gw, sizeof gw);
	snprintf (a_pid, sizeof a_pid, "--pid-file=%s/" L_DNSMASQ_PID, dir);
	snprintf (a_hosts, sizeof a_hosts, "--addn-hosts=%s/" L_NET_HOSTS, dir);
	/* the log stays open in the network directory: whoever cleans a test's
	 * directory of processes finds dnsmasq too */
	snprintf (a_log, sizeof a_log, "--log-facility=%s/" L_DNSMASQ_LOG, dir);
	snprintf (a_listen, sizeof a_listen, "--listen-address=%s", gw);
	pid = fork ();
	if (pid == 0) {
		int null = open ("/dev/null", O_RDWR);
		/* stderr into the log: why it could not start is read from there;
		 * the daemon must not keep the caller's stderr open */
		int log = openat (n->dirfd, L_DNSMASQ_LOG, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2 (null, 0), dup2 (null, 1), dup2 (log >= 0 ? log : null, 2);
		execvp (argv[0], argv);
		_exit (127);
	}
	if (pid < 0)
		return err_set (e, BX_SYSTEM, errno, "network %s: run dnsmasq", n->name);
	/* dnsmasq's first process exits once the daemon listens (or failed) */
	while (waitpid (pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "network %s: wait for dnsmasq", n->name);
	if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
		return err_set (e, BX_SYSTEM, 0, "network %s: dnsmasq failed to start: %s", n->name,
		                last_log_line (n, status));
	return 0;
}

int
resolver_start (struct net *n, struct bx_err *e)
{
	char dir[PATH_MAX];

	if (net_path (n, dir, e) < 0)
		return -1;
	if (resolver_pid (n, dir))
		return 0;
	if (faccessat (n->dirfd, L_NET_HOSTS, F_OK, 0) < 0 && afile_write_at (n->dirfd, L_NET_HOSTS, "", 0, e) < 0)
		return -1;
	return resolver_spawn (n, dir, e);
}

int
resolver_update (struct net *n, const char *hosts, struct bx_err *e)
{
	char dir[PATH_MAX];
	pid_t pid;

	if (netfile_write_at (n->dirfd, L_NET_HOSTS, hosts, e) < 0 || net_path (n, dir, e) < 0)
		return err_wrap (e, "network %s", n->name);
	if ((pid = resolver_pid (n, dir)) > 0)
		kill (pid, SIGHUP);
	return 0;
}

void
resolver_stop (struct net *n)
{
	char dir[PATH_MAX];
	struct bx_err ignored = {0};
	pid_t pid;

	if (net_path (n, dir, &ignored) < 0 || (pid = resolver_pid (n, dir)) <= 0)
		return;
	/* its socket on the gateway address must be gone before the bridge
	 * is: wait (at most a second) until the process has ended */
	int pfd = (int)syscall (SYS_pidfd_open, pid, 0);
	kill (pid, SIGTERM);
	if (pfd >= 0) {
		poll (&(struct pollfd){.fd = pfd, .events = POLLIN}, 1, 1000);
		close (pfd);
	}
	unlinkat (n->dirfd, L_DNSMASQ_PID, 0);
}
