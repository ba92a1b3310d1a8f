/* cmds - each command finds what it acts on through the model and the
 * project's labels, then runs (or becomes) the program that does it */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/human.h"
#include "cmds.h"
#include "down.h"
#include "proj.h"
#include "prog.h"
#include "sargs.h"
#include "up.h"

/* ARGV as COMMAND's, FIRST... before its own arguments */
static int
as_up (struct verbs_ctx *c, int argc, char **argv, const char *const *first)
{
	int n = 0;
	char **v;

	while (first[n])
		n++;
	v = calloc ((size_t)(argc + n + 1), sizeof *v);
	for (int k = 0; k < n; k++)
		v[k] = (char *)first[k];
	for (int k = 1; k < argc; k++)
		v[n + k - 1] = argv[k];
	int rc = up_cmd (c, argc - 1 + n, v);
	free (v);
	return rc;
}

int
cmds_create (struct verbs_ctx *c, int argc, char **argv)
{
	static const char *const first[] = {"up", "--no-start", NULL};

	for (int k = 1; k < argc; k++)
		if (!strcmp (argv[k], "-d") || !strcmp (argv[k], "--detach"))
			err_die (BX_USAGE, "create: unknown flag: %s", argv[k]);
	return as_up (c, argc, argv, first);
}

/* scale [--no-deps] SERVICE=N...: as Compose, the services converge to
 * those scales (changed containers recreated), detached */
int
cmds_scale (struct verbs_ctx *c, int argc, char **argv)
{
	struct prog_argv v = {0};
	int rc, n = 0;

	prog_add (&v, "up");
	prog_add (&v, "-d");
	for (int k = 1; k < argc; k++) {
		if (!strcmp (argv[k], "--no-deps")) {
			prog_add (&v, argv[k]);
			continue;
		}
		const char *eq = strchr (argv[k], '=');
		if (argv[k][0] == '-' || !eq || eq == argv[k] || strspn (eq + 1, "0123456789") != strlen (eq + 1) ||
		    !eq[1])
			err_die (BX_USAGE, "invalid scale specifier: %s", argv[k]);
		prog_addf (&v, "--scale=%s", argv[k]);
		n++;
	}
	if (!n)
		err_die (BX_USAGE, "scale requires at least 1 argument: SERVICE=REPLICAS");
	for (int k = 1; k < argc; k++)
		if (strchr (argv[k], '='))
			prog_addf (&v, "%.*s", (int)(strchr (argv[k], '=') - argv[k]), argv[k]);
	/* up's getopt wants argv's NULL at the end */
	char **args = calloc (v.n + 1, sizeof *args);
	memcpy (args, v.v, v.n * sizeof *args);
	rc = up_cmd (c, (int)v.n, args);
	free (args);
	prog_free (&v);
	return rc;
}

/* --- the containers of a service ------------------------------------------ */

struct found {
	struct model m;
	json_t *ctrs; /* the project's, not one-off */
};

static int
found_load (struct verbs_ctx *c, const char *const *want, struct found *f, struct bx_err *e)
{
	json_t *all = NULL, *x;
	size_t k;

	memset (f, 0, sizeof *f);
	if (model_load (&c->mo, want, &f->m, e) < 0 || proj_containers (f->m.name, &all, e) < 0)
		return -1;
	f->ctrs = json_array ();
	json_array_foreach (all, k, x)
	{
		int match = !want || !*want;
		for (int w = 0; want && want[w]; w++)
			match |= !strcmp (want[w], proj_label (x, PROJ_L_SERVICE));
		if (match && strcmp (proj_label (x, PROJ_L_ONEOFF), "True"))
			json_array_append (f->ctrs, x);
	}
	json_decref (all);
	return 0;
}

static void
found_free (struct found *f)
{
	model_free (&f->m);
	json_decref (f->ctrs);
}

