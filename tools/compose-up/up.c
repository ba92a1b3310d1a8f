/* up - one thread per service: each waits for the services it depends
 * on (and their conditions), then makes, keeps or recreates its
 * containers through ctr-create, ctr-net and ctr-spawn */
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "down.h"
#include "hooks.h"
#include "logs.h"
#include "proj.h"
#include "prog.h"
#include "sargs.h"
#include "up.h"

struct up_opts {
	int detach, build, no_build, force, no_recreate, remove_orphans, pull, no_deps, no_start, timeout;
	int wait, wait_timeout, abort;
	const char *exit_from;
	json_t *scale; /* service -> number */
};

enum { JOB_WAITING, JOB_DONE, JOB_FAILED };

struct job {
	const char *name;
	const json_t *svc;
	int state;
	pthread_t th;
	struct up *u;
};

struct up {
	const struct model *m;
	const struct up_opts *o;
	json_t *existing;
	struct job *jobs;
	size_t njobs;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct bx_err err;
	int failed;
};

static pthread_mutex_t say_mu = PTHREAD_MUTEX_INITIALIZER;

/* Compose's progress lines, on stderr */
static void
say (const char *kind, const char *name, const char *what)
{
	pthread_mutex_lock (&say_mu);
	fprintf (stderr, "%s %s  %s\n", kind, name, what);
	pthread_mutex_unlock (&say_mu);
}

static void
select_add (const json_t *svcs, const char *name, json_t *set, int no_deps)
{
	const char *k;
	json_t *d;

	if (json_object_get (set, name) || !json_object_get (svcs, name))
		return;
	json_object_set_new (set, name, json_true ());
	if (no_deps)
		return;
	json_object_foreach (json_object_get (json_object_get (svcs, name), "depends_on"), k, d)
	    select_add (svcs, k, set, no_deps);
}

json_t *
up_selection (const struct model *m, const char *const *want, int no_deps)
{
	json_t *svcs = json_object_get (m->p, "services"), *set = json_object (), *order = NULL, *out = json_array (),
	       *s;
	struct bx_err e = {0};
	const char *k;
	size_t idx;

	if (want && *want)
		for (int w = 0; want[w]; w++)
			select_add (svcs, want[w], set, no_deps);
	else
		json_object_foreach (svcs, k, s) select_add (svcs, k, set, 1);
	model_order (m, &order, &e);
	json_array_foreach (order, idx, s) if (json_object_get (set, json_string_value (s))) json_array_append (out, s);
	json_decref (order);
	json_decref (set);
	return out;
}

/* --- networks and volumes ------------------------------------------------- */

/* whether PROG (ctr-net, ctr-vol) inspect finds NAME */
static bool
inspect_finds (const char *prog, const char *name, struct bx_err *e)
{
	struct prog_argv a = {0};
	int rc;

	prog_add (&a, prog);
	prog_add (&a, "inspect");
	prog_add (&a, name);
	rc = prog_quiet (&a, e);
	prog_free (&a);
	return rc == 0;
}

/* FLAG KEY=VALUE for each entry of OBJ (a map, or a list of KEY=VALUE) */
static void
add_pairs (struct prog_argv *a, const char *flag, const json_t *obj)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach ((json_t *)obj, k, v)
	{
		prog_add (a, flag);
		if (json_is_string (v))
			prog_addf (a, "%s=%s", k, json_string_value (v));
		else if (json_is_null (v))
			prog_addf (a, "%s=", k);
		else {
			_cleanup_free_ char *js = json_dumps (v, JSON_ENCODE_ANY);
			prog_addf (a, "%s=%s", k, js ? js : "");
		}
	}
	json_array_foreach ((json_t *)obj, i, v)
	{
		prog_add (a, flag);
		prog_add (a, json_string_value (v) ?: "");
	}
}

/* ipam: the default driver, one IPv4 pool and one IPv6 pool, as ctr-net
 * makes them */
static int
network_ipam (const char *key, const json_t *ipam, struct prog_argv *a, struct bx_err *e)
{
	const char *driver = json_string_value (json_object_get (ipam, "driver"));
	json_t *cfg = json_object_get (ipam, "config"), *c;
	static const char *const keys[][2] = {
	    {"subnet", "--subnet"}, {"gateway", "--gateway"}, {"ip_range", "--ip-range"}};
	int v4 = 0, v6 = 0;
	size_t k;

	if (driver && strcmp (driver, "default"))
		return err_set (e, BX_FAIL, 0, "network %s: ipam driver %s: not implemented", key, driver);
	json_array_foreach (cfg, k, c)
	{
		int six = strchr (json_string_value (json_object_get (c, "subnet")) ?: "", ':') != NULL;
		if ((six ? v6++ : v4++) > 0)
			return err_set (e, BX_FAIL, 0, "network %s: more than one IPv%d pool: not implemented", key,
			                six ? 6 : 4);
		if (six && (json_object_get (c, "ip_range") || json_object_get (c, "aux_addresses")))
			return err_set (e, BX_FAIL, 0,
			                "network %s: ip_range and aux_addresses of IPv6: not implemented", key);
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
			if (json_is_string (json_object_get (c, keys[i][0]))) {
				prog_add (a, keys[i][1]);
				prog_add (a, json_string_value (json_object_get (c, keys[i][0])));
			}
		add_pairs (a, "--aux-address", json_object_get (c, "aux_addresses"));
	}
	return 0;
}

