/* ctr - a container's directory, its state file and its create.json (docs/ARCHITECTURE.md)
 *
 * containers/<id>/state holds key=value lines, rewritten atomically by
 * whoever changes the container's life (ctr-create: created; ctr-spawn and
 * its supervisor: running, restarting, exited; whoever finds the supervisor
 * gone: exited). Readers never trust "running" alone: the pid must still be
 * the same process (its start time matches). */
#ifndef BOX_CTR_H
#define BOX_CTR_H

#include <jansson.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/timestamp.h"

#define CTR_ID_LEN 64
#define CTR_SHORT_LEN 12
#define CTR_TIME_LEN TIMESTAMP_LEN /* base/timestamp: RFC 3339, UTC, nanoseconds */

struct ctr_state {
	char status[16];              /* created | running | restarting (waiting to start again) | exited */
	pid_t pid;                    /* the container's first process, host pid */
	unsigned long long pid_start; /* its start time, /proc/PID/stat field 22 */
	pid_t monitor;                /* the supervisor (ctr-spawn), host pid */
	unsigned long long monitor_start;
	int exit_code;
	int oom_killed;
	int restart_count;
	char created[CTR_TIME_LEN]; /* RFC 3339, UTC, nanoseconds */
	char started[CTR_TIME_LEN];
	char finished[CTR_TIME_LEN];
	char error[256]; /* why it failed to start, one line */
};

/* containers/<id>/create.json (DIRFD: containers/<id>), the one reader of
 * it: NULL with E set when it is missing (BX_NOTFOUND), unreadable
 * (BX_SYSTEM) or not JSON (BX_FAIL, "create.json:
 * line N: why"). The caller owns the result. */
json_t *ctr_create_read (int dirfd, struct bx_err *e);
/* The policy of every reader but removal (which does without whatever it
 * cannot read): no create.json is no error, *OUT is NULL then (a bundle
 * not made by ctr-create, or one half made); any other error is. */
int ctr_create_read_opt (int dirfd, json_t **out, struct bx_err *e);

/* Change create.json after the create (rename's Name, update's
 * HostConfig): under a flock on the container directory DIRFD (every
 * rewrite takes it; readers need none), read it, let FN change it (FN's
 * error ends it, nothing written), write it back atomically (fsync'd:
 * it is the container's definition). */
typedef int ctr_create_edit_fn (json_t *create, void *arg, struct bx_err *e);
int ctr_create_edit (int dirfd, ctr_create_edit_fn *fn, void *arg, struct bx_err *e);

/* Container ID's cgroup path, relative to the hierarchy roots:
 * "/box/<id>", or "/<parent>/<id>" under CREATE's HostConfig.CgroupParent
 * (--cgroup-parent); CREATE may be NULL. OUT holds CGROUP_PATH_LEN. */
void ctr_cgroup_path (json_t *create, const char *id, char *out);
/* The same from DIRFD's create.json. */
void ctr_cgroup_path_at (int dirfd, const char *id, char *out);

/* Read DIRFD/state (DIRFD: containers/<id>); unknown keys are ignored. */
int ctr_state_read (int dirfd, struct ctr_state *s, struct bx_err *e);
/* Write DIRFD/state atomically; DURABLE: fsync'd too (not for a --rm
 * container, which a crash does not leave to anyone). On a full disk the
 * file is rewritten in place, in the block it holds already: an exit is
 * recorded even when nothing else can be written. */
int ctr_state_write (int dirfd, const struct ctr_state *s, int durable, struct bx_err *e);
/* "running" only while S->pid is still the process that was recorded; a
 * container whose process or supervisor vanished reads as "exited" with
 * exit code 255 (Docker's figure for a container lost with its daemon);
 * "restarting" only while its supervisor lives, else "exited" with the
 * exit code recorded. 1 when S was changed so: the record is stale. */
int ctr_state_settle (struct ctr_state *s);

/* For tests only: when $BOX_TEST_CRASH names POINT, the process kills
 * itself with SIGKILL there, as a crash or a kill -9 would, so that tests
 * can stop a program at a chosen step (tests/tools/ctr-rm.bats). */
void ctr_test_crash (const char *point);

/* The start time of PID (clock ticks since boot), 0 when it is gone or a zombie. */
unsigned long long ctr_proc_start_time (pid_t pid);

/* Resolve a full id, a unique id prefix, or a name (names/<name> -> <id>)
 * to the full id. BX_NOTFOUND: "No such container: X"; a prefix shared by
 * several ids is BX_USAGE ("multiple IDs found with provided prefix: X"). */
int ctr_resolve (int rootfd, const char *what, char id[CTR_ID_LEN + 1], struct bx_err *e);
/* Open containers/<id> as a directory fd. */
int ctr_open (int rootfd, const char *id, struct bx_err *e);

/* An action on one container: WHAT as the user wrote it, ID resolved. */
typedef int ctr_each_fn (int rootfd, const char *what, const char *id, void *arg, struct bx_err *e);
/* How one argument went: E is NULL when the action succeeded. The tool
 * prints it (Docker prints the argument, or the daemon's error). */
typedef void ctr_each_report_fn (const char *what, const struct bx_err *e);
/* Docker's loop of kill, stop and rm over N arguments ARGS: resolve each,
 * run FN (with ARG) on it, REPORT the outcome, and go on with the next.
 * BX_FAIL when any failed, else 0. */
int ctr_each (int rootfd, char **args, int n, ctr_each_fn *fn, void *arg, ctr_each_report_fn *report);

#endif
