/*
 * img-list - list, inspect, tag and remove the images of the store
 *
 * usage:  img-list [--root DIR] [-a] [-q] [--digests] [--no-trunc] [--format FMT]
 *                  [-f|--filter KEY=VALUE]... [-o FIELDS] [REPO[:TAG]]
 *         img-list [--root DIR] inspect [-f|--format TEMPLATE] NAME...
 *         img-list [--root DIR] history [--no-trunc] [-q] [-H|--human[=BOOL]]
 *                  [--format TEMPLATE] NAME
 *         img-list [--root DIR] tag SOURCE TARGET
 *         img-list [--root DIR] rm [-f] NAME...
 *         img-list [--root DIR] gc
 *         img-list [--root DIR] prune [-a] [-f] [--filter KEY=VALUE]...
 *                  [--bytes-fd N | --plus-bytes N]
 * stdin:  prune without -f reads the answer to Docker's question
 * stdout: list: Docker's table, ids (-q), JSON lines (--format json), a
 *         template per row, or -o's tab-separated fields (for scripts);
 *         inspect: a JSON array, or the template once per image;
 *         history: Docker's table (IMAGE, CREATED, CREATED BY, SIZE,
 *         COMMENT), newest first, ids (-q), or the template per row;
 *         tag: nothing; rm: "Untagged: NAME" and "Deleted: ID" lines as
 *         docker rmi prints them; gc: each removed blob's digest;
 *         prune: what docker image prune prints ("Deleted Images:",
 *         "untagged: REF" and "deleted: ID" lines, an empty line, "Total
 *         reclaimed space: SIZE"); with --bytes-fd N the section alone,
 *         and the bytes freed as a decimal line on fd N; --plus-bytes N
 *         adds N to the total (box system prune: the other parts' bytes)
 * reads:  images/index.json, images/blobs/sha256/, containers/<id>/image,
 *         layers/<hex>/ (list, inspect, history: a layer's size, else
 *         from its blob; cache/diffsize/<hex> once sized)
 * writes: images/index.json (tag, rm, prune); removes blobs (rm, gc,
 *         prune) and, through img-fetch --gc, partial downloads (prune);
 *         cache/diffsize/<hex>: a layer's size, once measured
 * locks:  images/lock while rewriting index.json; images/gc.lock
 *         (exclusive, never waited for) while removing blobs
 * exit:   0 ok, 1 failed, 2 usage or bad input (reference, filter,
 *         template, ambiguous id prefix), 3 no such image, 4 conflict (rm
 *         of an image in use or named in several repositories without -f;
 *         gc while blobs are being added), 5 system error;
 *         with several names, the first failure's code
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/confirm.h"
#include "base/err.h"
#include "base/gotmpl.h"
#include "base/human.h"
#include "base/layout.h"
#include "base/listfmt.h"
#include "base/lock.h"
#include "base/pfilter.h"
#include "base/root.h"
#include "image/imgset.h"
#include "image/store.h"
#include "layers/diffsize.h"
#include "img-list/imghist.h"
#include "img-list/imgprune.h"
#include "img-list/imgrm.h"
#include "img-list/imgrows.h"
#include "runtime/event.h"

#define DEF_TABLE "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"
#define HIST_TABLE "table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}"
#define HIST_TABLE_RAW "table {{.ID}}\\t{{.CreatedAt}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}"
#define DEF_TABLE_DIGESTS "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"

struct ctx {
	const char *root;
	int rootfd;
	struct store st;
};

struct list_opts {
	int quiet, notrunc;
	const char *format, *fields;
	struct imgrows_opts rows;
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-a] [-q] [--digests] [--no-trunc] [--format FMT] [-f KEY=VALUE]... [-o "
	         "FIELDS] [REPO[:TAG]]\n"
	         "       %s [--root DIR] inspect [-f TEMPLATE] NAME...\n"
	         "       %s [--root DIR] history [--no-trunc] [-q] [-H|--human[=BOOL]] [--format TEMPLATE] NAME\n"
	         "       %s [--root DIR] tag SOURCE TARGET\n"
	         "       %s [--root DIR] rm [-f] NAME...\n"
	         "       %s [--root DIR] gc\n"
	         "       %s [--root DIR] prune [-a] [-f] [--filter KEY=VALUE]... [--bytes-fd N | --plus-bytes N]\n",
	         bx_prog, bx_prog, bx_prog, bx_prog, bx_prog, bx_prog, bx_prog);
	exit (err_code (BX_USAGE));
}

static void
ctx_open (struct ctx *c)
{
	struct bx_err e = {0};

	if ((c->rootfd = root_open (c->root, &e)) < 0 || store_open (&c->st, c->rootfd, &e) < 0)
		exit (err_report (&e));
}

static void
load_set (struct ctx *c, struct imgset *set)
{
	struct bx_err e = {0};
	json_t *index = NULL;

	if (store_index_load (&c->st, &index, &e) < 0 || imgset_load (&c->st, index, set, &e) < 0)
		exit (err_report (&e));
	json_decref (index);
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

/* --- list -------------------------------------------------------------- */