/* the id of SERVICE's container INDEX, dying as Compose says it when none */
static const char *
found_one (const struct found *f, const char *service, int index)
{
	json_t *x;
	size_t k;

	json_array_foreach (f->ctrs, k, x) if (!strcmp (proj_label (x, PROJ_L_SERVICE), service) &&
	                                       atoi (proj_label (x, PROJ_L_NUMBER)) ==
	                                           index) return json_string_value (json_object_get (x, "Id"));
	err_die (BX_NOTFOUND, "service \"%s\" is not running", service);
}

static int
index_arg (const char *s)
{
	char *end;
	long v = strtol (s, &end, 10);

	if (*end || end == s || v < 1)
		err_die (BX_USAGE, "invalid index: %s", s);
	return (int)v;
}

/* port [--index N] [--protocol tcp|udp] SERVICE PRIVATE_PORT */
int
cmds_port (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"index", required_argument, NULL, 'I'}, {"protocol", required_argument, NULL, 'P'}, {0, 0, 0, 0}};
	const char *proto = "tcp";
	struct bx_err e = {0};
	struct found f;
	_cleanup_free_ char *out = NULL;
	char port[64];
	int ch, index = 1, rc;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'I': index = index_arg (optarg); break;
		case 'P': proto = optarg; break;
		default: return BX_USAGE;
		}
	}
	if (argc - optind != 2)
		err_die (BX_USAGE, "port requires exactly 2 arguments: SERVICE PRIVATE_PORT");
	const char *want[] = {argv[optind], NULL};
	if (found_load (c, want, &f, &e) < 0) {
		found_free (&f);
		return err_report (&e);
	}
	snprintf (port, sizeof port, "%s/%s", argv[optind + 1], proto);
	rc = prog_call (&out, &e, "ctr-net", "port", found_one (&f, argv[optind], index), port, NULL);
	found_free (&f);
	if (rc)
		return rc < 0 ? err_report (&e) : rc;
	/* Compose prints the first binding */
	if (out && *out)
		printf ("%.*s\n", (int)strcspn (out, "\n"), out);
	return 0;
}

/* SERVICE:PATH, not a host path that has a colon */
static int
is_service_path (const char *s)
{
	return strchr (s, ':') && s[0] != '/' && s[0] != '.' && s[0] != '-';
}

/* cp [--index N] [-a] [-L] SERVICE:SRC DEST | SRC SERVICE:DEST */
int
cmds_cp (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"index", required_argument, NULL, 'I'},
	                                   {"archive", no_argument, NULL, 'a'},
	                                   {"follow-link", no_argument, NULL, 'L'},
	                                   {"all", no_argument, NULL, 'A'},
	                                   {0, 0, 0, 0}};
	struct prog_argv a = {0};
	struct bx_err e = {0};
	struct found f;
	int ch, index = 1;

	prog_add (&a, "ctr-cp");
	optind = 1;
	while ((ch = getopt_long (argc, argv, "aL", lo, NULL)) != -1) {
		switch (ch) {
		case 'I': index = index_arg (optarg); break;
		case 'a': prog_add (&a, "-a"); break;
		case 'L': prog_add (&a, "-L"); break;
		case 'A': err_die (BX_FAIL, "cp --all: not implemented");
		default: return BX_USAGE;
		}
	}
	if (argc - optind != 2)
		err_die (BX_USAGE, "cp requires exactly 2 arguments: SRC DEST");
	int from = is_service_path (argv[optind]), to = is_service_path (argv[optind + 1]);
	if (from && to)
		err_die (BX_USAGE, "copying between services is not supported");
	if (!from && !to)
		err_die (BX_USAGE, "unknown copy direction");
	int side = from ? optind : optind + 1;
	_cleanup_free_ char *service = strndup (argv[side], strcspn (argv[side], ":"));
	const char *want[] = {service, NULL};
	if (found_load (c, want, &f, &e) < 0) {
		found_free (&f);
		prog_free (&a);
		return err_report (&e);
	}
	for (int k = optind; k < optind + 2; k++)
		if (k == side)
			prog_addf (&a, "%s%s", found_one (&f, service, index), strchr (argv[k], ':'));
		else
			prog_add (&a, argv[k]);
	found_free (&f);
	prog_exec (&a, &e);
	return err_report (&e);
}

