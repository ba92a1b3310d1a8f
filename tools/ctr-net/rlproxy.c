/* rlproxy - [::]:PORT relayed to an IPv4 address and port (rlproxy.h) */
#include "rlproxy.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "runtime/ctr.h"

/* bytes both ways between A and B until both have ended */
static void __attribute__ ((noreturn)) rlproxy_relay (int a, int b)
{
	struct pollfd p[2] = {{.fd = a, .events = POLLIN}, {.fd = b, .events = POLLIN}};
	char buf[65536];
	int open = 2;

	while (open && poll (p, 2, -1) >= 0)
		for (int i = 0; i < 2; i++) {
			ssize_t n;
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((n = read (p[i].fd, buf, sizeof buf)) <= 0) {
				/* its end of the stream passed on: the other way may go on */
				shutdown (p[1 - i].fd, SHUT_WR);
				p[i].fd = -1;
				open--;
				continue;
			}
			if (afile_write_all (p[1 - i].fd, buf, (size_t)n) < 0)
				_exit (0);
		}
	_exit (0);
}

/* a connection to TO, relayed */
static void
rlproxy_serve (int c, const struct sockaddr_in *to)
{
	int s;

	if (fork () != 0)
		return;
	if ((s = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect (s, (const struct sockaddr *)to, sizeof *to) < 0)
		_exit (1);
	rlproxy_relay (c, s);
}

/* UDP: a socket to TO for each peer, as docker-proxy's, forgotten after
 * RLPROXY_UDP_IDLE seconds without a datagram either way (its 90 s), the
 * least recent taken over when the table is full */
#define RLPROXY_UDP_PEERS 64
#define RLPROXY_UDP_IDLE 90

struct rlproxy_peer {
	struct sockaddr_storage addr; /* an IPv4 or IPv6 peer, as the listener's family */
	socklen_t len;
	int fd; /* connected to TO; -1: a free slot */
	time_t seen;
};

/* PEER's slot: its own, or a free or the least recent one given a new
 * socket; -1 when no socket could be made */
static int
rlproxy_peer (struct rlproxy_peer *t, const struct sockaddr_storage *peer, socklen_t len, const struct sockaddr_in *to)
{
	int k = 0;

	for (int i = 0; i < RLPROXY_UDP_PEERS; i++) {
		if (t[i].fd >= 0 && t[i].len == len && !memcmp (&t[i].addr, peer, len))
			return i;
		if (t[k].fd >= 0 && (t[i].fd < 0 || t[i].seen < t[k].seen))
			k = i;
	}
	if (t[k].fd >= 0)
		close (t[k].fd);
	t[k].addr = *peer;
	t[k].len = len;
	if ((t[k].fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect (t[k].fd, (const struct sockaddr *)to, sizeof *to) < 0) {
		close (t[k].fd);
		return t[k].fd = -1;
	}
	return k;
}

/* datagrams from peers on 3 to TO, and TO's answers back to each */
static void __attribute__ ((noreturn)) rlproxy_udp (const struct sockaddr_in *to)
{
	struct rlproxy_peer t[RLPROXY_UDP_PEERS];
	struct pollfd p[RLPROXY_UDP_PEERS + 1];
	static char buf[65536];

	for (int i = 0; i < RLPROXY_UDP_PEERS; i++)
		t[i].fd = -1;
	for (;;) {
		time_t now = time (NULL);
		struct sockaddr_storage from = {0};
		socklen_t len = sizeof from;
		ssize_t n;
		int k;

		p[0] = (struct pollfd){.fd = 3, .events = POLLIN};
		for (int i = 0; i < RLPROXY_UDP_PEERS; i++) {
			if (t[i].fd >= 0 && now - t[i].seen > RLPROXY_UDP_IDLE) {
				close (t[i].fd);
				t[i].fd = -1;
			}
			p[i + 1] = (struct pollfd){.fd = t[i].fd, .events = POLLIN};
		}
		if (poll (p, RLPROXY_UDP_PEERS + 1, 10000) < 0)
			continue;
		now = time (NULL);
		if ((p[0].revents & POLLIN) &&
		    (n = recvfrom (3, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &len)) >= 0 &&
		    (k = rlproxy_peer (t, &from, len, to)) >= 0) {
			send (t[k].fd, buf, (size_t)n, 0);
			t[k].seen = now;
		}
		/* a slot the datagram above took over is read without waiting */
		for (int i = 0; i < RLPROXY_UDP_PEERS; i++)
			if (t[i].fd >= 0 && p[i + 1].revents &&
			    (n = recv (t[i].fd, buf, sizeof buf, MSG_DONTWAIT)) >= 0) {
				sendto (3, buf, (size_t)n, 0, (struct sockaddr *)&t[i].addr, t[i].len);
				t[i].seen = now;
			}
	}
}

/* the listener's life: every fd but L closed (3, the spawner's socket,
 * replaced by it), its children reaped by the kernel */
static void __attribute__ ((noreturn)) rlproxy_loop (int l, const struct sockaddr_in *to, bool udp)
{
	int null = open ("/dev/null", O_RDWR | O_CLOEXEC), c;

	signal (SIGCHLD, SIG_IGN);
	signal (SIGPIPE, SIG_IGN);
	if (null < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (null, 2) < 0 || dup2 (l, 3) < 0)
		_exit (1);
	close_range (4, ~0U, 0);
	if (udp)
		rlproxy_udp (to);
	for (;;) {
		if ((c = accept4 (3, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE)
				continue;
			_exit (1);
		}
		rlproxy_serve (c, to);
		close (c);
	}
}

/* Q's address and port (IPv6 alone), listening (UDP: bound); -errno on
 * failure */
static int
rlproxy_listen (const struct rlproxy_spec *q, bool udp)
{
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons ((uint16_t)q->port), .sin6_addr = q->on6};
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons ((uint16_t)q->port), .sin_addr = q->on4};
	bool v6 = q->family == AF_INET6;
	int one = 1, s;

	if ((s = socket (q->family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	/* UDP: no SO_REUSEADDR, which would let two bind the port */
	if ((v6 && setsockopt (s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
	    (!udp && setsockopt (s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) ||
	    (v6 ? bind (s, (struct sockaddr *)&a6, sizeof a6) : bind (s, (struct sockaddr *)&a4, sizeof a4)) < 0 ||
	    (!udp && listen (s, 128) < 0))
		return -errno;
	return s;
}

/* what the spawner's caller asks: a relay of Q's address and port to TO */
struct rlproxy_req {
	struct rlproxy_spec q; /* its proto pointer unused: UDP says it */
	bool udp;
	struct sockaddr_in to;
};

/* what a relay answers the spawner's caller */
struct rlproxy_reply {
	int err;
	pid_t pid;
};

/* the spawner, in the host's namespace: a relay for each port asked on
 * S, which answers itself; gone when ctr-net is */
static void __attribute__ ((noreturn)) rlproxy_spawner (int s)
{
	struct rlproxy_req q;

	signal (SIGCHLD, SIG_IGN);
	while (read (s, &q, sizeof q) == sizeof q) {
		if (fork () != 0)
			continue;
		/* a session of its own before it is known: stop kills the group */
		int l = setsid () < 0 ? -errno : rlproxy_listen (&q.q, q.udp);
		/* listening in the host's namespace, reaching TO from the user's */
		if (l >= 0 && q.q.inner && setns (4, CLONE_NEWNET) < 0)
			l = -errno;
		struct rlproxy_reply r = {l < 0 ? -l : 0, getpid ()};
		if (write (s, &r, sizeof r) != sizeof r || l < 0)
			_exit (1);
		rlproxy_loop (l, &q.to, q.udp);
	}
	_exit (0);
}

static int spawner = -1;

int
rlproxy_prepare (int netns, struct bx_err *e)
{
	int sv[2];
	pid_t c;

	if (spawner >= 0)
		return 0;
	if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 || (c = fork ()) < 0)
		return err_set (e, BX_SYSTEM, errno, "port relays");
	if (c == 0) {
		/* no lock or file of ctr-net's held on: 3 the socket, 4 NETNS */
		if (dup2 (sv[1], 3) < 0 || (netns >= 0 && dup2 (netns, 4) < 0))
			_exit (1);
		close_range (netns >= 0 ? 5 : 4, ~0U, 0);
		rlproxy_spawner (3);
	}
	close (sv[1]);
	spawner = sv[0];
	return 0;
}

int
rlproxy_start (int rootfd, const char *name, const struct rlproxy_spec *s, struct bx_err *e)
{
	struct rlproxy_req q = {
	    .q = *s,
	    .udp = !strcmp (s->proto, "udp"),
	    .to = {.sin_family = AF_INET, .sin_port = htons ((uint16_t)s->to_port), .sin_addr = s->to}};
	struct rlproxy_reply r = {EIO, 0};
	const char *any = s->family == AF_INET6 ? "::" : "0.0.0.0";
	char rec[64];

	q.q.proto = NULL;
	rlproxy_stop (rootfd, name);
	if (spawner < 0)
		return err_set (e, BX_FAIL, 0, "port %u: no relay spawner (rlproxy_prepare)", s->port);
	if (write (spawner, &q, sizeof q) != sizeof q || read (spawner, &r, sizeof r) != sizeof r)
		return err_set (e, BX_SYSTEM, errno, "port %u: relay", s->port);
	if (r.err == EADDRINUSE)
		return err_set (e, BX_CONFLICT, 0, "Bind for %s:%u failed: port is already allocated", any, s->port);
	if (r.err)
		return err_set (e, BX_SYSTEM, r.err, "listen on port %u", s->port);
	snprintf (rec, sizeof rec, "pid=%d\nstart=%llu\n", (int)r.pid, ctr_proc_start_time (r.pid));
	if (afile_replace_at (rootfd, name, rec, strlen (rec), 0600, e) < 0) {
		kill (-r.pid, SIGKILL);
		return -1;
	}
	return 0;
}

void
rlproxy_stop (int rootfd, const char *name)
{
	_cleanup_free_ char *buf = NULL;
	struct bx_err ign = {0};
	unsigned long long start = 0;
	int pid = 0;

	if (afile_slurp_at (rootfd, name, &buf, NULL, &ign) < 0)
		return;
	if (sscanf (buf, "pid=%d\nstart=%llu", &pid, &start) == 2 && pid > 0 && start &&
	    ctr_proc_start_time (pid) == start) {
		struct pollfd p = {.fd = pidfd_open (pid, 0), .events = POLLIN};
		/* its connections with it: a session, so a process group */
		kill (-pid, SIGKILL);
		/* gone when this returns: the port is free for the next */
		while (p.fd >= 0 && poll (&p, 1, 1000) < 0 && errno == EINTR)
			;
		if (p.fd >= 0)
			close (p.fd);
	}
	unlinkat (rootfd, name, 0);
}