static void
add_filter (struct imgrows_opts *o, const char *f)
{
	const char *v = strchr (f, '=');

	if (!v)
		err_flag_value (f, "-f, --filter", "bad format of filter (expected name=value)");
	v++;
	if (strncmp (f, "reference=", 10) == 0 && o->nrefs < IMGROWS_MAXFILTERS)
		o->refs[o->nrefs++] = v;
	else if (strncmp (f, "label=", 6) == 0 && o->nlabels < IMGROWS_MAXFILTERS)
		o->labels[o->nlabels++] = v;
	else if (strncmp (f, "dangling=", 9) == 0)
		o->dangling = strcmp (v, "true") == 0 || strcmp (v, "1") == 0 ? 1
		              : strcmp (v, "false") == 0 || strcmp (v, "0") == 0
		                  ? 0
		                  : (err_die (BX_USAGE, "Invalid filter 'dangling=[%s]'", v), 0);
	else if (strncmp (f, "before=", 7) == 0)
		o->before_ref = v;
	else if (strncmp (f, "since=", 6) == 0)
		o->since_ref = v;
	else if (strncmp (f, "until=", 6) == 0)
		err_die (BX_FAIL, "filter until: not implemented");
	else
		err_die (BX_USAGE, "Invalid filter '%.*s'", (int)(v - f - 1), f);
}

static const char *const FIELDS[] = {"ref", "repo", "tag", "digest", "id", "created", "size", NULL};

static void
check_fields (const char *fields)
{
	_cleanup_free_ char *copy = strdup (fields);
	char *save = NULL;

	for (char *f = strtok_r (copy, ",", &save); f; f = strtok_r (NULL, ",", &save)) {
		int ok = 0;
		for (int i = 0; FIELDS[i]; i++)
			ok |= strcmp (f, FIELDS[i]) == 0;
		if (!ok)
			err_die (BX_USAGE, "-o: unknown field '%s' (known: ref,repo,tag,digest,id,created,size)", f);
	}
	if (!copy || !*fields)
		err_die (BX_USAGE, "-o: no fields");
}

/* -o: tab-separated fields, for scripts and completion. */
static void
print_fields (const char *fields, const struct imgrow *r)
{
	_cleanup_free_ char *copy = strdup (fields);
	char *save = NULL;
	int first = 1;

	for (char *f = strtok_r (copy, ",", &save); f; f = strtok_r (NULL, ",", &save), first = 0) {
		const int none = strcmp (r->tag, "<none>") == 0, nodg = !r->digest[0] || !strcmp (r->digest, "<none>");
		fputs (first ? "" : "\t", stdout);
		if (!strcmp (f, "ref") && !none)
			printf ("%s:%s", r->repo, r->tag);
		else if (!strcmp (f, "ref") && !nodg)
			printf ("%s@%s", r->repo, r->digest);
		else if (!strcmp (f, "ref"))
			printf ("%.12s", r->en->id + 7);
		else if (!strcmp (f, "repo") || !strcmp (f, "tag"))
			fputs (f[0] == 'r' ? r->repo : r->tag, stdout);
		else if (!strcmp (f, "digest"))
			fputs (nodg ? "" : r->digest, stdout);
		else if (!strcmp (f, "id"))
			fputs (r->en->id, stdout);
		else if (!strcmp (f, "created") && r->en->created >= 0)
			printf ("%lld", (long long)r->en->created);
		else if (!strcmp (f, "size"))
			printf ("%lld", (long long)r->en->size);
	}
	putchar ('\n');
}

