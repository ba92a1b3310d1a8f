/* procattr - what the runtime spec sets on the container's process besides
 * its identity: the personality (linux.personality), the I/O priority
 * (process.ioPriority) and the scheduling policy (process.scheduler) */
#ifndef BOX_PROCATTR_H
#define BOX_PROCATTR_H

#include <stdint.h>

#include "base/err.h"

struct procattr {
	long personality; /* -1: none */
	int ioprio;       /* IOPRIO_PRIO_VALUE; -1: none */
	int has_sched;
	uint32_t policy;
	int32_t nice;
	uint32_t priority;
	uint64_t flags, runtime, deadline, period;
};

/* Read PROCESS (process) and LX (linux), json_t *s, either NULL. */
int procattr_read (void *process, void *lx, struct procattr *a, struct bx_err *e);
/* Apply A to the calling process (in the child, before exec). */
int procattr_apply (const struct procattr *a, struct bx_err *e);

#endif