/* commit [--index N] [-a A] [-c C]... [-m M] [-p] SERVICE [REPO[:TAG]] */
int
cmds_commit (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"index", required_argument, NULL, 'I'},  {"author", required_argument, NULL, 'a'},
	    {"change", required_argument, NULL, 'c'}, {"message", required_argument, NULL, 'm'},
	    {"pause", optional_argument, NULL, 'p'},  {0, 0, 0, 0}};
	struct prog_argv a = {0};
	struct bx_err e = {0};
	struct found f;
	int ch, index = 1;

	prog_add (&a, "ctr-commit");
	optind = 1;
	while ((ch = getopt_long (argc, argv, "a:c:m:p", lo, NULL)) != -1) {
		switch (ch) {
		case 'I': index = index_arg (optarg); break;
		case 'a':
		case 'c':
		case 'm': prog_addf (&a, "-%c", ch), prog_add (&a, optarg); break;
		case 'p': prog_addf (&a, "--pause=%s", optarg ? optarg : "true"); break;
		default: return BX_USAGE;
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		err_die (BX_USAGE, "commit requires 1 or 2 arguments: SERVICE [REPOSITORY[:TAG]]");
	const char *want[] = {argv[optind], NULL};
	if (found_load (c, want, &f, &e) < 0) {
		found_free (&f);
		prog_free (&a);
		return err_report (&e);
	}
	prog_add (&a, found_one (&f, argv[optind], index));
	if (argc - optind == 2)
		prog_add (&a, argv[optind + 1]);
	found_free (&f);
	prog_exec (&a, &e);
	return err_report (&e);
}

/* export [--index N] [-o FILE] SERVICE */
int
cmds_export (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"index", required_argument, NULL, 'I'}, {"output", required_argument, NULL, 'o'}, {0, 0, 0, 0}};
	struct prog_argv a = {0};
	struct bx_err e = {0};
	struct found f;
	int ch, index = 1;

	prog_add (&a, "ctr-cp");
	prog_add (&a, "export");
	optind = 1;
	while ((ch = getopt_long (argc, argv, "o:", lo, NULL)) != -1) {
		switch (ch) {
		case 'I': index = index_arg (optarg); break;
		case 'o': prog_add (&a, "-o"), prog_add (&a, optarg); break;
		default: return BX_USAGE;
		}
	}
	if (argc - optind != 1)
		err_die (BX_USAGE, "export requires exactly 1 argument: SERVICE");
	const char *want[] = {argv[optind], NULL};
	if (found_load (c, want, &f, &e) < 0) {
		found_free (&f);
		prog_free (&a);
		return err_report (&e);
	}
	prog_add (&a, found_one (&f, argv[optind], index));
	found_free (&f);
	prog_exec (&a, &e);
	return err_report (&e);
}

/* --- images ---------------------------------------------------------------- */

/* the sizes of the images IDS (a set), one img-list inspect */
static json_t *
image_sizes (const json_t *ids, struct bx_err *e)
{
	struct prog_argv a = {0};
	_cleanup_free_ char *out = NULL;
	json_t *sizes = json_object (), *v;
	const char *id;

	prog_add (&a, "img-list");
	prog_add (&a, "inspect");
	prog_add (&a, "-f");
	prog_add (&a, "{{.Id}} {{.Size}}");
	json_object_foreach ((json_t *)ids, id, v) prog_add (&a, id);
	if (json_object_size (ids) && prog_run (&a, &out, e) == 0) {
		char *sv = NULL;
		for (char *l = strtok_r (out, "\n", &sv); l; l = strtok_r (NULL, "\n", &sv)) {
			char *sp = strchr (l, ' ');
			if (sp) {
				*sp = '\0';
				json_object_set_new (sizes, l + (strncmp (l, "sha256:", 7) ? 0 : 7),
				                     json_integer (strtoll (sp + 1, NULL, 10)));
			}
		}
	}
	prog_free (&a);
	return sizes;
}