static int
print_rows (const struct list_opts *o, const struct imgrows *rows)
{
	struct listfmt f;
	struct bx_err e = {0};
	json_t *h = imgrows_headers ();
	time_t now = time (NULL);
	int rc = 0;

	if (listfmt_init (&f, o->format, o->rows.digests ? DEF_TABLE_DIGESTS : DEF_TABLE, &e) < 0)
		rc = -1;
	f.type = "*formatter.imageContext"; /* an unknown field's error names it, as docker's */
	if (rc == 0 && listfmt_header (&f, h, &e) < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < rows->n; i++) {
		json_t *rec = imgrows_record (&rows->v[i], o->notrunc, now);
		rc = listfmt_row (&f, rec, &e);
		json_decref (rec);
	}
	json_decref (h);
	if (rc == 0)
		rc = listfmt_print (&f, stdout, &e);
	listfmt_free (&f);
	return rc < 0 ? err_report_tmpl (&e, "template parsing error", BX_FAIL) : 0;
}

static void
list_parse (int argc, char **argv, struct ctx *c, struct list_opts *o, const char **match)
{
	enum { O_ROOT = 256, O_DIGESTS, O_NOTRUNC, O_FORMAT };
	static const struct option lo[] = {
	    {"root", required_argument, NULL, O_ROOT},  {"all", no_argument, NULL, 'a'},
	    {"quiet", no_argument, NULL, 'q'},          {"digests", no_argument, NULL, O_DIGESTS},
	    {"no-trunc", no_argument, NULL, O_NOTRUNC}, {"format", required_argument, NULL, O_FORMAT},
	    {"filter", required_argument, NULL, 'f'},   {0, 0, 0, 0}};
	int ch;

	o->rows.dangling = -1;
	while ((ch = getopt_long (argc, argv, "aqf:o:", lo, NULL)) != -1) {
		switch (ch) {
		case O_ROOT: c->root = optarg; break;
		case 'a': break; /* no intermediate images here: all are shown */
		case 'q': o->quiet = 1; break;
		case O_DIGESTS: o->rows.digests = 1; break;
		case O_NOTRUNC: o->notrunc = 1; break;
		case O_FORMAT: o->format = *optarg ? optarg : NULL; break; /* "": the default table */
		case 'f': add_filter (&o->rows, optarg); break;
		case 'o': check_fields (o->fields = optarg); break;
		default: err_flag (argv); usage ();
		}
	}
	if (argc - optind > 1)
		usage ();
	*match = optind < argc ? argv[optind] : NULL;
}

/* Entries whose blobs cannot be read are not images: say so, go on. */
static void
warn_unreadable (const struct imgset *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (!set->v[i].id[0])
			err_warn ("%s: %s, skipped", set->v[i].name ? set->v[i].name : set->v[i].mdigest,
			          set->v[i].err.msg);
}

/* before=, since=: when the image REF names was made (none: -1) */
static int64_t
ref_created (struct imgset *set, const char *ref)
{
	struct bx_err e = {0};
	int how, k;

	if (!ref)
		return -1;
	if ((k = imgset_find (set, ref, &how, &e)) < 0 || !set->v[k].id[0])
		exit (err_report (&e));
	return set->v[k].created;
}

