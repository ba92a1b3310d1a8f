#include "base/root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/layout.h"

const char *
root_path (const char *opt)
{
	static char buf[4096];
	const char *s;

	if (opt && *opt)
		return opt;
	if ((s = getenv ("BOX_ROOT")) && *s)
		return s;
	if (geteuid () == 0)
		return BOX_ROOT_DEFAULT;
	if ((s = getenv ("XDG_DATA_HOME")) && *s)
		snprintf (buf, sizeof buf, "%s/box", s);
	else
		snprintf (buf, sizeof buf, "%s/.local/share/box", getenv ("HOME") ? getenv ("HOME") : "");
	return buf;
}

int
root_is_rootless (void)
{
	static int known = -1;
	const char *s = getenv ("BOX_ROOTLESS");
	unsigned long in = 1, out = 1, n = 0;
	FILE *f;

	/* root without it pays one getenv: ctr-create and ctr-spawn ask */
	if (!s || strcmp (s, "1"))
		return 0;
	if (known >= 0)
		return known;
	/* a stray BOX_ROOTLESS=1 in root's environment must not drop its
	 * cgroups: the initial user namespace maps every id to itself */
	if ((f = fopen ("/proc/self/uid_map", "re"))) {
		if (fscanf (f, "%lu %lu %lu", &in, &out, &n) != 3)
			n = 0;
		fclose (f);
	}
	known = !(in == 0 && out == 0 && n == 4294967295UL);
	return known;
}

int
root_open (const char *opt, struct bx_err *e)
{
	const char *path = root_path (opt);
	int fd;

	struct stat st;

	if (afile_mkdir_p_at (AT_FDCWD, path, 0700, e) < 0)
		return err_wrap (e, "state directory");
	fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "state directory %s", path);
	/* its files hold containers' environments (secrets) and logs: private
	 * to its owner, as Docker keeps /var/lib/docker, also when an older
	 * box made it open to all */
	if (fstat (fd, &st) == 0 && st.st_uid == geteuid () && (st.st_mode & 077))
		fchmod (fd, st.st_mode & 0700);
	return fd;
}

int
root_opt (int argc, char **argv, const char **root)
{
	int i = 1;

	for (; i < argc && !strncmp (argv[i], "--root", 6); i++) {
		if (argv[i][6] == '=')
			*root = argv[i] + 7;
		else if (!argv[i][6] && i + 1 < argc)
			*root = argv[++i];
		else
			return -1;
	}
	return i;
}

int
root_abspath (int rootfd, char *buf, size_t len, struct bx_err *e)
{
	char link[64];
	ssize_t n;

	snprintf (link, sizeof link, "/proc/self/fd/%d", rootfd);
	if ((n = readlink (link, buf, len - 1)) < 0)
		return err_set (e, BX_SYSTEM, errno, "state directory");
	buf[n] = '\0';
	return 0;
}
