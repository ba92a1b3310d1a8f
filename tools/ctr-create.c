/*
 * ctr-create - make a container: an OCI runtime bundle from an image and
 * `docker create` flags
 *
 * usage:  ctr-create [--root DIR] [docker create flags] IMAGE [CMD [ARG...]]
 *         ctr-create --update [--root DIR] [docker update flags] CONTAINER...
 *         ctr-create --flags | --value-flags
 * stdin:  unused
 * stdout: the new container's id (64 hex characters), one line; with
 *         --update each container as given once updated; or
 *         docker create's flags (--flags), or those that take a value
 *         (--value-flags), one a line
 * reads:  images/ (the image's manifest and config), the image's
 *         /etc/passwd and /etc/group (inside its rootfs), /etc/hosts,
 *         /etc/resolv.conf, --env-file/--label-file/seccomp= files,
 *         networks/<name>/config.json (--network NAME)
 * writes: names/<name> -> <id> (first: the reservation), containers/<id>/
 *         (built as containers/<id>.tmp-<pid>, renamed when whole):
 *         config.json, create.json, image, hosts, hostname, resolv.conf,
 *         state, rootfs/ (mounted), upper/, work/; layers/ (the layers an
 *         image misses, the first time, by running img-unpack);
 *         volumes/<name>/ (made on first use, filled from the image when
 *         empty: lib/runtime/volume)
 *         --update: containers/<id>/config.json, create.json (replaced
 *         whole), and a running container's cgroup files
 * locks:  layers/<hex>.lock while a missing layer is extracted; names/
 *         (flock) while a dead creator's name reservation is taken over;
 *         volumes/<name>/ (flock, shared) from its use until the container
 *         exists, so that ctr-vol rm cannot remove it meanwhile;
 *         --update: containers/<id>/ (flock) while its files change
 * exit:   0 ok (and for --help), 1 failed (unknown user or group in the
 *         image), 2 usage or bad flag value, 3 no such image (or network,
 *         or --network container:X), 4 name in use, 5 system error
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/layout.h"
#include "base/root.h"
#include "base/tree.h"
#include "ctr-create/ctrcfg.h"
#include "ctr-create/ctrflags.h"
#include "ctr-create/update.h"
#include "ctr-create/usermap.h"
#include "image/ref.h"
#include "image/store.h"
#include "layers/overlay.h"
#include "layers/rootfs.h"
#include "runtime/ctr.h"
#include "runtime/event.h"
#include "runtime/ctrname.h"

/* the container being made, and what to undo if making it fails */
struct job {
	sigset_t oldmask; /* the signal mask to give children */
	int rootfd;
	char rootpath[PATH_MAX];
	char id[CTR_ID_LEN + 1];
	char name[256];
	int named;    /* names/<name> is ours */
	char tmp[96]; /* containers/<id>.tmp-<pid> */
	char tmpdir[PATH_MAX + 80];
	int dirfd; /* containers/<tmp> */
	int mounted;
	int rootfs; /* its rootfs, a dirfd */
	struct store store;
	struct image img;
	int image_missing;             /* the image is not in the store: box may pull it */
	struct event_attrs ev;         /* its create event's attributes, from create.json */
	unsigned owner_uid, owner_gid; /* its root on the host when remapped, else 0 */
};

/* --help: the synopsis on stdout, exit 0 (as docker create --help) */
static int
usage (void)
{
	printf ("usage: %s [--root DIR] [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
	        "Make a container from IMAGE and docker create's options; see ctr-create(1).\n",
	        bx_prog);
	return fflush (stdout) == EOF ? BX_SYSTEM : 0;
}

/* --flags, --value-flags: what box(1) and the completions read */
static int
flags_list (int values)
{
	if (ctrflags_print (stdout, values) < 0)
		return errno == EPIPE ? 0 : BX_SYSTEM;
	return 0;
}

static void
job_close (struct job *j)
{
	if (j->rootfs >= 0)
		close (j->rootfs);
	if (j->dirfd >= 0)
		close (j->dirfd);
	store_image_free (&j->img);
	store_close (&j->store);
}

