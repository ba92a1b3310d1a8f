/*
 * ctr-attach - a terminal joined to a running container (docker attach)
 *
 * usage:  ctr-attach [--root DIR] [--no-stdin] [--sig-proxy[=BOOL]]
 *                    [--detach-keys KEYS] CONTAINER
 * stdin:  to the container's stdin (or pty), when it was made with -i and
 *         --no-stdin is not given; a terminal is put in raw mode for a
 *         -t container
 * stdout: the container's output from now on (a pty's all of it)
 * stderr: its stderr; "read escape sequence" after a detach
 * reads:  containers/<id>/state, create.json; the attach socket its
 *         ctr-spawn serves, -d or attached (lib/runtime/attach)
 * writes: an attach event (and a kill event per signal passed on)
 * exit:   the container's exit code once it ends; 1 after a detach
 *         (Docker's), when it is not running, or on error; 3 no such
 *         container
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/root.h"
#include "runtime/attach.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/ctrsig.h"
#include "runtime/event.h"
#include "runtime/freezer.h"
#include "runtime/pty.h"

#define KEYS_MAX 16

struct opts {
	const char *root, *what;
	int no_stdin, sig_proxy;
	const char *keys_arg;         /* --detach-keys, checked where dockerd checks it */
	unsigned char keys[KEYS_MAX]; /* the detach sequence */
	size_t nkeys;
};

struct att {
	int rootfd, sock, sigfd, tty, stdin_on;
	char id[CTR_ID_LEN + 1];
	size_t matched; /* how much of the detach sequence the input has shown */
};

static void __attribute__ ((noreturn)) usage (int code)
{
	if (code && err_docker ()) {
		fprintf (stderr,
		         "\"box %s\" requires exactly 1 argument.\nSee 'box %s --help'.\n\nUsage:  box %s [OPTIONS] "
		         "CONTAINER\n\nAttach local standard input, output, and error streams to a running container\n",
		         err_docker (), err_docker (), err_docker ());
		exit (BX_FAIL);
	}
	fprintf (code ? stderr : stdout,
	         "usage: %s [--root DIR] [--no-stdin] [--sig-proxy[=BOOL]] [--detach-keys KEYS] CONTAINER\n", bx_prog);
	exit (code);
}

/* a refusal Docker's client makes itself: under box without the daemon's
 * "Error response from daemon: " */
static void __attribute__ ((noreturn)) client_die (const char *msg)
{
	if (err_docker ()) {
		fprintf (stderr, "%s\n", msg);
		exit (BX_FAIL);
	}
	err_die (BX_FAIL, "%s", msg);
}

/* Docker's detach keys (moby/term ToBytes): "ctrl-p,ctrl-q", "a,ctrl-b" */
static int
keys_parse (const char *s, struct opts *o)
{
	static const char ctl[] = "@abcdefghijklmnopqrstuvwxyz[\\]^_";
	_cleanup_free_ char *copy = strdup (s);
	char *save = NULL;

	o->nkeys = 0;
	for (char *k = copy ? strtok_r (copy, ",", &save) : NULL; k; k = strtok_r (NULL, ",", &save)) {
		const char *at;
		if (o->nkeys == KEYS_MAX)
			return -1;
		if (strlen (k) == 1)
			o->keys[o->nkeys++] = (unsigned char)k[0];
		else if (strlen (k) == 6 && !strncasecmp (k, "ctrl-", 5) &&
		         (at = strchr (ctl, k[5] >= 'A' && k[5] <= 'Z' ? k[5] - 'A' + 'a' : k[5])) && k[5])
			o->keys[o->nkeys++] = (unsigned char)(at - ctl);
		else
			return -1;
	}
	return o->nkeys ? 0 : -1;
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	enum { O_NO_STDIN = 256, O_SIG_PROXY, O_KEYS };
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"no-stdin", no_argument, NULL, O_NO_STDIN},
	                                   {"sig-proxy", optional_argument, NULL, O_SIG_PROXY},
	                                   {"detach-keys", required_argument, NULL, O_KEYS},
	                                   {"help", no_argument, NULL, 'H'},
	                                   {0, 0, 0, 0}};
	int c;

	o->sig_proxy = 1;
	keys_parse ("ctrl-p,ctrl-q", o);
	while ((c = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case O_NO_STDIN: o->no_stdin = 1; break;
		case O_SIG_PROXY:
			if (!optarg || !strcmp (optarg, "true") || !strcmp (optarg, "1"))
				o->sig_proxy = 1;
			else if (!strcmp (optarg, "false") || !strcmp (optarg, "0"))
				o->sig_proxy = 0;
			else
				err_flag_value (optarg, "--sig-proxy",
				                "strconv.ParseBool: parsing \"%s\": invalid syntax", optarg);
			break;
		case O_KEYS: o->keys_arg = optarg; break;
		case 'H': usage (0);
		default: err_flag (argv); usage (BX_USAGE);
		}
	}
	if (argc - optind != 1)
		usage (BX_USAGE);
	o->what = argv[optind];
}

