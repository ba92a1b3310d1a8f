/* privs - the payload's identity and limits: rlimits, groups, uid/gid,
 * capability sets (libcap-ng), no_new_privs; called in the child just
 * before exec, in that order (the bounding set drops while CAP_SETPCAP is
 * still ours, the uid changes with PR_SET_KEEPCAPS so the permitted set
 * survives it, then the sets are applied) */
#ifndef BOX_PRIVS_H
#define BOX_PRIVS_H

#include "base/err.h"
#include "runtime/ocispec.h"

/* the rlimits of S (only those listed: none is raised otherwise) */
int privs_rlimits (const struct spec *s, struct bx_err *e);
/* drop the bounding set to S's */
int privs_bounding (const struct spec *s, struct bx_err *e);
/* groups, gid, uid, then the effective, permitted, inheritable and
 * ambient sets */
int privs_identity (const struct spec *s, struct bx_err *e);
/* PR_SET_NO_NEW_PRIVS when S asks */
int privs_nnp (const struct spec *s, struct bx_err *e);

#endif