static int
network_ensure (const struct model *m, const char *key, const json_t *net, struct bx_err *e)
{
	const char *name = json_string_value (json_object_get (net, "name"));
	const char *driver = json_string_value (json_object_get (net, "driver"));
	struct prog_argv a = {0};
	int rc;

	if (inspect_finds ("ctr-net", name, e))
		return 0;
	if (json_is_true (json_object_get (net, "external")))
		return err_set (e, BX_NOTFOUND, 0, "network %s declared as external, but could not be found", name);
	if (driver && strcmp (driver, "bridge"))
		return err_set (e, BX_FAIL, 0, "network %s: driver %s: not implemented (bridge only)", key, driver);
	prog_add (&a, "ctr-net");
	prog_add (&a, "create");
	if (network_ipam (key, json_object_get (net, "ipam"), &a, e) < 0) {
		prog_free (&a);
		return -1;
	}
	if (json_is_true (json_object_get (net, "internal")))
		prog_add (&a, "--internal");
	if (json_is_true (json_object_get (net, "enable_ipv6")))
		prog_add (&a, "--ipv6");
	add_pairs (&a, "-o", json_object_get (net, "driver_opts"));
	add_pairs (&a, "--label", json_object_get (net, "labels"));
	prog_add (&a, "--label");
	prog_addf (&a, "com.docker.compose.network=%s", key);
	prog_add (&a, "--label");
	prog_addf (&a, "com.docker.compose.project=%s", m->name);
	prog_add (&a, "--label");
	prog_add (&a, "com.docker.compose.version=2.0.0-box");
	prog_add (&a, name);
	rc = prog_quiet (&a, e);
	prog_free (&a);
	if (rc != 0)
		return err_set (e, BX_FAIL, 0, "network %s: ctr-net create failed (%d)", name, rc);
	say ("Network", name, "Created");
	return 0;
}

/* a named volume, made by ctr-vol with the project's labels (ctr-create
 * would make a missing one on first use, unlabelled: down -v would not
 * find it) */
static int
volume_ensure (const struct model *m, const char *key, const json_t *vol, struct bx_err *e)
{
	const char *name = json_string_value (json_object_get (vol, "name"));
	struct prog_argv a = {0};
	const char *k;
	json_t *v;
	int rc;

	if (json_object_get (vol, "driver") &&
	    strcmp (json_string_value (json_object_get (vol, "driver")) ?: "", "local"))
		return err_set (e, BX_FAIL, 0, "volume %s: driver %s: not implemented", key,
		                json_string_value (json_object_get (vol, "driver")));
	if (inspect_finds ("ctr-vol", name, e))
		return 0;
	if (json_is_true (json_object_get (vol, "external")))
		return err_set (e, BX_NOTFOUND, 0, "external volume \"%s\" not found", name);
	prog_add (&a, "ctr-vol");
	prog_add (&a, "create");
	prog_add (&a, "--label");
	prog_addf (&a, "com.docker.compose.project=%s", m->name);
	prog_add (&a, "--label");
	prog_addf (&a, "com.docker.compose.volume=%s", key);
	add_pairs (&a, "--label", json_object_get (vol, "labels"));
	json_object_foreach (json_object_get (vol, "driver_opts"), k, v)
	{
		prog_add (&a, "-o");
		prog_addf (&a, "%s=%s", k, json_string_value (v) ?: "");
	}
	prog_add (&a, name);
	rc = prog_quiet (&a, e);
	prog_free (&a);
	if (rc != 0)
		return err_set (e, BX_FAIL, 0, "volume %s: ctr-vol create failed (%d)", name, rc);
	say ("Volume", name, "Created");
	return 0;
}

int
up_resources (const struct model *m, const json_t *services, struct bx_err *e)
{
	json_t *nets = json_object_get (m->p, "networks"), *vols = json_object_get (m->p, "volumes"), *s, *v;
	json_t *used = json_object ();
	const char *k;
	size_t idx, j;
	int rc = 0;

	json_array_foreach (services, idx, s)
	{
		const json_t *svc = json_object_get (json_object_get (m->p, "services"), json_string_value (s));
		json_object_foreach (json_object_get (svc, "networks"), k, v) if (!json_object_get (used, k) && rc == 0)
		{
			json_object_set_new (used, k, json_true ());
			rc = network_ensure (m, k, json_object_get (nets, k), e);
		}
		json_array_foreach (json_object_get (svc, "volumes"), j, v)
		{
			const char *src = json_string_value (json_object_get (v, "source"));
			if (rc == 0 && src &&
			    !strcmp (json_string_value (json_object_get (v, "type")) ?: "", "volume") &&
			    !json_object_get (used, src)) {
				json_object_set_new (used, src, json_false ());
				rc = volume_ensure (m, src, json_object_get (vols, src), e);
			}
		}
	}
	json_decref (used);
	return rc;
}

