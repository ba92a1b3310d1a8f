/* idmap - a user namespace's id mappings: container ids to host ids
 *
 * The lines of /proc/PID/uid_map (and config.json's linux.uidMappings):
 * extents INSIDE OUTSIDE COUNT, none overlapping another inside or
 * outside. Parsed from Podman's --uidmap "CTR:HOST:N", or made from
 * subordinate ranges (subid.h) as dockerd maps a remapped container:
 * container id 0 at the first range's start, on through the ranges.
 */
#ifndef BOX_IDMAP_H
#define BOX_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "base/subid.h"

#define IDMAP_MAX 340 /* the kernel's limit of lines in a uid_map */

struct idmap_ext {
	uint32_t inside, outside, count;
};

struct idmap {
	struct idmap_ext ext[IDMAP_MAX];
	size_t n;
};

/* Append "CTR:HOST:N" (S) to M: BX_USAGE, and the reason, for a
 * malformed extent or one that overlaps another of M. */
int idmap_add_spec (struct idmap *m, const char *s, struct bx_err *e);
/* Append the extent INSIDE OUTSIDE COUNT; BX_USAGE as idmap_add_spec. */
int idmap_add (struct idmap *m, uint64_t inside, uint64_t outside, uint64_t count, struct bx_err *e);
/* M from ARR, runtime-spec's [{containerID, hostID, size}] (KEY names it
 * in errors: "linux.uidMappings[1]: overlaps linux.uidMappings[0]");
 * BX_USAGE for an entry that is not whole, past the last id or overlaps
 * another. */
int idmap_from_json (struct idmap *m, const json_t *arr, const char *key, struct bx_err *e);
/* Container ids 0..SIZE-1 over the ranges R, in their order (SIZE 0: all
 * of them); BX_USAGE when they hold fewer than SIZE ids. */
int idmap_from_ranges (struct idmap *m, const struct subid_ranges *r, uint64_t size, struct bx_err *e);
/* FORCED's extents in M, in place of M's for the same container ids (the
 * rest of M kept as it maps): Podman's --userns=auto:uidmapping. BX_USAGE
 * when a forced host id is one M keeps. */
int idmap_override (struct idmap *m, const struct idmap *forced, struct bx_err *e);
/* The host id of container id ID, or -1 when M does not map it. */
long long idmap_to_host (const struct idmap *m, uint32_t id);
/* The container id of host id ID, or -1 when M does not map it. */
long long idmap_to_ctr (const struct idmap *m, uint32_t id);
/* M as /proc/PID/uid_map takes it, one "INSIDE OUTSIDE COUNT\n" a line;
 * the length, or -1 when BUF is too short. */
int idmap_format (const struct idmap *m, char *buf, size_t len);

/* The host id of container id 0, or of M's first extent when 0 is not
 * mapped: who stands for the container on the host when the host writes
 * into its tree. */
unsigned idmap_root (const struct idmap *m);
/* This thread's fsuid and fsgid: files it makes are owned by UID, GID,
 * its file capabilities kept (a write into an idmapped tree must be as an
 * id the mapping has). idmap_fsids (0, 0) goes back. -1 on failure. */
int idmap_fsids (unsigned uid, unsigned gid);

#endif