/* Undo: the name first, so that a name never outlives its directory
 * while we live (ctrrm_id_is_gone), then the mount, then the directory. */
static void
job_undo (struct job *j)
{
	struct bx_err ignored = {0};
	char rootfs[PATH_MAX + 96];

	if (j->named)
		ctrname_release (j->rootfd, j->name, j->id);
	if (j->rootfs >= 0) {
		close (j->rootfs);
		j->rootfs = -1;
	}
	if (j->mounted) {
		snprintf (rootfs, sizeof rootfs, "%s/" L_ROOTFS, j->tmpdir);
		overlay_unmount (rootfs, &ignored);
	}
	if (j->tmp[0]) {
		char path[128];
		snprintf (path, sizeof path, L_CONTAINERS "/%s", j->tmp);
		tree_remove_at (j->rootfd, path);
	}
}

/* A missing image: Docker's words, the reference as Docker shows it:
 * the client's "Unable to find" before its pull, the daemon's "No such
 * image" with --pull never */
static int
image_missing (const char *ref, const char *pull, struct bx_err *e)
{
	const char *fmt =
	    pull && !strcmp (pull, "never") ? "No such image: %s%s%s" : "Unable to find image '%s%s%s' locally";
	struct ref r;
	char repo[600];
	struct bx_err ignored = {0};

	if (ref_looks_like_id (ref) || ref_parse (ref, &r, &ignored) < 0)
		return err_set (e, BX_NOTFOUND, 0, fmt, ref, "", "");
	ref_familiar_repo (&r, repo, sizeof repo);
	return err_set (e, BX_NOTFOUND, 0, fmt, repo, r.digest[0] ? "@" : ":", r.digest[0] ? r.digest : r.tag);
}

static int
image_open (struct job *j, const char *ref, const char *pull, struct bx_err *e)
{
	if (store_open (&j->store, j->rootfd, e) < 0)
		return -1;
	if (store_image_load (&j->store, ref, &j->img, e) == 0)
		return 0;
	if (e->code == BX_NOTFOUND) {
		*e = (struct bx_err){0};
		j->image_missing = 1;
		return image_missing (ref, pull, e);
	}
	return -1;
}

/* The id, the directory the bundle is built in, then the name: a name
 * that points at neither a container nor the directory of a live creator
 * is stale, and the next command that meets it reaps it (ctrrm_sweep). */
