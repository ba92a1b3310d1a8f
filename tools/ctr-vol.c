/*
 * ctr-vol - volumes as objects (docker volume)
 *
 * usage:  ctr-vol [--root DIR] create [--name NAME] [-d local] [-o K=V]... [--label K=V]... [NAME]
 *         ctr-vol [--root DIR] ls [-q] [-f KEY=VALUE]... [--format FMT]
 *         ctr-vol [--root DIR] inspect [-f FMT] NAME...
 *         ctr-vol [--root DIR] rm [-f] NAME...
 *         ctr-vol [--root DIR] prune [-f] [--filter label=K[=V]|label!=K[=V]]... [--bytes-fd N]
 * stdin:  prune without -f reads the answer to Docker's question
 * stdout: create: the volume's name (64 hex characters for an anonymous
 *         one); rm: each NAME removed; ls, inspect, prune: as docker
 *         volume ls / inspect / prune print them (prune with --bytes-fd N:
 *         the "Deleted Volumes:" section alone, and the bytes reclaimed as
 *         a decimal line on fd N, for box system prune)
 * reads:  volumes/, containers/<id>/create.json (which container uses
 *         which volume)
 * writes: volumes/NAME/ (_data/, volume.json; built as volumes/NAME.tmp-PID
 *         and renamed), removes volumes/NAME/ (renamed away first)
 * locks:  volumes/NAME/ (flock): rm and prune take it exclusively, waiting
 *         for the ctr-create that holds it shared until its container exists
 * exit:   0 ok (rm -f: also for a volume that does not exist; prune: also
 *         when the answer is no); 1 as Docker: a volume not found, in use,
 *         bad options or filters ("Error response from daemon: ..."; rm
 *         and inspect still do the other arguments); 2 usage
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/confirm.h"
#include "base/err.h"
#include "base/human.h"
#include "base/listfmt.h"
#include "base/root.h"
#include "ctr-vol/volfilt.h"
#include "runtime/ctrname.h"
#include "runtime/volume.h"

struct ctx {
	const char *root;
	int rootfd;
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %1$s [--root DIR] create [--name NAME] [-d local] [-o K=V] [--label K=V] [NAME]\n"
	         "       %1$s [--root DIR] ls [-q] [-f KEY=VALUE] [--format FMT]\n"
	         "       %1$s [--root DIR] inspect [-f FMT] NAME...\n"
	         "       %1$s [--root DIR] rm [-f] NAME...\n"
	         "       %1$s [--root DIR] prune [-f] [--filter label=K[=V]] [--bytes-fd N]\n",
	         bx_prog);
	exit (err_code (BX_USAGE));
}

/* Docker's client prints the daemon's refusals so, and exits 1 */
static int
daemon_error (const struct bx_err *e)
{
	fprintf (stderr, "Error response from daemon: %s\n", e->msg);
	return BX_FAIL;
}

/* docker's client words for a 404 */
static int
no_such (const char *name)
{
	fprintf (stderr, "Error: No such volume: %s\n", name);
	return BX_FAIL;
}

/* K=V into OBJ (K alone: an empty value, as Docker's map options) */
static void
kv_add (json_t *obj, const char *kv)
{
	const char *eq = strchr (kv, '=');
	_cleanup_free_ char *k = strndup (kv, eq ? (size_t)(eq - kv) : strlen (kv));

	if (k)
		json_object_set_new (obj, k, json_string (eq ? eq + 1 : ""));
}

/* --- create ------------------------------------------------------------- */

