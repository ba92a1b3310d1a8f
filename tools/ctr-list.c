/*
 * ctr-list - list and inspect containers (docker ps, docker inspect)
 *
 * usage:  ctr-list [--root DIR] [-a] [-q] [-l] [-n N] [-s] [--no-trunc]
 *                  [--filter KEY=VALUE]... [--format FMT]
 *         ctr-list [--root DIR] inspect [-s] [-f TEMPLATE] [--type container|image] NAME...
 *         ctr-list [--root DIR] diff CONTAINER
 *         ctr-list [--root DIR] df [-v] [--format FMT]
 * stdin:  unused
 * stdout: list: Docker's table (CONTAINER ID, IMAGE, COMMAND, CREATED,
 *         STATUS, PORTS, NAMES), ids (-q), JSON lines (--format json) or a
 *         template per container, newest first;
 *         inspect: a JSON array (containers, then images, as docker
 *         inspect), or the template once per object;
 *         diff: "A /path", "C /path", "D /path" lines, as docker diff;
 *         df: docker system df's table (TYPE, TOTAL, ACTIVE, SIZE,
 *         RECLAIMABLE), -v's four sections, or the template
 * reads:  containers/<id>/{state,create.json,config.json,network.json,upper/},
 *         names/, images/ (inspect of images, -s, ancestor=, diff, df),
 *         layers/<hex>/ (diff: what the image holds; sizes),
 *         volumes/ (df), build/cache/ and cache/run/ (df: the build cache)
 * writes: containers/<id>/state of a container found lost (its supervisor
 *         killed: the exit recorded, its cgroups removed; --rm: removed);
 *         reaps containers/<id>.tmp-<pid> of dead creators and removers
 *         and names of no container (ctrrm_sweep); cache/diffsize/<hex>
 *         (lib/layers/diffsize: a layer's size, once measured)
 * locks:  none to read: each state file is read whole (it is replaced
 *         atomically) and settled (a vanished pid or supervisor reads as
 *         exited); containers/<id>/lock tried (never waited for) to record
 *         a lost one; names/ while reaping
 * exit:   0 ok, 1 an object was not found (Docker's "Error: No such
 *         object: X"; the others are still printed), 2 usage (bad filter,
 *         template), 5 system error
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/gotmpl.h"
#include "base/human.h"
#include "base/layout.h"
#include "base/listfmt.h"
#include "base/natport.h"
#include "base/root.h"
#include "ctr-list/cdiff.h"
#include "ctr-list/ctrview.h"
#include "ctr-list/sysdf.h"
#include "image/imgset.h"
#include "image/store.h"
#include "layers/diffsize.h"
#include "runtime/ctr.h"
#include "runtime/ctrrm.h"

#define MAXFILTERS 32
#define DEF_TABLE "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}"
#define DEF_TABLE_SIZE DEF_TABLE "\\t{{.Size}}"

struct ctx {
	const char *root;
	char rootpath[PATH_MAX];
	int rootfd;
	struct store st;
	struct imgset set; /* loaded on first need */
	int set_loaded;
};

struct filter {
	const char *key, *val;
	regex_t re;             /* name=, id= */
	char ref[CTR_TIME_LEN]; /* before=, since=: its container's creation */
};

struct list_opts {
	int all, quiet, notrunc, size, last;
	int sized; /* sizes counted: --size, or a template that asks for .Size */
	const char *format;
	struct filter f[MAXFILTERS];
	int nf;
};

static void
usage (void)
{
	fprintf (
	    stderr,
	    "usage: %s [--root DIR] [-a] [-q] [-l] [-n N] [-s] [--no-trunc] [--filter KEY=VALUE]... [--format FMT]\n"
	    "       %s [--root DIR] inspect [-s] [-f TEMPLATE] [--type container|image] NAME...\n"
	    "       %s [--root DIR] diff CONTAINER\n"
	    "       %s [--root DIR] df [-v] [--format FMT]\n",
	    bx_prog, bx_prog, bx_prog, bx_prog);
	exit (err_code (BX_USAGE));
}

static void
ctx_open (struct ctx *c)
{
	struct bx_err e = {0};

	if ((c->rootfd = root_open (c->root, &e)) < 0)
		exit (err_report (&e));
	if (!realpath (root_path (c->root), c->rootpath))
		err_die (BX_SYSTEM, "%s: %s", root_path (c->root), strerror (errno));
}

/* The store's images, for inspect of images, -s and ancestor=. */
static struct imgset *
images (struct ctx *c)
{
	struct bx_err e = {0};
	json_t *index = NULL;

	if (c->set_loaded)
		return &c->set;
	if (store_open (&c->st, c->rootfd, &e) < 0 || store_index_load (&c->st, &index, &e) < 0 ||
	    imgset_load (&c->st, index, &c->set, &e) < 0)
		exit (err_report (&e));
	json_decref (index);
	c->set_loaded = 1;
	return &c->set;
}

static void
ctx_close (struct ctx *c)
{
	if (c->set_loaded) {
		imgset_free (&c->set);
		store_close (&c->st);
		c->set_loaded = 0;
	}
}

static int
finish (int rc)
{
	if (fflush (stdout) == EOF || ferror (stdout)) {
		perror (bx_prog);
		return rc ? rc : BX_SYSTEM;
	}
	return rc;
}

