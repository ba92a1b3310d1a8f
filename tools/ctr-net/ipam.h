/* ipam - the subnet of a new network and the address leases of a network
 *
 * A network's leases are symlinks networks/NAME/leases/A.B.C.D -> <container
 * id>: symlinkat fails with EEXIST when the address is taken, so taking one
 * is atomic without a lock, and a lease names its owner, so one whose
 * container directory is gone can be reclaimed after a crash. */
#ifndef BOX_IPAM_H
#define BOX_IPAM_H

#include <netinet/in.h>

#include "base/err.h"
#include "net/cidr.h"

/* The first of Docker's default pools (172.17.0.0/16 ... 172.31.0.0/16,
 * then 192.168.0.0/20 ... 192.168.240.0/20) that overlaps none of TAKEN. */
int ipam_pick (const struct cidr *taken, int ntaken, struct cidr *out, struct bx_err *e);

/* The owner of a lease that holds an --aux-address: "aux:NAME" */
#define IPAM_AUX_OWNER "aux:"

/* Take WANT (when non-zero: any host of C) or the first free address of
 * RANGE that is a host of C other than SKIP, for ID, in the leases
 * directory DIRFD. */
int ipam_lease (int dirfd, struct cidr c, struct cidr range, struct in_addr skip, struct in_addr want, const char *id,
                struct in_addr *out, struct bx_err *e);
/* Drop the lease of A if ID holds it (a lease someone else holds stays). */
void ipam_release (int dirfd, struct in_addr a, const char *id);

#endif