static int
cmd_list (int argc, char **argv, struct ctx *c)
{
	struct list_opts o = {0};
	struct bx_err e = {0};
	struct imgset set;
	struct imgrows rows;
	const char *match;
	int rc = 0;

	list_parse (argc, argv, c, &o, &match);
	if (match && o.rows.nrefs < IMGROWS_MAXFILTERS)
		o.rows.refs[o.rows.nrefs++] = match;
	o.rows.need_digest = o.rows.digests || o.fields || (o.format && strstr (o.format, "{{.Digest}}"));
	ctx_open (c);
	load_set (c, &set);
	warn_unreadable (&set);
	if (!o.quiet || (o.format && strcmp (o.format, "table")))
		diffsize_set (&set);
	o.rows.before = ref_created (&set, o.rows.before_ref);
	o.rows.since = ref_created (&set, o.rows.since_ref);
	if (imgrows_build (&set, &o.rows, &rows, &e) < 0)
		exit (err_report (&e));
	if (o.fields)
		for (size_t i = 0; i < rows.n; i++)
			print_fields (o.fields, &rows.v[i]);
	else if (o.quiet && (!o.format || !strcmp (o.format, "table")))
		for (size_t i = 0; i < rows.n; i++) {
			char id[DIGEST_STR_LEN + 1];
			imgrows_id (&rows.v[i], o.notrunc, id, sizeof id);
			puts (id);
		}
	else
		rc = print_rows (&o, &rows);
	imgrows_free (&rows);
	imgset_free (&set);
	return finish (rc);
}

/* --- inspect ----------------------------------------------------------- */

static int
cmd_inspect (int argc, char **argv, struct ctx *c)
{
	enum { O_ROOT = 256 };
	static const struct option lo[] = {{"root", required_argument, NULL, O_ROOT},
	                                   {"format", required_argument, NULL, 'f'},
	                                   {"type", required_argument, NULL, 't'},
	                                   {0, 0, 0, 0}};
	const char *format = NULL;
	struct listfmt_insp in;
	struct imgset set;
	struct bx_err fe = {0};
	int ch, rc = 0;

	while ((ch = getopt_long (argc, argv, "f:", lo, NULL)) != -1) {
		switch (ch) {
		case O_ROOT: c->root = optarg; break;
		case 'f': format = optarg; break;
		case 't':
			if (strcmp (optarg, "image") != 0)
				err_die (BX_FAIL, "inspect --type %s: not implemented", optarg);
			break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind == argc)
		usage ();
	if (listfmt_insp_init (&in, format, NULL, &fe) < 0)
		return err_report_inspect (&fe);
	ctx_open (c);
	load_set (c, &set);
	for (int i = optind; i < argc; i++) {
		struct bx_err e = {0};
		int how, k = imgset_find (&set, argv[i], &how, &e);
		if (k >= 0 && !set.v[k].id[0])
			k = err_set (&e, set.v[k].err.code, 0, "%s: %s", argv[i], set.v[k].err.msg);
		if (k < 0) {
			int code = err_report (&e);
			rc = rc ? rc : code;
			continue;
		}
		diffsize_entry (&set, &set.v[k]);
		json_t *o = imgset_inspect (&set, (size_t)k);
		/* for a template, Docker's nil slices and maps typed */
		if (format)
			gotmpl_type_nils (o, imgset_nils);
		if (listfmt_insp_add (&in, o, &fe) < 0)
			rc = err_report_inspect (&fe);
	}
	if (listfmt_insp_print (&in, stdout, &fe) < 0)
		rc = err_report (&fe);
	listfmt_insp_free (&in);
	imgset_free (&set);
	return finish (rc);
}

/* --- history ----------------------------------------------------------- */

struct hist_opts {
	int notrunc, quiet, human;
	const char *format, *name;
};

static int
parse_bool (const char *s)
{
	static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True", NULL};
	static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False", NULL};

	for (int i = 0; yes[i]; i++)
		if (!strcmp (s, yes[i]))
			return 1;
	for (int i = 0; no[i]; i++)
		if (!strcmp (s, no[i]))
			return 0;
	err_die (BX_USAGE,
	         "invalid argument \"%s\" for \"-H, --human\" flag: strconv.ParseBool: parsing \"%s\": invalid "
	         "syntax",
	         s, s);
}

static void
hist_parse (int argc, char **argv, struct ctx *c, struct hist_opts *o)
{
	enum { O_ROOT = 256, O_NOTRUNC, O_FORMAT };
	static const struct option lo[] = {{"root", required_argument, NULL, O_ROOT},
	                                   {"no-trunc", no_argument, NULL, O_NOTRUNC},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"human", optional_argument, NULL, 'H'},
	                                   {"format", required_argument, NULL, O_FORMAT},
	                                   {0, 0, 0, 0}};
	int ch;

	o->human = 1;
	while ((ch = getopt_long (argc, argv, "qH::", lo, NULL)) != -1) {
		switch (ch) {
		case O_ROOT: c->root = optarg; break;
		case O_NOTRUNC: o->notrunc = 1; break;
		case 'q': o->quiet = 1; break;
		case 'H': o->human = optarg ? parse_bool (optarg + (*optarg == '=')) : 1; break;
		case O_FORMAT: o->format = *optarg ? optarg : NULL; break; /* "": the default table */
		default: err_flag (argv); usage ();
		}
	}
	if (argc - optind != 1)
		usage ();
	o->name = argv[optind];
}

