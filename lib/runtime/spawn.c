#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fdpass.h"
#include "base/afile.h"
#include "runtime/mounts.h"
#include "runtime/privs.h"
#include "runtime/pty.h"
#include "runtime/scmp.h"
#include "base/userns.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* what a child that failed before exec tells its parent; with an OCI
 * caller also where it stands (the codes below 0) */
struct report {
	int code;
	char msg[1020];
};

enum { REPORT_CREATED = -1, REPORT_READY = -2 };

/* FD < 0: the parent is gone (a container released by `start`): the
 * message goes to the payload's stderr, as runc's does */
static void __attribute__ ((noreturn)) child_fail (int fd, const struct bx_err *e)
{
	struct report r = {e->code >= SPAWN_FAILED ? e->code : SPAWN_FAILED, ""};

	snprintf (r.msg, sizeof r.msg, "%s", e->msg);
	if (fd < 0)
		dprintf (STDERR_FILENO, "%s\n", r.msg);
	else if (write (fd, &r, sizeof r) < 0)
		_exit (r.code);
	_exit (r.code);
}

/* tell the parent where we stand; CREATED waits for its go-ahead */
static int
child_report (int fd, int code, struct bx_err *e)
{
	struct report r = {code, ""};
	char go;

	if (write (fd, &r, sizeof r) != (ssize_t)sizeof r)
		return err_set (e, SPAWN_FAILED, errno, "report to the runtime");
	if (code == REPORT_CREATED && read (fd, &go, 1) != 1)
		return err_set (e, SPAWN_FAILED, errno, "the runtime gave up");
	return 0;
}

/* Go's exec.LookPath, as Docker reports it: the first executable regular
 * file named NAME in PATH */
