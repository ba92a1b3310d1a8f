#include "ocicreate.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/timestamp.h"
#include "ocihooks.h"
#include "ocilog.h"
#include "ocistate.h"
#include "ocinotify.h"
#include "ocistdio.h"
#include "runtime/cgroup.h"
#include "runtime/ocispec.h"
#include "runtime/scmp.h"
#include "runtime/sigproxy.h"
#include "runtime/spawn.h"
#include "base/userns.h"

struct create_opts {
	const char *bundle, *pid_file, *console_socket, *id;
	int no_pivot, no_new_keyring, preserve_fds;
	int run, detach, keep; /* run only */
};

/* the container being made: every resource it has, one cleanup */
struct made {
	const struct ocicli *g;
	const struct create_opts *o;
	struct spec s;
	struct cgroup cg;
	struct scmp_prog filter;
	struct ocistate st;
	struct spawn_oci oci;
	struct spawn_io io;
	struct ocistdio tty;
	struct ocinotify notify;
	int rootfd, dirfd, fifo;
	int reserved, cgroup_made;
	pid_t pid;
};

static int
parse_opts (int argc, char **argv, struct create_opts *o, struct bx_err *e)
{
	static const struct option lo[] = {{"bundle", required_argument, NULL, 'b'},
	                                   {"pid-file", required_argument, NULL, 'p'},
	                                   {"console-socket", required_argument, NULL, 'c'},
	                                   {"no-pivot", no_argument, NULL, 'P'},
	                                   {"no-new-keyring", no_argument, NULL, 'K'},
	                                   {"preserve-fds", required_argument, NULL, 'f'},
	                                   {"detach", no_argument, NULL, 'd'},
	                                   {"keep", no_argument, NULL, 'k'},
	                                   {"no-subreaper", no_argument, NULL, 'S'},
	                                   {0, 0, 0, 0}};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long (argc, argv, o->run ? "+b:d" : "+b:", lo, NULL)) != -1) {
		switch (c) {
		case 'b': o->bundle = optarg; break;
		case 'p': o->pid_file = optarg; break;
		case 'c': o->console_socket = optarg; break;
		case 'P': o->no_pivot = 1; break;
		case 'K': o->no_new_keyring = 1; break;
		case 'S': break; /* we never become a subreaper */
		case 'f':
			o->preserve_fds = (int)strtol (optarg, &end, 10);
			if (*end || o->preserve_fds < 0)
				return err_set (e, BX_USAGE, 0, "invalid value \"%s\" for flag --preserve-fds", optarg);
			break;
		case 'd':
		case 'k':
			if (!o->run)
				return err_set (e, BX_USAGE, 0, "flag provided but not defined: -%s",
				                c == 'd' ? "detach" : "keep");
			*(c == 'd' ? &o->detach : &o->keep) = 1;
			break;
		default: return err_set (e, BX_USAGE, 0, "%s: bad usage", argv[0]);
		}
	}
	if (argc - optind != 1)
		return err_set (e, BX_USAGE, 0, "\"%s\" requires exactly 1 argument(s)", argv[0]);
	o->id = argv[optind];
	return 0;
}

void
ocicreate_cgroup_path (const char *config, const char *id, int systemd, char *out, size_t len)
{
	char slice[256] = "", prefix[256] = "", name[512] = "", parents[1024] = "";
	const char *dash;

	if (!config || !*config) {
		snprintf (out, len, "/%s", id);
		return;
	}
	if (!systemd || *config == '/' || sscanf (config, "%255[^:]:%255[^:]:%511s", slice, prefix, name) != 3) {
		snprintf (out, len, "%s%s", *config == '/' ? "" : "/", config);
		return;
	}
	/* systemd nests "a-b-c.slice" in a.slice/a-b.slice */
	for (dash = strchr (slice, '-'); dash && strstr (slice, ".slice"); dash = strchr (dash + 1, '-'))
		snprintf (parents + strlen (parents), sizeof parents - strlen (parents), "/%.*s.slice",
		          (int)(dash - slice), slice);
	snprintf (out, len, "%s/%s/%s-%s.scope", parents, slice, prefix, name);
}

