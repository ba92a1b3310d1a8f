/* update - docker update's merge into create.json and config.json, and
 * the cgroup of a running container */
#include "update.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/root.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/event.h"
#include "runtime/ocispec.h"

static int
given (const struct ctrflags *f, const char *flag)
{
	return json_object_get (f->given, flag) != NULL;
}

static json_int_t
int_of (json_t *o, const char *key)
{
	return json_integer_value (json_object_get (o, key));
}

/* Docker's refusals of an update against what the container has (moby's
 * container.UpdateContainer) */
static int
conflicts (const struct ctrflags *f, json_t *hc, struct bx_err *e)
{
	const char *restart = json_string_value (json_object_get (f->restart, "Name"));

	if (f->nano_cpus > 0 && int_of (hc, "CpuPeriod") > 0)
		return err_set (e, BX_USAGE, 0,
		                "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set");
	if (f->nano_cpus > 0 && int_of (hc, "CpuQuota") > 0)
		return err_set (e, BX_USAGE, 0,
		                "Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set");
	if (f->cpu_period > 0 && int_of (hc, "NanoCpus") > 0)
		return err_set (e, BX_USAGE, 0,
		                "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
	if (f->cpu_quota > 0 && int_of (hc, "NanoCpus") > 0)
		return err_set (e, BX_USAGE, 0,
		                "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
	if (f->memory && f->memory > int_of (hc, "MemorySwap") && !f->memory_swap)
		return err_set (
		    e, BX_USAGE, 0,
		    "Memory limit should be smaller than already set memoryswap limit, update the memoryswap "
		    "at the same time");
	if (restart && *restart && strcmp (restart, "no") != 0 && json_is_true (json_object_get (hc, "AutoRemove")))
		return err_set (e, BX_USAGE, 0,
		                "Restart policy cannot be updated because AutoRemove is enabled for the container");
	return 0;
}

static void
set_int (json_t *hc, const char *key, int64_t v)
{
	if (v)
		json_object_set_new (hc, key, json_integer (v));
}

/* the flags given, into HostConfig HC (Docker: a zero leaves a field be) */
static void
merge (const struct ctrflags *f, json_t *hc)
{
	const char *restart = json_string_value (json_object_get (f->restart, "Name"));

	set_int (hc, "BlkioWeight", f->blkio_weight);
	set_int (hc, "CpuShares", f->cpu_shares);
	set_int (hc, "NanoCpus", f->nano_cpus);
	set_int (hc, "CpuPeriod", f->cpu_period);
	set_int (hc, "CpuQuota", f->cpu_quota);
	set_int (hc, "Memory", f->memory);
	set_int (hc, "MemorySwap", f->memory_swap);
	set_int (hc, "MemoryReservation", f->memory_reservation);
	set_int (hc, "CpuRealtimePeriod", f->cpu_rt_period);
	set_int (hc, "CpuRealtimeRuntime", f->cpu_rt_runtime);
	if (f->cpuset_cpus)
		json_object_set_new (hc, "CpusetCpus", json_string (f->cpuset_cpus));
	if (f->cpuset_mems)
		json_object_set_new (hc, "CpusetMems", json_string (f->cpuset_mems));
	if (given (f, "pids-limit"))
		json_object_set_new (hc, "PidsLimit", f->pids_limit > 0 ? json_integer (f->pids_limit) : json_null ());
	/* no name: the policy kept, as Docker's */
	if (restart && *restart)
		json_object_set (hc, "RestartPolicy", f->restart);
}

/* O.KEY = V, or no KEY when V is 0 */
static void
put_or_del (json_t *o, const char *key, json_int_t v)
{
	if (v)
		json_object_set_new (o, key, json_integer (v));
	else
		json_object_del (o, key);
}

static json_t *
section (json_t *r, const char *key)
{
	json_t *s = json_object_get (r, key);

	if (!s)
		json_object_set_new (r, key, s = json_object ());
	return s;
}

/* config.json's linux.resources R after the merged HostConfig HC, as
 * ctr-create writes them */
static void
resources (json_t *hc, json_t *r)
{
	json_t *mem = section (r, "memory"), *cpu = section (r, "cpu");
	json_int_t nano = int_of (hc, "NanoCpus");
	const char *cpus = json_string_value (json_object_get (hc, "CpusetCpus"));
	const char *mems = json_string_value (json_object_get (hc, "CpusetMems"));

	put_or_del (mem, "limit", int_of (hc, "Memory"));
	put_or_del (mem, "swap", int_of (hc, "MemorySwap"));
	put_or_del (mem, "reservation", int_of (hc, "MemoryReservation"));
	put_or_del (cpu, "shares", int_of (hc, "CpuShares"));
	put_or_del (cpu, "quota", nano > 0 ? nano * 100000 / 1000000000 : int_of (hc, "CpuQuota"));
	put_or_del (cpu, "period", nano > 0 ? 100000 : int_of (hc, "CpuPeriod"));
	put_or_del (cpu, "realtimePeriod", int_of (hc, "CpuRealtimePeriod"));
	put_or_del (cpu, "realtimeRuntime", int_of (hc, "CpuRealtimeRuntime"));
	if (cpus && *cpus)
		json_object_set_new (cpu, "cpus", json_string (cpus));
	if (mems && *mems)
		json_object_set_new (cpu, "mems", json_string (mems));
	put_or_del (section (r, "pids"), "limit", int_of (hc, "PidsLimit"));
	put_or_del (section (r, "blockIO"), "weight", int_of (hc, "BlkioWeight"));
	for (size_t i = 0; i < 4; i++) {
		static const char *const keys[] = {"memory", "cpu", "pids", "blockIO"};
		if (!json_object_size (json_object_get (r, keys[i])))
			json_object_del (r, keys[i]);
	}
}

static int
save (int dfd, const char *name, json_t *doc, struct bx_err *e)
{
	_cleanup_free_ char *s = json_dumps (doc, JSON_COMPACT);

	if (!s)
		return err_set (e, BX_SYSTEM, ENOMEM, "%s", name);
	return afile_write_at (dfd, name, s, strlen (s), 0600, e);
}

/* a running container's cgroup gets the limits config.json now has */
static int
apply (const struct ctrflags *f, int dfd, json_t *config, struct bx_err *e)
{
	json_t *lx = json_object_get (config, "linux");
	const char *path = json_string_value (json_object_get (lx, "cgroupsPath"));
	struct ctr_state st;
	struct cgroup_limits l;
	int r;

	if (ctr_state_read (dfd, &st, e) < 0)
		return -1;
	if (strcmp (st.status, "running") != 0 || !path)
		return 0;
	if (ocispec_resources (json_object_get (lx, "resources"), &l, e) < 0)
		return -1;
	if (given (f, "pids-limit") && f->pids_limit <= 0)
		l.pids = 0; /* unlimited again */
	r = cgroup_update (path, &l, e);
	ocispec_resources_free (&l);
	return r;
}

static int
update_one (int rootfd, const char *what, const char *id, void *arg, struct bx_err *e)
{
	const struct ctrflags *f = arg;
	_cleanup_close_ int dfd = ctr_open (rootfd, id, e);
	_cleanup_free_ char *old_config = NULL;
	json_t *create = NULL, *config = NULL, *old_create = NULL, *hc;
	struct bx_err ign = {0};
	int r = -1;

	(void)what;
	/* the directory's flock: one update of its two files at a time */
	if (dfd < 0 || flock (dfd, LOCK_EX) < 0)
		return dfd < 0 ? -1 : err_set (e, BX_SYSTEM, errno, "lock %.12s", id);
	if (!(create = ctr_create_read (dfd, e)) || afile_slurp_at (dfd, L_CONFIG, &old_config, NULL, e) < 0)
		goto out;
	if (!(config = json_loads (old_config, 0, NULL))) {
		err_set (e, BX_FAIL, 0, L_CONFIG ": not JSON");
		goto out;
	}
	old_create = json_deep_copy (create);
	hc = json_object_get (create, "HostConfig");
	if (conflicts (f, hc, e) < 0)
		goto out;
	merge (f, hc);
	resources (hc, section (section (config, "linux"), "resources"));
	if (save (dfd, L_CONFIG, config, e) < 0 || save (dfd, L_CREATE_JSON, create, e) < 0)
		goto restore;
	/* Docker's update event, once the new config is saved: a limit the
	 * running container then refuses does not take it back */
	r = apply (f, dfd, config, e);
	event_ctr (rootfd, id, "update", NULL, NULL);
	if (r == 0)
		goto out;
restore:
	afile_write_at (dfd, L_CONFIG, old_config, strlen (old_config), 0600, &ign);
	save (dfd, L_CREATE_JSON, old_create, &ign);
out:
	if (r < 0)
		err_wrap (e, "Cannot update container %s", id);
	json_decref (create);
	json_decref (config);
	json_decref (old_create);
	return r;
}

int
update_containers (const struct ctrflags *f)
{
	struct bx_err e = {0};
	_cleanup_close_ int rootfd = root_open (f->root, &e);

	if (rootfd < 0)
		return err_report (&e);
	return ctr_each (rootfd, f->cmd, f->ncmd, update_one, (void *)f, err_report_each);
}

/* the daemon's refusal of the flags, found by each container's update */
static int
refuse_one (int rootfd, const char *what, const char *id, void *arg, struct bx_err *e)
{
	(void)rootfd, (void)what, (void)id;
	*e = *(const struct bx_err *)arg;
	return -1;
}

int
update_refused (const struct ctrflags *f, const struct bx_err *why)
{
	struct bx_err e = {0};
	_cleanup_close_ int rootfd = root_open (f->root, &e);

	if (rootfd < 0)
		return err_report (&e);
	return ctr_each (rootfd, f->cmd, f->ncmd, refuse_one, (void *)why, err_report_each);
}