static int
cmd_create (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"name", required_argument, NULL, 'n'},
	                                   {"driver", required_argument, NULL, 'd'},
	                                   {"opt", required_argument, NULL, 'o'},
	                                   {"label", required_argument, NULL, 'l'},
	                                   {0, 0, 0, 0}};
	json_t *labels = json_object (), *opts = json_object ();
	const char *name = NULL, *driver = "local";
	char anon[CTR_ID_LEN + 1];
	struct bx_err e = {0};
	int ch;

	optind = 0;
	while ((ch = getopt_long (argc, argv, "d:o:", lo, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		case 'd': driver = optarg; break;
		case 'o': kv_add (opts, optarg); break;
		case 'l': kv_add (labels, optarg); break;
		default: err_flag (argv); usage ();
		}
	}
	if (argc - optind > 1)
		usage ();
	if (name && optind < argc)
		err_die (BX_FAIL, "conflicting options: cannot specify a volume-name through both --name and as a "
		                  "positional arg");
	if (optind < argc)
		name = argv[optind];
	if (!name) {
		if (ctrname_new_id (anon, &e) < 0)
			return err_report (&e);
		name = anon;
	}
	if (strcmp (driver, "local"))
		err_set (&e, BX_FAIL, 0, "create %s: error looking up volume plugin %s: plugin \"%s\" not found", name,
		         driver, driver);
	else if (volume_create (c->rootfd, name, labels, opts, NULL, &e) == 0)
		puts (name);
	json_decref (labels);
	json_decref (opts);
	return e.msg[0] ? daemon_error (&e) : 0;
}

/* --- ls ----------------------------------------------------------------- */

#define LS_TABLE "table {{.Driver}}\t{{.Name}}"

/* Go's sortorder.NaturalLess, which docker volume ls sorts by: runs of
 * digits compare as numbers */
static int
natural_cmp (const void *pa, const void *pb)
{
	const char *a = *(char *const *)pa, *b = *(char *const *)pb;

	while (*a && *b) {
		int da = *a >= '0' && *a <= '9', db = *b >= '0' && *b <= '9';
		const char *na, *nb;
		size_t la, lb;
		if (da != db)
			return da ? -1 : 1;
		if (!da) {
			if (*a != *b)
				return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
			a++, b++;
			continue;
		}
		for (; *a == '0'; a++)
			;
		for (; *b == '0'; b++)
			;
		for (na = a, nb = b; *a >= '0' && *a <= '9'; a++)
			;
		for (; *b >= '0' && *b <= '9'; b++)
			;
		la = (size_t)(a - na), lb = (size_t)(b - nb);
		if (la != lb)
			return la < lb ? -1 : 1;
		if (memcmp (na, nb, la))
			return memcmp (na, nb, la);
		if (na - *(char *const *)pa != nb - *(char *const *)pb)
			return na - *(char *const *)pa < nb - *(char *const *)pb ? -1 : 1;
	}
	return *a ? 1 : *b ? -1 : 0;
}

/* One row as docker volume ls --format sees it */
static json_t *
ls_record (json_t *info)
{
	char labels[4096] = "";
	const char *k;
	json_t *v;
	size_t off = 0;

	json_object_foreach (json_object_get (info, "Labels"), k, v) off +=
	    (size_t)snprintf (labels + off, off < sizeof labels ? sizeof labels - off : 0, "%s%s=%s", off ? "," : "", k,
	                      json_string_value (v));
	/* in {{json .}}'s order: Go sorts a map's keys */
	return json_pack ("{s:O, s:s, s:s, s:O, s:O, s:O, s:s}", "Driver", json_object_get (info, "Driver"), "Labels",
	                  labels, "Links", "N/A", "Mountpoint", json_object_get (info, "Mountpoint"), "Name",
	                  json_object_get (info, "Name"), "Scope", json_object_get (info, "Scope"), "Size", "N/A");
}

/* Each volume (sorted as Docker sorts) that F lets through, to FN */
static int
each_volume (struct ctx *c, const struct volfilt *f, int (*fn) (struct ctx *, json_t *, void *), void *arg,
             struct bx_err *e)
{
	json_t *usage = volume_usage (c->rootfd, e);
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (!usage || volume_names (c->rootfd, &names, &n, e) < 0)
		return json_decref (usage), -1;
	if (n)
		qsort (names, n, sizeof *names, natural_cmp);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct bx_err gone = {0};
		json_t *info = volume_inspect (c->rootfd, names[i], &gone);
		if (info && volfilt_match (f, info, json_object_get (usage, names[i])))
			rc = fn (c, info, arg);
		json_decref (info);
	}
	volume_names_free (names, n);
	json_decref (usage);
	return rc;
}

