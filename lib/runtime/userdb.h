/* userdb - "-u user[:group]" resolved in an image's /etc/passwd and
 * /etc/group, as runc's GetExecUser does for Docker
 *
 * The files are opened inside the container's rootfs with openat2
 * RESOLVE_IN_ROOT, so a hostile image's symlinks cannot point the lookup
 * at the host's files.
 */
#ifndef BOX_USERDB_H
#define BOX_USERDB_H

#include <sys/types.h>

#include "base/err.h"

#define USERDB_MAX_GIDS 64

struct userdb_ids {
	uid_t uid;
	gid_t gid;
	gid_t sgids[USERDB_MAX_GIDS]; /* the user's supplementary groups */
	size_t nsgids;
	char home[256];
};

/* Resolve SPEC ("", "name", "1000", "name:group", "1000:1000") in the
 * tree ROOTFS (a directory fd). A name with no passwd entry: "unable to
 * find user NAME: no matching entries in passwd file" (BX_FAIL); likewise
 * for groups. Numeric ids need no entry. The supplementary groups are,
 * as Docker (containerd's WithAdditionalGIDs) gives them, the primary
 * group, then, only when no group was given, the groups that list the
 * user. */
int userdb_resolve (int rootfs, const char *spec, struct userdb_ids *out, struct bx_err *e);

/* --group-add: GROUP (a name or a number) appended to OUT's supplementary
 * groups; a name must be in the image's /etc/group. */
int userdb_group_add (int rootfs, const char *group, struct userdb_ids *out, struct bx_err *e);

#endif