static int
state_hooks (struct made *c, const char *which, enum ocistate_status st, struct bx_err *e)
{
	json_t *j = ocistate_json (&c->st, st);
	char *text = j ? json_dumps (j, JSON_COMPACT) : NULL;
	int r;

	json_decref (j);
	if (!text)
		return err_set (e, SPAWN_FAILED, ENOMEM, "state");
	r = ocihooks_run (c->st.hooks, which, text, e);
	free (text);
	return r;
}

/* in the parent, once the child has its namespaces */
static int
on_created (pid_t pid, void *arg, struct bx_err *e)
{
	struct made *c = arg;

	c->st.pid = pid;
	if (state_hooks (c, "prestart", OCI_CREATING, e) < 0)
		return -1;
	return state_hooks (c, "createRuntime", OCI_CREATING, e);
}

/* in the child: its host pid, as the host's /proc (still mounted) says */
static pid_t
host_pid (void)
{
	char buf[32] = "";
	return readlink ("/proc/self", buf, sizeof buf - 1) > 0 ? (pid_t)atoi (buf) : 0;
}

static int
on_stage (enum spawn_stage stage, void *arg, struct bx_err *e)
{
	struct made *c = arg;

	if (stage == SPAWN_BEFORE_EXEC)
		return state_hooks (c, "startContainer", OCI_CREATED, e);
	c->st.pid = host_pid ();
	/* runc's default: a session keyring of its own, not the host's */
	if (!c->o->no_new_keyring)
		syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
	return state_hooks (c, "createContainer", OCI_CREATING, e);
}

static int
on_listener (int fd, void *arg, struct bx_err *e)
{
	struct made *c = arg;
	return ocinotify_send (&c->notify, fd, e);
}

/* the payload's stdio; the filter and OCI's steps with it */
static int
io_make (struct made *c, struct bx_err *e)
{
	if (ocistdio_make (c->s.terminal, c->o->console_socket, !c->o->run || c->o->detach, &c->io, &c->oci, &c->tty,
	                   e) < 0)
		return -1;
	c->io.filter = &c->filter;
	c->io.oci = &c->oci;
	return 0;
}

