/* events - one sys-events filtered to the project's containers; each of
 * its JSON lines rewritten in Compose's words */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "events.h"
#include "proj.h"
#include "prog.h"

static int
cmp_str (const void *a, const void *b)
{
	return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* the actor's attributes but Compose's own labels, as Compose keeps them */
static json_t *
attributes_of (const json_t *msg)
{
	json_t *in = json_object_get (json_object_get (msg, "Actor"), "Attributes"), *out = json_object (), *v;
	const char *k;

	json_object_foreach (in, k, v) if (strncmp (k, "com.docker.compose.", 19)) json_object_set (out, k, v);
	return out;
}

/* "2006-01-02 15:04:05.000000 container ACTION ID (k=v, ...)" */
static void
print_text (const json_t *msg, const json_t *attrs)
{
	long long ns = json_integer_value (json_object_get (msg, "timeNano"));
	time_t secs = (time_t)(ns / 1000000000LL);
	const char **keys = calloc (json_object_size (attrs) + 1, sizeof *keys), *k;
	struct tm tm;
	char when[64];
	size_t n = 0;
	json_t *v;

	localtime_r (&secs, &tm);
	strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	printf ("%s.%06lld container %s %s (", when, (ns % 1000000000LL) / 1000,
	        json_string_value (json_object_get (msg, "Action")) ?: "",
	        json_string_value (json_object_get (json_object_get (msg, "Actor"), "ID")) ?: "");
	json_object_foreach ((json_t *)attrs, k, v) keys[n++] = k;
	if (n)
		qsort (keys, n, sizeof *keys, cmp_str);
	for (size_t i = 0; i < n; i++)
		printf ("%s%s=%s", i ? ", " : "", keys[i], json_string_value (json_object_get (attrs, keys[i])) ?: "");
	printf (")\n\n");
	free (keys);
}

static void
print_json (const json_t *msg, const json_t *attrs, const char *service)
{
	long long ns = json_integer_value (json_object_get (msg, "timeNano"));
	time_t secs = (time_t)(ns / 1000000000LL);
	char when[64], zone[8];
	struct tm tm;

	localtime_r (&secs, &tm);
	strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime (zone, sizeof zone, "%z", &tm);
	json_t *o =
	    json_pack ("{s:s, s:s, s:s, s:s, s:s, s:O}", "type", "container", "service", service, "id",
	               json_string_value (json_object_get (json_object_get (msg, "Actor"), "ID")) ?: "", "action",
	               json_string_value (json_object_get (msg, "Action")) ?: "", "time", "", "attributes", attrs);
	/* Go's RFC 3339 with nanoseconds, as encoding/json writes a time:
	 * trailing zeros of the fraction dropped, UTC as Z */
	char t[96], frac[16];
	int n = snprintf (frac, sizeof frac, ".%09lld", ns % 1000000000LL);
	while (n > 1 && frac[n - 1] == '0')
		frac[--n] = '\0';
	if (n == 1)
		frac[0] = '\0';
	if (!strcmp (zone, "+0000"))
		snprintf (t, sizeof t, "%s%sZ", when, frac);
	else
		snprintf (t, sizeof t, "%s%s%.3s:%s", when, frac, zone, zone + 3);
	char *s = json_dumps (o, JSON_COMPACT | JSON_SORT_KEYS);
	printf ("%s\n", s ? s : "{}");
	free (s);
	json_decref (o);
}

int
events_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {{"json", no_argument, NULL, 'j'},
	                                   {"since", required_argument, NULL, 'S'},
	                                   {"until", required_argument, NULL, 'U'},
	                                   {0, 0, 0, 0}};
	const char *since = NULL, *until = NULL;
	struct prog_argv a = {0};
	struct model m = {0};
	struct bx_err e = {0};
	char *line = NULL;
	size_t cap = 0;
	int ch, json = 0, fd = -1;
	FILE *in;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'j': json = 1; break;
		case 'S': since = optarg; break;
		case 'U': until = optarg; break;
		default: return BX_USAGE;
		}
	}
	if (model_load (&c->mo, (const char *const *)argv + optind, &m, &e) < 0) {
		model_free (&m);
		return err_report (&e);
	}
	prog_add (&a, "sys-events");
	prog_add (&a, "-f");
	prog_add (&a, "type=container");
	prog_add (&a, "-f");
	prog_addf (&a, "label=%s=%s", PROJ_L_PROJECT, m.name);
	prog_add (&a, "--format");
	prog_add (&a, "{{json .}}");
	if (since)
		prog_add (&a, "--since"), prog_add (&a, since);
	if (until)
		prog_add (&a, "--until"), prog_add (&a, until);
	pid_t pid = prog_start (&a, &fd, -1, &e);
	prog_free (&a);
	if (pid < 0 || !(in = fdopen (fd, "r"))) {
		model_free (&m);
		return err_report (&e);
	}
	while (getline (&line, &cap, in) > 0) {
		json_t *msg = json_loads (line, 0, NULL), *attrs;
		const char *service = json_string_value (
		    json_object_get (json_object_get (json_object_get (msg, "Actor"), "Attributes"), PROJ_L_SERVICE));
		const char *oneoff = json_string_value (
		    json_object_get (json_object_get (json_object_get (msg, "Actor"), "Attributes"), PROJ_L_ONEOFF));
		int match = optind >= argc && !(oneoff && !strcmp (oneoff, "True"));
		for (int w = optind; w < argc && service; w++)
			match |= !strcmp (argv[w], service) && !(oneoff && !strcmp (oneoff, "True"));
		if (msg && service && match) {
			attrs = attributes_of (msg);
			json ? print_json (msg, attrs, service) : print_text (msg, attrs);
			fflush (stdout);
			json_decref (attrs);
		}
		json_decref (msg);
	}
	free (line);
	fclose (in);
	model_free (&m);
	return prog_wait (pid);
}
