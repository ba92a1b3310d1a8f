/* health - a container's health (Docker's State.Health), containers/<id>/health
 *
 * Written by the -d supervisor of ctr-spawn, which runs the health checks;
 * read by ctr-list (ps, inspect, the health filter). key=value lines:
 *
 *   status=starting | healthy | unhealthy
 *   failing_streak=N
 *   log=START END EXIT_CODE OUTPUT      (the last 5 results, oldest first)
 *
 * OUTPUT is escaped onto its line (\\, \n, \xHH). The writer keeps the log
 * lines as they are, so the supervisor never parses JSON (its RSS is
 * measured). Absent until the first start of a container with a health
 * check; kept across starts, as Docker keeps its log. */
#ifndef BOX_HEALTH_H
#define BOX_HEALTH_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"
#include "runtime/ctr.h"

#define HEALTH_LOG_MAX 5       /* moby's maxLogEntries */
#define HEALTH_OUTPUT_MAX 4096 /* moby's maxOutputLen: more is cut, "..." added */

enum health_status { HEALTH_STARTING, HEALTH_HEALTHY, HEALTH_UNHEALTHY };

/* one check's outcome; EXIT_CODE -1 for a check that timed out or could not run */
struct health_result {
	char start[CTR_TIME_LEN], end[CTR_TIME_LEN];
	int exit_code;
	const char *output; /* LEN bytes, already cut (TRUNCATED: "..." follows) */
	size_t len;
	int truncated;
};

/* A start: "starting", no failing streak, the log kept. */
int health_begin (int dirfd, struct bx_err *e);
/* One result appended (the oldest beyond 5 dropped) and the status moved
 * as Docker's handleProbeResult does: 0 is healthy; a failure adds to the
 * streak, unhealthy once it reaches RETRIES, unless GRACE (within the
 * start period, never healthy yet). The new status, or -1. */
int health_record (int dirfd, const struct health_result *r, int retries, int grace, struct bx_err *e);
/* The container stopped: "unhealthy", as Docker says of a stopped
 * container's health; nothing when it has none. */
int health_end (int dirfd, struct bx_err *e);

/* State.Health ({Status, FailingStreak, Log: [{Start, End, ExitCode,
 * Output}]}); NULL when the container has none (or it is unreadable). */
json_t *health_read (int dirfd);

#endif
