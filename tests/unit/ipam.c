/* ipam - TAP unit tests of tools/ctr-net/ipam.h: Docker's pools, leases */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "ctr-net/ipam.h"
#include "tap.h"

static void
pick (const char *const *taken, int n, const char *want, const char *name)
{
	struct cidr t[32], out = {0};
	struct bx_err e = {0};
	char buf[CIDR_STRLEN + 1] = "error";

	for (int i = 0; i < n; i++)
		t[i] = C (taken[i]);
	if (ipam_pick (t, n, &out, &e) == 0)
		cidr_format (out, buf);
	is_str (buf, want, name);
}

static void
test_pick (void)
{
	const char *none[] = {"0.0.0.0/32"};
	const char *first[] = {"172.17.0.0/16", "192.0.2.0/24"};
	const char *wide[] = {"172.16.0.0/12"};
	const char *route[] = {"172.17.5.0/24", "172.18.0.0/16", "172.19.0.1/32"};
	const char *all[] = {"172.16.0.0/12", "192.168.0.0/16"};
	pick (none, 1, "172.17.0.0/16", "nothing in the way: 172.17.0.0/16");
	pick (first, 2, "172.18.0.0/16", "172.17 taken: the next /16");
	pick (wide, 1, "192.168.0.0/20", "172.16/12 taken: the 192.168 /20s");
	pick (route, 3, "172.20.0.0/16", "a route inside a pool skips the pool");
	struct cidr t[2] = {C (all[0]), C (all[1])}, out;
	struct bx_err e = {0};
	ok (ipam_pick (t, 2, &out, &e) < 0 && strstr (e.msg, "non-overlapping"), "every pool taken: an error");
}

static void
test_leases (void)
{
	char dir[] = "/tmp/ipam-test.XXXXXX";
	struct cidr c = C ("10.9.0.0/29"); /* hosts .1 to .6 */
	struct in_addr gw = A ("10.9.0.1"), none = {0}, got[8];
	struct bx_err e = {0};
	char target[80];
	int fd, n = 0;

	if (!mkdtemp (dir) || (fd = open (dir, O_RDONLY | O_DIRECTORY)) < 0) {
		ok (0, "temp dir");
		return;
	}
	while (n < 8 && ipam_lease (fd, c, c, gw, none, "ctr", &got[n], &e) == 0)
		n++;
	ok (n == 5, "a /29 leases 5 addresses besides its gateway (%d)", n);
	ok (got[0].s_addr == A ("10.9.0.2").s_addr, "the first lease is .2");
	ok (e.code == BX_FAIL && strstr (e.msg, "no available"), "then none is left");
	ssize_t l = readlinkat (fd, "10.9.0.2", target, sizeof target - 1);
	target[l > 0 ? l : 0] = 0;
	is_str (target, "ctr", "a lease names its container");
	ipam_release (fd, A ("10.9.0.3"), "other");
	ok (faccessat (fd, "10.9.0.3", F_OK, AT_SYMLINK_NOFOLLOW) == 0, "another's lease is not released");
	ipam_release (fd, A ("10.9.0.3"), "ctr");
	ok (faccessat (fd, "10.9.0.3", F_OK, AT_SYMLINK_NOFOLLOW) < 0, "its own is");
	memset (&e, 0, sizeof e);
	ok (ipam_lease (fd, c, c, gw, none, "b", &got[0], &e) == 0 && got[0].s_addr == A ("10.9.0.3").s_addr,
	    "a released address is leased again");
	memset (&e, 0, sizeof e);
	ok (ipam_lease (fd, c, c, gw, A ("10.9.0.4"), "c", &got[0], &e) < 0 && e.code == BX_CONFLICT,
	    "a wanted address that is taken: conflict");
	memset (&e, 0, sizeof e);
	ok (ipam_lease (fd, c, c, gw, A ("10.9.0.1"), "c", &got[0], &e) < 0 && e.code == BX_USAGE,
	    "the gateway cannot be wanted");
	memset (&e, 0, sizeof e);
	ok (ipam_lease (fd, c, c, gw, A ("10.8.0.4"), "c", &got[0], &e) < 0 && e.code == BX_USAGE,
	    "nor an address outside the subnet");
	char cmd[64];
	snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
	close (fd);
	if (system (cmd) != 0)
		ok (0, "cleanup");
}

/* --ip-range: addresses come from the range alone, its own network
 * address included when that is a host of the subnet; --ip anywhere */
static void
test_range (void)
{
	char dir[] = "/tmp/ipam-test.XXXXXX";
	struct cidr c = C ("10.9.0.0/24"), r = C ("10.9.0.128/30");
	struct in_addr gw = A ("10.9.0.128"), none = {0}, got[8];
	struct bx_err e = {0};
	int fd, n = 0;

	if (!mkdtemp (dir) || (fd = open (dir, O_RDONLY | O_DIRECTORY)) < 0) {
		ok (0, "temp dir");
		return;
	}
	while (n < 8 && ipam_lease (fd, c, r, gw, none, "ctr", &got[n], &e) == 0)
		n++;
	ok (n == 3 && got[0].s_addr == A ("10.9.0.129").s_addr && got[2].s_addr == A ("10.9.0.131").s_addr,
	    "a /30 range leases its 4 addresses but the gateway (%d)", n);
	memset (&e, 0, sizeof e);
	ok (ipam_lease (fd, c, r, gw, A ("10.9.0.7"), "c", &got[0], &e) == 0, "a wanted address outside the range");
	char cmd[64];
	snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
	close (fd);
	if (system (cmd) != 0)
		ok (0, "cleanup");
}

int
main (void)
{
	test_pick ();
	test_leases ();
	test_range ();
	return tap_done ();
}