/* --- images --------------------------------------------------------------- */

static int
build_one (const struct model *m, const char *service, const json_t *b, const char *image, struct bx_err *e)
{
	struct prog_argv a = {0};
	const char *k;
	json_t *v;
	int rc;

	prog_add (&a, "df-build");
	prog_add (&a, "-t");
	prog_add (&a, image);
	prog_add (&a, "-f");
	prog_addf (&a, "%s/%s", json_string_value (json_object_get (b, "context")),
	           json_string_value (json_object_get (b, "dockerfile")) ?: "Dockerfile");
	if (json_object_get (b, "target")) {
		prog_add (&a, "--target");
		prog_add (&a, json_string_value (json_object_get (b, "target")));
	}
	json_object_foreach (json_object_get (b, "args"), k, v)
	{
		prog_add (&a, "--build-arg");
		if (json_is_null (v))
			prog_add (&a, k);
		else
			prog_addf (&a, "%s=%s", k, json_string_value (v));
	}
	json_object_foreach (json_object_get (b, "labels"), k, v)
	{
		prog_add (&a, "--label");
		prog_addf (&a, "%s=%s", k, json_string_value (v) ?: "");
	}
	prog_add (&a, json_string_value (json_object_get (b, "context")));
	(void)m;
	fflush (stdout);
	/* the build's lines are progress: they go to stderr as Compose's do */
	struct prog_argv *ap = &a;
	_cleanup_close_ int out = -1;
	pid_t pid = prog_start (ap, &out, -1, e);
	char buf[4096];
	ssize_t n;
	if (pid < 0) {
		prog_free (&a);
		return -1;
	}
	while ((n = read (out, buf, sizeof buf)) > 0)
		if (write (STDERR_FILENO, buf, (size_t)n) < 0)
			break;
	rc = prog_wait (pid);
	prog_free (&a);
	if (rc != 0)
		return err_set (e, BX_FAIL, 0, "service \"%s\" failed to build: df-build exited %d", service, rc);
	say ("Image", image, "Built");
	return 0;
}

static int
image_present (const char *image)
{
	struct prog_argv a = {0};
	struct bx_err e = {0};
	int rc;

	prog_add (&a, "img-list");
	prog_add (&a, "inspect");
	prog_add (&a, "-f");
	prog_add (&a, ".");
	prog_add (&a, image);
	rc = prog_quiet (&a, &e);
	prog_free (&a);
	return rc == 0;
}

int
up_images (const struct model *m, const json_t *services, int build, int pull, struct bx_err *e)
{
	json_t *s;
	size_t idx;

	json_array_foreach (services, idx, s)
	{
		const char *name = json_string_value (s);
		const json_t *svc = json_object_get (json_object_get (m->p, "services"), name);
		const json_t *b = json_object_get (svc, "build");
		const char *policy = json_string_value (json_object_get (svc, "pull_policy")) ?: "missing";
		_cleanup_free_ char *image = sargs_image (m, name, svc);
		int present = image_present (image);

		if (b && (build || !present || !strcmp (policy, "build"))) {
			if (build < 0)
				return err_set (e, BX_FAIL, 0,
				                "service \"%s\" has no image %s and --no-build was given", name, image);
			if (build_one (m, name, b, image, e) < 0)
				return -1;
			continue;
		}
		if (present && !pull && strcmp (policy, "always"))
			continue;
		if (!strcmp (policy, "never"))
			return err_set (e, BX_NOTFOUND, 0,
			                "service \"%s\": image %s not found and pull_policy is never", name, image);
		if (prog_call (NULL, e, "img-fetch", "--docker", image, NULL) != 0)
			return err_set (e, BX_FAIL, 0, "service \"%s\": pull access denied or image not found: %s",
			                name, image);
		say ("Image", image, "Pulled");
	}
	return 0;
}

/* --- containers ----------------------------------------------------------- */