/* REF's familiar repository and tag, as Compose shows them */
static void
repo_tag (const char *ref, char *repo, size_t rlen, char *tag, size_t tlen)
{
	const char *at = strchr (ref, '@'), *slash = strrchr (ref, '/'), *colon;
	size_t n = at ? (size_t)(at - ref) : strlen (ref);

	colon = memrchr (ref, ':', n);
	if (colon && slash && colon < slash)
		colon = NULL;
	snprintf (repo, rlen, "%.*s", (int)(colon ? (size_t)(colon - ref) : n), ref);
	snprintf (tag, tlen, "%s", colon ? colon + 1 : at ? "<none>" : "latest");
	if (colon && at)
		tag[at - colon - 1] = '\0';
	if (!strncmp (repo, "docker.io/library/", 18))
		memmove (repo, repo + 18, strlen (repo + 18) + 1);
	else if (!strncmp (repo, "docker.io/", 10))
		memmove (repo, repo + 10, strlen (repo + 10) + 1);
}

static const char *
image_id (const json_t *c)
{
	const char *id = json_string_value (json_object_get (c, "Image")) ?: "";

	return strncmp (id, "sha256:", 7) ? id : id + 7;
}

/* Compose's table: tabwriter, columns at least 20 wide, 3 spaces apart */
static void
images_table (const json_t *rows)
{
	static const char *const head[] = {"CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE"};
	static const char *const keys[] = {"ContainerName", "Repository", "Tag", "ID", "Size"};
	int w[5] = {0};
	json_t *r;
	size_t k;

	for (int i = 0; i < 5; i++)
		w[i] = (int)strlen (head[i]);
	json_array_foreach (rows, k, r) for (int i = 0; i < 3; i++)
	{
		int n = (int)strlen (json_string_value (json_object_get (r, keys[i])) ?: "");
		w[i] = n > w[i] ? n : w[i];
	}
	for (int i = 0; i < 4; i++)
		w[i] = w[i] + 3 > 20 ? w[i] + 3 : 20;
	printf ("%-*s%-*s%-*s%-*s%s\n", w[0], head[0], w[1], head[1], w[2], head[2], w[3], head[3], head[4]);
	json_array_foreach (rows, k, r)
	{
		char size[32], id[16];
		human_size ((double)json_integer_value (json_object_get (r, "Size")), 3, size, sizeof size);
		snprintf (id, sizeof id, "%.12s", json_string_value (json_object_get (r, "ID")));
		printf ("%-*s%-*s%-*s%-*s%s\n", w[0], json_string_value (json_object_get (r, keys[0])), w[1],
		        json_string_value (json_object_get (r, keys[1])), w[2],
		        json_string_value (json_object_get (r, keys[2])), w[3], id, size);
	}
}

/* images [-q] [--format table|json] [SERVICE...] */
int
cmds_images (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"quiet", no_argument, NULL, 'q'}, {"format", required_argument, NULL, 'F'}, {0, 0, 0, 0}};
	const char *fmt = "table";
	struct bx_err e = {0};
	struct found f;
	json_t *ids = json_object (), *rows = json_array (), *sizes, *x;
	size_t k;
	int ch, quiet = 0;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "q", lo, NULL)) != -1) {
		switch (ch) {
		case 'q': quiet = 1; break;
		case 'F': fmt = optarg; break;
		default: return BX_USAGE;
		}
	}
	if (strcmp (fmt, "table") && strcmp (fmt, "json"))
		err_die (BX_USAGE, "unsupported format \"%s\"", fmt);
	if (found_load (c, (const char *const *)argv + optind, &f, &e) < 0) {
		found_free (&f);
		return err_report (&e);
	}
	json_array_foreach (f.ctrs, k, x)
	{
		if (quiet && !json_object_get (ids, image_id (x)))
			printf ("%s\n", image_id (x));
		json_object_set_new (ids, image_id (x), json_true ());
	}
	if (!quiet) {
		sizes = image_sizes (ids, &e);
		json_array_foreach (f.ctrs, k, x)
		{
			char repo[512], tag[256];
			repo_tag (json_string_value (json_object_get (json_object_get (x, "Config"), "Image")) ?: "",
			          repo, sizeof repo, tag, sizeof tag);
			json_array_append_new (rows,
			                       json_pack ("{s:s, s:s, s:s, s:s, s:O*}", "ID", image_id (x),
			                                  "ContainerName", proj_name (x), "Repository", repo, "Tag",
			                                  tag, "Size", json_object_get (sizes, image_id (x))));
		}
		json_decref (sizes);
		if (!strcmp (fmt, "json")) {
			json_dumpf (rows, stdout, JSON_COMPACT);
			putchar ('\n');
		} else
			images_table (rows);
	}
	json_decref (rows);
	json_decref (ids);
	found_free (&f);
	return 0;
}

