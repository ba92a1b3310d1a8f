/* cidr - TAP unit tests of lib/net/cidr.h: parsing, printing, relations */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "net/cidr.h"
#include "tap.h"

static void
roundtrip (const char *in, const char *want)
{
	char out[CIDR_STRLEN + 1];

	cidr_format (C (in), out);
	is_str (out, want, in);
}

static void
test_parse (void)
{
	struct cidr c;
	struct bx_err e = {0};

	roundtrip ("172.17.0.0/16", "172.17.0.0/16");
	roundtrip ("10.1.2.3/16", "10.1.0.0/16");
	roundtrip ("0.0.0.0/0", "0.0.0.0/0");
	roundtrip ("192.168.1.7/32", "192.168.1.7/32");
	const char *bad[] = {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "x/8", "10.0.0.0/8x", ""};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		memset (&e, 0, sizeof e);
		ok (cidr_parse (bad[i], &c, &e) < 0 && e.code == BX_USAGE, "refused: '%s'", bad[i]);
	}
}

static void
test_relations (void)
{
	ok (cidr_contains (C ("172.17.0.0/16"), A ("172.17.255.254")), "contains its last host");
	ok (!cidr_contains (C ("172.17.0.0/16"), A ("172.18.0.1")), "not the next network");
	ok (cidr_overlaps (C ("10.0.0.0/8"), C ("10.20.0.0/16")), "a /8 overlaps a /16 inside it");
	ok (cidr_overlaps (C ("10.20.0.0/16"), C ("10.0.0.0/8")), "and the other way round");
	ok (!cidr_overlaps (C ("10.0.0.0/24"), C ("10.0.1.0/24")), "neighbours do not overlap");
	ok (cidr_hosts (C ("10.0.0.0/24")) == 254, "a /24 has 254 hosts");
	ok (cidr_hosts (C ("10.0.0.0/31")) == 0, "a /31 has none to lease");
	ok (cidr_host (C ("10.0.0.0/24"), 1).s_addr == A ("10.0.0.1").s_addr, "host 1");
	ok (cidr_is_host (C ("10.0.0.0/24"), A ("10.0.0.254")), "the last host is a host");
	ok (!cidr_is_host (C ("10.0.0.0/24"), A ("10.0.0.0")), "the network address is not");
	ok (!cidr_is_host (C ("10.0.0.0/24"), A ("10.0.0.255")), "nor the broadcast address");
	ok (!cidr_is_host (C ("10.0.0.0/24"), A ("10.0.1.1")), "nor an address outside");
}

int
main (void)
{
	test_parse ();
	test_relations ();
	return tap_done ();
}