/* NewHistoryFormat: -q and --human=false choose the table */
static const char *
hist_format (const struct hist_opts *o)
{
	if (o->format && strcmp (o->format, "table") != 0)
		return o->format;
	return o->quiet ? "{{.ID}}" : o->human ? HIST_TABLE : HIST_TABLE_RAW;
}

static int
print_hist (const struct hist_opts *o, const struct imghist *h)
{
	struct listfmt f;
	struct bx_err e = {0};
	json_t *hd = imghist_headers ();
	time_t now = time (NULL);
	int rc = 0;

	if (listfmt_init (&f, hist_format (o), HIST_TABLE, &e) < 0)
		rc = -1;
	f.type = "*image.historyContext"; /* an unknown field's error names it, as docker's */
	if (rc == 0 && listfmt_header (&f, hd, &e) < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < h->n; i++) {
		json_t *rec = imghist_record (&h->v[i], o->notrunc, o->human, now);
		rc = rec ? listfmt_row (&f, rec, &e) : err_set (&e, BX_SYSTEM, ENOMEM, "history");
		json_decref (rec);
	}
	json_decref (hd);
	if (rc == 0)
		rc = listfmt_print (&f, stdout, &e);
	listfmt_free (&f);
	return rc < 0 ? err_report_tmpl (&e, "template parsing error", BX_FAIL) : 0;
}

/* E under box for NAME when the daemon answers (docker tag, history):
 * a missing image is its "No such image", NAME as it parsed it, the tag
 * added ("nope:latest") */
static int
daemon_report (const struct bx_err *e, const char *name)
{
	const char *hex = strncmp (name, "sha256:", 7) == 0 ? name + 7 : name;
	struct bx_err ign = {0};
	struct ref r;
	char repo[600];

	if (!err_docker () || e->code != BX_NOTFOUND)
		return err_report (e);
	if ((strlen (hex) == DIGEST_HEX_LEN && ref_looks_like_id (hex)) || ref_parse (name, &r, &ign) < 0)
		fprintf (stderr, "Error response from daemon: No such image: %s\n", name);
	else {
		ref_familiar_repo (&r, repo, sizeof repo);
		fprintf (stderr, "Error response from daemon: No such image: %s%s%s\n", repo, r.digest[0] ? "@" : ":",
		         r.digest[0] ? r.digest : r.tag);
	}
	return err_code (e->code);
}

static int
cmd_history (int argc, char **argv, struct ctx *c)
{
	struct hist_opts o = {0};
	struct bx_err e = {0};
	struct imgset set;
	struct imghist h = {0};
	int how, k, rc;

	hist_parse (argc, argv, c, &o);
	ctx_open (c);
	load_set (c, &set);
	if ((k = imgset_find (&set, o.name, &how, &e)) >= 0 && !set.v[k].id[0])
		k = err_set (&e, set.v[k].err.code, 0, "%s: %s", o.name, set.v[k].err.msg);
	rc = k < 0 || imghist_build (&set, (size_t)k, c->rootfd, &h, &e) < 0 ? daemon_report (&e, o.name)
	                                                                     : print_hist (&o, &h);
	imghist_free (&h);
	imgset_free (&set);
	return finish (rc);
}