/* push [--ignore-push-failures] [-q] [SERVICE...]: the images of the
 * services that build one and name it, as Compose pushes */
int
cmds_push (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"ignore-push-failures", no_argument, NULL, 'i'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"include-deps", no_argument, NULL, 'D'},
	                                   {0, 0, 0, 0}};
	struct model m = {0};
	struct bx_err e = {0};
	json_t *sel, *s;
	size_t k;
	int ch, ignore = 0, quiet = 0, deps = 0, rc = 0;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "q", lo, NULL)) != -1) {
		switch (ch) {
		case 'i': ignore = 1; break;
		case 'q': quiet = 1; break;
		case 'D': deps = 1; break;
		default: return BX_USAGE;
		}
	}
	if (model_load (&c->mo, (const char *const *)argv + optind, &m, &e) < 0) {
		model_free (&m);
		return err_report (&e);
	}
	sel = up_selection (&m, (const char *const *)argv + optind, !deps);
	json_array_foreach (sel, k, s)
	{
		const json_t *svc = json_object_get (json_object_get (m.p, "services"), json_string_value (s));
		const char *image = json_string_value (json_object_get (svc, "image"));
		if (!image || !json_object_get (svc, "build"))
			continue;
		if (!quiet)
			fprintf (stderr, "Pushing %s: %s\n", json_string_value (s), image);
		if (prog_call (NULL, &e, "img-push", "-q", image, NULL) != 0 && !ignore) {
			rc = err_report (&e);
			if (!rc)
				rc = BX_FAIL;
			break;
		}
	}
	json_decref (sel);
	model_free (&m);
	return rc;
}

/* --- wait ------------------------------------------------------------------ */

/* wait [--down-project] SERVICE...: a ctr-wait per container; each exit
 * said as Compose says it; the exit code is the last one's. With
 * --down-project the project goes down once they all have stopped. */
int
cmds_wait (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"down-project", no_argument, NULL, 'D'}, {0, 0, 0, 0}};
	struct bx_err e = {0};
	struct found f;
	int ch, down = 0, code = 0;
	size_t k, n;
	json_t *x;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		if (ch != 'D')
			return BX_USAGE;
		down = 1;
	}
	if (optind >= argc)
		err_die (BX_USAGE, "wait requires at least 1 argument: SERVICE");
	if (found_load (c, (const char *const *)argv + optind, &f, &e) < 0) {
		found_free (&f);
		return err_report (&e);
	}
	n = json_array_size (f.ctrs);
	if (!n)
		err_die (BX_FAIL, "no containers for project \"%s\"", f.m.name);
	pid_t *pids = calloc (n, sizeof *pids);
	int *fds = calloc (n, sizeof *fds);
	json_array_foreach (f.ctrs, k, x)
	{
		struct prog_argv a = {0};
		prog_add (&a, "ctr-wait");
		prog_add (&a, json_string_value (json_object_get (x, "Id")));
		pids[k] = prog_start (&a, &fds[k], -1, &e);
		prog_free (&a);
	}
	for (size_t left = n; left > 0; left--) {
		int st;
		pid_t p = waitpid (-1, &st, 0);
		for (k = 0; k < n && pids[k] != p; k++)
			;
		if (k == n) {
			left++;
			continue;
		}
		char buf[64] = "";
		ssize_t r = read (fds[k], buf, sizeof buf - 1);
		buf[r > 0 ? r : 0] = '\0';
		close (fds[k]);
		code = atoi (buf);
		printf ("container \"%s\" exited with status code %d\n",
		        json_string_value (json_object_get (json_array_get (f.ctrs, k), "Id")), code);
		fflush (stdout);
	}
	free (pids);
	free (fds);
	found_free (&f);
	if (down) {
		char *v[] = {"down", "--remove-orphans", NULL};
		int rc = down_cmd (c, 2, v);
		if (rc)
			return rc;
	}
	return code;
}

