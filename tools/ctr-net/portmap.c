#include "portmap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/layout.h"
#include "base/root.h"

#include "rlnet.h"
#include "rlproxy.h"

bool
portmap_proto_ok (const char *proto)
{
	return !strcmp (proto, "tcp") || !strcmp (proto, "udp");
}

/* "80/tcp" -> 80, "tcp" */
static int
parse_key (const char *key, struct nft_port *p, struct bx_err *e)
{
	char *end;
	long port = strtol (key, &end, 10);
	const char *proto = *end == '/' ? end + 1 : *end ? NULL : "tcp";

	if (end == key || port < 1 || port > 65535 || !proto || !portmap_proto_ok (proto))
		return err_set (e, BX_USAGE, 0, "invalid port %s", key);
	p->ctr_port = (unsigned)port;
	snprintf (p->proto, sizeof p->proto, "%s", proto);
	return 0;
}

static int
parse_binding (const char *key, json_t *b, struct nft_port *p, struct bx_err *e)
{
	const char *ip = json_string_value (json_object_get (b, "HostIp"));
	const char *hp = json_string_value (json_object_get (b, "HostPort"));
	char *end;
	long port = 0, last = 0;

	memset (p, 0, sizeof *p);
	if (parse_key (key, p, e) < 0)
		return -1;
	if (ip && *ip && inet_pton (AF_INET, ip, &p->host_ip) != 1 &&
	    !(p->only6 = inet_pton (AF_INET6, ip, &p->host_ip6) == 1))
		return err_set (e, BX_USAGE, 0, "invalid host address %s for port %s", ip, key);
	/* 0 or none: one picked; A-B: one of A..B picked */
	if (hp && *hp) {
		port = strtol (hp, &end, 10);
		if (*end == '-' && end[1])
			last = strtol (end + 1, &end, 10);
		if (*end || port < 0 || port > 65535 || last > 65535 || (last && last < port))
			return err_set (e, BX_USAGE, 0, "invalid host port %s", hp);
	}
	p->host_port = (unsigned)port;
	p->host_port_last = (unsigned)last;
	/* no address given: every one, the host's IPv6 ones too (Docker); an
	 * IPv6 one: that one alone, through the relay */
	p->relay6 = !ip || !*ip || p->only6;
	return 0;
}

int
portmap_parse (json_t *create, struct nft_port *out, int *n, struct bx_err *e)
{
	json_t *hc = json_object_get (create, "HostConfig");
	json_t *pb = json_object_get (hc, "PortBindings"), *all = json_object_get (hc, "PublishAllPorts");
	json_t *exposed = json_object_get (json_object_get (create, "Config"), "ExposedPorts");
	const char *key;
	json_t *v, *b;
	size_t i;

	*n = 0;
	json_object_foreach (pb, key, v)
	{
		json_array_foreach (v, i, b)
		{
			if (*n == PORTMAP_MAX)
				return err_set (e, BX_USAGE, 0, "more than %d published ports", PORTMAP_MAX);
			if (parse_binding (key, b, &out[(*n)++], e) < 0)
				return -1;
		}
	}
	if (!json_is_true (all))
		return 0;
	json_object_foreach (exposed, key, v)
	{
		const char *slash = strchr (key, '/');
		if (json_object_get (pb, key))
			continue;
		if (*n == PORTMAP_MAX)
			return err_set (e, BX_USAGE, 0, "more than %d published ports", PORTMAP_MAX);
		memset (&out[*n], 0, sizeof out[*n]);
		out[*n].relay6 = true;
		/* --expose takes any protocol (the docker CLI checks none): one
		 * no port can have is refused when the ports are mapped (proto "") */
		if (slash && !portmap_proto_ok (slash + 1))
			out[(*n)++].ctr_port = (unsigned)atoi (key);
		else if (parse_key (key, &out[(*n)++], e) < 0)
			return -1;
	}
	return 0;
}

static void
res_name (char out[32], const struct nft_port *p)
{
	snprintf (out, 32, "%s-%u", p->proto, p->host_port);
}