/* --- tag --------------------------------------------------------------- */

struct tag_op {
	const struct store *st;
	const char *src, *full;
	struct ref target;
	char id[80]; /* out: the image's id */
};

/* Under images/lock: the source must still be there when the tag lands. */
static int
tag_fn (json_t *index, void *arg, struct bx_err *e)
{
	struct tag_op *op = arg;
	struct imgset set;
	json_t *desc = NULL;
	int how, k, rc = -1;

	if (imgset_load (op->st, index, &set, e) < 0)
		return -1;
	if ((k = imgset_find (&set, op->src, &how, e)) >= 0 && !set.v[k].id[0])
		err_set (e, set.v[k].err.code, 0, "%s: %s", op->src, set.v[k].err.msg);
	else if (k >= 0 && !(desc = json_deep_copy (set.v[k].desc)))
		err_set (e, BX_SYSTEM, ENOMEM, "tag");
	if (desc) {
		snprintf (op->id, sizeof op->id, "%s", set.v[k].id);
		/* the registry digest belongs to the source's repository */
		const struct imgset_entry *en = &set.v[k];
		if (!en->has_ref || strcmp (en->r.domain, op->target.domain) || strcmp (en->r.path, op->target.path))
			json_object_del (json_object_get (desc, "annotations"), ANN_REPO_DIGEST);
		rc = store_index_tag (index, op->full, desc, e);
		json_decref (desc);
	}
	imgset_free (&set);
	return rc;
}

/* Docker's tag event: the image's id, the new name as Docker shows it */
static void
tag_event (const struct ctx *c, const struct tag_op *op)
{
	struct event_attrs a = {.len = 0};
	char fam[700];

	ref_familiar_repo (&op->target, fam, sizeof fam);
	snprintf (fam + strlen (fam), sizeof fam - strlen (fam), ":%s", op->target.tag);
	event_attrs_add (&a, "name", fam);
	event_log (c->rootfd, "image", "tag", op->id, &a);
}

/* A TARGET that is no reference, under box as the docker client says it:
 * 'Error parsing reference: "X" is not a valid repository/tag: ' and its
 * parser's words */
static int
target_report (const struct bx_err *e, const char *target)
{
	char why[sizeof e->msg];

	if (!err_docker ())
		return err_report (e);
	ref_docker_words (e->msg, target, why, sizeof why);
	fprintf (stderr, "Error parsing reference: \"%s\" is not a valid repository/tag: %s\n", target, why);
	return err_code (e->code);
}

static int
cmd_tag (int argc, char **argv, struct ctx *c)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'}, {0, 0, 0, 0}};
	struct tag_op op = {0};
	struct bx_err e = {0};
	char full[600];
	int ch;

	while ((ch = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		if (ch != 'R')
			usage ();
		c->root = optarg;
	}
	if (argc - optind != 2)
		usage ();
	if (ref_parse (argv[optind + 1], &op.target, &e) < 0)
		return target_report (&e, argv[optind + 1]);
	if (op.target.digest[0])
		err_die (BX_USAGE, "%s: refusing to create a tag with a digest reference", argv[optind + 1]);
	ref_full (&op.target, full, sizeof full);
	ctx_open (c);
	op.st = &c->st;
	op.src = argv[optind];
	op.full = full;
	if (store_index_update (&c->st, tag_fn, &op, &e) < 0)
		return daemon_report (&e, op.src);
	tag_event (c, &op);
	return 0;
}

/* --- rm, gc ------------------------------------------------------------ */

static void
print_blob (const char *digest, void *arg)
{
	(void)arg;
	puts (digest);
}

/* After rm: blobs nothing reaches go, unless a pull holds the store. */
static void
collect (struct ctx *c)
{
	struct gc_stats st;
	struct bx_err e = {0};

	if (store_gc (&c->st, LOCK_TRY, NULL, NULL, &st, &e) < 0)
		err_warn ("%s; blobs kept (img-list gc removes them)", e.msg);
}

/* Docker's untag and delete events of what rm did, the image's id as the
 * name too (as dockerd's) */