/* Docker's client's refusals, in its order, then the container's Tty and
 * OpenStdin */
static int
check (struct att *a, int dfd, int *open_stdin, struct bx_err *e)
{
	char cgpath[CGROUP_PATH_LEN];
	struct ctr_state s;
	json_t *create;

	if (ctr_state_read (dfd, &s, e) < 0)
		return -1;
	ctr_state_settle (&s);
	if (!strcmp (s.status, "restarting"))
		client_die ("You cannot attach to a restarting container, wait until it is running");
	if (strcmp (s.status, "running"))
		client_die ("You cannot attach to a stopped container, start it first");
	ctr_cgroup_path_at (dfd, a->id, cgpath);
	if (freezer_is_frozen_cgroup (cgpath))
		client_die ("You cannot attach to a paused container, unpause it first");
	if (!(create = ctr_create_read (dfd, e)))
		return -1;
	a->tty = json_is_true (json_object_get (json_object_get (create, "Config"), "Tty"));
	*open_stdin = json_is_true (json_object_get (json_object_get (create, "Config"), "OpenStdin"));
	json_decref (create);
	return 0;
}

static void
send_size (const struct att *a)
{
	struct winsize ws;
	uint16_t rc[2];

	if (!a->tty || ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	rc[0] = ws.ws_row, rc[1] = ws.ws_col;
	attach_send (a->sock, ATTACH_RESIZE, rc, sizeof rc);
}

/* sig-proxy: SIG passed on to the container's process, as docker's client
 * sends it through the kill API */
static void
proxy (const struct att *a, int sig)
{
	_cleanup_close_ int dfd = -1, pidfd = -1;
	struct ctr_state s;
	struct bx_err e = {0};
	char n[16];

	if ((dfd = ctr_open (a->rootfd, a->id, &e)) < 0 || ctr_state_read (dfd, &s, &e) < 0 ||
	    (pidfd = ctrsig_pidfd (&s, &e)) < 0 || pidfd_send_signal (pidfd, sig, NULL, 0) < 0)
		return;
	snprintf (n, sizeof n, "%d", sig);
	event_ctr (a->rootfd, a->id, "kill", "signal", n);
}

static int
signals_setup (const struct opts *o, struct att *a)
{
	static const int proxied[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM};
	sigset_t set;

	sigemptyset (&set);
	if (a->tty)
		sigaddset (&set, SIGWINCH);
	/* a pty's ^C is a byte on its way; only a plain container gets signals */
	if (!a->tty && o->sig_proxy)
		for (size_t i = 0; i < sizeof proxied / sizeof proxied[0]; i++)
			sigaddset (&set, proxied[i]);
	sigprocmask (SIG_BLOCK, &set, NULL);
	return signalfd (-1, &set, SFD_CLOEXEC);
}

/* Input read from the terminal: the detach sequence held back while it
 * may still be one (moby's escapeProxy); 1 once it is complete */
static int
input (const struct opts *o, struct att *a, const unsigned char *buf, size_t n)
{
	unsigned char out[8192 + KEYS_MAX];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] == o->keys[a->matched]) {
			if (++a->matched == o->nkeys)
				return 1;
			continue;
		}
		memcpy (out + k, o->keys, a->matched);
		k += a->matched;
		a->matched = 0;
		if (buf[i] == o->keys[0]) {
			a->matched = 1;
			continue;
		}
		out[k++] = buf[i];
	}
	if (k && attach_send (a->sock, ATTACH_STDIN, out, k) < 0)
		a->stdin_on = 0;
	return 0;
}