/* --- containers ---------------------------------------------------------- */

struct views {
	struct ctrview *v;
	size_t n, cap;
};

static int
is_id (const char *s)
{
	return strlen (s) == CTR_ID_LEN && strspn (s, "0123456789abcdef") == CTR_ID_LEN;
}

static void
views_load (struct ctx *c, struct views *vs)
{
	int fd = openat (c->rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close (fd);
		else if (errno != ENOENT)
			err_die (BX_SYSTEM, L_CONTAINERS ": %s", strerror (errno));
		return;
	}
	while ((de = readdir (d))) {
		struct bx_err e = {0};
		if (!is_id (de->d_name))
			continue;
		if (vs->n == vs->cap &&
		    !(vs->v = realloc (vs->v, (vs->cap = vs->cap ? 2 * vs->cap : 16) * sizeof *vs->v)))
			err_die (BX_SYSTEM, "out of memory");
		if (ctrview_load (c->rootfd, c->rootpath, de->d_name, &vs->v[vs->n], &e) < 0) {
			/* one being created or removed meanwhile is no error */
			if (e.code != BX_NOTFOUND)
				err_warn (L_CONTAINERS "/%.12s: %s, skipped", de->d_name, e.msg);
			continue;
		}
		vs->n++;
	}
}

static int
cmp_newest (const void *a, const void *b)
{
	const struct ctrview *x = a, *y = b;
	int k = strcmp (y->created, x->created);

	return k ? k : strcmp (x->id, y->id);
}

/* --- filters ------------------------------------------------------------- */

static const char *const STATUSES[] = {"created", "restarting", "running", "removing",
                                       "paused",  "exited",     "dead",    NULL};

/* strconv.Atoi's syntax (the daemon reads exited= so): a sign, then
 * digits, one at least */
static int
atoi_syntax (const char *s)
{
	s += *s == '-' || *s == '+';
	return *s && !s[strspn (s, "0123456789")];
}

/* publish=, expose=: PORT[-PORT][/PROTO] as the daemon reads it
 * (nat.SplitProtoPort, nat.ParsePortRange), its errors in its words */
static void
port_filter_check (const struct filter *f)
{
	struct bx_err e = {0};
	unsigned long lo, hi;

	if (strchr (f->val, ':'))
		err_die (BX_USAGE, "filter for '%s' should not contain ':': %s", f->key, f->val);
	if (f->val[0] != '/' && natport_range (f->val, strcspn (f->val, "/"), &lo, &hi, &e) < 0)
		err_die (BX_USAGE, "error while looking up for %s %s: %s", f->key, f->val, e.msg);
}

static void
add_filter (struct list_opts *o, const char *arg)
{
	static const char *const keys[] = {"label",  "name",      "status",  "id",     "ancestor", "health",
	                                   "exited", "before",    "since",   "volume", "network",  "publish",
	                                   "expose", "isolation", "is-task", NULL};
	static const char *const health[] = {"starting", "healthy", "unhealthy", "none", NULL};
	const char *eq = strchr (arg, '=');
	struct filter *f;
	int k, s;

	if (!eq)
		err_flag_value (arg, "-f, --filter", "bad format of filter (expected name=value)");
	for (k = 0; keys[k] && (strlen (keys[k]) != (size_t)(eq - arg) || strncmp (keys[k], arg, eq - arg)); k++)
		;
	if (!keys[k])
		err_die (BX_USAGE, "Invalid filter '%.*s'", (int)(eq - arg), arg);
	if (o->nf == MAXFILTERS)
		err_die (BX_USAGE, "too many filters");
	f = &o->f[o->nf++];
	f->key = keys[k];
	f->val = eq + 1;
	if (!strcmp (f->key, "status")) {
		for (s = 0; STATUSES[s] && strcmp (STATUSES[s], f->val); s++)
			;
		if (!STATUSES[s])
			err_die (BX_USAGE, "Invalid filter 'status=%s'", f->val);
	}
	if (!strcmp (f->key, "health")) {
		for (s = 0; health[s] && strcmp (health[s], f->val); s++)
			;
		if (!health[s])
			err_die (BX_USAGE, "Unrecognised filter value for health: %s", f->val);
	}
	if ((!strcmp (f->key, "name") || !strcmp (f->key, "id")) && regcomp (&f->re, f->val, REG_EXTENDED | REG_NOSUB))
		err_die (BX_USAGE, "Invalid filter '%s': bad regular expression", arg);
	if (!strcmp (f->key, "exited") && !atoi_syntax (f->val))
		err_die (BX_USAGE, "strconv.Atoi: parsing \"%s\": invalid syntax", f->val);
	if (!strcmp (f->key, "is-task") && strcmp (f->val, "true") != 0 && strcmp (f->val, "false") != 0)
		err_die (BX_USAGE, "Invalid filter 'is-task=[%s]'", f->val);
	if (!strcmp (f->key, "publish") || !strcmp (f->key, "expose"))
		port_filter_check (f);
}

/* before=, since=: the container named is resolved once, the first time
 * a row is filtered (Docker: an unknown one is an error) */
