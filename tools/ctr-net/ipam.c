#include "ipam.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int
ipam_lease (int dirfd, struct cidr c, struct cidr range, struct in_addr skip, struct in_addr want, const char *id,
            struct in_addr *out, struct bx_err *e)
{
	/* every address of the range: its own network and broadcast may be
	 * hosts of C */
	unsigned n = range.len >= 32 ? 1 : 1u << (32 - range.len);

	if (want.s_addr) {
		char s[INET_ADDRSTRLEN];
		inet_ntop (AF_INET, &want, s, sizeof s);
		if (!cidr_is_host (c, want) || want.s_addr == skip.s_addr)
			return err_set (e, BX_USAGE, 0,
			                "invalid address %s: it does not belong to any of this network's subnets", s);
		if (lease_take (dirfd, want, id) < 0)
			return err_set (e, errno == EEXIST ? BX_CONFLICT : BX_SYSTEM, errno == EEXIST ? 0 : errno,
			                "address %s%s", s, errno == EEXIST ? ": Address already in use" : "");
		return *out = want, 0;
	}
	for (unsigned i = 0; i < n; i++) {
		struct in_addr a = cidr_host (range, i);
		if (a.s_addr == skip.s_addr || !cidr_is_host (c, a))
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