static int
job_start (struct job *j, const char *name, struct bx_err *e)
{
	if (ctrname_new_id (j->id, e) < 0)
		return -1;
	if (mkdirat (j->rootfd, L_CONTAINERS, 0700) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "mkdir " L_CONTAINERS);
	snprintf (j->tmp, sizeof j->tmp, "%s.tmp-%d", j->id, (int)getpid ());
	snprintf (j->tmpdir, sizeof j->tmpdir, "%s/" L_CONTAINERS "/%s", j->rootpath, j->tmp);
	if (mkdir (j->tmpdir, 0700) < 0) {
		j->tmp[0] = '\0';
		return err_set (e, BX_SYSTEM, errno, "mkdir %s", j->tmpdir);
	}
	if ((j->dirfd = open (j->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", j->tmpdir);
	if (name) {
		snprintf (j->name, sizeof j->name, "%s", name[0] == '/' ? name + 1 : name);
		if (ctrname_reserve (j->rootfd, j->name, j->id, e) < 0)
			return -1;
	} else if (ctrname_reserve_random (j->rootfd, j->id, j->name, sizeof j->name, e) < 0)
		return -1;
	j->named = 1;
	ctr_test_crash ("create-named");
	return 0;
}

/* The first container of an image: img-unpack extracts the layers (and
 * mounts the rootfs). Linking lib/layers here instead would load
 * libarchive, libxml2, ICU and libstdc++ into every ctr-create (2 to 3 ms of
 * a 5 ms run) for what happens once per image. */
static int
unpack_run (struct job *j, struct bx_err *e)
{
	char self[PATH_MAX], prog[PATH_MAX + 16];
	ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
	int st;
	pid_t pid, parent = getpid ();

	self[n > 0 ? n : 0] = '\0';
	snprintf (prog, sizeof prog, "%.*s/img-unpack", (int)(strrchr (self, '/') ? strrchr (self, '/') - self : 0),
	          self);
	j->mounted = 1; /* from now on, undo unmounts */
	if ((pid = fork ()) < 0)
		return err_set (e, BX_SYSTEM, errno, "fork");
	if (pid == 0) {
		int null = open ("/dev/null", O_WRONLY);
		const char *argv[] = {"img-unpack", "-q", "--root", j->rootpath, j->img.config_digest, j->tmpdir, NULL};
		/* killed with us: it must not mount a rootfs in a directory that
		 * the next command reaps as ours */
		if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != parent)
			_exit (BX_SYSTEM);
		sigprocmask (SIG_SETMASK, &j->oldmask, NULL);
		if (null < 0 || dup2 (null, STDOUT_FILENO) < 0)
			_exit (BX_SYSTEM);
		if (access (prog, X_OK) == 0)
			execv (prog, (char *const *)argv);
		execvp ("img-unpack", (char *const *)argv);
		_exit (127);
	}
	while (waitpid (pid, &st, 0) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "waitpid");
	if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
		return err_set (e, WIFEXITED (st) && WEXITSTATUS (st) <= BX_SYSTEM ? WEXITSTATUS (st) : BX_SYSTEM, 0,
		                "image %s: extracting its layers failed (img-unpack)", j->img.config_digest);
	return 0;
}

/* the rootfs, idmapped for a container with a user namespace of its own */
static int
rootfs_mount_for (struct job *j, const struct usermap *u, struct bundle *b, struct bx_err *e)
{
	struct rootfs_ids ids = {&u->uid, &u->gid};

	if (u->on)
		return rootfs_mount_ids (j->rootfd, &j->img, j->tmpdir, &ids, b, e);
	return rootfs_mount (j->rootfd, &j->img, j->tmpdir, BUNDLE_AUTO, 1, b, e);
}

static int
rootfs_ready (struct job *j, const struct usermap *u, struct bx_err *e)
{
	struct bundle b;
	int r = rootfs_mount_for (j, u, &b, e);

	if (r > 0) {
		/* img-unpack mounts the image as it is: a remapped one again */
		if (unpack_run (j, e) < 0 || (u->on && rootfs_unmount (j->tmpdir, e) < 0))
			return -1;
		r = rootfs_mount_for (j, u, &b, e);
	}
	if (r != 0)
		return r > 0
		           ? err_set (e, BX_FAIL, 0, "image %s: layers missing after img-unpack", j->img.config_digest)
		           : err_wrap (e, "image %s", j->img.config_digest);
	j->mounted = 1;
	if (b.warning[0])
		err_warn ("%s; copying the layers instead", b.warning);
	if ((j->rootfs = open (b.rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", b.rootfs);
	return 0;
}

/* Write NAME in the bundle being built. Synced later, all at once (see
 * publish), and only when the container outlives its run. */
static int
put (struct job *j, const char *name, const char *buf, struct bx_err *e)
{
	/* bind-mounted into the container: its users read them there */
	int shown = !strcmp (name, L_HOSTS) || !strcmp (name, L_HOSTNAME) || !strcmp (name, L_RESOLV);
	_cleanup_close_ int fd = openat (j->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, shown ? 0644 : 0600);

	if (fd < 0 || afile_write_all (fd, buf, strlen (buf)) < 0)
		return err_set (e, BX_SYSTEM, errno, "write %s", name);
	/* a remapped container's root owns them, as dockerd's remapped root */
	if (shown && j->owner_uid && fchown (fd, j->owner_uid, j->owner_gid) < 0)
		return err_set (e, BX_SYSTEM, errno, "chown %s", name);
	return 0;
}

static int
put_json (struct job *j, const char *name, json_t *doc, struct bx_err *e)
{
	_cleanup_free_ char *s = doc ? json_dumps (doc, JSON_COMPACT) : NULL;

	if (!s)
		return err_set (e, BX_SYSTEM, ENOMEM, "%s", name);
	return put (j, name, s, e);
}

static int
bundle_files (struct job *j, struct ctrcfg *c, struct bx_err *e)
{
	char state[CTR_TIME_LEN + 32];
	json_t *config = NULL, *create = NULL;
	char image[DIGEST_STR_LEN + 2];
	int rc = -1;

	if (ctrcfg_etc_files (c, e) < 0)
		return -1;
	if (c->users.on)
		j->owner_uid = idmap_root (&c->users.uid), j->owner_gid = idmap_root (&c->users.gid);
	if (put (j, L_HOSTS, c->hosts, e) < 0 || put (j, L_HOSTNAME, c->hostname_file, e) < 0 ||
	    put (j, L_RESOLV, c->resolv, e) < 0)
		return -1;
	snprintf (image, sizeof image, "%s\n", j->img.config_digest);
	if (put (j, L_CIMAGE, image, e) < 0)
		return -1;
	if (!(config = ctrcfg_config_json (c, e)) || !(create = ctrcfg_create_json (c, e)))
		goto out;
	if (put_json (j, L_CONFIG, config, e) < 0 || put_json (j, L_CREATE_JSON, create, e) < 0)
		goto out;
	event_attrs_ctr (&j->ev, create);
	/* lib/ctr.h's key=value state, what a new container has: the rest
	 * reads as zero. Not ctr_state_write: its temporary file and fsync
	 * would be redundant inside a directory that is renamed into place */
	snprintf (state, sizeof state, "status=created\ncreated=%s\n", c->created);
	rc = put (j, L_STATE, state, e);
out:
	json_decref (config);
	json_decref (create);
	return rc;
}

/* fsync the files after writing them all: the first fsync commits the
 * journal with every file's data (ext4 data=ordered), the rest find
 * little left to do; one commit instead of one per file */
static int
files_sync (struct job *j, struct bx_err *e)
{
	static const char *const names[] = {L_HOSTS, L_HOSTNAME, L_RESOLV, L_CIMAGE, L_CONFIG, L_CREATE_JSON, L_STATE};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		_cleanup_close_ int fd = openat (j->dirfd, names[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync (fd) < 0)
			return err_set (e, BX_SYSTEM, errno, "fsync %s", names[i]);
	}
	if (fsync (j->dirfd) < 0)
		return err_set (e, BX_SYSTEM, errno, "fsync %s", j->tmpdir);
	return 0;
}

/* containers/<id>.tmp-<pid> becomes containers/<id>: whole, or not at all */
static int
publish (struct job *j, int sync, struct bx_err *e)
{
	char from[160], to[160];

	snprintf (from, sizeof from, L_CONTAINERS "/%s", j->tmp);
	snprintf (to, sizeof to, L_CONTAINERS "/%s", j->id);
	if (sync && files_sync (j, e) < 0)
		return -1;
	if (renameat (j->rootfd, from, j->rootfd, to) < 0)
		return err_set (e, BX_SYSTEM, errno, "rename %s", from);
	j->tmp[0] = '\0';
	j->mounted = 0;
	j->named = 0;
	if (sync)
		afile_fsync_dir_at (j->rootfd, L_CONTAINERS, e);
	return 0;
}

static int
create (struct ctrcfg *c, struct job *j, struct bx_err *e)
{
	if (image_open (j, c->flags->image, c->flags->pull, e) < 0)
		return -1;
	if (ctrcfg_resolve_network (c, j->rootfd, e) < 0)
		return -1;
	if (job_start (j, c->flags->name, e) < 0 || usermap_plan (&c->users, c->flags, j->rootfd, j->id, e) < 0 ||
	    rootfs_ready (j, &c->users, e) < 0)
		return -1;
	if (ctrcfg_merge (c, j->img.config, j->id, j->name, j->img.config_digest, e) < 0)
		return -1;
	ctr_test_crash ("create-mounted");
	if (ctrcfg_in_rootfs (c, j->rootfd, j->rootfs, j->tmpdir, e) < 0)
		return -1;
	if (bundle_files (j, c, e) < 0)
		return -1;
	ctr_test_crash ("create-written");
	if (publish (j, !c->flags->auto_remove && !c->flags->no_sync, e) < 0)
		return -1;
	event_log (j->rootfd, "container", "create", j->id, &j->ev);
	return 0;
}

/* Deep trees hold one fd per level while copied into a volume. */
static void
nofile_raise (void)
{
	struct rlimit rl;

	if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit (RLIMIT_NOFILE, &rl);
	}
}

/* --cidfile: the id, in a file that must not exist (Docker's rule) */
static int
cidfile_write (const char *path, const char *id, struct bx_err *e)
{
	_cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0 || afile_write_all (fd, id, strlen (id)) < 0)
		return err_set (e, BX_SYSTEM, errno, "--cidfile %s", path);
	return 0;
}

/* SIGINT, SIGTERM, SIGHUP and SIGQUIT wait while the container is made or
 * undone (a few milliseconds): a ^C never leaves half a container behind */
static void
signals_hold (sigset_t *old)
{
	sigset_t set;

	sigemptyset (&set);
	sigaddset (&set, SIGINT);
	sigaddset (&set, SIGTERM);
	sigaddset (&set, SIGHUP);
	sigaddset (&set, SIGQUIT);
	sigprocmask (SIG_BLOCK, &set, old);
}

/* Where Docker finds an error: its client's checks, its daemon's at
 * create, or at start */
enum from { FROM_CLIENT, FROM_CREATE, FROM_START };

/* pflag's own errors (a flag unknown, a value its type refuses) stand
 * alone before their "See" line; the client's other checks follow
 * "docker: " */
static int
pflag_error (const char *msg)
{
	static const char *const starts[] = {"invalid argument \"",
	                                     "unknown flag: ", "unknown shorthand flag: ", "flag needs an argument: "};

	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
		if (!strncmp (msg, starts[i], strlen (starts[i])))
			return 1;
	return 0;
}

/* E as docker run or create says it, its exit code: docker run's
 * reportError ("docker: MSG." with one final period, then "See 'docker
 * run --help'." but for a start's), 125; docker create the daemon's as
 * every verb, "Error response from daemon: MSG", 1 */
static int
docker_error (const struct bx_err *e, enum from from)
{
	const char *daemon = from == FROM_CLIENT ? "" : "Error response from daemon: ";
	int n = (int)strlen (e->msg);

	if (from == FROM_CLIENT && pflag_error (e->msg)) {
		fprintf (stderr, "%s\nSee 'box %s --help'.\n", e->msg, err_docker ());
		return 125;
	}
	if (from != FROM_CLIENT && err_docker_is ("create")) {
		fprintf (stderr, "%s%s\n", daemon, e->msg);
		return BX_FAIL;
	}
	if (n > 0 && e->msg[n - 1] == '.')
		n--;
	fprintf (stderr, "box: %s%.*s.\n", daemon, n, e->msg);
	if (from != FROM_START)
		fprintf (stderr, "See 'box %s --help'.\n", err_docker ());
	return 125;
}

/* E reported: in Docker's words under box run or create, else ours */
static int
report (const struct bx_err *e, enum from from)
{
	if (err_docker_is ("run") || err_docker_is ("create"))
		return docker_error (e, from);
	return err_report (e);
}

static int
finish (const struct ctrflags *f, const struct job *j, struct bx_err *e)
{
	int rc = 0;

	/* the container exists either way: its id goes out */
	if (f->cidfile && cidfile_write (f->cidfile, j->id, e) < 0)
		rc = report (e, FROM_CLIENT);
	if (printf ("%s\n", j->id) < 0 || fflush (stdout) == EOF)
		return errno == EPIPE ? rc : BX_SYSTEM;
	return rc;
}

/* The container F asks for: made whole, or not at all. */
/* -p with the host's network: recorded, never published; Docker's
 * daemon says so in the create's warnings, which its CLI prints */
static void
host_ports_warn (const struct ctrflags *f)
{
	if (strcmp (f->network, "host") || json_object_size (f->bindings) == 0)
		return;
	if (err_docker ())
		fprintf (stderr, "WARNING: Published ports are discarded when using host network mode\n");
	else
		err_warn ("published ports are discarded when using host network mode");
}

static int
create_container (const struct ctrflags *f)
{
	struct job j = {.rootfd = -1, .dirfd = -1, .rootfs = -1, .store = {.dir = -1, .blobs = -1}};
	struct ctrcfg c;
	struct bx_err e = {0};
	int rc, pulls = !(f->pull && !strcmp (f->pull, "never"));

	nofile_raise ();
	signals_hold (&j.oldmask);
	ctrcfg_init (&c, f);
	if ((j.rootfd = root_open (f->root, &e)) < 0 || root_abspath (j.rootfd, j.rootpath, sizeof j.rootpath, &e) < 0)
		rc = -1;
	else if ((rc = create (&c, &j, &e)) < 0) {
		job_undo (&j);
		ctrcfg_volumes_undo (&c, j.rootfd);
		usermap_undo (&c.users, j.rootfd, j.id);
	}
	job_close (&j);
	if (j.rootfd >= 0)
		close (j.rootfd);
	/* -q: box pulls the missing image without a word, as docker run -q;
	 * else the client's line before the pull, exit 3 (box pulls then) */
	if (rc < 0 && j.image_missing && pulls) {
		if (!f->quiet && err_docker ())
			fprintf (stderr, "%s\n", e.msg);
		else if (!f->quiet)
			err_report (&e);
		rc = BX_NOTFOUND;
	} else
		rc = rc < 0 ? report (&e, FROM_CREATE) : finish (f, &j, &e);
	if (rc == 0)
		host_ports_warn (f);
	ctrcfg_free (&c);
	/* a signal that came meanwhile acts now */
	sigprocmask (SIG_SETMASK, &j.oldmask, NULL);
	return rc;
}

/* A flag error: under box in docker's words (update's are its own) */
static int
flag_error (const struct ctrflags *f, const struct bx_err *e, enum from from)
{
	if (!err_docker_is ("update"))
		return report (e, from);
	if (from != FROM_CLIENT)
		return update_refused (f, e);
	if (!pflag_error (e->msg)) /* update's own checks: the message, 1 */
		return fprintf (stderr, "%s\n", e->msg), BX_FAIL;
	fprintf (stderr, "%s\nSee 'box %s --help'.\n", e->msg, err_docker ());
	return BX_USAGE;
}

int
main (int argc, char **argv)
{
	struct ctrflags f;
	struct bx_err e = {0};
	int rc;

	err_prog_init (argv[0]);
	ctrflags_init (&f);
	/* every flag checked before anything is touched */
	switch (ctrflags_parse (&f, argc, argv, &e)) {
	case CTRFLAGS_CREATE: rc = create_container (&f); break;
	case CTRFLAGS_HELP: rc = usage (); break;
	case CTRFLAGS_FLAGS: rc = flags_list (0); break;
	case CTRFLAGS_VALUE_FLAGS: rc = flags_list (1); break;
	case CTRFLAGS_UPDATE: rc = update_containers (&f); break;
	case CTRFLAGS_REFUSED: rc = flag_error (&f, &e, FROM_CREATE); break;
	case CTRFLAGS_REFUSED_START: rc = flag_error (&f, &e, FROM_START); break;
	default: rc = flag_error (&f, &e, FROM_CLIENT);
	}
	ctrflags_free (&f);
	return rc;
}