static void
rm_events (const struct ctx *c, const struct imgrm *op)
{
	struct event_attrs a = {.len = 0};
	json_t *l;
	size_t i;

	event_attrs_add (&a, "name", op->id);
	json_array_foreach (op->lines, i, l)
	{
		const char *s = json_string_value (l);
		event_log (c->rootfd, "image", strncmp (s, "Untagged: ", 10) ? "delete" : "untag", op->id, &a);
	}
}

static int
rm_one (struct ctx *c, const char *name, int force, int *deleted)
{
	struct imgrm op = {.st = &c->st, .rootfd = c->rootfd, .name = name, .force = force};
	struct bx_err e = {0};
	json_t *l;
	size_t i;

	if (!(op.lines = json_array ()))
		err_die (BX_SYSTEM, "out of memory");
	if (store_index_update (&c->st, imgrm_fn, &op, &e) < 0) {
		json_decref (op.lines);
		/* docker rmi -f: a missing image is said, and no failure */
		return force && e.code == BX_NOTFOUND && err_docker () ? (err_report (&e), 0) : err_report (&e);
	}
	rm_events (c, &op);
	json_array_foreach (op.lines, i, l) puts (json_string_value (l));
	*deleted |= op.deleted;
	json_decref (op.lines);
	return 0;
}

static int
cmd_rm (int argc, char **argv, struct ctx *c)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"force", no_argument, NULL, 'f'},
	                                   {"no-prune", no_argument, NULL, 'P'},
	                                   {0, 0, 0, 0}};
	int ch, force = 0, deleted = 0, rc = 0;

	while ((ch = getopt_long (argc, argv, "f", lo, NULL)) != -1) {
		switch (ch) {
		case 'R': c->root = optarg; break;
		case 'f': force = 1; break;
		case 'P': break; /* no parent images here */
		default: err_flag (argv); usage ();
		}
	}
	if (optind == argc)
		usage ();
	ctx_open (c);
	for (int i = optind; i < argc; i++) {
		int code = rm_one (c, argv[i], force, &deleted);
		rc = rc ? rc : code;
	}
	if (deleted)
		collect (c);
	return finish (rc);
}

static int
cmd_gc (int argc, char **argv, struct ctx *c)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'}, {0, 0, 0, 0}};
	struct gc_stats st;
	struct bx_err e = {0};
	int ch;

	while ((ch = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		if (ch != 'R')
			usage ();
		c->root = optarg;
	}
	if (optind != argc)
		usage ();
	ctx_open (c);
	if (store_gc (&c->st, LOCK_TRY, print_blob, NULL, &st, &e) < 0)
		return finish (err_report (&e));
	return finish (0);
}

/* --- prune ------------------------------------------------------------ */

/* One image by id, its lines as docker image prune words them. Without
 * force (a container made meanwhile keeps it), but an image named in
 * several repositories goes all the same, as in Docker's prune. */
static void
prune_one (struct ctx *c, const char *id, int *header)
{
	struct imgrm op = {.st = &c->st, .rootfd = c->rootfd, .name = id};
	struct bx_err e = {0};
	json_t *l;
	size_t i;

	for (int force = 0; force < 2; force++) {
		if (!(op.lines = json_array ()))
			err_die (BX_SYSTEM, "out of memory");
		op.force = force;
		if (store_index_update (&c->st, imgrm_fn, &op, &e) == 0)
			break;
		json_decref (op.lines);
		op.lines = NULL;
		if (!strstr (e.msg, "referenced in multiple repositories"))
			return;
		memset (&e, 0, sizeof e);
	}
	if (!op.lines)
		return;
	rm_events (c, &op);
	json_array_foreach (op.lines, i, l)
	{
		const char *s = json_string_value (l);
		printf ("%s%s%s\n", (*header)++ ? "" : "Deleted Images:\n",
		        !strncmp (s, "Untagged: ", 10) ? "untagged: " : "deleted: ", strchr (s, ' ') + 1);
	}
	json_decref (op.lines);
}

