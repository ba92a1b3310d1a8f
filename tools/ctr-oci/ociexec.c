#include "ociexec.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocistate.h"
#include "ocistdio.h"
#include "runtime/cgroup.h"
#include "runtime/ocispec.h"
#include "runtime/scmp.h"
#include "runtime/sigproxy.h"
#include "runtime/spawn.h"

#define MAX_LIST 64

struct exec_opts {
	const char *process, *console_socket, *pid_file, *cwd, *user, *id;
	const char *env[MAX_LIST], *caps[MAX_LIST], *gids[MAX_LIST];
	size_t nenv, ncaps, ngids;
	int tty, detach, nnp, preserve_fds;
	char **args;
};

static int
list_add (const char **list, size_t *n, const char *v, struct bx_err *e)
{
	if (*n == MAX_LIST)
		return err_set (e, BX_USAGE, 0, "too many values: %s", v);
	list[(*n)++] = v;
	return 0;
}

static int
parse_opts (int argc, char **argv, struct exec_opts *o, struct bx_err *e)
{
	static const struct option lo[] = {{"process", required_argument, NULL, 'p'},
	                                   {"console-socket", required_argument, NULL, 'C'},
	                                   {"pid-file", required_argument, NULL, 'P'},
	                                   {"cwd", required_argument, NULL, 'w'},
	                                   {"env", required_argument, NULL, 'e'},
	                                   {"user", required_argument, NULL, 'u'},
	                                   {"additional-gids", required_argument, NULL, 'g'},
	                                   {"cap", required_argument, NULL, 'c'},
	                                   {"tty", no_argument, NULL, 't'},
	                                   {"detach", no_argument, NULL, 'd'},
	                                   {"no-new-privs", no_argument, NULL, 'N'},
	                                   {"preserve-fds", required_argument, NULL, 'f'},
	                                   {"process-label", required_argument, NULL, 'L'},
	                                   {"apparmor", required_argument, NULL, 'A'},
	                                   {"cgroup", required_argument, NULL, 'G'},
	                                   {"ignore-paused", no_argument, NULL, 'I'},
	                                   {0, 0, 0, 0}};
	int c, r = 0;

	optind = 1;
	opterr = 0;
	while (r == 0 && (c = getopt_long (argc, argv, "+p:e:u:g:c:td", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o->process = optarg; break;
		case 'C': o->console_socket = optarg; break;
		case 'P': o->pid_file = optarg; break;
		case 'w': o->cwd = optarg; break;
		case 'u': o->user = optarg; break;
		case 'e': r = list_add (o->env, &o->nenv, optarg, e); break;
		case 'g': r = list_add (o->gids, &o->ngids, optarg, e); break;
		case 'c': r = list_add (o->caps, &o->ncaps, optarg, e); break;
		case 't': o->tty = 1; break;
		case 'd': o->detach = 1; break;
		case 'N': o->nnp = 1; break;
		case 'f': o->preserve_fds = atoi (optarg); break;
		/* no LSM on this host to label with; a sub-cgroup is not kept */
		case 'L':
		case 'A':
		case 'G':
		case 'I': break;
		default: return err_set (e, BX_USAGE, 0, "flag provided but not defined: %s", argv[optind - 1]);
		}
	}
	if (r < 0)
		return -1;
	if (optind >= argc)
		return err_set (e, BX_USAGE, 0, "\"exec\" requires a minimum of 1 argument(s)");
	o->id = argv[optind];
	o->args = argv + optind + 1;
	if (!o->process && !*o->args)
		return err_set (e, BX_USAGE, 0, "exec: no command given: args or --process");
	return 0;
}

static int
process_file (struct spec *s, const char *path, struct bx_err *e)
{
	json_error_t je;
	json_t *p = json_load_file (path, 0, &je);

	if (!p)
		return err_set (e, BX_USAGE, 0, "%s: line %d: %s", path, je.line, je.text);
	return ocispec_process_replace (s, p, e) < 0 ? err_wrap (e, "%s", path) : 0;
}

/* "K=V" replaces K's value or is appended */
static int
env_set (struct spec *s, const char *kv, struct bx_err *e)
{
	size_t n = 0, klen = strcspn (kv, "=");
	const char **env;

	for (; s->env[n]; n++)
		if (!strncmp (s->env[n], kv, klen) && s->env[n][klen] == '=') {
			s->env[n] = kv;
			return 0;
		}
	if (!(env = realloc (s->env, (n + 2) * sizeof *env)))
		return err_set (e, BX_SYSTEM, errno, "env");
	env[n] = kv;
	env[n + 1] = NULL;
	s->env = env;
	return 0;
}

static int
user_set (struct spec *s, const char *user, struct bx_err *e)
{
	unsigned long uid, gid;
	char *end;

	uid = strtoul (user, &end, 10);
	gid = *end == ':' ? strtoul (end + 1, &end, 10) : 0;
	if (*end || end == user)
		return err_set (e, BX_USAGE, 0, "invalid --user %s: uid[:gid] expected", user);
	s->uid = (uid_t)uid;
	s->gid = (gid_t)gid;
	return 0;
}

/* the command line's changes to the container's own process */
static int
process_flags (struct spec *s, const struct exec_opts *o, struct bx_err *e)
{
	size_t n = 0;

	while (o->args[n])
		n++;
	free (s->args);
	if (!(s->args = calloc (n + 1, sizeof *s->args)))
		return err_set (e, BX_SYSTEM, errno, "args");
	memcpy (s->args, o->args, n * sizeof *s->args);
	if (o->cwd)
		s->cwd = o->cwd;
	s->terminal = o->tty;
	s->nnp |= o->nnp;
	for (size_t i = 0; i < o->nenv; i++)
		if (env_set (s, o->env[i], e) < 0)
			return -1;
	if (o->user && user_set (s, o->user, e) < 0)
		return -1;
	for (size_t i = 0; i < o->ncaps; i++) {
		int cap = ocispec_cap_number (o->caps[i]);
		if (cap < 0)
			return err_set (e, BX_USAGE, 0, "unknown capability %s", o->caps[i]);
		s->caps[CAPSET_BOUNDING] |= 1ULL << cap;
		s->caps[CAPSET_EFFECTIVE] |= 1ULL << cap;
		s->caps[CAPSET_PERMITTED] |= 1ULL << cap;
	}
	if (o->ngids) {
		free (s->gids);
		if (!(s->gids = calloc (o->ngids, sizeof *s->gids)))
			return err_set (e, BX_SYSTEM, errno, "groups");
		for (size_t i = 0; i < o->ngids; i++)
			s->gids[i] = (gid_t)strtoul (o->gids[i], NULL, 10);
		s->ngids = o->ngids;
	}
	return 0;
}

/* the container's config, its process replaced; what to join */
static int
spec_for_exec (const struct ocistate *st, const struct exec_opts *o, struct spec *s, int *nsflags, struct bx_err *e)
{
	int fd = open (st->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return err_set (e, BX_FAIL, errno, "bundle %s", st->bundle);
	r = ocispec_read (fd, st->bundle, s, e);
	close (fd);
	if (r < 0)
		return -1;
	*nsflags = s->clone_flags;
	for (size_t i = 0; i < s->njoins; i++)
		*nsflags |= s->joins[i].type;
	return o->process ? process_file (s, o->process, e) : process_flags (s, o, e);
}

struct exec_run {
	struct spec s;
	struct cgroup cg;
	struct scmp_prog filter;
	struct spawn_io io;
	struct spawn_oci oci;
	struct ocistdio tty;
	int pidfd, nsflags;
};

static int
exec_start (const struct ocicli *g, const struct exec_opts *o, struct exec_run *x, pid_t *pid, struct bx_err *e)
{
	struct ocistate st;
	pid_t failed = 0;
	int rootfd, status = OCI_STOPPED;

	if ((rootfd = ocistate_root_open (g->root, 0, e)) < 0)
		return err_set (e, BX_NOTFOUND, 0, "container does not exist");
	if (ocistate_load (rootfd, o->id, &st, e) == 0)
		status = ocistate_status (rootfd, &st);
	close (rootfd);
	if (e->code)
		return -1;
	if (status != OCI_RUNNING && status != OCI_CREATED) {
		ocistate_free (&st);
		return err_set (e, BX_FAIL, 0, "cannot exec in a %s container", ocistate_status_name (status));
	}
	if (spec_for_exec (&st, o, &x->s, &x->nsflags, e) < 0 || cgroup_open (&x->cg, st.cgroup, e) < 0 ||
	    (x->pidfd = (int)syscall (SYS_pidfd_open, st.pid, 0)) < 0 ||
	    ocistdio_make (x->s.terminal, o->console_socket, o->detach, &x->io, &x->oci, &x->tty, e) < 0 ||
	    scmp_prepare (x->s.seccomp, g->cachefd, &x->filter, e) < 0) {
		ocistate_free (&st);
		return e->code ? -1 : err_set (e, BX_FAIL, errno, "container %s", o->id);
	}
	ocistate_free (&st);
	x->oci.start_fifo = -1;
	x->oci.preserve_fds = o->preserve_fds;
	x->io.filter = &x->filter;
	x->io.oci = &x->oci;
	if ((*pid = spawn_exec (&x->s, x->pidfd, x->nsflags, &x->cg, &x->io, &failed, e)) < 0) {
		if (failed > 0)
			waitpid (failed, NULL, 0);
		return -1;
	}
	if (ocistdio_started (&x->tty, e) < 0)
		return -1;
	return ocistdio_pid_file (o->pid_file, *pid, e);
}

int
ociexec_exec (const struct ocicli *g, int argc, char **argv, struct bx_err *e)
{
	struct exec_opts o = {0};
	struct exec_run x = {.pidfd = -1, .tty = {-1, -1, -1}, .io.console = -1};
	sigset_t set;
	pid_t pid = 0;
	int r;

	if (parse_opts (argc, argv, &o, e) < 0)
		return -1;
	if (!o.detach)
		sigproxy_block (&set);
	r = exec_start (g, &o, &x, &pid, e);
	if (r == 0 && !o.detach)
		r = spawn_exit_code (
		    sigproxy_wait (pid, x.tty.master, &set, x.tty.master >= 0 ? STDIN_FILENO : -1, NULL));
	ocistdio_close (&x.tty);
	if (x.pidfd >= 0)
		close (x.pidfd);
	cgroup_close (&x.cg);
	scmp_free (&x.filter);
	ocispec_free (&x.s);
	return r;
}
