/* usermap - the container's user namespace (usermap.h) */
#include "usermap.h"

#include <string.h>

#include "runtime/idalloc.h"
#include "runtime/remap.h"

/* the host's PID namespace: its /proc cannot be mounted from a user
 * namespace of the container's own (dockerd's words of 1.10 on) */
static int
usermap_check (const struct usermap *u, const struct ctrflags *f, struct bx_err *e)
{
	if (u->on && f->pid_mode && !strcmp (f->pid_mode, "host"))
		return err_set (e, BX_USAGE, 0, "cannot share the host PID namespace when user namespaces are enabled");
	return 0;
}

static int
usermap_decide (struct usermap *u, const struct ctrflags *f, int rootfd, const char *id, struct bx_err *e)
{
	char remap[512];
	int r;

	*u = (struct usermap){0};
	if (f->uidmap.n) {
		u->uid = f->uidmap, u->gid = f->gidmap, u->on = 1;
		return 0;
	}
	if (f->userns && !strncmp (f->userns, "auto", 4)) {
		if (idalloc_take (rootfd, id, f->userns_size, &u->uid, &u->gid, e) < 0)
			return -1;
		u->on = u->taken = 1;
		/* Podman's uidmapping=: those container ids mapped as asked */
		if (idmap_override (&u->uid, &f->auto_uidmap, e) < 0 ||
		    idmap_override (&u->gid, &f->auto_gidmap, e) < 0)
			return err_wrap (e, "--userns %s", f->userns);
		return 0;
	}
	if (f->userns && !strcmp (f->userns, "host"))
		return 0;
	if ((r = remap_current (rootfd, remap, sizeof remap, e)) <= 0)
		return r;
	if (f->privileged)
		return err_set (e, BX_USAGE, 0,
		                "privileged mode is incompatible with user namespaces.  You must run the container in "
		                "the host namespace when running privileged mode");
	if (remap_resolve (rootfd, remap, &u->uid, &u->gid, e) < 0)
		return -1;
	u->on = 1;
	return 0;
}

int
usermap_plan (struct usermap *u, const struct ctrflags *f, int rootfd, const char *id, struct bx_err *e)
{
	return usermap_decide (u, f, rootfd, id, e) < 0 ? -1 : usermap_check (u, f, e);
}

void
usermap_undo (struct usermap *u, int rootfd, const char *id)
{
	if (u->taken)
		idalloc_release (rootfd, id, &(struct bx_err){0});
	u->taken = 0;
}
