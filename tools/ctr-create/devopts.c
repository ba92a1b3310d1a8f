#include "devopts.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/cleanup.h"

/* the client's validDeviceMode: some of r, w, m, each once */
static int
valid_mode (const char *m)
{
	if (!*m || strlen (m) > 3 || strspn (m, "rwm") != strlen (m))
		return 0;
	for (const char *p = m; *p; p++)
		if (strchr (p + 1, *p))
			return 0;
	return 1;
}

/* the client's validateLinuxPath and parseLinuxDevice: HOST, CTR (HOST
 * when absent) and PERM, pointing into S */
static int
split_device (const char *arg, char *s, char **host, char **ctr, char **perm, struct bx_err *e)
{
	char *f[3] = {s, NULL, NULL};
	int n = 1;

	for (char *p = s; *p; p++)
		if (*p == ':') {
			if (n == 3)
				return err_set (e, BX_USAGE, 0, "bad format for path: %s", arg);
			*p = '\0';
			f[n++] = p + 1;
		}
	if (!*f[0])
		return err_set (e, BX_USAGE, 0, "bad format for path: %s", arg);
	*host = f[0];
	*ctr = f[0];
	*perm = "rwm";
	if (n == 3 && !valid_mode (f[2]))
		return err_set (e, BX_USAGE, 0, "bad mode specified: %s", f[2]);
	if (n == 3 || (n == 2 && !valid_mode (f[1])))
		*ctr = f[1];
	if (n >= 2 && valid_mode (f[n - 1]))
		*perm = f[n - 1];
	if ((*ctr)[0] != '/')
		return err_set (e, BX_USAGE, 0, "%s is not an absolute path", *ctr);
	return 0;
}

/* one device node at CTR, from ST of the host's */
static void
add_node (const struct stat *st, const char *ctr, const char *perm, json_t *nodes, json_t *rules)
{
	const char *type = S_ISCHR (st->st_mode) ? "c" : "b";
	json_int_t maj = (json_int_t)major (st->st_rdev), min = (json_int_t)minor (st->st_rdev);

	json_array_append_new (nodes, json_pack ("{s:s, s:s, s:I, s:I, s:i, s:I, s:I}", "path", ctr, "type", type,
	                                         "major", maj, "minor", min, "fileMode", (int)(st->st_mode & 0777),
	                                         "uid", (json_int_t)st->st_uid, "gid", (json_int_t)st->st_gid));
	json_array_append_new (rules, json_pack ("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", type, "major", maj,
	                                         "minor", min, "access", perm));
}

/* every device below the host's DIR, as CTR/...; links are not followed
 * (dockerd's filepath.Walk); how many */
static size_t
add_tree (const char *dir, const char *ctr, const char *perm, json_t *nodes, json_t *rules)
{
	struct dirent **names = NULL;
	int n = scandir (dir, &names, NULL, alphasort);
	size_t found = 0;

	for (int i = 0; i < n; i++) {
		char hp[PATH_MAX], cp[PATH_MAX];
		struct stat st;
		if (strcmp (names[i]->d_name, ".") && strcmp (names[i]->d_name, "..") &&
		    (size_t)snprintf (hp, sizeof hp, "%s/%s", dir, names[i]->d_name) < sizeof hp &&
		    (size_t)snprintf (cp, sizeof cp, "%s/%s", ctr, names[i]->d_name) < sizeof cp &&
		    lstat (hp, &st) == 0) {
			if (S_ISDIR (st.st_mode))
				found += add_tree (hp, cp, perm, nodes, rules);
			else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode)) {
				add_node (&st, cp, perm, nodes, rules);
				found++;
			}
		}
		free (names[i]);
	}
	free (names);
	return found;
}

int
devopts_device (const char *arg, json_t *mappings, json_t *nodes, json_t *rules, struct bx_err *e)
{
	_cleanup_free_ char *s = strdup (arg);
	char *host = NULL, *ctr = NULL, *perm = NULL;
	struct stat st;

	if (!s)
		return err_set (e, BX_SYSTEM, ENOMEM, "--device");
	if (split_device (arg, s, &host, &ctr, &perm, e) < 0)
		return -1;
	if (stat (host, &st) < 0) {
		/* dockerd's words: Go's errno text, lowercase */
		char why[128];
		snprintf (why, sizeof why, "%s", strerror (errno));
		why[0] = (char)tolower ((unsigned char)why[0]);
		return err_set (e, BX_USAGE, 0,
		                "error gathering device information while adding custom device \"%s\": %s", host, why);
	}
	if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
		add_node (&st, ctr, perm, nodes, rules);
	else if (!S_ISDIR (st.st_mode) || add_tree (host, ctr, perm, nodes, rules) == 0)
		return err_set (e, BX_USAGE, 0,
		                "error gathering device information while adding custom device \"%s\": "
		                "not a device node",
		                host);
	json_array_append_new (mappings, json_pack ("{s:s, s:s, s:s}", "PathOnHost", host, "PathInContainer", ctr,
	                                            "CgroupPermissions", perm));
	return 0;
}

/* a major or minor of a rule: digits, or "*" (-1); the rest after it */
static const char *
rule_number (const char *p, long *v)
{
	char *end;

	if (*p == '*') {
		*v = -1;
		return p + 1;
	}
	if (*p < '0' || *p > '9')
		return NULL;
	errno = 0;
	*v = strtol (p, &end, 10);
	return errno || *v > INT_MAX ? NULL : end;
}

int
devopts_cgroup_rule (const char *arg, json_t *typed, json_t *rules, struct bx_err *e)
{
	const char *p = arg;
	long maj, min;
	char type[2] = {arg[0], '\0'};

	/* the client's ^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$ */
	if (!strchr ("acb", *p) || !*p || p[1] != ' ' || !(p = rule_number (p + 2, &maj)) || *p != ':' ||
	    !(p = rule_number (p + 1, &min)) || *p != ' ' || !p[1] || strlen (p + 1) > 3 ||
	    strspn (p + 1, "rwm") != strlen (p + 1))
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--device-cgroup-rule\" flag: "
		                "invalid device cgroup format '%s'",
		                arg, arg);
	json_array_append_new (typed, json_string (arg));
	/* dockerd spells "*" as -1 */
	json_array_append_new (rules, json_pack ("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", type, "major",
	                                         (json_int_t)maj, "minor", (json_int_t)min, "access", p + 1));
	return 0;
}
