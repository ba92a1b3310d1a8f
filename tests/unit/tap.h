/* tap - a tiny TAP producer for the unit tests (tests/unit/unit.bats runs them) */
#ifndef BOX_TAP_H
#define BOX_TAP_H

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int tap_count, tap_failures;

static inline void __attribute__ ((format (printf, 4, 5)))
tap_ok (int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf ("%sok %d - ", pass ? "" : "not ", ++tap_count);
	va_start (ap, fmt);
	vprintf (fmt, ap);
	va_end (ap);
	putchar ('\n');
	if (!pass) {
		printf ("#   failed at %s:%d\n", file, line);
		tap_failures++;
	}
}

/* ok (COND, "name", ...): one test point */
#define ok(cond, ...) tap_ok (!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static inline void
tap_is_str (const char *got, const char *want, const char *file, int line, const char *name)
{
	int pass = got && want && strcmp (got, want) == 0;

	tap_ok (pass, file, line, "%s", name);
	if (!pass)
		printf ("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
}

/* is_str (GOT, WANT, "name"): compare strings, show both on failure */
#define is_str(got, want, name) tap_is_str ((got), (want), __FILE__, __LINE__, (name))

static inline void
tap_is_int (long got, long want, const char *file, int line, const char *name)
{
	tap_ok (got == want, file, line, "%s", name);
	if (got != want)
		printf ("#   got:  %ld\n#   want: %ld\n", got, want);
}

#define is_int(got, want, name) tap_is_int ((got), (want), __FILE__, __LINE__, (name))

/* A scratch directory of its own for the test program NAME:
 * /tmp/box-unit-NAME-PID, its path in BUF */
static inline void
tap_scratch (char *buf, size_t n, const char *name)
{
	snprintf (buf, n, "/tmp/box-unit-%s-%d", name, (int)getpid ());
	mkdir (buf, 0755);
}

/* DIR and all in it gone; one that stays is said as a TAP comment */
static inline void
tap_scratch_remove (const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system (cmd) != 0)
		printf ("# could not remove %s\n", dir);
}

/* The plan goes last: the count is known only then. Exit 1 on any failure. */
static inline int
tap_done (void)
{
	printf ("1..%d\n", tap_count);
	return tap_failures ? 1 : 0;
}

#endif
