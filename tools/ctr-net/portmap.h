/* portmap - published ports: what create.json asks for, and the host ports
 * a state directory has handed out
 *
 * A host port is reserved by a symlink networks/.ports/PROTO-PORT ->
 * <container id> (symlinkat: atomic, and it names its owner, so a
 * reservation whose container is gone is reclaimed). A port some other
 * program of the host listens on is refused too: a bind(2) test, since the
 * DNAT rules hold no socket of their own. */
#ifndef BOX_PORTMAP_H
#define BOX_PORTMAP_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "nft.h"

/* Docker has no limit; a range is one binding a port, and each has its
 * relay on [::] as each has its docker-proxy there */
#define PORTMAP_MAX 1024

/* The ports CREATE (create.json) publishes: HostConfig.PortBindings, and
 * with HostConfig.PublishAllPorts every Config.ExposedPorts port without a
 * binding. A host port of 0 is to be picked, a range (HOST_PORT_LAST)
 * one of its ports; an IPv6 host address is ONLY6. */
int portmap_parse (json_t *create, struct nft_port *out, int *n, struct bx_err *e);
/* PROTO is one a port can be published with: tcp or udp */
bool portmap_proto_ok (const char *proto);
/* Reserve every host port of P for ID, picking free ones for 0; on
 * failure none stays reserved. BX_CONFLICT: "Bind for IP:PORT failed:
 * port is already allocated". */
int portmap_reserve (int rootfd, struct nft_port *p, int n, const char *id, struct bx_err *e);
/* Drop ID's reservations of P. */
void portmap_release (int rootfd, const struct nft_port *p, int n, const char *id);

#endif
