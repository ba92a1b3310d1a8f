/* netfile - small files that are rebuilt whenever they change (a
 * resolver's hosts, a container's hosts, resolv.conf, network.json, an
 * endpoint): written to a temporary name and renamed, without fsync, since
 * what they say is lost with the network devices on a crash anyway */
#ifndef BOX_NETFILE_H
#define BOX_NETFILE_H

#include "base/err.h"

int netfile_write_at (int dirfd, const char *name, const char *text, struct bx_err *e);

#endif
