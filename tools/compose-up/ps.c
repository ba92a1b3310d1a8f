/* ps - docker compose ps's columns: NAME IMAGE COMMAND SERVICE CREATED
 * STATUS PORTS, with ctr-list's words for each (one ctr-list for the rows,
 * the labels from proj) */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "proj.h"
#include "prog.h"
#include "ps.h"

/* ctr-list's JSON rows of the project, by name */
static json_t *
rows_of (const char *project, struct bx_err *e)
{
	_cleanup_free_ char *out = NULL;
	char filter[512];
	json_t *rows = json_object ();

	snprintf (filter, sizeof filter, "label=%s=%s", PROJ_L_PROJECT, project);
	if (prog_call (&out, e, "ctr-list", "-a", "--filter", filter, "--format", "json", NULL) != 0)
		return rows;
	char *sv = NULL;
	for (char *l = strtok_r (out, "\n", &sv); l; l = strtok_r (NULL, "\n", &sv)) {
		json_t *r = json_loads (l, 0, NULL);
		if (r)
			json_object_set_new (rows, json_string_value (json_object_get (r, "Names")) ?: "", r);
	}
	return rows;
}

static const char *
row_str (const json_t *row, const char *key)
{
	return json_string_value (json_object_get (row, key)) ?: "";
}

static void
print_table (const json_t *ctrs, const json_t *rows)
{
	json_t *c;
	size_t k;
	int w[5] = {4, 5, 7, 7, 7};

	json_array_foreach (ctrs, k, c)
	{
		const json_t *r = json_object_get (rows, proj_name (c));
		const char *cols[5] = {proj_name (c), row_str (r, "Image"), row_str (r, "Command"),
		                       proj_label (c, PROJ_L_SERVICE), row_str (r, "RunningFor")};
		for (int i = 0; i < 5; i++)
			if ((int)strlen (cols[i]) > w[i])
				w[i] = (int)strlen (cols[i]);
	}
	printf ("%-*s   %-*s   %-*s   %-*s   %-*s   %s   %s\n", w[0], "NAME", w[1], "IMAGE", w[2], "COMMAND", w[3],
	        "SERVICE", w[4], "CREATED", "STATUS", "PORTS");
	json_array_foreach (ctrs, k, c)
	{
		const json_t *r = json_object_get (rows, proj_name (c));
		printf ("%-*s   %-*s   %-*s   %-*s   %-*s   %s   %s\n", w[0], proj_name (c), w[1], row_str (r, "Image"),
		        w[2], row_str (r, "Command"), w[3], proj_label (c, PROJ_L_SERVICE), w[4],
		        row_str (r, "RunningFor"), row_str (r, "Status"), row_str (r, "Ports"));
	}
}

static void
print_json (const json_t *ctrs, const json_t *rows)
{
	json_t *c;
	size_t k;

	json_array_foreach (ctrs, k, c)
	{
		const json_t *r = json_object_get (rows, proj_name (c));
		json_t *o = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "ID",
		                       json_string_value (json_object_get (c, "Id")), "Name", proj_name (c), "Image",
		                       row_str (r, "Image"), "Command", row_str (r, "Command"), "Project",
		                       proj_label (c, PROJ_L_PROJECT), "Service", proj_label (c, PROJ_L_SERVICE),
		                       "State", row_str (r, "State"), "Status", row_str (r, "Status"), "Ports",
		                       row_str (r, "Ports"), "RunningFor", row_str (r, "RunningFor"), "ExitCode",
		                       json_integer_value (json_object_get (json_object_get (c, "State"), "ExitCode")));
		char *s = json_dumps (o, JSON_COMPACT | JSON_SORT_KEYS);
		printf ("%s\n", s ? s : "{}");
		free (s);
		json_decref (o);
	}
}

static void
status_add (const char *v, json_t *status)
{
	static const char *const known[] = {"paused", "restarting", "removing", "running",
	                                    "dead",   "created",    "exited",   NULL};

	for (int k = 0; known[k]; k++)
		if (!strcmp (known[k], v)) {
			json_object_set_new (status, v, json_true ());
			return;
		}
	err_die (BX_USAGE, "invalid status: %s", v);
}

/* --filter KEY=VALUE: Compose has the one key, status */
static void
filter_status (const char *f, json_t *status)
{
	const char *eq = strchr (f, '=');

	if (!eq)
		err_die (BX_USAGE, "invalid filter \"%s\"", f);
	if (strncmp (f, "status=", 7))
		err_die (BX_USAGE, "invalid filter \"%.*s\"", (int)(eq - f), f);
	status_add (eq + 1, status);
}

static const char *
state_of (const json_t *c)
{
	return json_string_value (json_object_get (json_object_get (c, "State"), "Status")) ?: "";
}

