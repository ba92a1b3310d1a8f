/*
 * ctr-rm - remove containers (docker rm)
 *
 * usage:  ctr-rm [--root DIR] [-f] [-v] CONTAINER...
 *         ctr-rm [--root DIR] --prune [-f] [-v] [--filter until=T|label=K[=V]|label!=K[=V]]...
 *                [--bytes-fd N]
 * stdin:  --prune without -f reads the answer to Docker's question
 * stdout: each CONTAINER as given, once removed; --prune: what docker
 *         container prune prints ("Deleted Containers:", the full ids, an
 *         empty line, "Total reclaimed space: SIZE"); with --bytes-fd N
 *         the section alone, and the bytes reclaimed (the writable
 *         layers) as a decimal line on fd N, for box system prune
 * reads:  containers/<id>/{state,create.json,config.json}
 * writes: removes containers/<id>/ (renamed containers/<id>.tmp-<pid>
 *         first), its rootfs mount, cgroups box/<id>, its network (ctr-net
 *         detach), anonymous volumes (-v) and names/<name>; reaps what
 *         killed creators and removers left (containers/<id>.tmp-<pid> of
 *         a dead pid, names/<name> of no container)
 * locks:  containers/<id>/lock (waits for it: a supervisor holds it until
 *         the container's exit is recorded); names/ (flock, while reaping)
 * exit:   0 ok (--prune: also when the answer is no; a container that
 *         cannot be removed is skipped), 1 a container was not found, runs (without -f) or could
 *         not be removed (Docker's "Error response from daemon: ..."; the
 *         other arguments are still removed), 2 usage
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/confirm.h"
#include "base/err.h"
#include "base/human.h"
#include "base/layout.h"
#include "base/pfilter.h"
#include "base/tree.h"
#include "base/root.h"
#include "runtime/ctr.h"
#include "runtime/ctrrm.h"

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-f] [-v] CONTAINER...\n"
	         "       %s [--root DIR] --prune [-f] [-v] [--filter until=T|label=K[=V]]... [--bytes-fd N]\n",
	         bx_prog, bx_prog);
	exit (err_code (BX_USAGE));
}

struct prune {
	int on, bytes_fd, has_until;
	int64_t until;
	struct pfilter f;
};

/* the daemon's checks of the filters: after the question, as Docker's */
static int
prune_filters_read (struct prune *p, struct bx_err *e)
{
	static const char *const keys[] = {"until", "label", "label!", NULL};

	if (pfilter_check (&p->f, keys, e) < 0)
		return -1;
	return pfilter_until (&p->f, &p->until, &p->has_until, e);
}

static int
parse_args (int argc, char **argv, const char **root, struct prune *p)
{
	enum { O_PRUNE = 256, O_FILTER, O_BYTES_FD };
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"force", no_argument, NULL, 'f'},
	                                   {"volumes", no_argument, NULL, 'v'},
	                                   {"prune", no_argument, NULL, O_PRUNE},
	                                   {"filter", required_argument, NULL, O_FILTER},
	                                   {"bytes-fd", required_argument, NULL, O_BYTES_FD},
	                                   {0, 0, 0, 0}};
	struct bx_err e = {0};
	int c, flags = 0;

	p->bytes_fd = -1;
	while ((c = getopt_long (argc, argv, "fv", lo, NULL)) != -1) {
		switch (c) {
		case 'R': *root = optarg; break;
		case 'f': flags |= CTR_RM_FORCE; break;
		case 'v': flags |= CTR_RM_VOLUMES; break;
		case O_PRUNE: p->on = 1; break;
		case O_FILTER:
			if (pfilter_add (&p->f, optarg, &e) < 0)
				err_flag_value (optarg, "--filter", "%s", e.msg);
			break;
		case O_BYTES_FD: p->bytes_fd = atoi (optarg); break;
		default: err_flag (argv); usage ();
		}
	}
	if (p->on ? optind != argc : optind == argc || p->bytes_fd >= 0 || p->f.n)
		usage ();
	return flags;
}

/* --- prune --------------------------------------------------------------- */

/* Stopped (not running, restarting or paused) and matching the filters. */
static int
build_alive (json_t *create)
{
	const char *pid = json_string_value (
	    json_object_get (json_object_get (json_object_get (create, "Config"), "Labels"), LABEL_BUILD_PID));

	return pid && (kill ((pid_t)atol (pid), 0) == 0 || errno != ESRCH);
}

static int
prunable (int dirfd, const struct prune *p)
{
	struct ctr_state st = {0};
	struct bx_err e = {0};
	int64_t created;
	json_t *create;
	int ok = 1;

	if (ctr_state_read (dirfd, &st, &e) < 0)
		return 0;
	ctr_state_settle (&st);
	if (!strcmp (st.status, "running") || !strcmp (st.status, "restarting"))
		return 0;
	if (p->has_until && human_time_parse (st.created, &created) == 0 && created >= p->until)
		return 0;
	if (!(create = ctr_create_read (dirfd, &e)))
		return !pfilter_has (&p->f, "label") && !pfilter_has (&p->f, "label!");
	/* a live build's step is its own to remove */
	if (build_alive (create))
		ok = 0;
	ok = ok && pfilter_labels_match (&p->f, json_object_get (json_object_get (create, "Config"), "Labels"));
	json_decref (create);
	return ok;
}