static int
attach_networks (const struct model *m, const char *service, const json_t *svc, const char *id, struct bx_err *e)
{
	json_t *nets = sargs_networks (svc), *n;
	size_t k;
	int rc = 0;

	if (json_object_get (svc, "network_mode")) {
		json_decref (nets);
		return 0;
	}
	if (json_array_size (nets) && prog_call (NULL, e, "ctr-net", "attach", id, NULL) != 0)
		rc = err_set (e, BX_FAIL, 0, "service \"%s\": ctr-net attach failed", service);
	json_array_foreach (nets, k, n)
	{
		const json_t *cfg = json_object_get (json_object_get (svc, "networks"), json_string_value (n)), *al;
		struct prog_argv a = {0};
		size_t j;
		if (k == 0 || rc < 0)
			continue;
		prog_add (&a, "ctr-net");
		prog_add (&a, "connect");
		prog_add (&a, "--alias");
		prog_add (&a, service);
		json_array_foreach (json_object_get (cfg, "aliases"), j, al)
		{
			prog_add (&a, "--alias");
			prog_add (&a, json_string_value (al) ?: "");
		}
		if (json_object_get (cfg, "ipv4_address")) {
			prog_add (&a, "--ip");
			prog_add (&a, json_string_value (json_object_get (cfg, "ipv4_address")) ?: "");
		}
		prog_add (&a,
		          json_string_value (json_object_get (
		              json_object_get (json_object_get (m->p, "networks"), json_string_value (n)), "name")));
		prog_add (&a, id);
		if (prog_run (&a, NULL, e) != 0)
			rc = err_set (e, BX_FAIL, 0, "service \"%s\": ctr-net connect failed", service);
		prog_free (&a);
	}
	json_decref (nets);
	return rc;
}

int
up_create (const struct model *m, const char *service, const char *name, int number, int oneoff,
           struct prog_argv *extra, char **id, struct bx_err *e)
{
	const json_t *svc = json_object_get (json_object_get (m->p, "services"), service);
	struct sargs_ctr c = {service, name, number, NULL, oneoff};
	struct prog_argv a = {0};
	char hash[65];
	int rc;

	sargs_hash (svc, hash);
	c.hash = hash;
	if (sargs_create (m, svc, &c, &a, e) < 0) {
		prog_free (&a);
		return -1;
	}
	/* run's own flags go before IMAGE: after the labels, before "--" */
	for (size_t k = 0; extra && k < extra->n; k++) {
		size_t dash = 0;
		while (strcmp (a.v[dash], "--"))
			dash++;
		prog_add (&a, "");
		memmove (&a.v[dash + 1], &a.v[dash], (a.n - dash - 1) * sizeof *a.v);
		a.v[dash] = strdup (extra->v[k]);
	}
	rc = prog_run (&a, id, e);
	prog_free (&a);
	if (rc != 0) {
		free (*id);
		*id = NULL;
		return err_set (e, rc == 4 ? BX_CONFLICT : BX_FAIL, 0,
		                "service \"%s\": container %s could not be created", service, name);
	}
	(*id)[strcspn (*id, "\n")] = '\0';
	if (attach_networks (m, service, svc, *id, e) < 0)
		return -1;
	say ("Container", name, "Created");
	return 0;
}

static int
start_one (const json_t *svc, const char *name, const char *id, struct bx_err *e)
{
	int rc = prog_call (NULL, e, "ctr-spawn", "-d", id, NULL);

	if (rc == 0 || rc == 4) {
		say ("Container", name, "Started");
		return hooks_run (svc, "post_start", id, name, e);
	}
	return err_set (e, BX_FAIL, 0, "container %s failed to start (%d)", name, rc);
}

static json_t *
service_containers (const json_t *existing, const char *service)
{
	json_t *out = json_array (), *c;
	size_t k;

	json_array_foreach (existing, k, c) if (!strcmp (proj_label (c, PROJ_L_SERVICE), service) &&
	                                        strcmp (proj_label (c, PROJ_L_ONEOFF), "True"))
	    json_array_append (out, c);
	return out;
}

static int
scale_of (const struct up *u, const char *service, const json_t *svc)
{
	json_t *v = json_object_get (u->o->scale, service);

	if (v)
		return (int)json_integer_value (v);
	if ((v = json_object_get (svc, "scale")))
		return (int)json_integer_value (v);
	if ((v = json_object_get (json_object_get (svc, "deploy"), "replicas")))
		return (int)json_integer_value (v);
	return 1;
}

static void
ctr_name (const struct model *m, const char *service, const json_t *svc, int number, char *buf, size_t len)
{
	const char *fixed = json_string_value (json_object_get (svc, "container_name"));

	if (fixed)
		snprintf (buf, len, "%s", fixed);
	else
		snprintf (buf, len, "%s-%s-%d", m->name, service, number);
}

static int
remove_one (const struct up *u, const json_t *c, struct bx_err *e)
{
	const char *id = json_string_value (json_object_get (c, "Id"));
	char t[32];

	snprintf (t, sizeof t, "%d", u->o->timeout);
	if (proj_running (c) && (u->o->timeout >= 0 ? prog_call (NULL, e, "ctr-kill", "--stop", "-t", t, id, NULL)
	                                            : prog_call (NULL, e, "ctr-kill", "--stop", id, NULL)) != 0)
		return err_set (e, BX_FAIL, 0, "container %s could not be stopped", proj_name (c));
	if (prog_call (NULL, e, "ctr-rm", "-f", id, NULL) != 0)
		return err_set (e, BX_FAIL, 0, "container %s could not be removed", proj_name (c));
	return 0;
}