/* one message from the supervisor; the exit code at its end, -1 until then */
static int
from_supervisor (struct att *a)
{
	static char buf[ATTACH_MSG_MAX + 1];
	ssize_t n = recv (a->sock, buf, ATTACH_MSG_MAX, 0);

	if (n < 0 && errno == EINTR)
		return -1;
	if (n <= 0)
		return BX_FAIL; /* the supervisor went without a word */
	if (buf[0] == ATTACH_EXIT) {
		buf[n] = '\0';
		return atoi (buf + 1);
	}
	if (afile_write_all (buf[0] == ATTACH_STDERR ? STDERR_FILENO : STDOUT_FILENO, buf + 1, (size_t)n - 1) < 0 &&
	    errno == EPIPE)
		return 0;
	return -1;
}

static int
relay (const struct opts *o, struct att *a)
{
	struct pollfd p[3] = {
	    {a->sock, POLLIN, 0}, {a->sigfd, POLLIN, 0}, {a->stdin_on ? STDIN_FILENO : -1, POLLIN, 0}};
	unsigned char buf[8192];

	for (;;) {
		int code;
		if (poll (p, 3, -1) < 0 && errno != EINTR)
			err_die (BX_SYSTEM, "poll: %s", strerror (errno));
		if (p[0].revents && (code = from_supervisor (a)) >= 0)
			return code;
		if (p[1].revents) {
			struct signalfd_siginfo si;
			if (read (a->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
				if (si.ssi_signo == SIGWINCH)
					send_size (a);
				else
					proxy (a, (int)si.ssi_signo);
			}
		}
		if (p[2].fd >= 0 && p[2].revents) {
			ssize_t n = read (STDIN_FILENO, buf, sizeof buf);
			if (n <= 0 && !(n < 0 && errno == EINTR))
				p[2].fd = -1; /* Docker keeps the container's stdin open (no StdinOnce) */
			else if (n > 0 && input (o, a, buf, (size_t)n))
				return -2;
		}
	}
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct att a = {.rootfd = -1, .sock = -1, .sigfd = -1};
	struct bx_err e = {0};
	struct termios saved;
	_cleanup_close_ int dfd = -1;
	int open_stdin = 0, raw = 0, code;
	char hello;

	err_prog_init (argv[0]);
	signal (SIGPIPE, SIG_IGN);
	parse_args (argc, argv, &o);
	if ((a.rootfd = root_open (o.root, &e)) < 0 || ctr_resolve (a.rootfd, o.what, a.id, &e) < 0 ||
	    (dfd = ctr_open (a.rootfd, a.id, &e)) < 0 || check (&a, dfd, &open_stdin, &e) < 0)
		return err_report (&e);
	/* Docker's client asks for a terminal whenever it would send stdin,
	 * whether the container takes it or not */
	if (a.tty && !o.no_stdin && !isatty (STDIN_FILENO))
		client_die ("the input device is not a TTY");
	a.stdin_on = open_stdin && !o.no_stdin;
	if (o.keys_arg && keys_parse (o.keys_arg, &o) < 0)
		err_die (BX_FAIL, "Invalid detach keys (%s) provided", o.keys_arg);
	if ((a.sock = attach_connect (dfd, &e)) < 0) {
		/* running, but whatever ctr-spawn runs it is gone (killed) */
		if (e.code == BX_NOTFOUND)
			err_die (BX_FAIL, "container %.12s: nobody serves its attach socket", a.id);
		return err_report (&e);
	}
	hello = a.stdin_on ? ATTACH_WANT_STDIN : 0;
	if (attach_send (a.sock, ATTACH_HELLO, &hello, 1) < 0)
		err_die (BX_SYSTEM, "container %.12s: attach: %s", a.id, strerror (errno));
	event_ctr (a.rootfd, a.id, "attach", NULL, NULL);
	a.sigfd = signals_setup (&o, &a);
	send_size (&a);
	if (a.tty && a.stdin_on)
		raw = pty_raw (STDIN_FILENO, &saved) > 0;
	code = relay (&o, &a);
	if (raw)
		tcsetattr (STDIN_FILENO, TCSADRAIN, &saved);
	if (code == -2) {
		fprintf (stderr, "read escape sequence\n");
		return BX_FAIL;
	}
	return code;
}