/* Somebody on the host holds the port already (a bind of our own fails). */
static int
port_busy (const struct nft_port *p)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons (p->host_port), .sin_addr = p->host_ip};
	int udp = !strcmp (p->proto, "udp"), one = 1, rc;
	int fd = socket (AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (!udp) /* a connection in TIME_WAIT does not hold the port */
		setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	rc = bind (fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno == EADDRINUSE;
	close (fd);
	return rc;
}

/* A free port the kernel picks from its ephemeral range. */
static unsigned
port_pick (const char *proto)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	int fd = socket (AF_INET, (strcmp (proto, "udp") ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	unsigned port = 0;

	if (fd < 0)
		return 0;
	if (bind (fd, (struct sockaddr *)&sa, sizeof sa) == 0 && getsockname (fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs (sa.sin_port);
	close (fd);
	return port;
}

/* Take P's reservation for ID; a stale one (its container gone) is taken over. */
static int
reserve_one (int rootfd, int dirfd, const struct nft_port *p, const char *id)
{
	char name[32], owner[128], cdir[160];
	ssize_t len;

	res_name (name, p);
	for (int tries = 0; tries < 2; tries++) {
		if (symlinkat (id, dirfd, name) == 0)
			return 0;
		if (errno != EEXIST || (len = readlinkat (dirfd, name, owner, sizeof owner - 1)) < 0)
			return -1;
		owner[len] = 0;
		snprintf (cdir, sizeof cdir, L_CONTAINERS "/%s", owner);
		if (!strcmp (owner, id) || faccessat (rootfd, cdir, F_OK, 0) == 0)
			return errno = EEXIST, -1;
		unlinkat (dirfd, name, 0);
	}
	return errno = EEXIST, -1;
}

static void
release_one (int dirfd, const struct nft_port *p, const char *id)
{
	char name[32], owner[128];
	ssize_t len;

	res_name (name, p);
	len = readlinkat (dirfd, name, owner, sizeof owner - 1);
	if (len < 0)
		return;
	owner[len] = 0;
	if (!strcmp (owner, id))
		unlinkat (dirfd, name, 0);
}

/* The host has IPv6: ::1 on lo in this network namespace, as Docker's
 * bridge driver asks before it publishes on [::] */
static bool
host_ipv6 (void)
{
	FILE *f = fopen ("/proc/net/if_inet6", "re");
	char addr[40], dev[IF_NAMESIZE + 1];
	bool found = false;

	while (f && !found && fscanf (f, "%39s %*x %*x %*x %*x %16s", addr, dev) == 2)
		found = !strcmp (addr, "00000000000000000000000000000001") && !strcmp (dev, "lo");
	if (f)
		fclose (f);
	return found;
}

/* PROTO6-PORT (tcp6-8080): the record of P's relay from [::] */
static void
relay6_name (char out[64], const struct nft_port *p)
{
	snprintf (out, 64, L_NETWORKS "/" L_PORTS "/%s6-%u", p->proto, p->host_port);
}

/* A container without an IPv6 address reached on [::] too, as Docker
 * 20.10's docker-proxy: a relay to its IPv4 address (nftables cannot
 * translate IPv6 to IPv4). */
static int
relay6_start (int rootfd, const struct nft_port *p, struct bx_err *e)
{
	char name[64], addr[INET6_ADDRSTRLEN];

	relay6_name (name, p);
	if (rlproxy_prepare (-1, e) < 0)
		return -1;
	if (rlproxy_start (rootfd, name,
	                   &(struct rlproxy_spec){.proto = p->proto,
	                                          .family = AF_INET6,
	                                          .on6 = p->only6 ? p->host_ip6 : in6addr_any,
	                                          .port = p->host_port,
	                                          .to = p->ctr_ip,
	                                          .to_port = p->ctr_port},
	                   e) == 0)
		return 0;
	/* docker-proxy's words, which Docker passes on */
	inet_ntop (AF_INET6, p->only6 ? &p->host_ip6 : &in6addr_any, addr, sizeof addr);
	if (e->code == BX_CONFLICT)
		err_set (e, BX_CONFLICT, 0,
		         "Error starting userland proxy: listen %s6 [%s]:%u: bind: address already in use", p->proto,
		         addr, p->host_port);
	else if (e->code == BX_SYSTEM && e->sys == EADDRNOTAVAIL)
		err_set (e, BX_SYSTEM, 0,
		         "Error starting userland proxy: listen %s6 [%s]:%u: bind: cannot assign requested address",
		         p->proto, addr, p->host_port);
	return -1;
}

static void
relay6_stop (int rootfd, const struct nft_port *p)
{
	char name[64];

	relay6_name (name, p);
	rlproxy_stop (rootfd, name);
}

/* Which of P's ports get a relay from [::]: those given no host address
 * (host_binding_ipv4 changes their IPv4 one only, as Docker's), of a
 * container without an IPv6 address of its own, rootful (rlnet relays
 * rootless ones), on a host with IPv6; and every one given an IPv6 host
 * address, which only the relay publishes */
static void
relay6_choose (struct nft_port *p, int n)
{
	bool want = false;

	for (int i = 0; i < n; i++) {
		p[i].relay6 = p[i].only6 || (p[i].relay6 && !p[i].v6);
		want = want || (p[i].relay6 && !p[i].only6);
	}
	if (want && (root_is_rootless () || !host_ipv6 ()))
		for (int i = 0; i < n; i++)
			p[i].relay6 = p[i].only6;
}

/* What reserving P made, undone */
static void
unmap_one (int rootfd, int dirfd, const struct nft_port *p, const char *id)
{
	if (p->relay6)
		relay6_stop (rootfd, p);
	release_one (dirfd, p, id);
	if (!p->only6)
		rlnet_forward (rootfd, p->proto, p->host_ip, p->host_port, 0, &(struct bx_err){0});
}

static int
reserve_fail (const struct nft_port *p, int err, struct bx_err *e)
{
	char ip[INET6_ADDRSTRLEN];

	if (p->only6)
		inet_ntop (AF_INET6, &p->host_ip6, ip, sizeof ip);
	else
		inet_ntop (AF_INET, &p->host_ip, ip, sizeof ip);
	/* the port allocator's words, for a range none of whose ports is free */
	if (err == ENOSPC)
		return err_set (e, BX_CONFLICT, 0, "all ports are allocated");
	if (err == EEXIST || err == EADDRINUSE)
		return err_set (e, BX_CONFLICT, 0, "Bind for %s:%u failed: port is already allocated", ip,
		                p->host_port);
	return err_set (e, BX_SYSTEM, err, "reserve port %s:%u/%s", ip, p->host_port, p->proto);
}

/* P's host port, HOST_PORT as it is: 0 on success, an errno */
static int
reserve_at (int rootfd, int dirfd, const struct nft_port *p, const char *id)
{
	/* an IPv6 address alone: the relay's bind tells whether it is taken */
	int rc = reserve_one (rootfd, dirfd, p, id) < 0 ? errno : !p->only6 && port_busy (p) ? EADDRINUSE : 0;

	if (rc == EADDRINUSE)
		release_one (dirfd, p, id);
	return rc;
}

/* P's host port reserved: the one asked, the first free one of its range
 * (ENOSPC: none), or one the kernel picks; 0 or an errno */
static int
reserve_port (int rootfd, int dirfd, struct nft_port *p, const char *id)
{
	unsigned first = p->host_port, last = p->host_port_last;
	int rc = 0, tries = 0;

	p->host_port_last = 0;
	if (first == 0) {
		do {
			p->host_port = port_pick (p->proto);
			rc = reserve_at (rootfd, dirfd, p, id);
		} while (rc && ++tries < 16);
		return rc;
	}
	if (last <= first)
		return reserve_at (rootfd, dirfd, p, id);
	for (p->host_port = first; p->host_port <= last; p->host_port++)
		if ((rc = reserve_at (rootfd, dirfd, p, id)) == 0)
			return 0;
	p->host_port = first;
	return rc == EEXIST || rc == EADDRINUSE ? ENOSPC : rc;
}

int
portmap_reserve (int rootfd, struct nft_port *p, int n, const char *id, struct bx_err *e)
{
	int dirfd, i, rc = 0;

	if (n == 0)
		return 0;
	if (afile_mkdir_p_at (rootfd, L_NETWORKS "/" L_PORTS, 0700, e) < 0)
		return -1;
	if ((dirfd = openat (rootfd, L_NETWORKS "/" L_PORTS, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "open %s", L_NETWORKS "/" L_PORTS);
	for (i = 0; i < n; i++)
		if (!p[i].proto[0]) {
			close (dirfd);
			/* libnetwork's words for a protocol it does not know */
			return err_set (e, BX_CONFLICT, 0, "invalid transport protocol: 0");
		} else if (p[i].only6 && root_is_rootless ()) {
			close (dirfd);
			return err_set (e, BX_USAGE, 0, "port %u/%s: an IPv6 host address, rootless: not implemented",
			                p[i].ctr_port, p[i].proto);
		}
	relay6_choose (p, n);
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = reserve_port (rootfd, dirfd, &p[i], id)))
			reserve_fail (&p[i], rc, e);
		/* rootless: the host's port is slirp4netns's to bind */
		else if (!p[i].only6 && rlnet_forward (rootfd, p[i].proto, p[i].host_ip, p[i].host_port, 1, e) < 0) {
			release_one (dirfd, &p[i], id);
			rc = -1;
		} else if (p[i].relay6 && relay6_start (rootfd, &p[i], e) < 0) {
			p[i].relay6 = false;
			unmap_one (rootfd, dirfd, &p[i], id);
			rc = -1;
		}
	}
	if (rc)
		for (int j = 0; j < i - 1; j++)
			unmap_one (rootfd, dirfd, &p[j], id);
	close (dirfd);
	return rc ? -1 : 0;
}

void
portmap_release (int rootfd, const struct nft_port *p, int n, const char *id)
{
	int dirfd = openat (rootfd, L_NETWORKS "/" L_PORTS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dirfd < 0)
		return;
	for (int i = 0; i < n; i++)
		unmap_one (rootfd, dirfd, &p[i], id);
	close (dirfd);
}