struct ls_out {
	struct listfmt f;
	struct bx_err *e;
};

static int
ls_row (struct ctx *c, json_t *info, void *arg)
{
	struct ls_out *o = arg;
	json_t *rec = ls_record (info);
	int rc = listfmt_row (&o->f, rec, o->e);

	(void)c;
	json_decref (rec);
	return rc;
}

static int
cmd_ls (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"quiet", no_argument, NULL, 'q'},
	                                   {"format", required_argument, NULL, 'F'},
	                                   {"filter", required_argument, NULL, 'f'},
	                                   {0, 0, 0, 0}};
	const char *format = NULL;
	struct volfilt filt = {0};
	struct bx_err e = {0};
	struct ls_out o = {.e = &e};
	json_t *h;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long (argc, argv, "qf:", lo, NULL)) != -1) {
		switch (ch) {
		case 'q': format = "{{.Name}}"; break;
		case 'F': format = format && !strcmp (format, "{{.Name}}") ? format : optarg; break;
		case 'f':
			if (volfilt_add (&filt, VOLFILT_LS, optarg, &e) < 0) {
				volfilt_free (&filt);
				return daemon_error (&e);
			}
			break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind != argc)
		usage ();
	if (listfmt_init (&o.f, format, LS_TABLE, &e) < 0) {
		volfilt_free (&filt);
		return err_report_tmpl (&e, "template parsing error", BX_FAIL);
	}
	o.f.type = "*formatter.volumeContext"; /* an unknown field's error names it, as docker's */
	h = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Driver", "DRIVER", "Name", "VOLUME NAME", "Scope",
	               "SCOPE", "Mountpoint", "MOUNTPOINT", "Labels", "LABELS", "Links", "LINKS", "Size", "SIZE");
	rc = listfmt_header (&o.f, h, &e);
	json_decref (h);
	if (rc == 0)
		rc = each_volume (c, &filt, ls_row, &o, &e);
	if (rc == 0)
		rc = listfmt_print (&o.f, stdout, &e);
	listfmt_free (&o.f);
	volfilt_free (&filt);
	return rc < 0 ? err_report_tmpl (&e, "template parsing error", BX_FAIL) : 0;
}

/* --- inspect, rm -------------------------------------------------------- */

static int
cmd_inspect (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"format", required_argument, NULL, 'f'}, {0, 0, 0, 0}};
	const char *format = NULL;
	struct listfmt_insp in;
	struct bx_err fe = {0};
	int ch, rc = 0;

	optind = 0;
	while ((ch = getopt_long (argc, argv, "f:", lo, NULL)) != -1) {
		if (ch != 'f')
			usage ();
		format = optarg;
	}
	if (optind == argc)
		usage ();
	/* docker volume inspect has no raw fallback: Go's words for its struct */
	if (listfmt_insp_init (&in, format, "types.Volume", &fe) < 0)
		return err_report_inspect (&fe);
	for (int i = optind; i < argc; i++) {
		struct bx_err e = {0};
		json_t *info = volume_inspect (c->rootfd, argv[i], &e);
		if (!info)
			rc = e.code == BX_NOTFOUND ? no_such (argv[i]) : err_report (&e);
		else if (listfmt_insp_add (&in, info, &fe) < 0)
			rc = err_report_inspect (&fe);
	}
	if (listfmt_insp_print (&in, stdout, &fe) < 0)
		rc = err_report (&fe);
	listfmt_insp_free (&in);
	return rc;
}