static const char *
ref_created (struct ctx *c, struct filter *f)
{
	char id[CTR_ID_LEN + 1], path[sizeof L_CONTAINERS + CTR_ID_LEN + 1];
	_cleanup_close_ int dfd = -1;
	struct ctr_state st;
	struct bx_err e = {0};

	if (f->ref[0])
		return f->ref;
	if (ctr_resolve (c->rootfd, f->val, id, &e) == 0) {
		snprintf (path, sizeof path, L_CONTAINERS "/%s", id);
		dfd = openat (c->rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (dfd < 0 || ctr_state_read (dfd, &st, &e) < 0) {
		/* the daemon's answer, not the client's "Error: No such container" */
		if (err_docker ()) {
			fprintf (stderr, "Error response from daemon: no such container %s\n", f->val);
			exit (err_code (BX_NOTFOUND));
		}
		err_die (BX_NOTFOUND, "no such container %s", f->val);
	}
	snprintf (f->ref, sizeof f->ref, "%s", st.created);
	return f->ref;
}

/* volume=: a mount's volume name (or source) or destination */
static int
volume_matches (const struct ctrview *v, const char *want)
{
	json_t *ms = ctrview_mounts (v), *m;
	size_t i;
	int hit = 0;

	json_array_foreach (ms, i, m)
	{
		const char *name = json_string_value (json_object_get (m, "Name"));
		hit |= !strcmp (name && *name ? name : json_string_value (json_object_get (m, "Source")) ?: "", want) ||
		       !strcmp (json_string_value (json_object_get (m, "Destination")) ?: "", want);
	}
	json_decref (ms);
	return hit;
}

/* network=: one of its networks (the NETWORKS column's names) */
static int
network_matches (const struct ctrview *v, const char *want)
{
	char nets[1024], *save = NULL;

	ctrview_networks (v, nets, sizeof nets);
	for (char *t = strtok_r (nets, ",", &save); t; t = strtok_r (NULL, ",", &save))
		if (!strcmp (t, want))
			return 1;
	return 0;
}

/* publish=, expose=: PORT[-PORT][/PROTO] against the PORTS column's
 * public (PUB) or private ports, as Docker matches its Ports list */
static int
port_matches (const struct ctrview *v, const char *want, int pub)
{
	_cleanup_free_ char *ports = ctrview_ports (v);
	char proto[8] = "tcp", *save = NULL;
	unsigned lo = 0, hi;
	int hit = 0;

	if (!ports || sscanf (want, "%u", &lo) != 1)
		return 0;
	hi = lo;
	sscanf (want, "%*u-%u", &hi);
	if (strchr (want, '/'))
		snprintf (proto, sizeof proto, "%s", strchr (want, '/') + 1);
	for (char *t = strtok_r (ports, ", ", &save); t && !hit; t = strtok_r (NULL, ", ", &save)) {
		char *arrow = strstr (t, "->"), *colon, *slash = strrchr (t, '/'), *end;
		unsigned long n, last;
		if (!slash || strcmp (slash + 1, proto))
			continue;
		if (pub) {
			if (!arrow || !(colon = memrchr (t, ':', arrow - t)))
				continue;
			n = strtoul (colon + 1, &end, 10);
		} else
			n = strtoul (arrow ? arrow + 2 : t, &end, 10);
		/* a range the column collapsed ("7000-7002/tcp"): each of its ports */
		last = end[0] == '-' && end[1] != '>' ? strtoul (end + 1, NULL, 10) : n;
		hit = n <= hi && last >= lo;
	}
	return hit;
}

/* ancestor=: the image as typed, or the image (by any of its names or its
 * id) the container was made from */
static int
ancestor_matches (struct ctx *c, const struct ctrview *v, const char *want)
{
	struct imgset *set;
	struct bx_err e = {0};
	int how, k;

	if (!strcmp (v->image_ref, want) || (v->image_id[0] && !strcmp (v->image_id, want)))
		return 1;
	set = images (c);
	k = imgset_find (set, want, &how, &e);
	return k >= 0 && set->v[k].id[0] && !strcmp (set->v[k].id, v->image_id);
}

static int
filter_matches (struct ctx *c, struct filter *f, const struct ctrview *v)
{
	char name[260];

	if (!strcmp (f->key, "label"))
		return ctrview_has_label (v, f->val);
	if (!strcmp (f->key, "status"))
		return !strcmp (ctrview_state (v), f->val);
	if (!strcmp (f->key, "name")) {
		/* Docker's name is "/x": either form matches */
		snprintf (name, sizeof name, "/%s", v->name);
		return regexec (&f->re, name, 0, NULL, 0) == 0 || regexec (&f->re, v->name, 0, NULL, 0) == 0;
	}
	if (!strcmp (f->key, "exited"))
		return !strcmp (v->st.status, "exited") && v->st.started[0] && v->st.exit_code == atoi (f->val);
	if (!strcmp (f->key, "before"))
		return strcmp (v->created, ref_created (c, f)) < 0;
	if (!strcmp (f->key, "since"))
		return strcmp (v->created, ref_created (c, f)) > 0;
	if (!strcmp (f->key, "volume"))
		return volume_matches (v, f->val);
	if (!strcmp (f->key, "network"))
		return network_matches (v, f->val);
	if (!strcmp (f->key, "publish") || !strcmp (f->key, "expose"))
		return port_matches (v, f->val, f->key[0] == 'p');
	/* Linux has no isolation modes: dockerd there filters none out
	 * (excludeByIsolation), whatever the value; and no swarm tasks */
	if (!strcmp (f->key, "isolation"))
		return 1;
	if (!strcmp (f->key, "is-task"))
		return !strcmp (f->val, "false");
	if (!strcmp (f->key, "id"))
		return regexec (&f->re, v->id, 0, NULL, 0) == 0;
	if (!strcmp (f->key, "health"))
		return !strcmp (ctrview_health (v), f->val);
	return ancestor_matches (c, v, f->val);
}

/* Docker: values of one key are alternatives, different keys all apply. */
static int
shown (struct ctx *c, struct list_opts *o, const struct ctrview *v)
{
	for (int i = 0; i < o->nf; i++) {
		int any = 0, j;
		for (j = 0; j < i && strcmp (o->f[j].key, o->f[i].key); j++)
			;
		if (j < i)
			continue; /* this key was decided already */
		for (j = i; j < o->nf; j++)
			if (!strcmp (o->f[j].key, o->f[i].key))
				any |= filter_matches (c, &o->f[j], v);
		if (!any)
			return 0;
	}
	return 1;
}

/* --- rows ---------------------------------------------------------------- */

/* Docker's SIZE: the writable layer (its files as Docker's DiffSize
 * counts them), and with the image below it. */
static void
sizes (struct ctx *c, const struct ctrview *v, long long *rw, long long *total)
{
	char upper[PATH_MAX + 16];
	struct imgset *set = images (c);
	int how, k;
	struct bx_err e = {0};
	int64_t n = 0;
	_cleanup_close_ int fd = -1;

	snprintf (upper, sizeof upper, "%s/" L_UPPER, v->dir);
	if ((fd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || diffsize_dir (fd, &n, &e) < 0)
		n = 0;
	*rw = n;
	k = v->image_id[0] ? imgset_find (set, v->image_id, &how, &e) : -1;
	if (k >= 0)
		diffsize_entry (set, &set->v[k]);
	*total = n + (k >= 0 ? set->v[k].size : 0);
}

static json_t *
row_record (struct ctx *c, const struct list_opts *o, const struct ctrview *v, time_t now)
{
	_cleanup_free_ char *cmd = ctrview_command (v), *q = NULL, *ports = ctrview_ports (v);
	char id[CTR_ID_LEN + 1], at[64], ago[64], status[96], labels[4096], mounts[4096], nets[1024],
	    size[96] = "0B", image[600], local[16];
	long long rw, total;
	int nlocal;

	if (!cmd || !ports || !(q = ctrview_quote_command (cmd, !o->notrunc)))
		err_die (BX_SYSTEM, "out of memory");
	snprintf (id, sizeof id, "%.*s", o->notrunc ? CTR_ID_LEN : CTR_SHORT_LEN, v->id);
	human_time_go (v->created_s, at, sizeof at);
	human_duration ((int64_t)now - v->created_s, ago, sizeof ago - 4);
	strcat (ago, " ago");
	ctrview_status (v, now, status, sizeof status);
	ctrview_labels (v, labels, sizeof labels);
	ctrview_mount_names (v, !o->notrunc, mounts, sizeof mounts, &nlocal);
	ctrview_networks (v, nets, sizeof nets);
	snprintf (local, sizeof local, "%d", nlocal);
	if (o->sized) {
		char a[32], b[32];
		sizes (c, v, &rw, &total);
		human_size ((double)rw, 3, a, sizeof a);
		human_size ((double)total, 3, b, sizeof b);
		snprintf (size, sizeof size, "%s (virtual %s)", a, b);
	}
	/* an image given by id shows as the short id */
	snprintf (image, sizeof image, "%s", v->image_ref);
	if (!o->notrunc && !strncmp (image, "sha256:", 7) && strlen (image) == 71)
		snprintf (image, sizeof image, "%.12s", v->image_ref + 7);
	return json_pack ("{ss ss ss ss ss ss ss ss ss ss ss ss ss ss}", "Command", q, "CreatedAt", at, "ID", id,
	                  "Image", image, "Labels", labels, "LocalVolumes", local, "Mounts", mounts, "Names", v->name,
	                  "Networks", nets, "Ports", ports, "RunningFor", ago, "Size", size, "State", ctrview_state (v),
	                  "Status", status);
}

static json_t *
list_headers (void)
{
	return json_pack ("{ss ss ss ss ss ss ss ss ss ss ss ss ss ss}", "Command", "COMMAND", "CreatedAt",
	                  "CREATED AT", "ID", "CONTAINER ID", "Image", "IMAGE", "Labels", "LABELS", "LocalVolumes",
	                  "LOCAL VOLUMES", "Mounts", "MOUNTS", "Names", "NAMES", "Networks", "NETWORKS", "Ports",
	                  "PORTS", "RunningFor", "CREATED", "Size", "SIZE", "State", "STATE", "Status", "STATUS");
}

static int
print_rows (struct ctx *c, const struct list_opts *o, struct ctrview **rows, size_t n)
{
	struct listfmt f;
	struct bx_err e = {0};
	json_t *h = list_headers ();
	time_t now = time (NULL);
	const char *said = "template parsing error"; /* a row's error, as docker's formatter */
	int rc = 0;

	if (listfmt_init (&f, o->format, o->size ? DEF_TABLE_SIZE : DEF_TABLE, &e) < 0)
		rc = -1;
	f.type = "*formatter.ContainerContext"; /* an unknown field's error names it, as docker's */
	if (rc == 0 && listfmt_header (&f, h, &e) < 0)
		rc = -1;
	/* docker ps without --size runs its template once on an empty row (to
	 * see whether it asks for .Size), so that a field it lacks is an error
	 * even when no container is listed: the headers' record has every field */
	if (rc == 0 && o->format && !o->size && (rc = listfmt_dry_run (o->format, h, f.type, &e)) < 0)
		said = "failed to execute template";
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *rec = row_record (c, o, rows[i], now);
		rc = listfmt_row (&f, rec, &e);
		json_decref (rec);
	}
	json_decref (h);
	if (rc == 0)
		rc = listfmt_print (&f, stdout, &e);
	listfmt_free (&f);
	if (rc < 0)
		return err_report_tmpl (&e, e.code == BX_USAGE ? "failed to parse template" : said, BX_FAIL);
	return 0;
}

static void
list_parse (int argc, char **argv, struct ctx *c, struct list_opts *o)
{
	enum { O_ROOT = 256, O_NOTRUNC, O_FORMAT };
	static const struct option lo[] = {
	    {"root", required_argument, NULL, O_ROOT},  {"all", no_argument, NULL, 'a'},
	    {"quiet", no_argument, NULL, 'q'},          {"latest", no_argument, NULL, 'l'},
	    {"last", required_argument, NULL, 'n'},     {"size", no_argument, NULL, 's'},
	    {"no-trunc", no_argument, NULL, O_NOTRUNC}, {"format", required_argument, NULL, O_FORMAT},
	    {"filter", required_argument, NULL, 'f'},   {0, 0, 0, 0}};
	char *end;
	int ch;

	o->last = -1;
	while ((ch = getopt_long (argc, argv, "aqln:sf:", lo, NULL)) != -1) {
		switch (ch) {
		case O_ROOT: c->root = optarg; break;
		case 'a': o->all = 1; break;
		case 'q': o->quiet = 1; break;
		case 'l': o->last = 1; break;
		case 'n':
			o->last = (int)strtol (optarg, &end, 10);
			if (*end || end == optarg)
				err_flag_value (optarg, "-n, --last",
				                "strconv.ParseInt: parsing \"%s\": invalid syntax", optarg);
			break;
		case 's': o->size = 1; break;
		case O_NOTRUNC: o->notrunc = 1; break;
		case O_FORMAT: o->format = *optarg ? optarg : NULL; break; /* "": the default table */
		case 'f': add_filter (o, optarg); break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind != argc)
		usage ();
	/* docker ps turns --size on for a template that names .Size */
	o->sized = o->size || (o->format && strstr (o->format, ".Size"));
}

static int
cmd_list (int argc, char **argv, struct ctx *c)
{
	struct list_opts o = {0};
	struct views vs = {0};
	struct ctrview **rows;
	size_t n = 0;
	int rc = 0, all;

	list_parse (argc, argv, c, &o);
	ctx_open (c);
	/* what killed creators and removers left is reaped, not listed */
	ctrrm_sweep (c->rootfd, &(struct bx_err){0});
	views_load (c, &vs);
	if (vs.n)
		qsort (vs.v, vs.n, sizeof *vs.v, cmp_newest);
	if (!(rows = calloc (vs.n + 1, sizeof *rows)))
		err_die (BX_SYSTEM, "out of memory");
	/* Docker: -n (but 0, no limit) and a status filter show every state */
	all = o.all || o.last > 0;
	for (int i = 0; i < o.nf; i++)
		all |= !strcmp (o.f[i].key, "status");
	for (size_t i = 0; i < vs.n && (o.last <= 0 || n < (size_t)o.last); i++) {
		int live = !strcmp (vs.v[i].st.status, "running") || !strcmp (vs.v[i].st.status, "restarting");
		/* a build's step shows while it runs, as Docker's classic builder's */
		if (!live && ctrview_has_label (&vs.v[i], LABEL_BUILD_PID))
			continue;
		if ((all || live) && shown (c, &o, &vs.v[i]))
			rows[n++] = &vs.v[i];
	}
	if (o.quiet && (!o.format || !strcmp (o.format, "table")))
		for (size_t i = 0; i < n; i++)
			printf ("%.*s\n", o.notrunc ? CTR_ID_LEN : CTR_SHORT_LEN, rows[i]->id);
	else
		rc = print_rows (c, &o, rows, n);
	for (size_t i = 0; i < vs.n; i++)
		ctrview_free (&vs.v[i]);
	for (int i = 0; i < o.nf; i++)
		if (!strcmp (o.f[i].key, "name") || !strcmp (o.f[i].key, "id"))
			regfree (&o.f[i].re);
	free (vs.v);
	free (rows);
	ctx_close (c);
	return finish (rc);
}

/* --- inspect ------------------------------------------------------------- */

enum { T_ANY, T_CONTAINER, T_IMAGE };

/* one lower directory of a mount's options, absolute, into F: relative
 * ones are below layers/ (lib/layers/overlay), "layers/../cache" is
 * cache */
static void
lower_put (FILE *f, const struct ctx *c, const char *dir, size_t len, int *n)
{
	char path[PATH_MAX];
	const char *up = "/" L_LAYERS "/../";
	char *dots;

	if (len && dir[0] == '/')
		snprintf (path, sizeof path, "%.*s", (int)len, dir);
	else
		snprintf (path, sizeof path, "%s/" L_LAYERS "/%.*s", c->rootpath, (int)len, dir);
	if ((dots = strstr (path, up)))
		memmove (dots + 1, dots + strlen (up), strlen (dots + strlen (up)) + 1);
	fprintf (f, "%s%s", (*n)++ ? ":" : "", path);
}

/* the lower directories of ROOTFS's overlay as mounted, from mountinfo's
 * super options (lowerdir+= one a time, or lowerdir= joined by ':'), into
 * F; 0 when it is not an overlay mount here */
static int
lowers_mounted (FILE *f, const struct ctx *c, const char *rootfs)
{
	_cleanup_file_ FILE *mi = fopen ("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, plen = strlen (rootfs);
	int n = 0;

	while (mi && getline (&line, &cap, mi) > 0) {
		char *mp = line, *opts;
		for (int i = 0; i < 4 && mp; i++)
			mp = strchr (mp, ' ') ? strchr (mp, ' ') + 1 : NULL;
		if (!mp || strncmp (mp, rootfs, plen) || mp[plen] != ' ' || !(opts = strstr (mp, " - overlay ")))
			continue;
		n = 0; /* the last mount there is the one seen */
		opts = strchr (opts + 11, ' ');
		for (char *o = opts ? opts + 1 : NULL, *end; o && *o; o = *end ? end + 1 : end) {
			end = o + strcspn (o, ",\n");
			if (!strncmp (o, "lowerdir+=", 10))
				lower_put (f, c, o + 10, (size_t)(end - o - 10), &n);
			else if (!strncmp (o, "lowerdir=", 9))
				for (char *d = o + 9, *dend; d < end; d = dend + 1) {
					dend = d + strcspn (d, ":,\n");
					lower_put (f, c, d, (size_t)(dend - d), &n);
				}
		}
	}
	return n;
}

/* the overlay's lower directories: as mounted, else as rootfs_mount would
 * stack them (the image's init layer once made, then its layers, topmost
 * first); NULL when neither is known */
static char *
lower_dirs (struct ctx *c, const struct ctrview *v)
{
	struct imgset *set = images (c);
	struct bx_err ign = {0};
	int how, k, n = 0;
	json_t *ids;
	char *out = NULL, path[PATH_MAX];
	size_t len = 0;
	struct stat st;
	FILE *f = open_memstream (&out, &len);

	if (!f)
		return NULL;
	snprintf (path, sizeof path, "%s/" L_ROOTFS, v->dir);
	if (lowers_mounted (f, c, path) == 0) {
		k = v->image_id[0] ? imgset_find (set, v->image_id, &how, &ign) : -1;
		ids = k < 0 ? NULL : json_object_get (json_object_get (set->v[k].config, "rootfs"), "diff_ids");
		snprintf (path, sizeof path, L_INIT_CACHE "/%s", digest_hex (v->image_id));
		if (json_array_size (ids) && fstatat (c->rootfd, path, &st, 0) == 0)
			fprintf (f, "%s/%s", c->rootpath, path), n++;
		for (size_t i = json_array_size (ids); i-- > 0;)
			lower_put (f, c, digest_hex (json_string_value (json_array_get (ids, i)) ?: ""), DIGEST_HEX_LEN,
			           &n);
	}
	if (fclose (f) != 0)
		return free (out), NULL;
	return *out ? out : (free (out), NULL);
}

static json_t *
inspect_container (struct ctx *c, const char *name, int size, struct bx_err *e)
{
	char id[CTR_ID_LEN + 1];
	_cleanup_free_ char *lower = NULL;
	struct ctrview v;
	json_t *o;

	if (ctr_resolve (c->rootfd, name, id, e) < 0 || ctrview_load (c->rootfd, c->rootpath, id, &v, e) < 0)
		return NULL;
	lower = lower_dirs (c, &v);
	if ((o = ctrview_inspect (&v, lower)) && size) {
		long long rw, total;
		sizes (c, &v, &rw, &total);
		json_object_set_new (o, "SizeRw", json_integer (rw));
		json_object_set_new (o, "SizeRootFs", json_integer (total));
	}
	ctrview_free (&v);
	if (!o)
		err_set (e, BX_SYSTEM, ENOMEM, "inspect");
	return o;
}

static json_t *
inspect_image (struct ctx *c, const char *name, struct bx_err *e)
{
	struct imgset *set = images (c);
	int how, k = imgset_find (set, name, &how, e);

	if (k < 0)
		return NULL;
	if (!set->v[k].id[0]) {
		err_set (e, set->v[k].err.code, 0, "%s: %s", name, set->v[k].err.msg);
		return NULL;
	}
	diffsize_entry (set, &set->v[k]);
	return imgset_inspect (set, (size_t)k);
}

/* The slices and maps of Docker's ContainerJSON (ImageInspect's:
 * imgset_nils): a template prints them [] and map[] when nil */
static const char *const ctr_nils[] = {"Args[]",
                                       "ExecIDs[]",
                                       "Mounts[]",
                                       "GraphDriver.Data{}",
                                       "HostConfig.Binds[]",
                                       "HostConfig.LogConfig.Config{}",
                                       "HostConfig.PortBindings{}",
                                       "HostConfig.VolumesFrom[]",
                                       "HostConfig.CapAdd[]",
                                       "HostConfig.CapDrop[]",
                                       "HostConfig.Dns[]",
                                       "HostConfig.DnsOptions[]",
                                       "HostConfig.DnsSearch[]",
                                       "HostConfig.ExtraHosts[]",
                                       "HostConfig.GroupAdd[]",
                                       "HostConfig.Links[]",
                                       "HostConfig.SecurityOpt[]",
                                       "HostConfig.StorageOpt{}",
                                       "HostConfig.Tmpfs{}",
                                       "HostConfig.Sysctls{}",
                                       "HostConfig.BlkioWeightDevice[]",
                                       "HostConfig.BlkioDeviceReadBps[]",
                                       "HostConfig.BlkioDeviceWriteBps[]",
                                       "HostConfig.BlkioDeviceReadIOps[]",
                                       "HostConfig.BlkioDeviceWriteIOps[]",
                                       "HostConfig.Devices[]",
                                       "HostConfig.DeviceCgroupRules[]",
                                       "HostConfig.DeviceRequests[]",
                                       "HostConfig.Ulimits[]",
                                       "HostConfig.MaskedPaths[]",
                                       "HostConfig.ReadonlyPaths[]",
                                       "Config.ExposedPorts{}",
                                       "Config.Env[]",
                                       "Config.Cmd[]",
                                       "Config.Entrypoint[]",
                                       "Config.Volumes{}",
                                       "Config.OnBuild[]",
                                       "Config.Labels{}",
                                       "Config.Shell[]",
                                       "NetworkSettings.Ports{}",
                                       "NetworkSettings.SecondaryIPAddresses[]",
                                       "NetworkSettings.SecondaryIPv6Addresses[]",
                                       "NetworkSettings.Networks{}",
                                       "NetworkSettings.Networks.*.Links[]",
                                       "NetworkSettings.Networks.*.Aliases[]",
                                       "NetworkSettings.Networks.*.DriverOpts{}",
                                       NULL};

/* Docker's CLI words for a miss: "No such object" when any type would do.
 * TYPED: for a template, Docker's nil slices and maps typed. */
static json_t *
inspect_one (struct ctx *c, const char *name, int type, int size, int typed)
{
	static const char *const what[] = {"object", "container", "image"};
	struct bx_err e = {0};
	json_t *o = NULL;

	if (type != T_IMAGE && (o = inspect_container (c, name, size, &e))) {
		if (typed)
			gotmpl_type_nils (o, ctr_nils);
		return o;
	}
	if (type == T_CONTAINER || (e.code != BX_NOTFOUND && e.code))
		goto miss;
	memset (&e, 0, sizeof e);
	if ((o = inspect_image (c, name, &e))) {
		if (typed)
			gotmpl_type_nils (o, imgset_nils);
		return o;
	}
miss:
	if (e.code == BX_NOTFOUND)
		fprintf (stderr, "Error: No such %s: %s\n", what[type], name);
	else
		fprintf (stderr, "Error: %s\n", e.msg);
	return NULL;
}

static int
parse_type (const char *s)
{
	if (!strcmp (s, "container"))
		return T_CONTAINER;
	if (!strcmp (s, "image"))
		return T_IMAGE;
	if (!strcmp (s, "network") || !strcmp (s, "volume"))
		err_die (BX_FAIL, "inspect --type %s: not implemented", s);
	/* docker inspect refuses it in the CLI: its words, not the daemon's */
	if (err_docker ()) {
		fprintf (stderr, "\"%s\" is not a valid value for --type\n", s);
		exit (1);
	}
	err_die (BX_USAGE, "\"%s\" is not a valid value for --type", s);
}

static int
cmd_inspect (int argc, char **argv, struct ctx *c)
{
	enum { O_ROOT = 256 };
	static const struct option lo[] = {{"root", required_argument, NULL, O_ROOT},
	                                   {"format", required_argument, NULL, 'f'},
	                                   {"type", required_argument, NULL, 't'},
	                                   {"size", no_argument, NULL, 's'},
	                                   {0, 0, 0, 0}};
	const char *format = NULL;
	struct listfmt_insp in;
	struct bx_err e = {0};
	int ch, rc = 0, type = T_ANY, size = 0;

	while ((ch = getopt_long (argc, argv, "f:s", lo, NULL)) != -1) {
		switch (ch) {
		case O_ROOT: c->root = optarg; break;
		case 'f': format = optarg; break;
		case 't': type = parse_type (optarg); break;
		case 's': size = 1; break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind == argc)
		usage ();
	if (listfmt_insp_init (&in, format, NULL, &e) < 0)
		return err_report_inspect (&e);
	ctx_open (c);
	for (int i = optind; i < argc; i++) {
		json_t *o = inspect_one (c, argv[i], type, size, format != NULL);
		if (!o)
			rc = BX_FAIL;
		else if (listfmt_insp_add (&in, o, &e) < 0)
			rc = err_report_inspect (&e);
	}
	if (listfmt_insp_print (&in, stdout, &e) < 0)
		rc = err_report (&e);
	listfmt_insp_free (&in);
	ctx_close (c);
	return finish (rc);
}

/* --- diff --------------------------------------------------------------- */

static void
print_line (const char *line, void *arg)
{
	(void)arg;
	puts (line);
}

static int
cmd_diff (int argc, char **argv, struct ctx *c)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'}, {0, 0, 0, 0}};
	struct bx_err e = {0};
	char id[CTR_ID_LEN + 1];
	int ch;

	while ((ch = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		if (ch != 'R')
			usage ();
		c->root = optarg;
	}
	if (argc - optind != 1)
		usage ();
	ctx_open (c);
	if (ctr_resolve (c->rootfd, argv[optind], id, &e) < 0 ||
	    cdiff_container (c->rootfd, id, print_line, NULL, &e) < 0) {
		fprintf (stderr, "Error response from daemon: %s\n", e.msg);
		return err_code (e.code);
	}
	return fflush (stdout) == EOF ? BX_SYSTEM : 0;
}

/* --- system df ------------------------------------------------------------ */

static int
cmd_df (int argc, char **argv, struct ctx *c)
{
	enum { O_ROOT = 256, O_FORMAT };
	static const struct option lo[] = {{"root", required_argument, NULL, O_ROOT},
	                                   {"verbose", no_argument, NULL, 'v'},
	                                   {"format", required_argument, NULL, O_FORMAT},
	                                   {0, 0, 0, 0}};
	struct sysdf_opts so = {0};
	struct list_opts lo_full = {.notrunc = 1}, lo_trunc = {0};
	struct bx_err e = {0};
	struct views vs = {0};
	struct sysdf_ctr *cs;
	time_t now = time (NULL);
	int ch, rc;

	while ((ch = getopt_long (argc, argv, "v", lo, NULL)) != -1) {
		switch (ch) {
		case O_ROOT: c->root = optarg; break;
		case 'v': so.verbose = 1; break;
		case O_FORMAT: so.format = optarg; break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind != argc)
		usage ();
	ctx_open (c);
	ctrrm_sweep (c->rootfd, &(struct bx_err){0});
	views_load (c, &vs);
	if (vs.n)
		qsort (vs.v, vs.n, sizeof *vs.v, cmp_newest);
	if (!(cs = calloc (vs.n + 1, sizeof *cs)))
		err_die (BX_SYSTEM, "out of memory");
	for (size_t i = 0; i < vs.n; i++) {
		const char *st = ctrview_state (&vs.v[i]);
		long long rw, total;
		char size[32];
		sizes (c, &vs.v[i], &rw, &total);
		human_size ((double)rw, 3, size, sizeof size);
		cs[i] = (struct sysdf_ctr){.rec = row_record (c, &lo_trunc, &vs.v[i], now),
		                           .rec_full = row_record (c, &lo_full, &vs.v[i], now),
		                           .rw = rw,
		                           .image_id = vs.v[i].image_id,
		                           .active = !strcmp (st, "running") || !strcmp (st, "paused") ||
		                                     !strcmp (st, "restarting")};
		if (!cs[i].rec || !cs[i].rec_full)
			err_die (BX_SYSTEM, "out of memory");
		/* df's rows are docker ps's with the writable layer as Size */
		json_object_set_new (cs[i].rec, "Size", json_string (size));
		json_object_set_new (cs[i].rec_full, "Size", json_string (size));
	}
	rc = sysdf_print (c->rootfd, images (c), cs, vs.n, &so, &e);
	for (size_t i = 0; i < vs.n; i++) {
		json_decref (cs[i].rec);
		json_decref (cs[i].rec_full);
		ctrview_free (&vs.v[i]);
	}
	free (cs);
	free (vs.v);
	ctx_close (c);
	if (rc < 0 && so.verbose && err_docker () && e.code == BX_FAIL) {
		/* docker system df -v says a template's failure alone */
		fprintf (stderr, "%s\n", e.msg);
		return BX_FAIL;
	}
	return rc < 0 ? err_report_tmpl (&e, "template parsing error", BX_FAIL) : finish (0);
}

int
main (int argc, char **argv)
{
	struct ctx c = {0};
	int i = 1;

	err_prog_init (argv[0]);
	/* --root may come before the subcommand too */
	while (i + 1 < argc && !strcmp (argv[i], "--root"))
		c.root = argv[i + 1], i += 2;
	while (i < argc && !strncmp (argv[i], "--root=", 7))
		c.root = argv[i++] + 7;
	if (i < argc && !strcmp (argv[i], "inspect"))
		return cmd_inspect (argc - i, argv + i, &c);
	if (i < argc && !strcmp (argv[i], "diff"))
		return cmd_diff (argc - i, argv + i, &c);
	if (i < argc && !strcmp (argv[i], "df"))
		return cmd_df (argc - i, argv + i, &c);
	return cmd_list (argc, argv, &c);
}
