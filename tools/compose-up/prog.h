/* prog - the other box programs run from compose-up: found beside it
 * (else on PATH), their stdout captured when asked, several at once */
#ifndef COMPOSE_PROG_H
#define COMPOSE_PROG_H

#include <sys/types.h>

#include "base/err.h"

struct prog_argv {
	const char **v;
	size_t n;
};

void prog_add (struct prog_argv *a, const char *s);
void prog_addf (struct prog_argv *a, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void prog_free (struct prog_argv *a);

/* ERRFD of prog_start: stderr into the same pipe as stdout */
#define PROG_ERR_TO_OUT (-2)

/* Start ARGV; *OUT (when not NULL) gets a pipe reading its stdout; ERRFD:
 * where its stderr goes (-1: ours). The pid, -1 on error. */
pid_t prog_start (const struct prog_argv *a, int *out, int errfd, struct bx_err *e);
/* Start ARGV with its stdout on /dev/null. */
pid_t prog_start_silent (const struct prog_argv *a, struct bx_err *e);
/* Wait for PID; its exit code, 128+n when killed by signal n. */
int prog_wait (pid_t pid);
/* Run ARGV to its end; *OUT (when not NULL) gets its stdout, malloc'd. */
int prog_run (const struct prog_argv *a, char **out, struct bx_err *e);

/* Run ARGV with its stdout and stderr on /dev/null; its exit code. */
int prog_quiet (const struct prog_argv *a, struct bx_err *e);
/* Run the program NAME with the arguments given, NULL-ended; stdout
 * captured into *OUT when OUT is not NULL (else dropped), stderr ours. */
int prog_call (char **out, struct bx_err *e, const char *name, ...) __attribute__ ((sentinel));
/* Replace this process with ARGV (found as prog_start finds it). */
int prog_exec (const struct prog_argv *a, struct bx_err *e);

#endif
