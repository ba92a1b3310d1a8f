/* cptar - trees as tar streams and tar streams into trees, for `cp` and
 * `export` (libarchive)
 *
 * Extraction is confined to its destination directory: every entry is
 * opened with openat2 RESOLVE_IN_ROOT from it (base/tree), names with
 * ".." are refused, and nothing is created through a symlink, so neither
 * a hostile archive nor a container's symlinks reach outside. */
#ifndef CTR_CP_CPTAR_H
#define CTR_CP_CPTAR_H

#include <archive.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/idmap.h"

struct cptar_owner {
	int chown; /* set owners at all (copy out does not, as Docker's CLI) */
	int force; /* every entry owned by UID:GID (cp -a with a User) */
	uid_t uid;
	gid_t gid;
	/* extracting into a remapped container (its rootfs idmapped): its
	 * mappings; files are made as its root and owned by the host ids of
	 * the entries' ids. NULL: not remapped */
	const struct idmap *uidmap, *gidmap;
};

/* The trees written from now on are a remapped container's (UID, GID its
 * mappings; NULL: not): their owners are written as the container's ids,
 * a host id it does not map as 65534, the kernel's overflow id. */
void cptar_ids_out (const struct idmap *uid, const struct idmap *gid);

/* A plain tar writer on FD (a ustar/pax stream). */
struct archive *cptar_writer (int fd, struct bx_err *e);
/* A reader of FD: a tar, plain or compressed (gzip, zstd, xz, bzip2). */
struct archive *cptar_reader (int fd, struct bx_err *e);

/* Write the entry NAME of DIRFD (not followed when a symlink) and, for a
 * directory, everything under it, named AS and AS/...; AS "." writes
 * "./..." entries; AS NULL writes the contents alone, without a prefix
 * (export). */
int cptar_tree (struct archive *a, int dirfd, const char *name, const char *as, struct bx_err *e);

/* Extract every entry of IN under the directory DESTFD. */
int cptar_extract (struct archive *in, int destfd, const struct cptar_owner *own, struct bx_err *e);

#endif
