#include "net/cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
mask_of (int len)
{
	return len ? ~0u << (32 - len) : 0;
}

int
cidr_ip_parse (const char *s, struct in_addr *a, struct bx_err *e)
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

bool
cidr_is_host (struct cidr c, struct in_addr a)
{
	uint32_t h = ntohl (a.s_addr), m = mask_of (c.len);

	return cidr_contains (c, a) && (h & ~m) != 0 && (h & ~m) != ~m;
}

static void
cidr_v6_mask (struct in6_addr *a, int len)
{
	for (int i = 0; i < 16; i++) {
		int bits = len - 8 * i;
		a->s6_addr[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

int
cidr_v6_parse (const char *s, struct cidr6 *c, struct bx_err *e)
{
	char buf[64], *slash, *end;
	long len;

	if (strlen (s) >= sizeof buf || !(slash = strchr (strcpy (buf, s), '/')))
		return err_set (e, BX_USAGE, 0, "invalid CIDR address: %s", s);
	*slash = 0;
	len = strtol (slash + 1, &end, 10);
	if (*end || end == slash + 1 || len < 1 || len > 128 || inet_pton (AF_INET6, buf, &c->net) != 1)
		return err_set (e, BX_USAGE, 0, "invalid CIDR address: %s", s);
	c->len = (int)len;
	cidr_v6_mask (&c->net, c->len);
	return 0;
}

void
cidr_v6_format (struct cidr6 c, char out[CIDR6_STRLEN + 1])
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop (AF_INET6, &c.net, a, sizeof a);
	snprintf (out, CIDR6_STRLEN + 1, "%s/%d", a, c.len);
}

bool
cidr_v6_contains (struct cidr6 c, struct in6_addr a)
{
	cidr_v6_mask (&a, c.len);
	return !memcmp (&a, &c.net, sizeof a);
}

struct in6_addr
cidr_v6_host (struct cidr6 c, unsigned n)
{
	struct in6_addr a = c.net;
	uint32_t low;

	memcpy (&low, &a.s6_addr[12], 4);
	low = htonl (ntohl (low) + n);
	memcpy (&a.s6_addr[12], &low, 4);
	return a;
}
