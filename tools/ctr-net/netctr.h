/* netctr - a container's side of networking: its namespace file, its
 * endpoints, and the files Docker writes for it
 *
 * containers/<id>/netns is a bind mount of a network namespace (nsfs) made
 * before the container starts; config.json names it, so ctr-spawn and
 * crun just join it. hosts and resolv.conf are written as Docker writes
 * them, network.json is Docker's NetworkSettings. What create.json asks
 * for (HostConfig.NetworkMode, PortBindings, PublishAllPorts, ExtraHosts,
 * Dns, NetworkingConfig.EndpointsConfig) is read here. */
#ifndef BOX_NETCTR_H
#define BOX_NETCTR_H

#include <jansson.h>

#include "base/err.h"
#include "net/net.h"

/* Attach container ID as create.json says: nothing for none, host and
 * container:ID; else the netns, the network (the default bridge made on
 * first use), ports, resolver, hosts, resolv.conf, network.json; then
 * the networks a connect recorded. On failure nothing of it stays. */
int netctr_attach (int rootfd, const char *id, struct bx_err *e);
/* Undo everything any attach or connect made for ID; idempotent, also
 * when the container directory is gone. */
int netctr_detach (int rootfd, const char *id, struct bx_err *e);
/* At the container's exit: what attach made undone (Docker releases a
 * container's endpoints at its stop); create.json keeps what the next
 * start attaches again. */
int netctr_release (int rootfd, const char *id, struct bx_err *e);
/* Connect container ID to one more network N: recorded in create.json
 * (NetworkingConfig.EndpointsConfig), joined now when it is attached,
 * else at its next attach. */
int netctr_connect (int rootfd, struct net *n, const char *id, const char *const *aliases, int naliases, const char *ip,
                    struct bx_err *e);
/* Disconnect ID from N, now and in create.json (BX_FAIL when it is not
 * connected). */
int netctr_disconnect (int rootfd, struct net *n, const char *id, struct bx_err *e);
/* ID's NetworkSettings (network.json's content) as it is now. */
int netctr_settings (int rootfd, const char *id, json_t **out, struct bx_err *e);
/* docker rename: container ID's endpoints take the Name of its
 * create.json (their DNS name), and its network.json with them. */
int netctr_rename (int rootfd, const char *id, struct bx_err *e);

#endif
