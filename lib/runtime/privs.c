#include "runtime/privs.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/root.h"

int
privs_rlimits (const struct spec *s, struct bx_err *e)
{
	for (size_t i = 0; i < s->nrlimits; i++) {
		struct rlimit rl = {(rlim_t)s->rlimits[i].soft, (rlim_t)s->rlimits[i].hard};
		if (setrlimit (s->rlimits[i].resource, &rl) < 0)
			return err_set (e, BX_SYSTEM, errno, "rlimit %d (%llu:%llu)", s->rlimits[i].resource,
			                (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	}
	return 0;
}

/* libcap-ng's state holds all of S's sets */
static void
caps_load (const struct spec *s)
{
	static const capng_type_t t[CAPSET_N] = {CAPNG_BOUNDING_SET, CAPNG_EFFECTIVE, CAPNG_INHERITABLE,
	                                         CAPNG_PERMITTED, CAPNG_AMBIENT};

	capng_clear (CAPNG_SELECT_ALL);
	for (int set = 0; set < CAPSET_N; set++)
		for (unsigned c = 0; c < 64; c++)
			/* past this kernel's last capability capng_update refuses: skipped */
			if (s->caps[set] & (1ULL << c))
				capng_update (CAPNG_ADD, t[set], c);
}

int
privs_bounding (const struct spec *s, struct bx_err *e)
{
	if (!s->has_caps)
		return 0;
	caps_load (s);
	if (capng_apply (CAPNG_SELECT_BOUNDS) < 0)
		return err_set (e, BX_SYSTEM, errno, "capabilities: bounding set");
	return 0;
}

static int
change_ids (const struct spec *s, struct bx_err *e)
{
	/* a user namespace whose gid_map an unprivileged process wrote has
	 * setgroups denied: runc then leaves the groups as they are */
	if (setgroups (s->ngids, s->gids) < 0 && (errno != EPERM || !(s->userns || root_is_rootless ())))
		return err_set (e, BX_SYSTEM, errno, "setgroups");
	if (setresgid (s->gid, s->gid, s->gid) < 0)
		return err_set (e, BX_SYSTEM, errno, "setgid %u", (unsigned)s->gid);
	if (setresuid (s->uid, s->uid, s->uid) < 0)
		return err_set (e, BX_SYSTEM, errno, "setuid %u", (unsigned)s->uid);
	return 0;
}

int
privs_identity (const struct spec *s, struct bx_err *e)
{
	if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "keep capabilities");
	if (change_ids (s, e) < 0)
		return -1;
	if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "keep capabilities");
	if (!s->has_caps)
		return 0;
	caps_load (s);
	if (capng_apply (CAPNG_SELECT_CAPS) < 0)
		return err_set (e, BX_SYSTEM, errno, "capabilities");
	/* an ambient capability must be permitted and inheritable: others
	 * are skipped, as runc and crun skip them */
	for (int c = 0; c < 64; c++)
		if ((s->caps[CAPSET_AMBIENT] & (1ULL << c)) &&
		    prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0 && errno != EPERM && errno != EINVAL)
			return err_set (e, BX_SYSTEM, errno, "ambient capability %d", c);
	return 0;
}

int
privs_nnp (const struct spec *s, struct bx_err *e)
{
	if (s->nnp && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set (e, BX_SYSTEM, errno, "no_new_privs");
	return 0;
}
