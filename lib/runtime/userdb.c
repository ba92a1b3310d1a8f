#include "runtime/userdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/tree.h"

#define ID_MAX 2147483647L

/* "1000" -> 1000; -1 when not a number (or out of range: -2) */
static long
num (const char *s)
{
	char *end;
	long v;

	if (!*s)
		return -1;
	errno = 0;
	v = strtol (s, &end, 10);
	if (*end)
		return -1;
	return errno || v < 0 || v > ID_MAX ? -2 : v;
}

/* The whole file ROOT/PATH, or NULL (absent or unreadable: no entries). */
static char *
read_in_root (int root, const char *path)
{
	_cleanup_close_ int fd = tree_open_in_root (root, path, O_RDONLY | O_CLOEXEC, 0);
	struct bx_err e = {0};
	char *buf = NULL;

	if (fd < 0 || afile_slurp_fd (fd, &buf, NULL, &e) < 0)
		return NULL;
	return buf;
}

/* Split LINE (modified) at ':' into at most N fields; returns the count. */
static size_t
fields (char *line, char **f, size_t n)
{
	size_t i = 0;

	while (i < n) {
		f[i++] = line;
		if (!(line = strchr (line, ':')))
			break;
		*line++ = '\0';
	}
	return i;
}

/* Find the passwd entry for ARG (a name, or a uid when numeric; "" is
 * uid 0) and fill OUT; NAME gets the entry's name. 1 found, 0 not. */
static int
passwd_find (char *buf, const char *arg, long uid, struct userdb_ids *out, char *name, size_t len)
{
	char *save = NULL, *line;

	for (line = buf ? strtok_r (buf, "\n", &save) : NULL; line; line = strtok_r (NULL, "\n", &save)) {
		char *f[7];
		size_t nf = line[0] == '#' ? 0 : fields (line, f, 7);
		if (nf < 4)
			continue;
		if (uid >= 0 ? num (f[2]) != uid : strcmp (f[0], arg) != 0)
			continue;
		out->uid = (uid_t)num (f[2]);
		out->gid = (gid_t)(num (f[3]) < 0 ? 0 : num (f[3]));
		if (nf >= 6 && f[5][0])
			snprintf (out->home, sizeof out->home, "%s", f[5]);
		snprintf (name, len, "%s", f[0]);
		return 1;
	}
	return 0;
}

static int
member_of (char *list, const char *user)
{
	char *save = NULL, *m;

	for (m = strtok_r (list, ",", &save); m; m = strtok_r (NULL, ",", &save))
		if (strcmp (m, user) == 0)
			return 1;
	return 0;
}

/* With GROUP: set OUT->gid from its entry (1 found, 0 not). Without:
 * collect the groups whose members list USER, but for its primary group,
 * there already. */
static int
group_scan (char *buf, const char *group, long gid, const char *user, struct userdb_ids *out)
{
	char *save = NULL, *line;

	for (line = buf ? strtok_r (buf, "\n", &save) : NULL; line; line = strtok_r (NULL, "\n", &save)) {
		char *f[4] = {0};
		if (line[0] == '#' || fields (line, f, 4) < 3 || num (f[2]) < 0)
			continue;
		if (group) {
			if (gid >= 0 ? num (f[2]) == gid : strcmp (f[0], group) == 0) {
				out->gid = (gid_t)num (f[2]);
				return 1;
			}
		} else if (user[0] && f[3] && member_of (f[3], user) && num (f[2]) != (long)out->gid &&
		           out->nsgids < USERDB_MAX_GIDS)
			out->sgids[out->nsgids++] = (gid_t)num (f[2]);
	}
	return 0;
}

int
userdb_resolve (int rootfs, const char *spec, struct userdb_ids *out, struct bx_err *e)
{
	_cleanup_free_ char *passwd = read_in_root (rootfs, "/etc/passwd");
	_cleanup_free_ char *group = NULL;
	char user[256], name[256] = "";
	const char *colon = strchr (spec, ':'), *garg = colon ? colon + 1 : NULL;
	long uid, gid = garg ? num (garg) : -1;

	snprintf (user, sizeof user, "%.*s", colon ? (int)(colon - spec) : (int)strlen (spec), spec);
	*out = (struct userdb_ids){.home = "/"};
	uid = user[0] ? num (user) : 0;
	if (uid == -2 || gid == -2)
		return err_set (e, BX_USAGE, 0, "uids and gids must be in range 0-%ld", ID_MAX);
	if (!passwd_find (passwd, user, uid, out, name, sizeof name)) {
		if (uid < 0)
			return err_set (e, BX_FAIL, 0, "unable to find user %s: no matching entries in passwd file",
			                user);
		out->uid = (uid_t)uid;
	}
	group = read_in_root (rootfs, "/etc/group");
	if (garg && *garg) {
		if (!group_scan (group, garg, gid, NULL, out)) {
			if (gid < 0)
				return err_set (e, BX_FAIL, 0,
				                "unable to find group %s: no matching entries in group file", garg);
			out->gid = (gid_t)gid;
		}
		out->sgids[out->nsgids++] = out->gid;
	} else {
		out->sgids[out->nsgids++] = out->gid;
		group_scan (group, NULL, -1, name, out);
	}
	return 0;
}

int
userdb_group_add (int rootfs, const char *group, struct userdb_ids *out, struct bx_err *e)
{
	_cleanup_free_ char *buf = read_in_root (rootfs, "/etc/group");
	struct userdb_ids found = {0};
	long gid = num (group);

	if (gid == -2)
		return err_set (e, BX_USAGE, 0, "uids and gids must be in range 0-%ld", ID_MAX);
	if (!group_scan (buf, group, gid, NULL, &found)) {
		if (gid < 0)
			return err_set (e, BX_FAIL, 0, "unable to find group %s: no matching entries in group file",
			                group);
		found.gid = (gid_t)gid;
	}
	if (out->nsgids >= USERDB_MAX_GIDS)
		return err_set (e, BX_USAGE, 0, "too many groups");
	out->sgids[out->nsgids++] = found.gid;
	return 0;
}