static uint64_t rw_bytes;

static int
add_size (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path, (void)ftw;
	if (flag == FTW_F && S_ISREG (st->st_mode))
		rw_bytes += (uint64_t)st->st_size;
	return 0;
}

/* Docker's reclaimed space: the writable layer (containers/<id>/upper) */
static uint64_t
upper_size (const char *root, const char *id)
{
	char upper[4096];

	snprintf (upper, sizeof upper, "%s/" L_CONTAINERS "/%s/" L_UPPER, root_path (root), id);
	rw_bytes = 0;
	nftw (upper, add_size, 16, FTW_PHYS | FTW_MOUNT);
	return rw_bytes;
}

static void
prune_one (int rootfd, const char *root, const char *id, int flags, const struct prune *p, uint64_t *bytes, int *n)
{
	struct bx_err e = {0};
	_cleanup_close_ int dirfd = ctr_open (rootfd, id, &e);
	uint64_t size;

	if (dirfd < 0 || !prunable (dirfd, p))
		return;
	size = upper_size (root, id);
	/* without CTR_RM_FORCE: one started meanwhile is refused, and kept */
	if (ctrrm_remove (rootfd, id, flags & CTR_RM_VOLUMES, &e) < 0)
		return;
	printf ("%s%s\n", (*n)++ ? "" : "Deleted Containers:\n", id);
	*bytes += size;
}

/* a killed build's staging directories go with its stopped containers */
static void
sweep_builds (int rootfd)
{
	_cleanup_close_ int tmp = openat (rootfd, L_TMP, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (tmp < 0)
		return;
	tree_sweep_dead (tmp, L_BUILD_TMP);
	tree_sweep_dead (tmp, L_RUN_TMP);
}

static int
cmd_prune (int rootfd, const char *root, int flags, struct prune *p)
{
	struct bx_err e = {0};
	int fd = openat (rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	struct dirent *de;
	uint64_t bytes = 0;
	char size[32];
	int n = 0;

	if (!(flags & CTR_RM_FORCE) &&
	    !confirm_ask (stderr, stdin, "WARNING! This will remove all stopped containers."))
		return 0;
	if (prune_filters_read (p, &e) < 0)
		return err_report (&e);
	if (!d && fd >= 0)
		close (fd);
	while (d && (de = readdir (d)))
		if (strlen (de->d_name) == CTR_ID_LEN && strspn (de->d_name, "0123456789abcdef") == CTR_ID_LEN)
			prune_one (rootfd, root, de->d_name, flags, p, &bytes, &n);
	ctrrm_sweep (rootfd, &(struct bx_err){0});
	sweep_builds (rootfd);
	if (n)
		putchar ('\n');
	if (p->bytes_fd >= 0) {
		dprintf (p->bytes_fd, "%llu\n", (unsigned long long)bytes);
		return 0;
	}
	human_size ((double)bytes, 4, size, sizeof size);
	printf ("Total reclaimed space: %s\n", size);
	return 0;
}

/* each of ARGS removed, as docker rm: under box a missing one is the
 * CLI's "Error: No such container", which -f does not count as failing */
static int
rm_all (int rootfd, char **args, int n, int flags)
{
	char id[CTR_ID_LEN + 1];
	int rc = 0;

	for (int i = 0; i < n; i++) {
		struct bx_err e = {0};
		if (ctr_resolve (rootfd, args[i], id, &e) < 0 && err_docker ()) {
			fprintf (stderr, "Error: %s\n", e.msg);
			if (!(flags & CTR_RM_FORCE))
				rc = BX_FAIL;
		} else if (e.code || ctrrm_remove (rootfd, id, flags, &e) < 0) {
			err_report_each (args[i], &e);
			rc = BX_FAIL;
		} else
			err_report_each (args[i], NULL);
	}
	return rc;
}

int
main (int argc, char **argv)
{
	struct bx_err e = {0};
	const char *root = NULL;
	struct prune p = {0};
	int flags, rootfd, rc;

	err_prog_init (argv[0]);
	flags = parse_args (argc, argv, &root, &p);
	if ((rootfd = root_open (root, &e)) < 0)
		return err_report (&e);
	if (p.on)
		return cmd_prune (rootfd, root, flags, &p);
	rc = rm_all (rootfd, argv + optind, argc - optind, flags);
	/* then what killed creators and removers left: a name reaches its
	 * half-made container (ctrrm_remove), an id cannot (no directory) */
	ctrrm_sweep (rootfd, &e);
	return rc;
}
