/* netfilter - `docker network ls --filter` over networks
 *
 * Keys: driver (exact), id (prefix), label (KEY or KEY=VALUE), name (any
 * part of it), scope (local), type (custom | builtin). Values of one key
 * are alternatives; different keys must all match, as in Docker. */
#ifndef BOX_NETFILTER_H
#define BOX_NETFILTER_H

#include <stdbool.h>

#include "base/err.h"
#include "net/netstore.h"

#define NETFILTER_MAX 32

struct netfilter {
	const char *key[NETFILTER_MAX];
	const char *val[NETFILTER_MAX];
	char buf[NETFILTER_MAX][256];
	int n;
};

/* Add "KEY=VALUE"; BX_USAGE for an unknown key or a bad form. */
int netfilter_add (struct netfilter *f, const char *arg, struct bx_err *e);
bool netfilter_match (const struct netfilter *f, const struct net *n);

#endif
