/* subid - the subordinate id ranges of /etc/subuid and /etc/subgid
 *
 * shadow's format, subuid(5): one "OWNER:START:COUNT" a line, OWNER a
 * user (or group) name or a numeric id. A user's ranges are the lines
 * naming it or its id, in file order: newuidmap and dockerd read them so.
 * A malformed line is an error naming the file and line, not skipped: a
 * range read wrong would map a container onto ids it must not have.
 */
#ifndef BOX_SUBID_H
#define BOX_SUBID_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

#define SUBID_UID_FILE "/etc/subuid"
#define SUBID_GID_FILE "/etc/subgid"
#define SUBID_MAX 64 /* ranges of one owner: the kernel takes 340 map lines, newuidmap 340 */

struct subid_range {
	uint64_t start, count;
};

struct subid_ranges {
	struct subid_range r[SUBID_MAX];
	size_t n;
	uint64_t total; /* the sum of the counts */
};

/* The ranges of NAME (NULL: none) or of the numeric ID (-1: none) in
 * TEXT, the contents of the file FILE (named in errors: "/etc/subuid:3:
 * ..."). BX_USAGE for a malformed line. */
int subid_parse (const char *text, const char *file, const char *name, long long id, struct subid_ranges *out,
                 struct bx_err *e);
/* The same from the file FILE; a missing file lists nothing. */
int subid_read (const char *file, const char *name, long long id, struct subid_ranges *out, struct bx_err *e);
/* Rootless: the ids of this process's user namespace but 0 (the user
 * itself), from MAP ("/proc/self/uid_map", "/proc/self/gid_map"), as the
 * namespace numbers them: the user's subordinate ids, 1.. under usr-ns. */
int subid_read_ns (const char *map, struct subid_ranges *out, struct bx_err *e);
/* The first id above every range of every owner in FILE, and at least
 * MIN: where a new owner's range goes (useradd's and dockerd's choice for
 * dockremap: after the highest one used). */
int subid_next_free (const char *file, uint64_t min, uint64_t *out, struct bx_err *e);

#endif
