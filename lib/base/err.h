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

/* Under box, BOX_DOCKER names the Docker verb being run ("ps", "container
 * ls"): the tool then answers as Docker's CLI (err_prog_init reads it and
 * takes it out of the environment, so that the programs a tool runs keep
 * their own codes). err_report and err_die then say "Error response from
 * daemon: MSG" ("Error: MSG" for a missing object) and exit 1 where the
 * tool's code is 1 to 5; other codes (a payload's 126, 127) pass. NULL
 * when not under box. */
const char *err_docker (void);
/* Under box, the Docker verb is VERB, alone or in a management form
 * ("run" and "container run" both are run). */
int err_docker_is (const char *verb);
/* CODE (enum bx_code), or Docker's exit code for it under box: 1. */
int err_code (int code);
/* For getopt's '?' under box: Docker's "unknown flag: --x" (or "flag
 * needs an argument") and "See 'box VERB --help'.", exit 125. Outside box
 * getopt has said it already: returns. */
void err_flag (char **argv);
/* err_flag for a tool whose flags take no value: an unknown flag last
 * ("port c -1") is not one that lacks its value */
void err_flag_unknown (char **argv);

/* A template's error (base/listfmt: BX_USAGE when it did not parse, else
 * when it ran): under box "PREFIX: MSG" and CODE, as Docker's CLI says it
 * (docker ps: "failed to parse template", 1; docker inspect: "template
 * parsing error", 64 for a parse); else err_report's. */
int err_report_tmpl (const struct bx_err *e, const char *prefix, int code);
/* docker inspect's: "template parsing error", 64 when it did not parse;
 * 1 when it ran */
int err_report_inspect (const struct bx_err *e);

/* A flag's value refused (FLAG as Docker names it: "-f, --filter"):
 * Docker's 'invalid argument "ARG" for "FLAG" flag: MSG'; under box its
 * "See" line and exit 125, else after "prog: ", exit BX_USAGE. */
void err_flag_value (const char *arg, const char *flag, const char *fmt, ...)
    __attribute__ ((noreturn, format (printf, 3, 4)));

/* For tools only: print "prog: msg" and exit with CODE. */
void err_die (int code, const char *fmt, ...) __attribute__ ((noreturn, format (printf, 2, 3)));
void err_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