static int
cmd_rm (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"force", no_argument, NULL, 'f'}, {0, 0, 0, 0}};
	int ch, force = 0, rc = 0;

	optind = 0;
	while ((ch = getopt_long (argc, argv, "f", lo, NULL)) != -1) {
		if (ch != 'f')
			usage ();
		force = 1;
	}
	if (optind == argc)
		usage ();
	for (int i = optind; i < argc; i++) {
		struct bx_err e = {0};
		if (volume_remove (c->rootfd, argv[i], NULL, &e) == 0 || (force && e.code == BX_NOTFOUND))
			puts (argv[i]);
		else
			rc = e.code == BX_NOTFOUND ? no_such (argv[i]) : daemon_error (&e);
	}
	return rc;
}

/* --- prune -------------------------------------------------------------- */

struct prune {
	uint64_t bytes;
	int n;
};

/* Docker 20.10 prunes every unused local volume made without options */
static int
prune_one (struct ctx *c, json_t *info, void *arg)
{
	const char *name = json_string_value (json_object_get (info, "Name"));
	struct prune *p = arg;
	struct bx_err busy = {0};
	uint64_t size = 0;

	if (json_object_size (json_object_get (info, "Options")))
		return 0;
	/* one in use is refused (its users are checked under its lock) */
	if (volume_remove (c->rootfd, name, &size, &busy) < 0)
		return 0;
	printf ("%s%s\n", p->n++ ? "" : "Deleted Volumes:\n", name);
	p->bytes += size;
	return 0;
}

static int
cmd_prune (struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"force", no_argument, NULL, 'f'},
	                                   {"filter", required_argument, NULL, 'F'},
	                                   {"bytes-fd", required_argument, NULL, 'B'},
	                                   {0, 0, 0, 0}};
	struct volfilt filt = {0};
	struct prune p = {0};
	struct bx_err e = {0};
	int ch, force = 0, bytes_fd = -1, rc;
	char size[32];

	optind = 0;
	while ((ch = getopt_long (argc, argv, "f", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': force = 1; break;
		case 'B': bytes_fd = atoi (optarg); break;
		case 'F':
			if (volfilt_add (&filt, VOLFILT_PRUNE, optarg, &e) < 0) {
				volfilt_free (&filt);
				return daemon_error (&e);
			}
			break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind != argc)
		usage ();
	if (!force &&
	    !confirm_ask (stderr, stdin,
	                  "WARNING! This will remove all local volumes not used by at least one container.")) {
		volfilt_free (&filt);
		return 0;
	}
	rc = each_volume (c, &filt, prune_one, &p, &e);
	volfilt_free (&filt);
	if (rc < 0)
		return err_report (&e);
	if (p.n)
		putchar ('\n');
	if (bytes_fd >= 0) {
		dprintf (bytes_fd, "%llu\n", (unsigned long long)p.bytes);
		return 0;
	}
	human_size ((double)p.bytes, 4, size, sizeof size);
	printf ("Total reclaimed space: %s\n", size);
	return 0;
}

/* --- main --------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn) (struct ctx *, int, char **);
} cmds[] = {
    {"create", cmd_create}, {"ls", cmd_ls},     {"list", cmd_ls},     {"inspect", cmd_inspect},
    {"rm", cmd_rm},         {"remove", cmd_rm}, {"prune", cmd_prune},
};

int
main (int argc, char **argv)
{
	struct ctx c = {0};
	struct bx_err e = {0};
	int i;

	err_prog_init (argv[0]);
	if ((i = root_opt (argc, argv, &c.root)) < 0 || i >= argc)
		usage ();
	for (size_t k = 0; k < sizeof cmds / sizeof *cmds; k++) {
		if (strcmp (argv[i], cmds[k].name))
			continue;
		if ((c.rootfd = root_open (c.root, &e)) < 0)
			return err_report (&e);
		/* what a killed create or rm left (a readdir when there is none) */
		volume_reap (c.rootfd);
		return cmds[k].fn (&c, argc - i, argv + i);
	}
	usage ();
}
