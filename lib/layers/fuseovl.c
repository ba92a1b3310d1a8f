/* fuseovl - the rootfs by fuse-overlayfs (fuseovl.h) */
#include "layers/fuseovl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "layers/rootfs.h"

int
fuseovl_bundle_is (const char *dir)
{
	char path[PATH_MAX + sizeof L_FUSEOVL + 1];

	snprintf (path, sizeof path, "%s/" L_FUSEOVL, dir);
	return access (path, F_OK) == 0;
}

int
fuseovl_wanted (const char *dir, const char *upper, int *kernel_only, struct bx_err *e)
{
	const char *v = getenv (FUSEOVL_ENV);

	*kernel_only = 0;
	if (fuseovl_bundle_is (dir))
		return 1;
	if (v && *v && strcmp (v, "fuse") && strcmp (v, "kernel") && strcmp (v, "auto"))
		return err_set (e, BX_USAGE, 0, FUSEOVL_ENV "=%s: not auto, kernel or fuse", v);
	/* a kernel overlay's upper is read by a kernel overlay only */
	if (rootfs_has_entries (upper))
		return *kernel_only = 1, 0;
	*kernel_only = v && !strcmp (v, "kernel");
	return v && !strcmp (v, "fuse");
}

/* fuse-overlayfs's -o: lowerdir=A:B,upperdir=U,workdir=W. allow_other:
 * the container's users are not only its root (a mount of the user's own
 * namespace: no /etc/fuse.conf is asked). NULL and E on failure. */
static char *
fuseovl_opts (const char *layers, const char *const *lower, size_t n, const char *upper, const char *work,
              struct bx_err *e)
{
	size_t len = strlen (upper) + strlen (work) + 64, at;
	int bad = strpbrk (layers, ",:") || strpbrk (upper, ",:") || strpbrk (work, ",:");
	char *o;

	for (size_t i = 0; i < n; i++) {
		len += strlen (layers) + strlen (lower[i]) + 2;
		bad |= strpbrk (lower[i], ",:") != NULL;
	}
	/* the options' separators cannot be escaped */
	if (bad)
		return err_set (e, BX_USAGE, 0, "fuse-overlayfs: ',' or ':' in a path of %s", upper), NULL;
	if (!(o = malloc (len)))
		return err_set (e, BX_SYSTEM, ENOMEM, "fuse-overlayfs"), NULL;
	at = (size_t)snprintf (o, len, "lowerdir=");
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf (o + at, len - at, "%s%s/%s", i ? ":" : "", layers, lower[i]);
	snprintf (o + at, len - at, ",upperdir=%s,workdir=%s,allow_other", upper, work);
	return o;
}

/* what fuse-overlayfs said before it exited (its daemon keeps the pipe:
 * read what is there, never to its end) */
static void
fuseovl_said (int fd, char *buf, size_t len)
{
	ssize_t n;

	fcntl (fd, F_SETFL, O_NONBLOCK);
	n = read (fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn (buf, "\n")] = '\0';
}

static int
fuseovl_run (const char *opts, const char *target, struct bx_err *e)
{
	_cleanup_close_ int rd = -1, wr = -1;
	int p[2], st;
	char said[512];
	sigset_t none;
	pid_t pid;

	if (pipe2 (p, O_CLOEXEC) < 0)
		return err_set (e, BX_SYSTEM, errno, "pipe");
	rd = p[0], wr = p[1];
	if ((pid = fork ()) < 0)
		return err_set (e, BX_SYSTEM, errno, "fork");
	if (pid == 0) {
		const char *argv[] = {"fuse-overlayfs", "-o", opts, target, NULL};
		int null = open ("/dev/null", O_RDWR);
		sigemptyset (&none);
		sigprocmask (SIG_SETMASK, &none, NULL);
		if (null < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (wr, 2) < 0)
			_exit (126);
		execvp (argv[0], (char *const *)argv);
		_exit (127);
	}
	close (steal_fd (&wr));
	while (waitpid (pid, &st, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "waitpid fuse-overlayfs");
	if (WIFEXITED (st) && WEXITSTATUS (st) == 0)
		return 0;
	if (WIFEXITED (st) && WEXITSTATUS (st) == 127)
		return err_set (e, BX_SYSTEM, ENOENT, "fuse-overlayfs on %s: not found (Debian's fuse-overlayfs)",
		                target);
	fuseovl_said (rd, said, sizeof said);
	return err_set (e, BX_SYSTEM, 0, "fuse-overlayfs on %s: %s", target, said[0] ? said : "failed");
}

int
fuseovl_mount (const char *dir, const char *layers, const char *const *lower, size_t n, const char *upper,
               const char *work, const char *target, struct bx_err *e)
{
	_cleanup_close_ int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *opts = NULL;

	if (fd < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", dir);
	if (!(opts = fuseovl_opts (layers, lower, n, upper, work, e)))
		return -1;
	/* written before the mount: the next mount of the bundle is this one */
	if (afile_replace_at (fd, L_FUSEOVL, "", 0, 0644, e) < 0)
		return -1;
	return fuseovl_run (opts, target, e);
}