static int
look_path (const char *name, const char *path, char out[PATH_MAX], struct bx_err *e)
{
	const char *p = path, *end;
	struct stat st;

	for (; p; p = *end ? end + 1 : NULL) {
		end = strchrnul (p, ':');
		snprintf (out, PATH_MAX, "%.*s%s%s", (int)(end - p), end == p ? "." : p, "/", name);
		if (stat (out, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0111))
			return 0;
	}
	return err_set (e, SPAWN_NOTFOUND, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

/* HOME from the container's /etc/passwd when the env has none, "/"
 * without an entry: what runc and crun do */
static const char **
env_with_home (const struct spec *s)
{
	static char home[4096 + 8];
	char line[4096], *f[7];
	const char **env;
	FILE *pw;
	size_t n = 0;

	if (ocispec_getenv (s->env, "HOME"))
		return s->env;
	snprintf (home, sizeof home, "HOME=/");
	for (pw = fopen ("/etc/passwd", "re"); pw && fgets (line, sizeof line, pw);) {
		char *p = line;
		int k;
		for (k = 0; k < 7 && (f[k] = strsep (&p, ":\n")); k++)
			;
		if (k >= 6 && *f[2] && (uid_t)strtoul (f[2], NULL, 10) == s->uid) {
			snprintf (home, sizeof home, "HOME=%s", f[5]);
			break;
		}
	}
	if (pw)
		fclose (pw);
	while (s->env[n])
		n++;
	if (!(env = calloc (n + 2, sizeof *env)))
		return s->env;
	memcpy (env, s->env, n * sizeof *env);
	env[n] = home;
	return env;
}

/* the file to execute for S->args[0], in FILE; NULL when there is none */
static const char *
payload_path (const struct spec *s, char file[PATH_MAX], struct bx_err *e)
{
	const char *name = s->args[0], *path = ocispec_getenv (s->env, "PATH");
	struct stat st;

	if (!strchr (name, '/'))
		return look_path (name, path ? path : DEFAULT_PATH, file, e) < 0 ? NULL : file;
	if (stat (name, &st) < 0) {
		err_set (e, errno == ENOENT ? SPAWN_NOTFOUND : SPAWN_NOEXEC, 0, "exec: \"%s\": stat %s: %s", name, name,
		         strerror (errno));
		return NULL;
	}
	return name;
}

static void
exec_payload (const struct spec *s, const char *name, struct bx_err *e)
{
	const char **env = env_with_home (s);

	execve (name, (char *const *)s->args, (char *const *)env);
	err_set (e, errno == ENOENT ? SPAWN_NOTFOUND : SPAWN_NOEXEC, 0, "exec: \"%s\": %s", s->args[0],
	         errno == EACCES    ? "permission denied"
	         : errno == ENOEXEC ? "exec format error"
	                            : strerror (errno));
}

/* An OCI `create`: report success, then block until `start` opens the
 * FIFO for reading (runc's exec.fifo), still root, before the identity
 * and the filter. Runs the startContainer stage. Returns the report fd,
 * closed (-1): the parent has returned. */
static int
await_start (const struct spawn_oci *oci, int errfd, struct bx_err *e)
{
	char path[64];

	if (child_report (errfd, REPORT_READY, e) < 0)
		return errfd;
	close (errfd);
	snprintf (path, sizeof path, "/proc/self/fd/%d", oci->start_fifo);
	if (afile_put (path, "0", 1) < 0) {
		err_set (e, SPAWN_FAILED, errno, "open the start FIFO");
		return -1;
	}
	close (oci->start_fifo);
	if (oci->stage)
		oci->stage (SPAWN_BEFORE_EXEC, oci->arg, e);
	return -1;
}

/* the filter; a listener it made (SCMP_ACT_NOTIFY) goes to the OCI
 * caller's agent */
static int
filter_install (const struct spawn_io *io, struct bx_err *e)
{
	int fd = scmp_install (io->filter, e), r = 0;

	if (fd <= 0)
		return fd;
	if (io->oci && io->oci->listener)
		r = io->oci->listener (fd, io->oci->arg, e);
	close (fd);
	return r;
}

/* the payload's own part: cwd, limits, identity, filters, then exec */
static void __attribute__ ((noreturn)) payload_run (const struct spec *s, const struct spawn_io *io, int errfd)
{
	const struct spawn_oci *oci = io->oci;
	unsigned first = 3U + (oci ? (unsigned)oci->preserve_fds : 0U);
	struct bx_err e = {0};
	char file[PATH_MAX];
	const char *name;

	/* the payload gets 0, 1 and 2 (and what an OCI caller preserves):
	 * nothing else its caller had open */
	if (syscall (SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		err_set (&e, SPAWN_FAILED, errno, "close_range");
		child_fail (errfd, &e);
	}

	if (chdir (s->cwd) < 0 &&
	    (errno != ENOENT || afile_mkdir_p_at (AT_FDCWD, s->cwd, 0755, &e) < 0 || chdir (s->cwd) < 0)) {
		err_set (&e, SPAWN_FAILED, errno, "chdir to cwd (\"%s\") set in config.json failed", s->cwd);
		child_fail (errfd, &e);
	}
	if (privs_rlimits (s, &e) < 0 || procattr_apply (&s->attr, &e) < 0 || privs_bounding (s, &e) < 0 ||
	    !(name = payload_path (s, file, &e)))
		child_fail (errfd, &e);
	if (oci && oci->start_fifo >= 0 && ((errfd = await_start (oci, errfd, &e)) >= 0 || e.code))
		child_fail (errfd, &e);
	/* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it
	 * while we have it (crun does the same) */
	if (!s->nnp && filter_install (io, &e) < 0)
		child_fail (errfd, &e);
	if (privs_identity (s, &e) < 0 || privs_nnp (s, &e) < 0)
		child_fail (errfd, &e);
	if (s->nnp && filter_install (io, &e) < 0)
		child_fail (errfd, &e);
	/* after the uid change, which clears it: the payload dies with its
	 * supervisor, never left behind untracked */
	if (!io->detached)
		prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	exec_payload (s, name, &e);
	child_fail (errfd, &e);
}

static int
child_io (const struct spawn_io *io, struct bx_err *e)
{
	sigset_t none;

	sigemptyset (&none);
	sigprocmask (SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal (sig, SIG_DFL);
	/* its own session: the caller's terminal signals only reach it
	 * through the proxy */
	if (setsid () < 0)
		return err_set (e, SPAWN_FAILED, errno, "setsid");
	if (io->console >= 0) {
		if (ioctl (io->console, TIOCSCTTY, 0) < 0)
			return err_set (e, SPAWN_FAILED, errno, "controlling terminal");
		if (dup2 (io->console, 0) < 0 || dup2 (io->console, 1) < 0 || dup2 (io->console, 2) < 0)
			return err_set (e, SPAWN_FAILED, errno, "dup2");
		return 0;
	}
	if (dup2 (io->in, 0) < 0 || dup2 (io->out, 1) < 0 || dup2 (io->err, 2) < 0)
		return err_set (e, SPAWN_FAILED, errno, "dup2");
	return 0;
}

/* the namespaces given by path the parent has not joined for us
 * (ns_enter) */
static int
join_namespaces (const struct spec *s, struct bx_err *e)
{
	if (s->userns)
		return 0;
	for (size_t i = 0; i < s->njoins; i++) {
		int fd;
		if (s->joins[i].type == CLONE_NEWPID)
			continue;
		fd = open (s->joins[i].path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns (fd, s->joins[i].type) < 0) {
			err_set (e, SPAWN_FAILED, errno, "join namespace %s", s->joins[i].path);
			if (fd >= 0)
				close (fd);
			return -1;
		}
		close (fd);
	}
	return 0;
}

/* S's oomScoreAdj into PATH (/proc/self or /proc/PID's oom_score_adj) */
static int
oom_score_write (const struct spec *s, const char *path, struct bx_err *e)
{
	char v[16];
	int n;

	if (!s->has_oom_score_adj)
		return 0;
	n = snprintf (v, sizeof v, "%d", s->oom_score_adj);
	if (afile_put (path, v, (size_t)n) < 0)
		return err_set (e, SPAWN_FAILED, errno, "oom_score_adj");
	return 0;
}

/* The child moves itself: on v1 a thread writing 0 to `tasks` skips the
 * global lock whose RCU grace period a move by pid waits for (7-50 ms
 * here); the cgroup namespace's root is the container's cgroup from here. */
static int
join_cgroup (const struct spec *s, const struct cgroup *cg, struct bx_err *e)
{
	if (cgroup_enter (cg) < 0)
		return err_set (e, SPAWN_FAILED, errno, "join cgroup %s", cg->dir[0]);
	if ((s->clone_flags & CLONE_NEWCGROUP) && unshare (CLONE_NEWCGROUP) < 0)
		return err_set (e, SPAWN_FAILED, errno, "cgroup namespace");
	return 0;
}

/* the pty made in the container (OCI's console socket): our terminal */
static int
console_take (int slave, struct bx_err *e)
{
	if (ioctl (slave, TIOCSCTTY, 0) < 0)
		return err_set (e, SPAWN_FAILED, errno, "controlling terminal");
	if (dup2 (slave, 0) < 0 || dup2 (slave, 1) < 0 || dup2 (slave, 2) < 0)
		return err_set (e, SPAWN_FAILED, errno, "dup2");
	close (slave);
	return 0;
}

static int
stage_before_pivot (void *arg, struct bx_err *e)
{
	const struct spawn_oci *oci = arg;
	return oci->stage ? oci->stage (SPAWN_BEFORE_PIVOT, oci->arg, e) : 0;
}

/* A time namespace of our own: made for our children, which the payload
 * enters at execve, its clocks set while nothing is in it yet */
static int
timens_make (const struct spec *s, struct bx_err *e)
{
	static const char *const clock[] = {"monotonic", "boottime"};
	char buf[128];
	size_t len = 0;

	if (unshare (CLONE_NEWTIME) < 0)
		return err_set (e, SPAWN_FAILED, errno, "time namespace");
	for (int c = 0; c < 2; c++)
		if (s->timeoff[c].set)
			len += (size_t)snprintf (buf + len, sizeof buf - len, "%s %lld %u\n", clock[c],
			                         (long long)s->timeoff[c].secs, s->timeoff[c].nanosecs);
	if (len && afile_put ("/proc/self/timens_offsets", buf, len) < 0)
		return err_set (e, SPAWN_FAILED, errno, "linux.timeOffsets: /proc/self/timens_offsets");
	return 0;
}

/* the parent writes our maps: nothing is done as an unmapped user */
static int
userns_wait (int fd, struct bx_err *e)
{
	char go;

	if (read (fd, &go, 1) != 1)
		return err_set (e, SPAWN_FAILED, errno, "the runtime gave up");
	return 0;
}

/* the root of the new user namespace, so that what we make (devpts, the
 * mount points) is owned by its root, as runc's nsexec does */
static int
userns_root (struct bx_err *e)
{
	if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
		return err_set (e, SPAWN_FAILED, errno,
		                "become root of the user namespace (is 0 in linux.uidMappings?)");
	return 0;
}

static void __attribute__ ((noreturn))
container_child (const struct spec *s, const struct cgroup *cg, const struct spawn_io *io, const int *trees, int errfd)
{
	struct mounts_oci pv = {.before_pivot = stage_before_pivot, .arg = (void *)io->oci, .console_sock = -1};
	struct bx_err e = {0};
	int console = -1, rootfd;

	/* nothing is done as an unmapped user: the parent writes our maps
	 * first (one that is not root may only write a dumpable process's;
	 * nothing of the container's runs yet) */
	if ((s->clone_flags & CLONE_NEWUSER) && userns_wait (errfd, &e) < 0)
		child_fail (errfd, &e);
	/* until execve, /proc/PID/{exe,fd} of ours are closed to the container */
	prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (join_cgroup (s, cg, &e) < 0 || join_namespaces (s, &e) < 0 || child_io (io, &e) < 0)
		child_fail (errfd, &e);
	if ((s->clone_flags & CLONE_NEWTIME) && timens_make (s, &e) < 0)
		child_fail (errfd, &e);
	if (io->oci && io->oci->created && child_report (errfd, REPORT_CREATED, &e) < 0)
		child_fail (errfd, &e);
	if (io->oci) {
		pv.no_pivot = io->oci->no_pivot;
		pv.console_sock = io->oci->console_sock;
		pv.console = &console;
	}
	if ((s->clone_flags & CLONE_NEWUTS) && s->hostname && sethostname (s->hostname, strlen (s->hostname)) < 0) {
		err_set (&e, SPAWN_FAILED, errno, "sethostname %s", s->hostname);
		child_fail (errfd, &e);
	}
	if ((rootfd = mounts_root (s, &e)) < 0 || (s->userns && userns_root (&e) < 0) ||
	    mounts_run (s, rootfd, io->console >= 0 ? io->console_path : NULL, io->oci ? &pv : NULL, trees, &e) < 0) {
		e.code = SPAWN_FAILED;
		child_fail (errfd, &e);
	}
	if (console >= 0 && console_take (console, &e) < 0)
		child_fail (errfd, &e);
	/* with a user namespace, written from the initial one already:
	 * lowering it takes a privilege there */
	if (!s->userns && oom_score_write (s, "/proc/self/oom_score_adj", &e) < 0)
		child_fail (errfd, &e);
	payload_run (s, io, errfd);
}

static pid_t
clone_child (uint64_t flags)
{
	/* with CLONE_PARENT the child inherits our own exit signal (clone3
	 * refuses another): SIGCHLD, we were forked */
	struct clone_args a = {.flags = flags, .exit_signal = flags & CLONE_PARENT ? 0 : SIGCHLD};

	return (pid_t)syscall (SYS_clone3, &a, sizeof a);
}

/* wait for the child's report: EOF means the payload was executed; with
 * an OCI caller, READY that it waits for `start`, and CREATED that it
 * waits for OCI's `created` */
static int
child_result (int fd, pid_t pid, const struct spawn_oci *oci, pid_t *failed, struct bx_err *e)
{
	struct report r;
	ssize_t n;

	for (;;) {
		while ((n = read (fd, &r, sizeof r)) < 0 && errno == EINTR)
			;
		if (n != (ssize_t)sizeof r || r.code != REPORT_CREATED || !oci || !oci->created)
			break;
		if (oci->created (pid, oci->arg, e) < 0 || write (fd, "", 1) != 1) {
			close (fd);
			kill (pid, SIGKILL);
			*failed = pid;
			return e->code ? -1 : err_set (e, SPAWN_FAILED, errno, "the container's process died");
		}
	}
	close (fd);
	if (n == 0 || (n == (ssize_t)sizeof r && r.code == REPORT_READY))
		return 0;
	*failed = pid;
	if (n != (ssize_t)sizeof r)
		return err_set (e, SPAWN_FAILED, n < 0 ? errno : 0, "the container's process died before exec");
	r.msg[sizeof r.msg - 1] = '\0';
	return err_set (e, r.code, 0, "%s", r.msg);
}

/* the namespaces the parent holds for its next child, and its own to go
 * back to */
struct nsback {
	int own[8], type[8];
	size_t n;
	int cwd; /* after a mount namespace: where we were */
};

static int
ns_enter_one (struct nsback *b, const struct ns_join *j, struct bx_err *e)
{
	static const struct {
		int type;
		const char *name;
	} self[] = {{CLONE_NEWPID, "pid"},   {CLONE_NEWNET, "net"},  {CLONE_NEWNS, "mnt"},
	            {CLONE_NEWIPC, "ipc"},   {CLONE_NEWUTS, "uts"},  {CLONE_NEWCGROUP, "cgroup"},
	            {CLONE_NEWTIME, "time"}, {CLONE_NEWUSER, "user"}};
	char own[32];
	int fd;
	size_t k = 0;

	while (self[k].type != j->type)
		k++;
	snprintf (own, sizeof own, "/proc/self/ns/%s", self[k].name);
	if (j->type == CLONE_NEWNS && (b->cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, SPAWN_FAILED, errno, "our working directory");
	if ((b->own[b->n] = open (own, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set (e, SPAWN_FAILED, errno, "%s", own);
	b->type[b->n++] = j->type;
	if ((fd = open (j->path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set (e, SPAWN_FAILED, errno, "join namespace %s", j->path);
	if (setns (fd, j->type) < 0) {
		close (fd);
		return err_set (e, SPAWN_FAILED, errno, "join namespace %s", j->path);
	}
	close (fd);
	return 0;
}

/* Namespaces given by path that the parent joins, for the next child to
 * be born in them: the PID namespace (it applies to children only); with
 * a user namespace of the container's own, all of them: clone3 makes the
 * new user namespace first, and from inside it the host's namespaces can
 * no longer be joined (runc joins them before it makes the user
 * namespace) */
static int
ns_enter (const struct spec *s, struct nsback *b, struct bx_err *e)
{
	b->n = 0;
	b->cwd = -1;
	for (size_t i = 0; i < s->njoins; i++)
		if (s->joins[i].type == CLONE_NEWPID || (s->clone_flags & CLONE_NEWUSER))
			if (ns_enter_one (b, &s->joins[i], e) < 0)
				return -1;
	return 0;
}

static void
ns_leave (struct nsback *b)
{
	while (b->n--) {
		if (b->own[b->n] >= 0) {
			setns (b->own[b->n], b->type[b->n]);
			close (b->own[b->n]);
		}
	}
	if (b->cwd >= 0) {
		if (fchdir (b->cwd) < 0)
			b->cwd = -1;
		close (b->cwd);
	}
}

/* What the child cannot do for itself once in its new user namespace:
 * its maps, and the limits only the initial namespace may raise (runc
 * sets them from outside too). Then it may go on. */
/* runc's OwnerUID: the container's cgroup belongs to the process's user
 * when the container has a cgroup namespace and /sys/fs/cgroup mounted
 * read-write (v2 only, cgroup_delegate) */
static int
cgroup_give (const struct spec *s, const struct cgroup *cg, struct bx_err *e)
{
	long long owner;

	if (!cg->v2 || !(s->clone_flags & CLONE_NEWCGROUP))
		return 0;
	for (size_t i = 0; i < s->nops; i++)
		if (s->ops[i].kind == OP_CGROUPFS && !strcmp (s->ops[i].dest, "/sys/fs/cgroup") && !s->ops[i].ro &&
		    (owner = idmap_to_host (s->idmaps.uid, s->uid)) >= 0)
			return cgroup_delegate (cg, (uid_t)owner, e);
	return 0;
}

static int
userns_child_setup (const struct spec *s, const struct cgroup *cg, pid_t pid, int fd, struct bx_err *e)
{
	char path[48];

	if (userns_write_maps (pid, &s->idmaps, e) < 0)
		return err_wrap (e, "user namespace");
	if (mounts_net_sysctls (s, pid, e) < 0)
		return -1;
	if (cgroup_give (s, cg, e) < 0)
		return -1;
	for (size_t i = 0; i < s->nrlimits; i++) {
		struct rlimit rl = {(rlim_t)s->rlimits[i].soft, (rlim_t)s->rlimits[i].hard};
		if (prlimit (pid, (enum __rlimit_resource)s->rlimits[i].resource, &rl, NULL) < 0)
			return err_set (e, SPAWN_FAILED, errno, "rlimit %d", s->rlimits[i].resource);
	}
	snprintf (path, sizeof path, "/proc/%d/oom_score_adj", (int)pid);
	if (oom_score_write (s, path, e) < 0)
		return -1;
	if (write (fd, "", 1) != 1)
		return err_set (e, SPAWN_FAILED, errno, "the container's process died");
	return 0;
}

/* the child, born in the PID namespace given by path */
static pid_t
child_start (const struct spec *s, const struct cgroup *cg, const struct spawn_io *io, uint64_t flags, const int *trees,
             int p[2], struct bx_err *e)
{
	struct nsback b;
	pid_t pid;
	int err;

	if (ns_enter (s, &b, e) < 0) {
		ns_leave (&b);
		return -1;
	}
	pid = clone_child (flags);
	err = errno;
	ns_leave (&b);
	if (pid < 0)
		return err_set (e, SPAWN_FAILED, err, "clone");
	if (pid == 0) {
		close (p[0]);
		container_child (s, cg, io, trees, p[1]);
	}
	return pid;
}

/* A user namespace given by path: a holder process, our child, joins
 * it (first, as runc orders the joins), then the other namespaces given
 * by path, and makes the container's new ones from inside it, so that
 * they belong to it (made by the host's root, its root could not mount
 * in them); it clones the container's process as our child
 * (CLONE_PARENT), tells us its pid over HP, and goes. With
 * CLONE_PARENT_TOO the holder is our parent's child too (box's -d
 * supervisor reaps it among the others). What only the
 * initial user namespace may do (raise the limits, enter the cgroup) it
 * does first, for its child to inherit. */
static int
holder_setns (const struct spec *s, int user, struct bx_err *e)
{
	for (size_t i = 0; i < s->njoins; i++) {
		int fd, t = s->joins[i].type;
		if ((t == CLONE_NEWUSER) != user)
			continue;
		if ((fd = open (s->joins[i].path, O_RDONLY | O_CLOEXEC)) < 0 || setns (fd, t) < 0) {
			err_set (e, SPAWN_FAILED, errno, "join namespace %s", s->joins[i].path);
			if (fd >= 0)
				close (fd);
			return -1;
		}
		close (fd);
	}
	return 0;
}

static void __attribute__ ((noreturn)) holder_run (const struct spec *s, const struct cgroup *cg,
                                                   const struct spawn_io *io, const int *trees, int hp, int p[2])
{
	struct bx_err e = {0};
	pid_t pid;

	if (privs_rlimits (s, &e) < 0 || oom_score_write (s, "/proc/self/oom_score_adj", &e) < 0)
		child_fail (hp, &e);
	if (cgroup_enter (cg) < 0) {
		err_set (&e, SPAWN_FAILED, errno, "join cgroup %s", cg->dir[0]);
		child_fail (hp, &e);
	}
	if (holder_setns (s, 1, &e) < 0 || holder_setns (s, 0, &e) < 0)
		child_fail (hp, &e);
	if (unshare (s->clone_flags & (CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)) < 0) {
		err_set (&e, SPAWN_FAILED, errno, "namespaces in the user namespace");
		child_fail (hp, &e);
	}
	if ((pid = clone_child (CLONE_PARENT | (uint64_t)(s->clone_flags & CLONE_NEWPID))) < 0) {
		err_set (&e, SPAWN_FAILED, errno, "clone");
		child_fail (hp, &e);
	}
	if (pid == 0) {
		close (hp);
		close (p[0]);
		container_child (s, cg, io, trees, p[1]);
	}
	_exit (write (hp, &pid, sizeof pid) != (ssize_t)sizeof pid);
}

static pid_t
holder_start (const struct spec *s, const struct cgroup *cg, const struct spawn_io *io, const int *trees,
              uint64_t parent, int p[2], struct bx_err *e)
{
	union {
		struct report r;
		pid_t pid;
	} got;
	int hp[2];
	ssize_t n;
	pid_t holder, pid = -1;

	if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, hp) < 0)
		return err_set (e, SPAWN_FAILED, errno, "socketpair");
	if ((holder = clone_child (parent)) == 0) {
		close (hp[0]);
		holder_run (s, cg, io, trees, hp[1], p);
	}
	close (hp[1]);
	if (holder < 0) {
		close (hp[0]);
		return err_set (e, SPAWN_FAILED, errno, "clone");
	}
	while ((n = read (hp[0], &got, sizeof got)) < 0 && errno == EINTR)
		;
	close (hp[0]);
	while (!parent && waitpid (holder, NULL, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof got.pid)
		pid = got.pid;
	else if (n == (ssize_t)sizeof got.r)
		err_set (e, got.r.code, 0, "%.*s", (int)sizeof got.r.msg, got.r.msg);
	else
		err_set (e, SPAWN_FAILED, 0, "the user namespace's holder died");
	return pid;
}

pid_t
spawn_container (const struct spec *s, const struct cgroup *cg, const struct spawn_io *io, int clone_parent_too,
                 pid_t *failed, struct bx_err *e)
{
	/* the cgroup namespace is made once the child is in its cgroup; the
	 * time namespace once its clocks are set: both by the child */
	uint64_t flags = (uint64_t)(s->clone_flags & ~(CLONE_NEWCGROUP | CLONE_NEWTIME));
	int p[2], *trees = NULL, talk = io->oci || (s->clone_flags & CLONE_NEWUSER);
	int holder = s->userns && !(s->clone_flags & CLONE_NEWUSER);
	pid_t pid;

	*failed = 0;
	if (mounts_trees_open (s, &trees, e) < 0)
		return -1;
	/* a caller that talks back to the child: a socket rather than a pipe */
	if ((talk ? socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) : pipe2 (p, O_CLOEXEC)) < 0) {
		mounts_trees_close (trees, s->nops);
		return err_set (e, SPAWN_FAILED, errno, "pipe");
	}
	if (clone_parent_too)
		flags |= CLONE_PARENT;
	/* joined by path: the holder makes the new namespaces */
	pid = holder ? holder_start (s, cg, io, trees, flags & CLONE_PARENT, p, e)
	             : child_start (s, cg, io, flags, trees, p, e);
	mounts_trees_close (trees, s->nops);
	close (p[1]);
	if (pid < 0) {
		close (p[0]);
		return -1;
	}
	if ((s->clone_flags & CLONE_NEWUSER) && userns_child_setup (s, cg, pid, p[0], e) < 0) {
		close (p[0]);
		kill (pid, SIGKILL);
		*failed = pid;
		return -1;
	}
	return child_result (p[0], pid, io->oci, failed, e) < 0 ? -1 : pid;
}

static void __attribute__ ((noreturn))
exec_child (const struct spec *s, int pidfd, int nsflags, const struct cgroup *cg, const struct spawn_io *io, int errfd)
{
	struct bx_err e = {0};

	prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (cgroup_enter (cg) < 0) {
		err_set (&e, SPAWN_FAILED, errno, "join cgroup %s", cg->dir[0]);
		child_fail (errfd, &e);
	}
	/* raised while still in the initial user namespace: from inside the
	 * container's they could only be lowered */
	if ((nsflags & CLONE_NEWUSER) && privs_rlimits (s, &e) < 0)
		child_fail (errfd, &e);
	if (nsflags & ~CLONE_NEWPID && setns (pidfd, nsflags & ~CLONE_NEWPID) < 0) {
		err_set (&e, SPAWN_FAILED, errno, "join the container's namespaces");
		child_fail (errfd, &e);
	}
	if (child_io (io, &e) < 0)
		child_fail (errfd, &e);
	if (io->oci && io->oci->console_sock >= 0 && s->terminal) {
		char name[64];
		int master, slave;
		if (pty_open_at (AT_FDCWD, "/dev/pts/ptmx", &master, &slave, name, sizeof name, &e) < 0 ||
		    fdpass_send (io->oci->console_sock, master, name, &e) < 0 || console_take (slave, &e) < 0)
			child_fail (errfd, &e);
		close (master);
	}
	payload_run (s, io, errfd);
}

pid_t
spawn_exec (const struct spec *s, int pidfd, int nsflags, const struct cgroup *cg, const struct spawn_io *io,
            pid_t *failed, struct bx_err *e)
{
	int p[2], own, err = 0;
	pid_t pid;

	*failed = 0;
	if ((own = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)) < 0)
		return err_set (e, SPAWN_FAILED, errno, "our PID namespace");
	/* the PID namespace applies to children only: the next one's */
	if ((nsflags & CLONE_NEWPID) && setns (pidfd, CLONE_NEWPID) < 0) {
		close (own);
		return err_set (e, SPAWN_FAILED, errno, "join the container's PID namespace");
	}
	if (pipe2 (p, O_CLOEXEC) < 0)
		pid = -1, err = errno;
	else if ((pid = clone_child (0)) < 0)
		err = errno, close (p[0]), close (p[1]);
	else if (pid == 0) {
		close (p[0]);
		exec_child (s, pidfd, nsflags, cg, io, p[1]);
	}
	/* and back: any later child of ours (LeakSanitizer's tracer) is ours */
	setns (own, CLONE_NEWPID);
	close (own);
	if (pid < 0)
		return err_set (e, SPAWN_FAILED, err, "clone");
	close (p[1]);
	return child_result (p[0], pid, NULL, failed, e) < 0 ? -1 : pid;
}

int
spawn_exit_code (int status)
{
	if (WIFEXITED (status))
		return WEXITSTATUS (status);
	if (WIFSIGNALED (status))
		return 128 + WTERMSIG (status);
	return 255;
}
