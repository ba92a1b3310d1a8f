/* cidr - IPv4 addresses and subnets: parsed, printed, compared */
#ifndef BOX_CIDR_H
#define BOX_CIDR_H

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
/* A is one of C's hosts: inside C, neither its network nor its broadcast
 * address. */
bool cidr_is_host (struct cidr c, struct in_addr a);
/* "A.B.C.D" */
int cidr_ip_parse (const char *s, struct in_addr *a, struct bx_err *e);

/* IPv6 subnets: the network's v6 side (ctr-net create --ipv6) */
struct cidr6 {
	struct in6_addr net; /* host bits zero */
	int len;             /* 0: none */
};

#define CIDR6_STRLEN 49 /* INET6_ADDRSTRLEN + "/128" */

/* "X::/N" */
int cidr_v6_parse (const char *s, struct cidr6 *c, struct bx_err *e);
void cidr_v6_format (struct cidr6 c, char out[CIDR6_STRLEN + 1]);
bool cidr_v6_contains (struct cidr6 c, struct in6_addr a);
/* The Nth address of C (its low 32 bits plus N) */
struct in6_addr cidr_v6_host (struct cidr6 c, unsigned n);

#endif
