/* addr - for the unit tests of the network modules: a subnet or an address
 * from its text, as the tests write them (a bad one gives zeros) */
#ifndef BOX_TEST_ADDR_H
#define BOX_TEST_ADDR_H

#include <arpa/inet.h>

#include "net/cidr.h"

static inline struct cidr
C (const char *s) {
	struct cidr c = {0};
	struct bx_err e = {0};

	cidr_parse (s, &c, &e);
	return c;
}

static inline struct in_addr
A (const char *s) {
	struct in_addr a = {0};

	inet_pton (AF_INET, s, &a);
	return a;
}

#endif