/* container NUMBER of the job's service: kept, started, recreated or made */
static int
converge_one (struct up *u, struct job *j, int number, const json_t *have, struct bx_err *e)
{
	char name[512], hash[65];
	_cleanup_free_ char *id = NULL;

	ctr_name (u->m, j->name, j->svc, number, name, sizeof name);
	sargs_hash (j->svc, hash);
	if (have && (u->o->no_recreate || (!u->o->force && !strcmp (proj_label (have, PROJ_L_HASH), hash)))) {
		if (proj_running (have)) {
			say ("Container", proj_name (have), "Running");
			return 0;
		}
		if (u->o->no_start)
			return 0;
		if (attach_networks (u->m, j->name, j->svc, json_string_value (json_object_get (have, "Id")), e) < 0)
			return -1;
		return start_one (j->svc, proj_name (have), json_string_value (json_object_get (have, "Id")), e);
	}
	if (have && remove_one (u, have, e) < 0)
		return -1;
	if (up_create (u->m, j->name, name, number, 0, NULL, &id, e) < 0)
		return -1;
	if (have)
		say ("Container", name, "Recreated");
	return u->o->no_start ? 0 : start_one (j->svc, name, id, e);
}

static int
converge_service (struct up *u, struct job *j, struct bx_err *e)
{
	json_t *have = service_containers (u->existing, j->name), *c;
	int n = scale_of (u, j->name, j->svc), rc = 0;
	size_t k;

	for (int num = 1; num <= n && rc == 0; num++) {
		const json_t *found = NULL;
		json_array_foreach (have, k, c) if (atoi (proj_label (c, PROJ_L_NUMBER)) == num) found = c;
		rc = converge_one (u, j, num, found, e);
	}
	/* scaled down: the highest numbers go */
	json_array_foreach (have, k, c) if (rc == 0 && atoi (proj_label (c, PROJ_L_NUMBER)) > n) rc =
	    remove_one (u, c, e);
	json_decref (have);
	return rc;
}

/* true unless every container of SERVICE runs with its config-hash */
static int
stale (const struct up *u, const char *service, const json_t *svc)
{
	json_t *have = service_containers (u->existing, service), *c;
	int n = scale_of (u, service, svc), work = (int)json_array_size (have) != n || u->o->force;
	char hash[65];
	size_t k;

	sargs_hash (svc, hash);
	json_array_foreach (have, k, c) work |=
	    !proj_running (c) || (strcmp (proj_label (c, PROJ_L_HASH), hash) && !u->o->no_recreate);
	json_decref (have);
	return work;
}

/* --- dependency conditions ------------------------------------------------ */

static int
inspect_dep (const struct model *m, const char *service, json_t **ctrs, struct bx_err *e)
{
	json_t *all = NULL;

	if (proj_containers (m->name, &all, e) < 0)
		return -1;
	*ctrs = service_containers (all, service);
	json_decref (all);
	return 0;
}

