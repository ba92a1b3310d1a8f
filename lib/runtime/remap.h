/* remap - dockerd's --userns-remap without a daemon: the mapping every
 * container gets, from the setting (settings.h) or BOX_USERNS_REMAP
 *
 * "default" is the user boxremap, made as dockerd makes dockremap: a
 * system user (useradd -r) and a range of 65536 subordinate uids and gids
 * after the highest range /etc/subuid and /etc/subgid hold (usermod -v,
 * -w). "USER[:GROUP]" maps onto USER's ranges in /etc/subuid and GROUP's
 * (USER's when none) in /etc/subgid, names or ids; container id 0 at the
 * first range's start, as dockerd does. Rootless (usr-ns), the ids are
 * the user's namespace's: "default" is its ids but 0 (the user's
 * subordinate ids, 1..; no boxremap is made), USER's ranges are taken as
 * the namespace numbers them, refused when it does not hold them.
 */
#ifndef BOX_REMAP_H
#define BOX_REMAP_H

#include <stddef.h>

#include "base/err.h"
#include "base/idmap.h"

#define REMAP_DEFAULT "default"
#define REMAP_DEFAULT_USER "boxremap"
#define REMAP_ENV "BOX_USERNS_REMAP"

/* The remap in effect into BUF: BOX_USERNS_REMAP when set (even empty),
 * else the setting; 1 when there is one, 0 when containers are not
 * remapped. */
int remap_current (int rootfd, char *buf, size_t len, struct bx_err *e);
/* SPEC ("default", "USER", "USER:GROUP") as UID and GID mappings; for
 * "default", boxremap and its ranges are made when missing (under
 * ROOTFD's settings.lock). BX_USAGE, naming SPEC, for an unknown user or
 * group or one without ranges. */
int remap_resolve (int rootfd, const char *spec, struct idmap *uid, struct idmap *gid, struct bx_err *e);
/* SPEC as `box config userns-remap` takes it: "default" or USER[:GROUP]
 * with a user (and group) that exist. Nothing is made. */
int remap_check (const char *spec, struct bx_err *e);
/* boxremap and its ranges, made when missing, under ROOTFD's settings.lock */
int remap_default_user (int rootfd, struct bx_err *e);

/* The mappings of the container whose bundle is DIR, from its config.json's
 * linux.uidMappings and gidMappings: 1 when it has a user namespace of its
 * own (UID, GID filled), 0 when not (or no config.json). For the tools
 * that touch its tree from the host (img-unpack mounting it again, ctr-cp
 * shifting owners). */
int remap_bundle_maps (const char *dir, struct idmap *uid, struct idmap *gid, struct bx_err *e);

#endif