static int
read_bundle (struct made *c, struct bx_err *e)
{
	char bundle[PATH_MAX];
	int fd, r;

	if (!realpath (c->o->bundle ? c->o->bundle : ".", bundle))
		return err_set (e, BX_USAGE, errno, "bundle %s", c->o->bundle ? c->o->bundle : ".");
	if ((fd = open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_USAGE, errno, "bundle %s", bundle);
	r = ocispec_read (fd, bundle, &c->s, e);
	close (fd);
	if (r < 0)
		return -1;
	snprintf (c->st.bundle, sizeof c->st.bundle, "%s", bundle);
	snprintf (c->st.rootfs, sizeof c->st.rootfs, "%s", c->s.rootfs);
	c->st.host_mounts = !c->s.mntns;
	c->st.hooks = json_incref (json_object_get (c->s.json, "hooks"));
	c->st.annotations = json_incref (json_object_get (c->s.json, "annotations"));
	return 0;
}

/* the FIFO `start` releases the child by; the child opens it as the root
 * of its user namespace: its owner then (runc chowns it too) */
static int
fifo_make (struct made *c, struct bx_err *e)
{
	const struct userns_maps *m = &c->s.idmaps;
	long long uid = m->uid ? idmap_to_host (m->uid, 0) : -1, gid = m->gid ? idmap_to_host (m->gid, 0) : -1;

	if (mkfifoat (c->dirfd, "exec.fifo", 0600) < 0 ||
	    (c->fifo = openat (c->dirfd, "exec.fifo", O_PATH | O_CLOEXEC)) < 0)
		return err_set (e, SPAWN_FAILED, errno, "exec.fifo");
	if (c->s.userns && uid >= 0 && gid >= 0 && fchownat (c->dirfd, "exec.fifo", (uid_t)uid, (gid_t)gid, 0) < 0)
		return err_set (e, SPAWN_FAILED, errno, "exec.fifo");
	c->oci.start_fifo = c->fifo;
	return 0;
}

/* runc's --rootless auto: not root, or root of a user namespace other
 * than the initial one */
static int
rootless (const struct ocicli *g)
{
	unsigned long inner = 1, outer = 1, count = 0;
	FILE *f;

	if (g->rootless >= 0)
		return g->rootless;
	if (geteuid () != 0)
		return 1;
	if ((f = fopen ("/proc/self/uid_map", "re"))) {
		if (fscanf (f, "%lu %lu %lu", &inner, &outer, &count) != 3)
			count = 0;
		fclose (f);
	}
	return inner != 0 || outer != 0 || count != 4294967295UL;
}

/* limits a cgroup would have applied (the device rules aside: runc's
 * rootless manager ignores those) */
static int
limits_set (const struct cgroup_limits *l)
{
	return l->memory >= 0 || l->memory_swap >= 0 || l->cpu_quota >= 0 || l->cpu_period || l->cpu_shares ||
	       l->pids >= 0 || l->memory_reservation >= 0 || l->swappiness >= 0 || l->oom_kill_disable ||
	       l->cpuset_cpus || l->cpuset_mems || l->rt_period >= 0 || l->rt_runtime >= 0 || l->blkio_weight ||
	       l->nblkdevs;
}

/* The container's cgroup. Rootless (--rootless), a cgroup we may not make
 * is done without, as runc's rootless manager does, unless limits needed
 * it. */
static int
cgroup_make (struct made *c, const char *path, struct bx_err *e)
{
	int err;

	if (cgroup_create (&c->cg, path, &c->s.res, e) == 0) {
		c->cgroup_made = 1;
		return 0;
	}
	err = e->sys;
	if ((err != EACCES && err != EPERM && err != EROFS) || !rootless (c->g))
		return -1;
	if (limits_set (&c->s.res))
		return err_set (e, SPAWN_FAILED, err, "cannot set limits: container could not join or create cgroup");
	*e = (struct bx_err){0};
	c->cg = (struct cgroup){.memdir = -1};
	for (size_t i = 0; i < CGROUP_MAX_DIRS; i++)
		c->cg.procs[i] = -1;
	c->st.cgroup[0] = '\0';
	return 0;
}

/* cgroup, filter and stdio, then the child: up to its waiting (create)
 * or its payload (run) */
static int
made_start (struct made *c, struct bx_err *e)
{
	char path[4096];
	pid_t failed = 0;

	ocicreate_cgroup_path (c->s.cgroups_path, c->o->id, c->g->systemd_cgroup, path, sizeof path);
	snprintf (c->st.cgroup, sizeof c->st.cgroup, "%s", path);
	if (cgroup_make (c, path, e) < 0)
		return -1;
	if (scmp_prepare (c->s.seccomp, c->g->cachefd, &c->filter, e) < 0 ||
	    ocinotify_open (c->s.seccomp, &c->filter, &c->st, &c->notify, e) < 0)
		return -1;
	if (c->notify.sock >= 0)
		c->oci.listener = on_listener;
	if ((!c->o->run && fifo_make (c, e) < 0) || io_make (c, e) < 0)
		return -1;
	timestamp_now (c->st.created);
	c->st.owner = getuid ();
	if ((c->pid = spawn_container (&c->s, &c->cg, &c->io, 0, &failed, e)) < 0) {
		c->pid = failed;
		return -1;
	}
	if (ocistdio_started (&c->tty, e) < 0)
		return -1;
	c->st.pid = c->pid;
	c->st.pid_start = ocistate_pid_start (c->pid);
	if (ocistate_save (c->dirfd, &c->st, e) < 0)
		return -1;
	return ocistdio_pid_file (c->o->pid_file, c->pid, e);
}

/* what a container that failed (or, for run, ended) leaves goes */
static void
made_destroy (struct made *c, int failed)
{
	struct bx_err e = {0};
	int st;

	if (failed && c->pid > 0) {
		kill (c->pid, SIGKILL);
		waitpid (c->pid, &st, 0);
	}
	if (c->cgroup_made && cgroup_destroy (&c->cg, &e) < 0)
		ocilog_warn (&e);
	if (!failed && state_hooks (c, "poststop", OCI_STOPPED, &e) < 0)
		ocilog_warn (&e);
	if (c->reserved && ocistate_remove (c->rootfd, &c->st, &e) < 0)
		ocilog_warn (&e);
}

static void
made_free (struct made *c)
{
	ocistdio_close (&c->tty);
	ocinotify_close (&c->notify);
	if (c->fifo >= 0)
		close (c->fifo);
	if (c->dirfd >= 0)
		close (c->dirfd);
	if (c->rootfd >= 0)
		close (c->rootfd);
	cgroup_close (&c->cg);
	scmp_free (&c->filter);
	ocistate_free (&c->st);
	ocispec_free (&c->s);
}

static int
made_open (struct made *c, struct bx_err *e)
{
	if (ocistate_id_valid (c->o->id, e) < 0 || read_bundle (c, e) < 0 ||
	    (c->rootfd = ocistate_root_open (c->g->root, 1, e)) < 0 ||
	    (c->dirfd = ocistate_reserve (c->rootfd, c->o->id, e)) < 0)
		return -1;
	c->reserved = 1;
	snprintf (c->st.id, sizeof c->st.id, "%s", c->o->id);
	c->oci = (struct spawn_oci){.created = on_created,
	                            .stage = on_stage,
	                            .arg = c,
	                            .start_fifo = -1,
	                            .preserve_fds = c->o->preserve_fds,
	                            .console_sock = -1,
	                            .no_pivot = c->o->no_pivot};
	return 0;
}

static void
made_init (struct made *c, const struct ocicli *g, const struct create_opts *o)
{
	*c = (struct made){
	    .g = g, .o = o, .rootfd = -1, .dirfd = -1, .fifo = -1, .tty = {-1, -1, -1}, .notify.sock = -1};
	c->io.console = -1;
}

int
ocicreate_create (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	struct create_opts o = {0};
	struct made c;
	int r;

	if (parse_opts (argc, argv, &o, e) < 0)
		return -1;
	made_init (&c, g, &o);
	if ((r = made_open (&c, e)) == 0)
		r = made_start (&c, e);
	if (r < 0)
		made_destroy (&c, 1);
	made_free (&c);
	return r;
}

/* run attached: the payload waited for, signals passed on, then removed
 * as `delete` would (unless --keep) */
static int
run_wait (struct made *c, const sigset_t *set)
{
	int st = sigproxy_wait (c->pid, c->tty.master, set, c->tty.master >= 0 ? STDIN_FILENO : -1, NULL);

	c->pid = 0;
	if (!c->o->keep)
		made_destroy (c, 0);
	return spawn_exit_code (st);
}

int
ocicreate_run (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	struct create_opts o = {.run = 1};
	struct made c;
	sigset_t set;
	int r;

	if (parse_opts (argc, argv, &o, e) < 0)
		return -1;
	made_init (&c, g, &o);
	/* blocked before the child exists, so that no signal is lost */
	if (!o.detach)
		sigproxy_block (&set);
	if ((r = made_open (&c, e)) == 0 && (r = made_start (&c, e)) == 0 &&
	    state_hooks (&c, "poststart", OCI_RUNNING, e) < 0) {
		ocilog_warn (e);
		*e = (struct bx_err){0};
	}
	if (r < 0)
		made_destroy (&c, 1);
	else if (!o.detach)
		r = run_wait (&c, &set);
	made_free (&c);
	return r;
}
