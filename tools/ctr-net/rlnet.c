/* rlnet - rootless: the user's network namespace and slirp4netns (rlnet.h) */
#include "rlnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/root.h"
#include "netlink.h"
#include "rlproxy.h"
#include "runtime/ctr.h"

#define GUEST_ADDR "10.0.2.100" /* slirp4netns --configure's address of tap0 */

/* the namespace file, open, when it holds a namespace (a mount of nsfs) */
static int
netns_open (int rootfd)
{
	int fd = openat (rootfd, L_RL_NETNS, O_RDONLY | O_CLOEXEC);
	struct statfs sf;

	if (fd >= 0 && (fstatfs (fd, &sf) < 0 || sf.f_type != NSFS_MAGIC)) {
		close (fd);
		return -1;
	}
	return fd;
}

/* a child unshares a namespace, brings its lo up and bind-mounts it on
 * the file (the mount is the parent's too: one mount namespace) */
static int
netns_make (int rootfd, struct bx_err *e)
{
	char target[64], sys[64];
	int fd, st;
	pid_t c;

	if ((fd = openat (rootfd, L_RL_NETNS, O_WRONLY | O_CREAT | O_CLOEXEC, 0444)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", L_RL_NETNS);
	close (fd);
	if (mkdirat (rootfd, L_RL_NETNS_SYS, 0755) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "%s", L_RL_NETNS_SYS);
	snprintf (target, sizeof target, "/proc/self/fd/%d/" L_RL_NETNS, rootfd);
	snprintf (sys, sizeof sys, "/proc/self/fd/%d/" L_RL_NETNS_SYS, rootfd);
	umount2 (sys, MNT_DETACH);
	if ((c = fork ()) < 0)
		return err_set (e, BX_SYSTEM, errno, "fork");
	if (c == 0) {
		struct netlink nl;
		struct bx_err ign = {0};

		/* sysfs shows the devices of its mounter's network namespace */
		if (unshare (CLONE_NEWNET) < 0 || mount ("/proc/thread-self/ns/net", target, NULL, MS_BIND, NULL) < 0 ||
		    mount ("sysfs", sys, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			_exit (1);
		_exit (netlink_open (&nl, &ign) < 0 || netlink_link_up (&nl, 1, &ign) < 0 ? 2 : 0);
	}
	if (waitpid (c, &st, 0) < 0 || !WIFEXITED (st) || WEXITSTATUS (st))
		return err_set (e, BX_SYSTEM, 0, "rootless network namespace: %s",
		                WIFEXITED (st) && WEXITSTATUS (st) == 2 ? "lo" : "unshare or bind mount failed");
	return 0;
}

/* the namespace's sysfs on netns.sys, when it is not there (a namespace
 * made by a ctr-net of before, or unmounted): from a child in it */
static int
sysfs_ensure (int rootfd, int ns, struct bx_err *e)
{
	char sys[64];
	struct statfs sf;
	int st;
	pid_t c;

	snprintf (sys, sizeof sys, "/proc/self/fd/%d/" L_RL_NETNS_SYS, rootfd);
	if (statfs (sys, &sf) == 0 && sf.f_type == SYSFS_MAGIC)
		return 0;
	if (mkdirat (rootfd, L_RL_NETNS_SYS, 0755) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "%s", L_RL_NETNS_SYS);
	if ((c = fork ()) < 0)
		return err_set (e, BX_SYSTEM, errno, "fork");
	if (c == 0)
		_exit (setns (ns, CLONE_NEWNET) < 0 ||
		       mount ("sysfs", sys, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0);
	if (waitpid (c, &st, 0) < 0 || !WIFEXITED (st) || WEXITSTATUS (st))
		return err_set (e, BX_SYSTEM, 0, "mount sysfs on %s", L_RL_NETNS_SYS);
	return 0;
}

static pid_t
slirp_find (int rootfd)
{
	_cleanup_free_ char *buf = NULL;
	unsigned long long start = 0;
	struct bx_err ign = {0};
	int pid = 0;

	if (afile_slurp_at (rootfd, L_RL_SLIRP, &buf, NULL, &ign) < 0 ||
	    sscanf (buf, "pid=%d\nstart=%llu", &pid, &start) != 2 || pid <= 0)
		return 0;
	return start && ctr_proc_start_time (pid) == start ? pid : 0;
}

static int
host_loopback (void)
{
	const char *s = getenv ("BOX_ROOTLESS_HOST_LOOPBACK");

	return s && !strcmp (s, "1");
}

static void __attribute__ ((noreturn)) slirp_exec (int rootfd, const char *abs, int ready)
{
	char ns[PATH_MAX + 16], sock[PATH_MAX + 16], rfd[16];
	int log = openat (rootfd, L_RL_SLIRP_LOG, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int null = open ("/dev/null", O_RDONLY | O_CLOEXEC);

	snprintf (ns, sizeof ns, "%s/" L_RL_NETNS, abs);
	snprintf (sock, sizeof sock, "%s/" L_RL_SLIRP_SOCK, abs);
	snprintf (rfd, sizeof rfd, "%d", ready);
	setsid ();
	if (log < 0 || null < 0 || dup2 (null, 0) < 0 || dup2 (log, 1) < 0 || dup2 (log, 2) < 0 ||
	    fcntl (ready, F_SETFD, 0) < 0)
		_exit (1);
	/* 65520: slirp4netns's advice for speed; no way to the host's
	 * loopback (10.0.2.2) from the containers, as Podman runs it, unless
	 * asked (Podman's allow_host_loopback) */
	execlp ("slirp4netns", "slirp4netns", "--configure", "--mtu=65520", "--api-socket", sock, "--ready-fd", rfd,
	        "--netns-type=path", host_loopback () ? "--netns-type=path" : "--disable-host-loopback", ns, "tap0",
	        (char *)NULL);
	dprintf (2, "slirp4netns: %s\n", strerror (errno));
	_exit (127);
}

/* slirp4netns on the namespace, from the host's: ready when it says so
 * on its --ready-fd; its pid recorded */
static int
slirp_start (int rootfd, struct bx_err *e)
{
	char abs[PATH_MAX], rec[64], one;
	int ready[2], st;
	pid_t old = slirp_find (rootfd), c;

	/* one on a namespace gone with an old holder */
	if (old)
		kill (old, SIGKILL);
	if (root_abspath (rootfd, abs, sizeof abs, e) < 0)
		return -1;
	unlinkat (rootfd, L_RL_SLIRP_SOCK, 0);
	if (pipe2 (ready, O_CLOEXEC) < 0 || (c = fork ()) < 0)
		return err_set (e, BX_SYSTEM, errno, "slirp4netns");
	if (c == 0)
		slirp_exec (rootfd, abs, ready[1]);
	close (ready[1]);
	st = read (ready[0], &one, 1);
	close (ready[0]);
	if (st != 1) {
		kill (c, SIGKILL);
		waitpid (c, NULL, 0);
		return err_set (e, BX_SYSTEM, 0,
		                "slirp4netns (Debian's slirp4netns) did not start: see %s/" L_RL_SLIRP_LOG, abs);
	}
	snprintf (rec, sizeof rec, "pid=%d\nstart=%llu\n", (int)c, ctr_proc_start_time (c));
	return afile_replace_at (rootfd, L_RL_SLIRP, rec, strlen (rec), 0600, e);
}

static char sysfs[PATH_MAX + 16] = "/sys";

const char *
rlnet_sysfs (void)
{
	return sysfs;
}

int
rlnet_enter (int rootfd, int ports, struct bx_err *e)
{
	_cleanup_close_ int lk = -1;
	_cleanup_close_ int ns = -1;
	char abs[PATH_MAX];

	if (!root_is_rootless ())
		return 0;
	if (root_abspath (rootfd, abs, sizeof abs, e) < 0)
		return -1;
	snprintf (sysfs, sizeof sysfs, "%s/" L_RL_NETNS_SYS, abs);
	if ((ns = netns_open (rootfd)) < 0 || !slirp_find (rootfd)) {
		if ((lk = lock_take_at (rootfd, L_RL_NETNS_LOCK, LOCK_WAIT, e)) < 0)
			return -1;
		if (ns < 0 && (ns = netns_open (rootfd)) < 0) {
			/* a new namespace: any slirp4netns there was serves an old one */
			if (netns_make (rootfd, e) < 0 || (ns = netns_open (rootfd)) < 0 || slirp_start (rootfd, e) < 0)
				return err_wrap (e, "rootless network");
		} else if (!slirp_find (rootfd) && slirp_start (rootfd, e) < 0)
			return err_wrap (e, "rootless network");
	}
	if (sysfs_ensure (rootfd, ns, e) < 0)
		return err_wrap (e, "rootless network");
	if (ports && rlproxy_prepare (ns, e) < 0)
		return -1;
	if (setns (ns, CLONE_NEWNET) < 0)
		return err_set (e, BX_SYSTEM, errno, "join the rootless network namespace");
	return 0;
}

/* one request to slirp4netns's API socket, its answer */
static json_t *
api_call (int rootfd, json_t *req, struct bx_err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	_cleanup_free_ char *text = json_dumps (req, JSON_COMPACT);
	char buf[65536];
	size_t got = 0;
	ssize_t n;
	json_t *r;

	/* through the directory fd: a home's path may pass sun_path's 108 bytes */
	snprintf (sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/" L_RL_SLIRP_SOCK, rootfd);
	if (fd < 0 || !text || connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    afile_write_all (fd, text, strlen (text)) < 0 || shutdown (fd, SHUT_WR) < 0)
		return err_set (e, BX_SYSTEM, errno, "slirp4netns API"), NULL;
	while (got < sizeof buf - 1 && (n = read (fd, buf + got, sizeof buf - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	if (!(r = json_loads (buf, 0, NULL)))
		return err_set (e, BX_SYSTEM, 0, "slirp4netns API: answer not JSON: %.80s", buf), NULL;
	return r;
}

static int forward_remove (int rootfd, const char *proto, unsigned port, struct bx_err *e);

/* slirp6/PROTO[6]-PORT: a relay of the port, on IPv6 with 6 */
static void
relay_name (const char *proto, int v6, unsigned port, char *buf, size_t len)
{
	snprintf (buf, len, L_RL_PROXY "/%s%s-%u", proto, v6 ? "6" : "", port);
}

/* TCP: [::]:PORT to slirp4netns's forward at 127.0.0.1:PORT */
static int
relay_start (int rootfd, unsigned port, struct bx_err *e)
{
	char name[64];

	relay_name ("tcp", 0, port, name, sizeof name);
	if (mkdirat (rootfd, L_RL_PROXY, 0700) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "%s", L_RL_PROXY);
	return rlproxy_start (rootfd, name,
	                      &(struct rlproxy_spec){.proto = "tcp",
	                                             .family = AF_INET6,
	                                             .on6 = in6addr_any,
	                                             .port = port,
	                                             .to = {htonl (INADDR_LOOPBACK)},
	                                             .to_port = port},
	                      e);
}

/* UDP: HOST_IP:PORT, and [::]:PORT with all the host's addresses, each to
 * tap0's PORT from inside, which the network's DNAT takes on */
static int
udp_relays_start (int rootfd, struct in_addr host_ip, unsigned port, struct bx_err *e)
{
	struct rlproxy_spec s = {
	    .proto = "udp", .family = AF_INET, .on4 = host_ip, .port = port, .to_port = port, .inner = true};
	char name[64];

	if (mkdirat (rootfd, L_RL_PROXY, 0700) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "%s", L_RL_PROXY);
	inet_pton (AF_INET, GUEST_ADDR, &s.to);
	relay_name ("udp", 0, port, name, sizeof name);
	if (rlproxy_start (rootfd, name, &s, e) < 0)
		return -1;
	if (host_ip.s_addr != htonl (INADDR_ANY))
		return 0;
	s.family = AF_INET6;
	s.on6 = in6addr_any;
	relay_name ("udp", 1, port, name, sizeof name);
	if (rlproxy_start (rootfd, name, &s, e) < 0) {
		relay_name ("udp", 0, port, name, sizeof name);
		rlproxy_stop (rootfd, name);
		return -1;
	}
	return 0;
}

static int
forward_add (int rootfd, const char *proto, struct in_addr host_ip, unsigned port, struct bx_err *e)
{
	char ip[INET_ADDRSTRLEN];
	json_t *req, *r;
	int rc = 0;

	inet_ntop (AF_INET, &host_ip, ip, sizeof ip);
	/* the user may not bind below ip_unprivileged_port_start (1024) */
	if (port < 1024)
		return err_set (e, BX_USAGE, 0,
		                "rootless: cannot expose privileged port %u, choose a larger port number (>= 1024)",
		                port);
	if (!strcmp (proto, "udp"))
		return udp_relays_start (rootfd, host_ip, port, e);
	req = json_pack ("{s:s, s:{s:s, s:s, s:i, s:s, s:i}}", "execute", "add_hostfwd", "arguments", "proto", proto,
	                 "host_addr", ip, "host_port", (int)port, "guest_addr", GUEST_ADDR, "guest_port", (int)port);
	r = api_call (rootfd, req, e);
	json_decref (req);
	if (!r)
		return -1;
	if (!json_object_get (r, "return"))
		rc = err_set (e, BX_CONFLICT, 0, "Bind for %s:%u failed: port is already allocated", ip, port);
	json_decref (r);
	/* all the host's addresses: its IPv6 ones through a relay of ours */
	if (rc == 0 && host_ip.s_addr == htonl (INADDR_ANY) && !strcmp (proto, "tcp") &&
	    relay_start (rootfd, port, e) < 0) {
		forward_remove (rootfd, proto, port, &(struct bx_err){0});
		rc = -1;
	}
	return rc;
}

/* every forward of PROTO PORT (list_hostfwd), removed */
static int
forward_remove (int rootfd, const char *proto, unsigned port, struct bx_err *e)
{
	json_t *req = json_pack ("{s:s}", "execute", "list_hostfwd"), *r, *ent, *list;
	size_t k;

	r = api_call (rootfd, req, e);
	json_decref (req);
	if (!r)
		return -1;
	/* slirp4netns 1.2 answers {"entries": [...]}, unwrapped */
	list = json_object_get (json_object_get (r, "return"), "entries");
	if (!list)
		list = json_object_get (r, "entries");
	json_array_foreach (list, k, ent)
	{
		json_t *rm, *ans;

		if (json_integer_value (json_object_get (ent, "host_port")) != (json_int_t)port ||
		    strcmp (json_string_value (json_object_get (ent, "proto")) ?: "", proto))
			continue;
		rm = json_pack ("{s:s, s:{s:O}}", "execute", "remove_hostfwd", "arguments", "id",
		                json_object_get (ent, "id"));
		ans = api_call (rootfd, rm, e);
		json_decref (rm);
		json_decref (ans);
	}
	json_decref (r);
	return 0;
}

int
rlnet_forward (int rootfd, const char *proto, struct in_addr host_ip, unsigned port, int add, struct bx_err *e)
{
	if (!root_is_rootless ())
		return 0;
	if (add)
		return forward_add (rootfd, proto, host_ip, port, e);
	for (int v6 = 0; v6 < 2; v6++) {
		char name[64];
		relay_name (proto, v6, port, name, sizeof name);
		rlproxy_stop (rootfd, name);
	}
	return strcmp (proto, "udp") ? forward_remove (rootfd, proto, port, e) : 0;
}
