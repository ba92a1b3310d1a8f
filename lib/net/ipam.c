#include "net/ipam.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"

static uint32_t
mask_of (int len)
{
	return len ? ~0u << (32 - len) : 0;
}

int
ip_parse (const char *s, struct in_addr *a, struct bx_err *e)
{
	if (inet_pton (AF_INET, s, a) != 1)
		return err_set (e, BX_USAGE, 0, "invalid IPv4 address: %s", s);
	return 0;
}

int
cidr_parse (const char *s, struct cidr *c, struct bx_err *e)
{
	char buf[32], *slash, *end;
	long len;

	if (strlen (s) >= sizeof buf)
		return err_set (e, BX_USAGE, 0, "invalid CIDR address: %s", s);
	strcpy (buf, s);
	slash = strchr (buf, '/');
	if (!slash)
		return err_set (e, BX_USAGE, 0, "invalid CIDR address: %s", s);
	*slash = 0;
	errno = 0;
	len = strtol (slash + 1, &end, 10);
	if (*end || end == slash + 1 || len < 0 || len > 32 || inet_pton (AF_INET, buf, &c->net) != 1)
		return err_set (e, BX_USAGE, 0, "invalid CIDR address: %s", s);
	c->len = (int)len;
	c->net.s_addr &= htonl (mask_of (c->len));
	return 0;
}

void
cidr_format (struct cidr c, char out[CIDR_STRLEN + 1])
{
	char a[INET_ADDRSTRLEN];

	inet_ntop (AF_INET, &c.net, a, sizeof a);
	snprintf (out, CIDR_STRLEN + 1, "%s/%d", a, c.len);
}

bool
cidr_contains (struct cidr c, struct in_addr a)
{
	return (ntohl (a.s_addr) & mask_of (c.len)) == ntohl (c.net.s_addr);
}

bool
cidr_overlaps (struct cidr a, struct cidr b)
{
	int len = a.len < b.len ? a.len : b.len;

	return ((ntohl (a.net.s_addr) ^ ntohl (b.net.s_addr)) & mask_of (len)) == 0;
}

struct in_addr
cidr_host (struct cidr c, unsigned n)
{
	struct in_addr a = {.s_addr = htonl (ntohl (c.net.s_addr) + n)};

	return a;
}

unsigned
cidr_hosts (struct cidr c)
{
	if (c.len >= 31)
		return 0;
	return (1u << (32 - c.len)) - 2;
}

static bool
overlaps_any (struct cidr c, const struct cidr *taken, int n)
{
	for (int i = 0; i < n; i++)
		if (cidr_overlaps (c, taken[i]))
			return true;
	return false;
}

int
ipam_pick (const struct cidr *taken, int ntaken, struct cidr *out, struct bx_err *e)
{
	struct cidr c;

	for (unsigned b = 17; b <= 31; b++) {
		c.net.s_addr = htonl (0xac000000u | b << 16); /* 172.b.0.0 */
		c.len = 16;
		if (!overlaps_any (c, taken, ntaken))
			return *out = c, 0;
	}
	for (unsigned k = 0; k < 16; k++) {
		c.net.s_addr = htonl (0xc0a80000u | k << 12); /* 192.168.16k.0 */
		c.len = 20;
		if (!overlaps_any (c, taken, ntaken))
			return *out = c, 0;
	}
	return err_set (e, BX_FAIL, 0,
	                "could not find an available, non-overlapping IPv4 address pool among the "
	                "defaults to assign to the network");
}

static int
lease_take (int dirfd, struct in_addr a, const char *id)
{
	char name[INET_ADDRSTRLEN];

	inet_ntop (AF_INET, &a, name, sizeof name);
	return symlinkat (id, dirfd, name);
}

static bool
is_special (struct cidr c, struct in_addr a, struct in_addr skip)
{
	uint32_t h = ntohl (a.s_addr), m = mask_of (c.len);

	return a.s_addr == skip.s_addr || (h & ~m) == 0 || (h & ~m) == ~m;
}

int
ipam_lease (int dirfd, struct cidr c, struct in_addr skip, struct in_addr want, const char *id, struct in_addr *out,
            struct bx_err *e)
{
	unsigned n = cidr_hosts (c);

	if (want.s_addr) {
		char s[INET_ADDRSTRLEN];
		inet_ntop (AF_INET, &want, s, sizeof s);
		if (!cidr_contains (c, want) || is_special (c, want, skip))
			return err_set (e, BX_USAGE, 0,
			                "invalid address %s: it does not belong to any of this network's subnets", s);
		if (lease_take (dirfd, want, id) < 0)
			return err_set (e, errno == EEXIST ? BX_CONFLICT : BX_SYSTEM, errno == EEXIST ? 0 : errno,
			                "address %s%s", s, errno == EEXIST ? ": Address already in use" : "");
		return *out = want, 0;
	}
	for (unsigned i = 1; i <= n; i++) {
		struct in_addr a = cidr_host (c, i);
		if (a.s_addr == skip.s_addr)
			continue;
		if (lease_take (dirfd, a, id) == 0)
			return *out = a, 0;
		if (errno != EEXIST)
			return err_set (e, BX_SYSTEM, errno, "lease address");
	}
	return err_set (e, BX_FAIL, 0, "no available IPv4 addresses on this network's address pools");
}

void
ipam_release (int dirfd, struct in_addr a, const char *id)
{
	char name[INET_ADDRSTRLEN], target[128];
	ssize_t n;

	inet_ntop (AF_INET, &a, name, sizeof name);
	n = readlinkat (dirfd, name, target, sizeof target - 1);
	if (n < 0)
		return;
	target[n] = 0;
	if (strcmp (target, id) == 0)
		unlinkat (dirfd, name, 0);
}
