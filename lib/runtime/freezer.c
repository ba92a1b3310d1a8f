#include "runtime/freezer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "runtime/cgroup.h"

/* runc's patience: 1000 tries 1 ms apart (a process in an uninterruptible
 * sleep, D, holds v1's FREEZING until it wakes) */
#define FREEZER_TRIES 1000

/* the first LEN-1 bytes of DIR/FILE, without the last newline; -1 when absent */
static int
freezer_read (const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf (path, sizeof path, "%s/%s", dir, file);
	if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0 || (n = read (fd, buf, len - 1)) < 0)
		return -1;
	buf[n] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

static int
freezer_write (const char *dir, const char *file, const char *val, struct bx_err *e)
{
	char path[PATH_MAX];

	snprintf (path, sizeof path, "%s/%s", dir, file);
	if (afile_put (path, val, strlen (val)) < 0)
		return err_set (e, errno == ENOENT ? BX_NOTFOUND : BX_SYSTEM, errno, "cgroup %s", path);
	return 0;
}

/* 1 when v2's cgroup.events says the whole cgroup is frozen */
static int
freezer_v2_frozen (const char *dir)
{
	char buf[512];

	return freezer_read (dir, "cgroup.events", buf, sizeof buf) == 0 && strstr (buf, "frozen 1") != NULL;
}

static int
freezer_wait (const char *dir, int v2, struct bx_err *e)
{
	struct timespec ms = {0, 1000000};
	char st[32];

	for (int i = 0; i < FREEZER_TRIES; i++) {
		if (v2 ? freezer_v2_frozen (dir)
		       : freezer_read (dir, "freezer.state", st, sizeof st) == 0 && !strcmp (st, "FROZEN"))
			return 0;
		/* v1: FREEZING stays until asked again */
		if (!v2 && freezer_write (dir, "freezer.state", "FROZEN", e) < 0)
			return -1;
		nanosleep (&ms, NULL);
	}
	return err_set (e, BX_SYSTEM, 0, "cgroup %s: the processes did not freeze within 1 s", dir);
}

int
freezer_freeze_cgroup (const char *path, struct bx_err *e)
{
	char dir[PATH_MAX];
	int v2 = cgroup_dir_of (path, "freezer", dir, sizeof dir);
	struct bx_err ign = {0};

	/* rootless Podman's words */
	if (cgroup_is_none ())
		return err_set (e, BX_FAIL, 0,
		                "pause is not supported for rootless containers without a delegated cgroup v2 subtree");
	if (freezer_write (dir, v2 ? "cgroup.freeze" : "freezer.state", v2 ? "1" : "FROZEN", e) < 0)
		return -1;
	if (freezer_wait (dir, v2, e) < 0) {
		freezer_thaw_cgroup (path, &ign);
		return -1;
	}
	return 0;
}

int
freezer_thaw_cgroup (const char *path, struct bx_err *e)
{
	char dir[PATH_MAX];
	int v2 = cgroup_dir_of (path, "freezer", dir, sizeof dir);

	if (freezer_write (dir, v2 ? "cgroup.freeze" : "freezer.state", v2 ? "0" : "THAWED", e) < 0)
		return e->code == BX_NOTFOUND ? 0 : -1;
	return 0;
}

int
freezer_is_frozen_cgroup (const char *path)
{
	char dir[PATH_MAX], st[32];
	int v2 = cgroup_dir_of (path, "freezer", dir, sizeof dir);

	if (freezer_read (dir, v2 ? "cgroup.freeze" : "freezer.state", st, sizeof st) < 0)
		return 0;
	return v2 ? !strcmp (st, "1") : strcmp (st, "THAWED") != 0;
}
