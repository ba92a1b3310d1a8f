#include "runtime/procattr.h"

#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

/* linux/ioprio.h's, which glibc does not wrap */
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

/* linux/sched/types.h's struct sched_attr */
struct sched_attr_ {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

static int
name_value (const char *name, const char *const *names, const int *values, size_t n)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp (name, names[i]))
			return values[i];
	return -1;
}

static int
personality_read (json_t *p, struct procattr *a, struct bx_err *e)
{
	const char *d = json_string_value (json_object_get (p, "domain"));

	if (!p)
		return 0;
	if (d && !strcmp (d, "LINUX"))
		a->personality = PER_LINUX;
	else if (d && !strcmp (d, "LINUX32"))
		a->personality = PER_LINUX32;
	else
		return err_set (e, BX_USAGE, 0, "config.json: linux.personality.domain: %s: LINUX or LINUX32 expected",
		                d ? d : "(none)");
	return 0;
}

static int
ioprio_read (json_t *io, struct procattr *a, struct bx_err *e)
{
	static const char *const names[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
	static const int classes[] = {1, 2, 3};
	const char *c = json_string_value (json_object_get (io, "class"));
	json_int_t prio = json_integer_value (json_object_get (io, "priority"));
	int cls;

	if (!io)
		return 0;
	if ((cls = name_value (c, names, classes, 3)) < 0)
		return err_set (e, BX_USAGE, 0, "config.json: process.ioPriority.class: %s: unknown", c ? c : "(none)");
	if (prio < 0 || prio > 7)
		return err_set (e, BX_USAGE, 0, "config.json: process.ioPriority.priority: %lld: 0 to 7 expected",
		                (long long)prio);
	a->ioprio = (cls << IOPRIO_CLASS_SHIFT) | (int)prio;
	return 0;
}

static int
sched_read (json_t *s, struct procattr *a, struct bx_err *e)
{
	static const char *const names[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",
	                                    "SCHED_BATCH", "SCHED_IDLE", "SCHED_DEADLINE"};
	static const int policies[] = {SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, 6};
	static const char *const fnames[] = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN"};
	const char *pol = json_string_value (json_object_get (s, "policy"));
	json_t *f;
	size_t i;
	int p;

	if (!s)
		return 0;
	if ((p = name_value (pol, names, policies, 6)) < 0)
		return err_set (e, BX_USAGE, 0, "config.json: process.scheduler.policy: %s: unknown",
		                pol ? pol : "(none)");
	a->has_sched = 1;
	a->policy = (uint32_t)p;
	a->nice = (int32_t)json_integer_value (json_object_get (s, "nice"));
	a->priority = (uint32_t)json_integer_value (json_object_get (s, "priority"));
	a->runtime = (uint64_t)json_integer_value (json_object_get (s, "runtime"));
	a->deadline = (uint64_t)json_integer_value (json_object_get (s, "deadline"));
	a->period = (uint64_t)json_integer_value (json_object_get (s, "period"));
	json_array_foreach (json_object_get (s, "flags"), i, f)
	{
		int bit = name_value (json_string_value (f), fnames, (const int[]){1, 2, 4}, 3);
		if (bit < 0)
			return err_set (e, BX_USAGE, 0, "config.json: process.scheduler.flags: %s: unknown",
			                json_string_value (f) ? json_string_value (f) : "(not a string)");
		a->flags |= (uint64_t)bit;
	}
	return 0;
}

int
procattr_read (void *process, void *lx, struct procattr *a, struct bx_err *e)
{
	*a = (struct procattr){.personality = -1, .ioprio = -1};
	if (personality_read (json_object_get (lx, "personality"), a, e) < 0 ||
	    ioprio_read (json_object_get (process, "ioPriority"), a, e) < 0)
		return -1;
	return sched_read (json_object_get (process, "scheduler"), a, e);
}

int
procattr_apply (const struct procattr *a, struct bx_err *e)
{
	struct sched_attr_ sa = {.size = sizeof sa,
	                         .sched_policy = a->policy,
	                         .sched_flags = a->flags,
	                         .sched_nice = a->nice,
	                         .sched_priority = a->priority,
	                         .sched_runtime = a->runtime,
	                         .sched_deadline = a->deadline,
	                         .sched_period = a->period};

	if (a->personality >= 0 && personality ((unsigned long)a->personality) < 0)
		return err_set (e, 125, errno, "personality");
	if (a->ioprio >= 0 && syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, a->ioprio) < 0)
		return err_set (e, 125, errno, "ioprio_set");
	if (a->has_sched && syscall (SYS_sched_setattr, 0, &sa, 0) < 0)
		return err_set (e, 125, errno, "sched_setattr");
	return 0;
}
