#include "base/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *bx_prog = "box";

void
err_prog_init (const char *argv0)
{
	const char *s = strrchr (argv0, '/');
	bx_prog = s ? s + 1 : argv0;
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
	fprintf (stderr, "%s: %s\n", bx_prog, e->msg);
	return e->code ? e->code : BX_FAIL;
}

void
err_die (int code, const char *fmt, ...)
{
	va_list ap;

	fprintf (stderr, "%s: ", bx_prog);
	va_start (ap, fmt);
	vfprintf (stderr, fmt, ap);
	va_end (ap);
	fputc ('\n', stderr);
	exit (code);
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
