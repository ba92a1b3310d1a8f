/* err - errors that carry context up to one message (docs/STYLE.md) */
#ifndef BOX_ERR_H
#define BOX_ERR_H

#include <stdarg.h>

enum bx_code {
	BX_OK = 0,
	BX_FAIL = 1,     /* the generic case */
	BX_USAGE = 2,    /* usage or bad input: retrying won't help */
	BX_NOTFOUND = 3, /* no such image, container, network */
	BX_CONFLICT = 4, /* name taken, lock held */
	BX_SYSTEM = 5,   /* system, network or registry failure: retry may help */
};

struct bx_err {
	int code; /* enum bx_code */
	int sys;  /* errno of the first cause, or 0 */
	char msg[1024];
};

/* Fill E, append ": strerror(sys)" when sys != 0; always returns -1. */
int err_set (struct bx_err *e, int code, int sys, const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));
/* Prefix E's message with "ctx: "; always returns -1. */
int err_wrap (struct bx_err *e, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Print "prog: msg" on stderr and return the exit code for E. */
int err_report (const struct bx_err *e);

/* Docker's report of one argument of a loop over several (docker kill,
 * stop, rm): WHAT on stdout when it was done (E NULL), else "Error
 * response from daemon: MSG" on stderr. */
void err_report_each (const char *what, const struct bx_err *e);

/* The program name used in messages; set once from main. */
extern const char *bx_prog;
void err_prog_init (const char *argv0);

/* For tools only: print "prog: msg" and exit with CODE. */
void err_die (int code, const char *fmt, ...) __attribute__ ((noreturn, format (printf, 2, 3)));
void err_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
