#include "runtime/sigproxy.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/pty.h"

static const int proxied[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCONT, SIGWINCH};

void
sigproxy_block (sigset_t *set)
{
	sigemptyset (set);
	sigaddset (set, SIGCHLD);
	for (size_t i = 0; i < sizeof proxied / sizeof proxied[0]; i++)
		sigaddset (set, proxied[i]);
	sigprocmask (SIG_BLOCK, set, NULL);
}

/* attached, no terminal: pass signals on until the payload ends */
static int
wait_proxy (pid_t pid, const sigset_t *set)
{
	siginfo_t si;
	int st;

	for (;;) {
		int sig = sigwaitinfo (set, &si);
		if (sig == SIGCHLD) {
			if (waitpid (pid, &st, WNOHANG) == pid)
				return st;
		} else if (sig > 0) {
			kill (pid, sig);
		}
	}
}

/* attached, no terminal, with files among the caller's stdio: pass
 * signals on and copy through the pipes until both the payload and the
 * copies have ended */
static int
wait_copy (pid_t pid, const sigset_t *set, struct stdcopy *copy)
{
	int sigfd = signalfd (-1, set, SFD_CLOEXEC), st = 0, exited = 0;
	struct pollfd p[4];

	while (!exited || stdcopy_active (copy)) {
		size_t n = stdcopy_pollfds (copy, p + 1);
		struct signalfd_siginfo si;

		p[0] = (struct pollfd){sigfd, POLLIN, 0};
		if (poll (p, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents && read (sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
			if (si.ssi_signo != SIGCHLD)
				kill (pid, (int)si.ssi_signo);
			else if (waitpid (pid, &st, WNOHANG) == pid)
				exited = 1;
		}
		stdcopy_step (copy, p + 1, n, exited);
	}
	close (sigfd);
	return st;
}

struct relay {
	pid_t pid;
	int status, master;
};

static int
relay_signal (int sig, void *arg)
{
	struct relay *r = arg;

	if (sig == SIGCHLD)
		return waitpid (r->pid, &r->status, WNOHANG) == r->pid;
	if (sig == SIGWINCH)
		pty_resize (STDIN_FILENO, r->master);
	else
		kill (r->pid, sig);
	return 0;
}

/* attached with a terminal: the caller's in raw mode, copied both ways */
static int
wait_relay (pid_t pid, int master, const sigset_t *set, int in)
{
	struct relay r = {pid, 0, master};
	struct termios saved;
	int sigfd = signalfd (-1, set, SFD_CLOEXEC), raw = in >= 0 && pty_raw (STDIN_FILENO, &saved);

	pty_relay (in, STDOUT_FILENO, master, sigfd, relay_signal, &r);
	if (raw)
		tcsetattr (STDIN_FILENO, TCSADRAIN, &saved);
	close (sigfd);
	return r.status;
}

int
sigproxy_wait (pid_t pid, int master, const sigset_t *set, int in, struct stdcopy *copy)
{
	if (master >= 0)
		return wait_relay (pid, master, set, in);
	return copy && stdcopy_active (copy) ? wait_copy (pid, set, copy) : wait_proxy (pid, set);
}