int
ps_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"all", no_argument, NULL, 'a'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"services", no_argument, NULL, 's'},
	                                   {"format", required_argument, NULL, 'F'},
	                                   {"filter", required_argument, NULL, 'f'},
	                                   {"status", required_argument, NULL, 'S'},
	                                   {0, 0, 0, 0}};
	struct model m = {0};
	struct bx_err e = {0};
	const char *fmt = "table";
	int ch, all = 0, quiet = 0, services = 0;
	json_t *ctrs = NULL, *sel = json_array (), *x, *rows, *status = json_object ();
	size_t k;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "aq", lo, NULL)) != -1) {
		switch (ch) {
		case 'a': all = 1; break;
		case 'q': quiet = 1; break;
		case 's': services = 1; break;
		case 'F': fmt = optarg; break;
		case 'f': filter_status (optarg, status); break;
		case 'S': status_add (optarg, status); break;
		default: return BX_USAGE;
		}
	}
	if (strcmp (fmt, "table") && strcmp (fmt, "json"))
		err_die (BX_FAIL, "ps --format %s: not implemented", fmt);
	if (model_load (&c->mo, (const char *const *)argv + optind, &m, &e) < 0 ||
	    proj_containers (m.name, &ctrs, &e) < 0) {
		model_free (&m);
		json_decref (sel);
		return err_report (&e);
	}
	json_array_foreach (ctrs, k, x)
	{
		int match = optind >= argc;
		for (int w = optind; w < argc; w++)
			match |= !strcmp (argv[w], proj_label (x, PROJ_L_SERVICE));
		if (json_object_size (status))
			match &= json_object_get (status, state_of (x)) != NULL;
		if (match && (all || json_object_size (status) || proj_running (x)) &&
		    strcmp (proj_label (x, PROJ_L_ONEOFF), "True"))
			json_array_append (sel, x);
	}
	if (quiet || services) {
		json_t *seen = json_object ();
		json_array_foreach (sel, k, x)
		{
			const char *s =
			    services ? proj_label (x, PROJ_L_SERVICE) : json_string_value (json_object_get (x, "Id"));
			if (!json_object_get (seen, s))
				printf ("%s\n", s);
			json_object_set_new (seen, s, json_true ());
		}
		json_decref (seen);
	} else {
		rows = rows_of (m.name, &e);
		!strcmp (fmt, "json") ? print_json (sel, rows) : print_table (sel, rows);
		json_decref (rows);
	}
	json_decref (sel);
	json_decref (ctrs);
	json_decref (status);
	model_free (&m);
	return 0;
}

/* ls: running(N), exited(N) per project, and its config files */
int
ps_ls_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"all", no_argument, NULL, 'a'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"format", required_argument, NULL, 'F'},
	                                   {0, 0, 0, 0}};
	struct bx_err e = {0};
	json_t *ctrs = NULL, *projects = json_object (), *x, *p;
	const char *fmt = "table", *name;
	int ch, all = 0, quiet = 0;
	size_t k;

	(void)c;
	optind = 1;
	while ((ch = getopt_long (argc, argv, "aq", lo, NULL)) != -1) {
		switch (ch) {
		case 'a': all = 1; break;
		case 'q': quiet = 1; break;
		case 'F': fmt = optarg; break;
		default: return BX_USAGE;
		}
	}
	if (proj_containers (NULL, &ctrs, &e) < 0)
		return err_report (&e);
	json_array_foreach (ctrs, k, x)
	{
		const char *pn = proj_label (x, PROJ_L_PROJECT);
		const char *st =
		    json_string_value (json_object_get (json_object_get (x, "State"), "Status")) ?: "created";
		if (!(p = json_object_get (projects, pn))) {
			p = json_pack ("{s:s, s:o, s:s}", "Name", pn, "counts", json_object (), "ConfigFiles",
			               proj_label (x, "com.docker.compose.project.config_files"));
			json_object_set_new (projects, pn, p);
		}
		json_t *counts = json_object_get (p, "counts");
		json_object_set_new (counts, st, json_integer (json_integer_value (json_object_get (counts, st)) + 1));
	}
	json_t *rows = json_array ();
	json_object_foreach (projects, name, p)
	{
		char status[256] = "";
		const char *st;
		json_t *n, *counts = json_object_get (p, "counts");
		if (!all && !json_object_get (counts, "running"))
			continue;
		json_object_foreach (counts, st, n)
		{
			snprintf (status + strlen (status), sizeof status - strlen (status), "%s%s(%lld)",
			          *status ? ", " : "", st, (long long)json_integer_value (n));
		}
		json_array_append_new (rows, json_pack ("{s:s, s:s, s:O}", "Name", name, "Status", status,
		                                        "ConfigFiles", json_object_get (p, "ConfigFiles")));
	}
	if (!strcmp (fmt, "json")) {
		json_dumpf (rows, stdout, JSON_COMPACT);
		putchar ('\n');
	} else {
		if (!quiet)
			printf ("%-20s%-20s%s\n", "NAME", "STATUS", "CONFIG FILES");
		json_array_foreach (rows, k, x)
		{
			const char *pn = json_string_value (json_object_get (x, "Name"));
			if (quiet)
				printf ("%s\n", pn);
			else
				printf ("%-20s%-20s%s\n", pn, json_string_value (json_object_get (x, "Status")),
				        json_string_value (json_object_get (x, "ConfigFiles")));
		}
	}
	json_decref (rows);
	json_decref (projects);
	json_decref (ctrs);
	return 0;
}
