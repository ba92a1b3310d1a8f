/* hostcfg - a container's HostConfig as docker inspect shows it
 *
 * create.json holds what ctr-create was told; Docker's inspect shows
 * every field of its HostConfig struct, in the struct's order, the ones
 * nobody set at the value Docker's CLI sends for them. The keys Docker
 * omits when empty (Tmpfs, StorageOpt, Sysctls, Mounts, Init) are shown
 * only when set, and what box records beyond Docker's struct is kept,
 * last.
 */
#ifndef BOX_HOSTCFG_H
#define BOX_HOSTCFG_H

#include <jansson.h>

/* RECORDED (create.json's HostConfig; NULL for none) filled out; OCI is
 * the container's config.json (its masked and read-only paths). A new
 * reference; NULL when out of memory. */
json_t *hostcfg_inspect (json_t *recorded, json_t *oci);

#endif