static int
wait_healthy (const struct model *m, const char *dep, struct bx_err *e)
{
	for (;;) {
		json_t *ctrs = NULL, *c;
		size_t k;
		int ready = 1;
		if (inspect_dep (m, dep, &ctrs, e) < 0)
			return -1;
		json_array_foreach (ctrs, k, c)
		{
			const char *h = json_string_value (
			    json_object_get (json_object_get (json_object_get (c, "State"), "Health"), "Status"));
			if (!proj_running (c) || (h && !strcmp (h, "unhealthy"))) {
				err_set (e, BX_FAIL, 0, "dependency failed to start: container %s is %s", proj_name (c),
				         proj_running (c) ? "unhealthy" : "not running");
				json_decref (ctrs);
				return -1;
			}
			/* just started, the supervisor may not have written its health yet */
			if (!h && !json_array_size (json_object_get (
			              json_object_get (json_object_get (c, "Config"), "Healthcheck"), "Test"))) {
				err_set (e, BX_FAIL, 0, "container %s has no healthcheck configured", proj_name (c));
				json_decref (ctrs);
				return -1;
			}
			ready &= h && !strcmp (h, "healthy");
		}
		if (ready)
			json_array_foreach (ctrs, k, c) say ("Container", proj_name (c), "Healthy");
		json_decref (ctrs);
		if (ready)
			return 0;
		nanosleep (&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
}

static int
wait_completed (const struct model *m, const char *dep, struct bx_err *e)
{
	json_t *ctrs = NULL, *c;
	size_t k;
	int rc = 0;

	if (inspect_dep (m, dep, &ctrs, e) < 0)
		return -1;
	json_array_foreach (ctrs, k, c)
	{
		_cleanup_free_ char *code = NULL;
		if (rc == 0 &&
		    (prog_call (&code, e, "ctr-wait", json_string_value (json_object_get (c, "Id")), NULL) != 0 ||
		     atoi (code ? code : "1") != 0))
			rc = err_set (e, BX_FAIL, 0, "service \"%s\" didn't complete successfully: exit %d", dep,
			              atoi (code ? code : "1"));
	}
	json_decref (ctrs);
	return rc;
}

int
up_wait_deps (const struct model *m, const char *service, struct bx_err *e)
{
	const json_t *svc = json_object_get (json_object_get (m->p, "services"), service), *d;
	const char *k;

	json_object_foreach (json_object_get (svc, "depends_on"), k, d)
	{
		const char *cond = json_string_value (json_object_get (d, "condition")) ?: "service_started";
		if (!json_object_get (json_object_get (m->p, "services"), k))
			continue;
		if (!strcmp (cond, "service_healthy") && wait_healthy (m, k, e) < 0)
			return -1;
		if (!strcmp (cond, "service_completed_successfully") && wait_completed (m, k, e) < 0)
			return -1;
	}
	return 0;
}

/* --- the jobs ------------------------------------------------------------- */

static struct job *
job_of (struct up *u, const char *name)
{
	for (size_t k = 0; k < u->njobs; k++)
		if (!strcmp (u->jobs[k].name, name))
			return &u->jobs[k];
	return NULL;
}

/* 1 when every dependency of J is done, -1 when one failed, 0 to wait */
static int
deps_ready (struct up *u, struct job *j)
{
	const char *k;
	json_t *d;
	int ready = 1;

	json_object_foreach (json_object_get (j->svc, "depends_on"), k, d)
	{
		struct job *dj = job_of (u, k);
		if (!dj)
			continue;
		if (dj->state == JOB_FAILED)
			return -1;
		ready &= dj->state == JOB_DONE;
	}
	return ready;
}

static void *
job_run (void *arg)
{
	struct job *j = arg;
	struct up *u = j->u;
	struct bx_err e = {0};
	int ready, rc = -1;

	pthread_mutex_lock (&u->mu);
	while ((ready = deps_ready (u, j)) == 0)
		pthread_cond_wait (&u->cv, &u->mu);
	pthread_mutex_unlock (&u->mu);
	/* a service left as it is waits for nothing: an unchanged up stays fast */
	if (ready > 0 && (u->o->no_start || !stale (u, j->name, j->svc) || up_wait_deps (u->m, j->name, &e) == 0))
		rc = converge_service (u, j, &e);
	pthread_mutex_lock (&u->mu);
	j->state = rc == 0 ? JOB_DONE : JOB_FAILED;
	if (rc < 0 && ready > 0 && !u->failed) {
		u->failed = 1;
		u->err = e;
	}
	pthread_cond_broadcast (&u->cv);
	pthread_mutex_unlock (&u->mu);
	return NULL;
}

static int
run_jobs (struct up *u, const json_t *services, struct bx_err *e)
{
	json_t *s;
	size_t k;

	u->njobs = json_array_size (services);
	u->jobs = calloc (u->njobs + 1, sizeof *u->jobs);
	pthread_mutex_init (&u->mu, NULL);
	pthread_cond_init (&u->cv, NULL);
	json_array_foreach (services, k, s)
	{
		u->jobs[k].name = json_string_value (s);
		u->jobs[k].svc = json_object_get (json_object_get (u->m->p, "services"), u->jobs[k].name);
		u->jobs[k].u = u;
	}
	for (k = 0; k < u->njobs; k++)
		if (pthread_create (&u->jobs[k].th, NULL, job_run, &u->jobs[k]) != 0)
			abort ();
	for (k = 0; k < u->njobs; k++)
		pthread_join (u->jobs[k].th, NULL);
	free (u->jobs);
	if (u->failed) {
		*e = u->err;
		return -1;
	}
	return 0;
}

/* --- checks before anything is made --------------------------------------- */

static int
check_plan (const struct model *m, const json_t *services, struct bx_err *e)
{
	json_t *s;
	size_t k;

	json_array_foreach (services, k, s)
	{
		const char *name = json_string_value (s);
		const json_t *svc = json_object_get (json_object_get (m->p, "services"), name);
		if (sargs_check (name, svc, e) < 0)
			return -1;
	}
	return 0;
}

static void
orphans (const struct model *m, const json_t *existing, int remove, const struct up *u)
{
	json_t *c;
	size_t k;
	char list[2048] = "";
	struct bx_err e = {0};

	json_array_foreach (existing, k, c)
	{
		if (json_object_get (json_object_get (m->p, "services"), proj_label (c, PROJ_L_SERVICE)) ||
		    !strcmp (proj_label (c, PROJ_L_ONEOFF), "True"))
			continue;
		if (remove) {
			if (remove_one (u, c, &e) == 0)
				say ("Container", proj_name (c), "Removed");
		} else
			snprintf (list + strlen (list), sizeof list - strlen (list), "%s%s", *list ? " " : "",
			          proj_name (c));
	}
	if (*list)
		fprintf (stderr,
		         "WARN: Found orphan containers ([%s]) for this project. If you removed or renamed this "
		         "service in your "
		         "compose file, you can run this command with the --remove-orphans flag to clean it up.\n",
		         list);
}

/* --- up --wait ------------------------------------------------------------ */

/* 1 when C is ready (running, and healthy when it has a healthcheck), 0
 * not yet, -1 never (it exited, or is unhealthy) */
static int
ready_state (const json_t *c, struct bx_err *e)
{
	json_t *st = json_object_get (c, "State");
	const char *h = json_string_value (json_object_get (json_object_get (st, "Health"), "Status"));
	int has_check =
	    json_array_size (json_object_get (json_object_get (json_object_get (c, "Config"), "Healthcheck"), "Test")) >
	    0;

	if (!proj_running (c))
		return err_set (e, BX_FAIL, 0, "container %s exited (%d)", proj_name (c),
		                (int)json_integer_value (json_object_get (st, "ExitCode")));
	if (h && !strcmp (h, "unhealthy"))
		return err_set (e, BX_FAIL, 0, "container %s is unhealthy", proj_name (c));
	/* a healthcheck of NONE is none */
	if (has_check &&
	    !strcmp (json_string_value (json_array_get (
	                 json_object_get (json_object_get (json_object_get (c, "Config"), "Healthcheck"), "Test"), 0))
	                 ?: "",
	             "NONE"))
		has_check = 0;
	return !has_check || (h && !strcmp (h, "healthy"));
}

/* up --wait: every container of SERVICES running, and healthy where it
 * has a healthcheck, as Compose v2's; TIMEOUT seconds (0: no limit) */
static int
up_wait (const struct model *m, const json_t *services, int timeout, struct bx_err *e)
{
	time_t end = timeout > 0 ? time (NULL) + timeout : 0;
	json_t *all = NULL, *ctrs, *c;
	size_t k;
	int rc;

	if (proj_containers (m->name, &all, e) < 0)
		return -1;
	ctrs = logs_of_services (all, services);
	json_array_foreach (ctrs, k, c) say ("Container", proj_name (c), "Waiting");
	json_decref (all);
	for (;;) {
		int ready = 1;
		json_decref (ctrs);
		if (proj_containers (m->name, &all, e) < 0)
			return -1;
		ctrs = logs_of_services (all, services);
		json_decref (all);
		rc = 0;
		json_array_foreach (ctrs, k, c) if (rc == 0 && (rc = ready_state (c, e)) >= 0) ready &= rc, rc = 0;
		if (rc < 0 || ready)
			break;
		if (end && time (NULL) >= end) {
			rc = err_set (e, BX_FAIL, 0, "timeout waiting for the services to be healthy");
			break;
		}
		nanosleep (&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
	if (rc == 0)
		json_array_foreach (ctrs, k, c)
		{
			int has = json_object_get (json_object_get (c, "State"), "Health") != NULL;
			say ("Container", proj_name (c), has ? "Healthy" : "Running");
		}
	json_decref (ctrs);
	return rc;
}

/* --- up ------------------------------------------------------------------- */

static int
parse_up (int argc, char **argv, struct up_opts *o)
{
	static const struct option lo[] = {{"detach", no_argument, NULL, 'd'},
	                                   {"build", no_argument, NULL, 'b'},
	                                   {"no-build", no_argument, NULL, 'B'},
	                                   {"force-recreate", no_argument, NULL, 'F'},
	                                   {"no-recreate", no_argument, NULL, 'N'},
	                                   {"remove-orphans", no_argument, NULL, 'O'},
	                                   {"pull", required_argument, NULL, 'P'},
	                                   {"no-deps", no_argument, NULL, 'D'},
	                                   {"no-start", no_argument, NULL, 'S'},
	                                   {"timeout", required_argument, NULL, 't'},
	                                   {"scale", required_argument, NULL, 's'},
	                                   {"wait", no_argument, NULL, 'W'},
	                                   {"wait-timeout", required_argument, NULL, 'T'},
	                                   {"abort-on-container-exit", no_argument, NULL, 'A'},
	                                   {"exit-code-from", required_argument, NULL, 'X'},
	                                   {"quiet-pull", no_argument, NULL, 'q'},
	                                   {0, 0, 0, 0}};
	int ch;

	optind = 1;
	o->timeout = -1;
	o->scale = json_object ();
	while ((ch = getopt_long (argc, argv, "dt:", lo, NULL)) != -1) {
		switch (ch) {
		case 'd': o->detach = 1; break;
		case 'b': o->build = 1; break;
		case 'B': o->no_build = 1; break;
		case 'F': o->force = 1; break;
		case 'N': o->no_recreate = 1; break;
		case 'O': o->remove_orphans = 1; break;
		case 'P': o->pull = !strcmp (optarg, "always"); break;
		case 'D': o->no_deps = 1; break;
		case 'S': o->no_start = 1; break;
		case 't': o->timeout = atoi (optarg); break;
		case 'q': break;
		case 's': {
			const char *eq = strchr (optarg, '=');
			_cleanup_free_ char *k = eq ? strndup (optarg, (size_t)(eq - optarg)) : NULL;
			if (!k)
				err_die (BX_USAGE, "invalid scale specifier: %s", optarg);
			json_object_set_new (o->scale, k, json_integer (atoi (eq + 1)));
			break;
		}
		case 'W': o->wait = 1; break;
		case 'T': o->wait_timeout = atoi (optarg); break;
		case 'A': o->abort = 1; break;
		case 'X': o->exit_from = optarg, o->abort = 1; break;
		default: return -1;
		}
	}
	/* Compose v2's checks, in its words */
	if (o->wait && o->abort)
		err_die (BX_USAGE, "--wait cannot be combined with --abort-on-container-exit, --attach or "
		                   "--attach-dependencies");
	if (o->detach && o->abort)
		err_die (BX_USAGE, "--detach cannot be combined with --abort-on-container-exit, --attach or "
		                   "--attach-dependencies");
	o->detach |= o->wait;
	if (o->force && o->no_recreate)
		err_die (BX_USAGE, "--force-recreate and --no-recreate are incompatible");
	if (o->build && o->no_build)
		err_die (BX_USAGE, "--build and --no-build are incompatible");
	return optind;
}

int
up_cmd (struct verbs_ctx *c, int argc, char **argv)
{
	struct up_opts o = {0};
	struct model m = {0};
	struct up u = {0};
	struct bx_err e = {0};
	json_t *services = NULL, *work = NULL, *s;
	int first, rc = 0;
	size_t k;
	struct timespec now;
	char since[64];

	/* attached, the output of this up: not what a container said before */
	clock_gettime (CLOCK_REALTIME, &now);
	snprintf (since, sizeof since, "%lld.%09ld", (long long)now.tv_sec, now.tv_nsec);
	if ((first = parse_up (argc, argv, &o)) < 0)
		return BX_USAGE;
	if (model_load (&c->mo, (const char *const *)argv + first, &m, &e) < 0)
		goto fail;
	services = up_selection (&m, (const char *const *)argv + first, o.no_deps);
	u.m = &m;
	u.o = &o;
	if (check_plan (&m, services, &e) < 0 || proj_containers (m.name, &u.existing, &e) < 0)
		goto fail;
	/* what runs as its model says needs no network, volume or image looked at */
	work = json_array ();
	json_array_foreach (services, k, s)
	{
		const char *name = json_string_value (s);
		if (o.build || o.pull || stale (&u, name, json_object_get (json_object_get (m.p, "services"), name)))
			json_array_append (work, s);
	}
	if (up_resources (&m, work, &e) < 0 || up_images (&m, work, o.build ? 1 : o.no_build ? -1 : 0, o.pull, &e) < 0)
		goto fail;
	orphans (&m, u.existing, o.remove_orphans, &u);
	if (o.exit_from && !json_object_get (json_object_get (m.p, "services"), o.exit_from)) {
		err_set (&e, BX_USAGE, 0, "no such service: %s", o.exit_from);
		goto fail;
	}
	if (run_jobs (&u, services, &e) < 0)
		goto fail;
	if (o.wait && !o.no_start && up_wait (&m, services, o.wait_timeout, &e) < 0)
		goto fail;
	if (!o.detach && !o.no_start)
		rc = logs_attach (&m, services, &(struct logs_attach){o.timeout, since, o.abort, o.exit_from});
	goto out;
fail:
	rc = err_report (&e);
out:
	json_decref (work);
	json_decref (services);
	json_decref (u.existing);
	json_decref (o.scale);
	model_free (&m);
	return rc;
}

int
up_deps (const struct model *m, const char *service, struct bx_err *e)
{
	const char *want[] = {service, NULL};
	json_t *sel = up_selection (m, want, 0), *deps = json_array (), *s;
	struct up_opts o = {.detach = 1, .timeout = -1};
	struct up u = {.m = m, .o = &o};
	size_t k;
	int rc;

	json_array_foreach (sel, k, s) if (strcmp (json_string_value (s), service)) json_array_append (deps, s);
	json_decref (sel);
	o.scale = json_object ();
	rc = check_plan (m, deps, e) < 0 || up_resources (m, deps, e) < 0 || up_images (m, deps, 0, 0, e) < 0 ||
	             proj_containers (m->name, &u.existing, e) < 0 || run_jobs (&u, deps, e) < 0
	         ? -1
	         : 0;
	json_decref (u.existing);
	json_decref (o.scale);
	json_decref (deps);
	return rc;
}
