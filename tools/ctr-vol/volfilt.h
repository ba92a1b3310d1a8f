/* volfilt - the --filter of docker volume ls and volume prune
 *
 * ls: dangling=true|false (1|0), name= (a regular expression, as Docker's
 * filters.Match), label=K or label=K=V, driver=; prune: label= and
 * label!=. Values of one key match when any does, keys when all do; but
 * label= as the daemon's MatchKVList: all of them, and label!= refuses a
 * volume only when it has every one of them.
 * A key or value Docker refuses is its error: "Invalid filter 'KEY'",
 * "Invalid filter 'dangling=[VALUE]'".
 */
#ifndef BOX_VOLFILT_H
#define BOX_VOLFILT_H

#include <jansson.h>

#include "base/err.h"

struct volfilt {
	json_t *by; /* {KEY: [VALUE, ...]} */
};

enum { VOLFILT_LS, VOLFILT_PRUNE };

/* Add one KEY=VALUE (the keys WHICH accepts) */
int volfilt_add (struct volfilt *f, int which, const char *arg, struct bx_err *e);
/* Does volume INFO (volume_inspect's) used by USERS (an array) match? */
int volfilt_match (const struct volfilt *f, json_t *info, json_t *users);
void volfilt_free (struct volfilt *f);

#endif
