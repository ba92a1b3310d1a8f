/* ipam - IPv4 subnets and address leases of a network
 *
 * A network's leases are symlinks networks/NAME/leases/A.B.C.D -> <container
 * id>: symlinkat fails with EEXIST when the address is taken, so taking one
 * is atomic without a lock, and a lease names its owner, so one whose
 * container directory is gone can be reclaimed after a crash. */
#ifndef BOX_IPAM_H
#define BOX_IPAM_H

#include <netinet/in.h>
#include <stdbool.h>

#include "base/err.h"

struct cidr {
	struct in_addr net; /* host bits zero */
	int len;
};

#define CIDR_STRLEN 19 /* "255.255.255.255/32" */

/* "A.B.C.D/N"; host bits are cleared (10.1.2.3/16 is 10.1.0.0/16). */
int cidr_parse (const char *s, struct cidr *c, struct bx_err *e);
void cidr_format (struct cidr c, char out[CIDR_STRLEN + 1]);
bool cidr_contains (struct cidr c, struct in_addr a);
bool cidr_overlaps (struct cidr a, struct cidr b);
/* The Nth address of C (N = 1: the first host). */
struct in_addr cidr_host (struct cidr c, unsigned n);
/* The number of host addresses of C, network and broadcast excluded. */
unsigned cidr_hosts (struct cidr c);
int ip_parse (const char *s, struct in_addr *a, struct bx_err *e);

/* The first of Docker's default pools (172.17.0.0/16 ... 172.31.0.0/16,
 * then 192.168.0.0/20 ... 192.168.240.0/20) that overlaps none of TAKEN. */
int ipam_pick (const struct cidr *taken, int ntaken, struct cidr *out, struct bx_err *e);

/* Take WANT (when non-zero) or the first free address of C other than
 * the network, broadcast and SKIP, for ID, in the leases directory DIRFD. */
int ipam_lease (int dirfd, struct cidr c, struct in_addr skip, struct in_addr want, const char *id, struct in_addr *out,
                struct bx_err *e);
/* Drop the lease of A if ID holds it (a lease someone else holds stays). */
void ipam_release (int dirfd, struct in_addr a, const char *id);

#endif
