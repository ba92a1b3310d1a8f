/* pfilter - the --filter of Docker's prune verbs
 *
 * Each prune takes KEY=VALUE pairs, accepts its own keys and refuses the
 * others in the daemon's words ("Invalid filter 'KEY'"). The meanings
 * are the daemon's (docker/docker's filters.Args): until= is one time (a
 * Unix time, an RFC 3339 time, a date, or a Go duration ago; two of them
 * are refused); label=K and label=K=V must all match; label!= excludes
 * what matches every one of them (MatchKVList). The pairs are the
 * caller's strings (argv), kept, not copied.
 */
#ifndef BOX_PFILTER_H
#define BOX_PFILTER_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"

#define PFILTER_MAX 64

struct pfilter {
	const char *arg[PFILTER_MAX]; /* KEY=VALUE */
	int n;
};

/* Add ARG (KEY=VALUE); BX_USAGE, in the CLI's words, when there is no
 * '=' (the caller names the flag: err_flag_value) or too many. */
int pfilter_add (struct pfilter *f, const char *arg, struct bx_err *e);
/* Is every key one of KEYS (NULL-terminated)? Else "Invalid filter 'KEY'". */
int pfilter_check (const struct pfilter *f, const char *const *keys, struct bx_err *e);
/* The values of KEY, N of them at most, into V; returns how many there are. */
int pfilter_get (const struct pfilter *f, const char *key, const char **v, int n);
int pfilter_has (const struct pfilter *f, const char *key);
/* until= as the daemon reads it (getUntilFromPruneFilters) into *UNTIL
 * (seconds since the epoch): 0 and *SET 0 without one. */
int pfilter_until (const struct pfilter *f, int64_t *until, int *set, struct bx_err *e);
/* Docker's time or duration ago (timetypes.GetTimestamp) into *T. */
int pfilter_time_parse (const char *v, int64_t *t, struct bx_err *e);
/* A Go duration (time.ParseDuration) into *NS; else Go's words: "time:
 * invalid duration \"x\"", "time: missing unit in duration \"10\"",
 * "time: unknown unit \"-\" in duration \"2020-01-01\"". */
int pfilter_duration_parse (const char *v, int64_t *ns, struct bx_err *e);
/* Do LABELS (an object of strings, or NULL) pass label= and label!=? */
int pfilter_labels_match (const struct pfilter *f, json_t *labels);

#endif