/* --- pause, unpause ------------------------------------------------------- */

static int
is_paused (const json_t *c)
{
	return json_is_true (json_object_get (json_object_get (c, "State"), "Paused"));
}

/* one ctr-pause for the services' running (paused) containers */
static int
freeze (struct verbs_ctx *c, int argc, char **argv, int thaw)
{
	struct prog_argv a = {0};
	struct bx_err e = {0};
	struct found f;
	json_t *x;
	size_t k;
	int rc = 0;

	if (argc > 1 && argv[1][0] == '-')
		err_die (BX_USAGE, "%s: unknown flag: %s", argv[0], argv[1]);
	if (found_load (c, (const char *const *)argv + 1, &f, &e) < 0) {
		found_free (&f);
		return err_report (&e);
	}
	prog_add (&a, "ctr-pause");
	if (thaw)
		prog_add (&a, "--unpause");
	json_array_foreach (f.ctrs, k, x) if (proj_running (x) && is_paused (x) == thaw)
	    prog_add (&a, json_string_value (json_object_get (x, "Id")));
	if (a.n > (size_t)(thaw ? 2 : 1)) {
		_cleanup_free_ char *out = NULL;
		rc = prog_run (&a, &out, &e);
		if (rc < 0)
			rc = err_report (&e);
	}
	json_array_foreach (f.ctrs, k, x) if (rc == 0 && proj_running (x) && is_paused (x) == thaw)
	    fprintf (stderr, "Container %s  %s\n", proj_name (x), thaw ? "Unpaused" : "Paused");
	prog_free (&a);
	found_free (&f);
	return rc;
}

int
cmds_pause (struct verbs_ctx *c, int argc, char **argv)
{
	return freeze (c, argc, argv, 0);
}

int
cmds_unpause (struct verbs_ctx *c, int argc, char **argv)
{
	return freeze (c, argc, argv, 1);
}

/* --- top ------------------------------------------------------------------- */

/* ctr-top's table into rows of cells: a column starts where its title
 * does (tabwriter aligns left), the last one runs to the end of the line */
static void
top_parse (char *out, json_t *titles, json_t *rows, const char *service, const char *replica)
{
	size_t starts[32], n = 0;
	char *sv = NULL, *line = strtok_r (out, "\n", &sv);

	for (char *p = line; p && *p && n < 32;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		starts[n++] = (size_t)(p - line);
		size_t w = strcspn (p, " ");
		if (!json_array_size (titles) || json_array_size (titles) < n)
			json_array_append_new (titles, json_stringn (p, w));
		p += w;
	}
	while ((line = strtok_r (NULL, "\n", &sv))) {
		json_t *r = json_pack ("[s,s]", service, replica);
		size_t len = strlen (line);
		for (size_t i = 0; i < n; i++) {
			size_t a = starts[i] < len ? starts[i] : len,
			       b = i + 1 < n && starts[i + 1] < len ? starts[i + 1] : len;
			while (b > a && line[b - 1] == ' ' && i + 1 < n)
				b--;
			json_array_append_new (r, json_stringn (line + a, b - a));
		}
		json_array_append_new (rows, r);
	}
}

/* a cell of Compose's top table: tabwriter, minwidth 4, padding 2; the
 * last of a line unpadded */
