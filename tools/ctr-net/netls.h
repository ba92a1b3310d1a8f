/* netls - `docker network ls --filter` over networks
 *
 * Keys: driver (exact), id (prefix), label (KEY or KEY=VALUE), name (any
 * part of it), scope (local), type (custom | builtin). Values of one key
 * are alternatives; different keys must all match, as in Docker.
 * (`network prune --filter` is lib/base/pfilter's.) */
#ifndef BOX_NETLS_H
#define BOX_NETLS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "net/net.h"

#define NETLS_MAX 32

struct netls {
	const char *key[NETLS_MAX];
	const char *val[NETLS_MAX];
	char buf[NETLS_MAX][256];
	int n;
};

/* Add "KEY=VALUE"; BX_USAGE for an unknown key or a bad form. */
int netls_add (struct netls *f, const char *arg, struct bx_err *e);
bool netls_match (const struct netls *f, const struct net *n);

#endif
