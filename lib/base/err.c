#include "base/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *bx_prog = "box";
static char *docker_verb;

void
err_prog_init (const char *argv0)
{
	const char *s = strrchr (argv0, '/'), *v = getenv ("BOX_DOCKER");

	bx_prog = s ? s + 1 : argv0;
	if (v && *v && (docker_verb = strdup (v))) {
		unsetenv ("BOX_DOCKER");
		/* err_flag says it in Docker's words */
		opterr = 0;
	}
}

const char *
err_docker (void)
{
	return docker_verb;
}

int
err_docker_is (const char *verb)
{
	const char *v = docker_verb ? strrchr (docker_verb, ' ') : NULL;

	return docker_verb && !strcmp (v ? v + 1 : docker_verb, verb);
}

int
err_code (int code)
{
	return docker_verb && code >= BX_FAIL && code <= BX_SYSTEM ? BX_FAIL : code;
}

/* the argument getopt refused: the group a short flag was in ends it or
 * is the next one */
static const char *
flag_arg (char **argv)
{
	const char *a = argv[optind - 1];

	if (optopt && (a[0] != '-' || a[1] == '-' || !strchr (a + 1, optopt)) && argv[optind])
		a = argv[optind];
	return a;
}

/* UNKNOWN: the tool takes no flag with a value, so none lacks one */
static void
flag_refuse (char **argv, int unknown)
{
	const char *a;

	if (!docker_verb)
		return;
	a = flag_arg (argv);
	if (a[0] == '-' && a[1] == '-')
		fprintf (stderr, "%s: %.*s\n", optopt && !unknown ? "flag needs an argument" : "unknown flag",
		         (int)strcspn (a, "="), a);
	else if (!unknown && optopt && !a[2] && a[1] == optopt && a == argv[optind - 1] && !argv[optind])
		fprintf (stderr, "flag needs an argument: '%c' in %s\n", optopt, a);
	else
		fprintf (stderr, "unknown shorthand flag: '%c' in %s\n", optopt, a);
	fprintf (stderr, "See 'box %s --help'.\n", docker_verb);
	exit (125);
}

void
err_flag (char **argv)
{
	flag_refuse (argv, 0);
}

void
err_flag_unknown (char **argv)
{
	flag_refuse (argv, 1);
}

void
err_flag_value (const char *arg, const char *flag, const char *fmt, ...)
{
	va_list ap;

	if (!docker_verb)
		fprintf (stderr, "%s: ", bx_prog);
	fprintf (stderr, "invalid argument \"%s\" for \"%s\" flag: ", arg, flag);
	va_start (ap, fmt);
	vfprintf (stderr, fmt, ap);
	va_end (ap);
	fputc ('\n', stderr);
	if (!docker_verb)
		exit (BX_USAGE);
	fprintf (stderr, "See 'box %s --help'.\n", docker_verb);
	exit (125);
}

/* Docker's words for E: a missing object is the CLI's own message */
static void
docker_say (int code, const char *msg)
{
	fprintf (stderr, "%s%s\n", code == BX_NOTFOUND ? "Error: " : "Error response from daemon: ", msg);
}

int
err_set (struct bx_err *e, int code, int sys, const char *fmt, ...)
{
	va_list ap;
	int n;

	e->code = code;
	e->sys = sys;
	va_start (ap, fmt);
	n = vsnprintf (e->msg, sizeof e->msg, fmt, ap);
	va_end (ap);
	if (sys && n >= 0 && (size_t)n < sizeof e->msg)
		snprintf (e->msg + n, sizeof e->msg - n, ": %s", strerror (sys));
	return -1;
}

int
err_wrap (struct bx_err *e, const char *fmt, ...)
{
	char old[sizeof e->msg];
	va_list ap;
	int n;

	memcpy (old, e->msg, sizeof old);
	va_start (ap, fmt);
	n = vsnprintf (e->msg, sizeof e->msg, fmt, ap);
	va_end (ap);
	if (n >= 0 && (size_t)n < sizeof e->msg)
		snprintf (e->msg + n, sizeof e->msg - n, ": %.*s", (int)(sizeof old - 1), old);
	return -1;
}

int
err_report (const struct bx_err *e)
{
	if (docker_verb)
		docker_say (e->code, e->msg);
	else
		fprintf (stderr, "%s: %s\n", bx_prog, e->msg);
	return err_code (e->code ? e->code : BX_FAIL);
}

int
err_report_tmpl (const struct bx_err *e, const char *prefix, int code)
{
	if (!docker_verb || e->code == BX_SYSTEM)
		return err_report (e);
	fprintf (stderr, "%s: %s\n", prefix, e->msg);
	return code;
}

int
err_report_inspect (const struct bx_err *e)
{
	return err_report_tmpl (e, "template parsing error", e->code == BX_USAGE ? 64 : BX_FAIL);
}

void
err_die (int code, const char *fmt, ...)
{
	va_list ap;

	if (docker_verb)
		fputs (code == BX_NOTFOUND ? "Error: " : "Error response from daemon: ", stderr);
	else
		fprintf (stderr, "%s: ", bx_prog);
	va_start (ap, fmt);
	vfprintf (stderr, fmt, ap);
	va_end (ap);
	fputc ('\n', stderr);
	exit (err_code (code));
}

void
err_warn (const char *fmt, ...)
{
	va_list ap;

	fprintf (stderr, "%s: warning: ", bx_prog);
	va_start (ap, fmt);
	vfprintf (stderr, fmt, ap);
	va_end (ap);
	fputc ('\n', stderr);
}

void
err_report_each (const char *what, const struct bx_err *e)
{
	if (e) {
		fprintf (stderr, "Error response from daemon: %s\n", e->msg);
		return;
	}
	printf ("%s\n", what);
	fflush (stdout);
}