static void
top_cell (const char *s, int w, int last)
{
	if (last)
		printf ("%s\n", s ? s : "");
	else
		printf ("%-*s", w + 2 > 4 ? w + 2 : 4, s ? s : "");
}

static void
top_print (const json_t *titles, const json_t *rows)
{
	size_t n = json_array_size (titles) + 2, i, k;
	int *w = calloc (n, sizeof *w);
	json_t *r, *head = json_pack ("[s,s]", "SERVICE", "#");

	json_array_extend (head, (json_t *)titles);
	json_array_foreach (head, i, r) w[i] = (int)strlen (json_string_value (r));
	json_array_foreach (rows, k, r) for (i = 0; i < n; i++)
	{
		int l = (int)strlen (json_string_value (json_array_get (r, i)) ?: "");
		w[i] = l > w[i] ? l : w[i];
	}
	for (i = 0; i < n; i++)
		top_cell (json_string_value (json_array_get (head, i)), w[i], i + 1 == n);
	json_array_foreach (rows, k, r) for (i = 0; i < n; i++)
	    top_cell (json_string_value (json_array_get (r, i)), w[i], i + 1 == n);
	json_decref (head);
	free (w);
}

/* top [SERVICE...]: ctr-top of each running container, by name, as one table */
int
cmds_top (struct verbs_ctx *c, int argc, char **argv)
{
	struct bx_err e = {0};
	struct found f;
	json_t *titles = json_array (), *rows = json_array (), *x;
	size_t k;
	int rc = 0;

	if (argc > 1 && argv[1][0] == '-')
		err_die (BX_USAGE, "top: unknown flag: %s", argv[1]);
	if (found_load (c, (const char *const *)argv + 1, &f, &e) < 0) {
		found_free (&f);
		return err_report (&e);
	}
	json_array_foreach (f.ctrs, k, x)
	{
		_cleanup_free_ char *out = NULL;
		if (!proj_running (x))
			continue;
		if (prog_call (&out, &e, "ctr-top", json_string_value (json_object_get (x, "Id")), NULL) != 0) {
			rc = e.code ? err_report (&e) : BX_FAIL;
			break;
		}
		top_parse (out, titles, rows, proj_label (x, PROJ_L_SERVICE), proj_label (x, PROJ_L_NUMBER));
	}
	if (rc == 0 && json_array_size (rows))
		top_print (titles, rows);
	json_decref (titles);
	json_decref (rows);
	found_free (&f);
	return rc;
}

/* attach [--index N] [--detach-keys K] [--no-stdin] [--sig-proxy[=B]] SERVICE:
 * ctr-attach of the service's container N (1) */
int
cmds_attach (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"index", required_argument, NULL, 'I'},
	                                   {"detach-keys", required_argument, NULL, 'K'},
	                                   {"no-stdin", no_argument, NULL, 'N'},
	                                   {"sig-proxy", optional_argument, NULL, 'S'},
	                                   {0, 0, 0, 0}};
	struct prog_argv a = {0};
	struct bx_err e = {0};
	struct found f;
	int ch, index = 1;

	prog_add (&a, "ctr-attach");
	optind = 1;
	while ((ch = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'I': index = index_arg (optarg); break;
		case 'K': prog_add (&a, "--detach-keys"), prog_add (&a, optarg); break;
		case 'N': prog_add (&a, "--no-stdin"); break;
		case 'S': prog_addf (&a, "--sig-proxy=%s", optarg ? optarg : "true"); break;
		default: return BX_USAGE;
		}
	}
	if (argc - optind != 1)
		err_die (BX_USAGE, "attach requires exactly 1 argument: SERVICE");
	const char *want[] = {argv[optind], NULL};
	if (found_load (c, want, &f, &e) < 0) {
		found_free (&f);
		prog_free (&a);
		return err_report (&e);
	}
	prog_add (&a, found_one (&f, argv[optind], index));
	found_free (&f);
	prog_exec (&a, &e);
	return err_report (&e);
}