static int
prune_parse (int argc, char **argv, struct ctx *c, int *all, int *force, uint64_t *plus, struct pfilter *f)
{
	enum { O_BYTES_FD = 256, O_PLUS, O_FILTER };
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"all", no_argument, NULL, 'a'},
	                                   {"force", no_argument, NULL, 'f'},
	                                   {"filter", required_argument, NULL, O_FILTER},
	                                   {"bytes-fd", required_argument, NULL, O_BYTES_FD},
	                                   {"plus-bytes", required_argument, NULL, O_PLUS},
	                                   {0, 0, 0, 0}};
	struct bx_err e = {0};
	int ch, fd = -1;
	char *end;

	while ((ch = getopt_long (argc, argv, "af", lo, NULL)) != -1) {
		switch (ch) {
		case 'R': c->root = optarg; break;
		case 'a': *all = 1; break;
		case 'f': *force = 1; break;
		case O_BYTES_FD: fd = atoi (optarg); break;
		case O_FILTER:
			if (pfilter_add (f, optarg, &e) < 0)
				err_flag_value (optarg, "--filter", "%s", e.msg);
			break;
		case O_PLUS:
			*plus = strtoull (optarg, &end, 10);
			if (*end || end == optarg)
				usage ();
			break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind != argc)
		usage ();
	return fd;
}

static int
cmd_prune (int argc, char **argv, struct ctx *c)
{
	uint64_t partial = 0, plus = 0;
	struct pfilter f = {0};
	int all = 0, force = 0, header = 0, fd = prune_parse (argc, argv, c, &all, &force, &plus, &f);
	struct imgprune_opts o;
	struct bx_err e = {0};
	struct gc_stats st = {0};
	struct imgset set;
	char **ids = NULL, size[32];
	size_t n = 0;

	if (!force && !confirm_ask (stderr, stdin,
	                            all ? "WARNING! This will remove all images without at least one container "
	                                  "associated to them."
	                                : "WARNING! This will remove all dangling images."))
		return 0;
	if (imgprune_opts_read (&o, &f, all, &e) < 0)
		exit (err_report (&e));
	ctx_open (c);
	load_set (c, &set);
	if (imgprune_candidates (&set, c->rootfd, &o, &ids, &n, &e) < 0)
		exit (err_report (&e));
	for (size_t i = 0; i < n; i++)
		prune_one (c, ids[i], &header);
	imgprune_ids_free (ids, n);
	imgset_free (&set);
	if (store_gc (&c->st, LOCK_TRY, NULL, NULL, &st, &e) < 0)
		err_warn ("%s; blobs kept (img-list gc removes them)", e.msg);
	memset (&e, 0, sizeof e);
	if (imgprune_partials (root_path (c->root), &partial, &e) < 0)
		err_warn ("%s", e.msg);
	if (header)
		putchar ('\n');
	if (fd >= 0)
		dprintf (fd, "%llu\n", (unsigned long long)(st.bytes + partial));
	else {
		human_size ((double)(st.bytes + partial + plus), 4, size, sizeof size);
		printf ("Total reclaimed space: %s\n", size);
	}
	return finish (0);
}

static const struct {
	const char *name;
	int (*fn) (int, char **, struct ctx *);
} CMDS[] = {{"inspect", cmd_inspect}, {"history", cmd_history}, {"tag", cmd_tag}, {"rm", cmd_rm},
            {"gc", cmd_gc},           {"prune", cmd_prune},     {NULL, NULL}};

int
main (int argc, char **argv)
{
	struct ctx c = {0};
	int i = 1;

	err_prog_init (argv[0]);
	/* global options before the subcommand; each subcommand takes --root too */
	while (i < argc && strcmp (argv[i], "--root") == 0 && i + 1 < argc)
		c.root = argv[i + 1], i += 2;
	while (i < argc && strncmp (argv[i], "--root=", 7) == 0)
		c.root = argv[i++] + 7;
	for (int k = 0; i < argc && CMDS[k].name; k++)
		if (strcmp (argv[i], CMDS[k].name) == 0)
			return CMDS[k].fn (argc - i, argv + i, &c);
	return cmd_list (argc, argv, &c);
}
