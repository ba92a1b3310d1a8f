/* regconn - the registry plumbing img-fetch and img-push share: the
 * --insecure host list and a client logged in with the stored credentials */
#ifndef BOX_REGCONN_H
#define BOX_REGCONN_H

#include <stddef.h>

#include "base/err.h"
#include "image/ref.h"
#include "image/registry.h"

/* Append HOSTS (comma separated; NULL or "" for none) to the comma
 * separated LIST of SIZE bytes. BX_USAGE when the list is full. */
int regconn_add_insecure (char *list, size_t size, const char *hosts, struct bx_err *e);
/* A client for REF's registry with the credentials auth_get finds for its
 * domain, plain http when registry_is_insecure (domain, INSECURE); RATE_LIMIT
 * as in struct registry_opts. */
struct registry *regconn_open (const struct ref *ref, const char *insecure, long rate_limit, struct bx_err *e);

#endif
