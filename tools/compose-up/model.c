/* model - Compose's loading steps, in its order: files found, .env read,
 * each file parsed, interpolated, checked and normalised, then merged;
 * the project named; defaults added; references and cycles checked */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cenv.h"
#include "cfile.h"
#include "extend.h"
#include "merge.h"
#include "model.h"

static const char *const file_names[] = {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml",
                                         NULL};
static const char *const override_names[] = {"compose.override.yaml", "compose.override.yml",
                                             "docker-compose.override.yaml", "docker-compose.override.yml", NULL};

static char *
abs_path (const char *p)
{
	char cwd[PATH_MAX], buf[PATH_MAX * 2];

	if (p[0] == '/' || !getcwd (cwd, sizeof cwd))
		return strdup (p);
	snprintf (buf, sizeof buf, "%s/%s", cwd, !strncmp (p, "./", 2) ? p + 2 : p);
	return strdup (buf);
}

static int
find_in (const char *dir, const char *const *names, json_t *files)
{
	char p[PATH_MAX * 2];

	for (int k = 0; names[k]; k++) {
		snprintf (p, sizeof p, "%s/%s", dir, names[k]);
		if (access (p, F_OK) == 0) {
			json_array_append_new (files, json_string (p));
			return 1;
		}
	}
	return 0;
}

/* compose.yaml (or its other names) in the working directory or the
 * nearest parent, and its override beside it */
static int
discover (json_t *files, struct bx_err *e)
{
	char dir[PATH_MAX];
	char *slash;

	if (!getcwd (dir, sizeof dir))
		return err_set (e, BX_SYSTEM, errno, "getcwd");
	for (;;) {
		if (find_in (dir, file_names, files)) {
			find_in (dir, override_names, files);
			return 0;
		}
		if (!strcmp (dir, "/") || !(slash = strrchr (dir, '/')))
			break;
		slash == dir ? (void)(dir[1] = '\0') : (void)(*slash = '\0');
	}
	return err_set (e, BX_USAGE, 0, "no configuration file provided: not found");
}

static int
list_files (const struct model_opts *o, json_t *files, struct bx_err *e)
{
	const char *env = getenv ("COMPOSE_FILE");

	for (int k = 0; k < o->nfiles; k++) {
		_cleanup_free_ char *p = strcmp (o->files[k], "-") ? abs_path (o->files[k]) : strdup ("-");
		json_array_append_new (files, json_string (p));
	}
	if (o->nfiles)
		return 0;
	if (env && *env) {
		_cleanup_free_ char *dup = strdup (env);
		char *sv = NULL;
		for (char *s = strtok_r (dup, ":", &sv); s; s = strtok_r (NULL, ":", &sv)) {
			_cleanup_free_ char *p = abs_path (s);
			json_array_append_new (files, json_string (p));
		}
		return 0;
	}
	return discover (files, e);
}

static int
project_dir (const struct model_opts *o, const json_t *files, struct model *m, struct bx_err *e)
{
	const char *first = json_string_value (json_array_get (files, 0));
	char buf[PATH_MAX];

	if (o->project_dir) {
		if (!realpath (o->project_dir, buf))
			return err_set (e, BX_USAGE, errno, "project directory %s", o->project_dir);
		m->dir = strdup (buf);
	} else if (!strcmp (first, "-")) {
		m->dir = getcwd (buf, sizeof buf) ? strdup (buf) : NULL;
	} else {
		const char *slash = strrchr (first, '/');
		_cleanup_free_ char *d = strndup (first, slash && slash != first ? (size_t)(slash - first) : 1);
		m->dir = d && realpath (d, buf) ? strdup (buf) : NULL;
	}
	return m->dir ? 0 : err_set (e, BX_SYSTEM, errno, "project directory");
}

static int
load_vars (const struct model_opts *o, struct model *m, struct bx_err *e)
{
	json_t *env = json_object ();
	char p[PATH_MAX * 2];
	int rc = 0;

	m->vars = json_object ();
	cenv_environ (env);
	json_object_update (m->vars, env);
	for (int k = 0; k < o->nenv_files && rc == 0; k++)
		rc = cenv_file (m->vars, o->env_files[k], env, NULL, 1, e);
	if (!o->nenv_files) {
		snprintf (p, sizeof p, "%s/.env", m->dir);
		rc = cenv_file (m->vars, p, env, NULL, 0, e);
	}
	json_decref (env);
	return rc;
}

static int read_tree (const char *path, const json_t *vars, const char *dir, json_t *chain, json_t **out,
                      struct bx_err *e);

static int
string_list (const json_t *v, json_t **out)
{
	size_t k;
	json_t *it;

	*out = json_is_string (v) ? json_pack ("[O]", v) : json_is_array (v) ? json_incref ((json_t *)v) : NULL;
	if (!*out)
		return v ? -1 : 0;
	json_array_foreach (*out, k, it) if (!json_is_string (it)) return -1;
	return 0;
}

/* Compose copies an included project's resources in; one that is
 * already there is a conflict unless it is the same */
static int
import (json_t *root, const json_t *sub, const char *file, struct bx_err *e)
{
	static const char *const keys[] = {"services", "networks", "volumes", "secrets", "configs", NULL};
	const char *n;
	json_t *v, *have;

	for (int k = 0; keys[k]; k++) {
		json_t *top = json_object_get (root, keys[k]);
		json_object_foreach ((json_t *)json_object_get (sub, keys[k]), n, v)
		{
			if (!json_is_object (top)) {
				top = json_object ();
				json_object_set_new (root, keys[k], top);
			}
			if ((have = json_object_get (top, n)) && !json_equal (have, v))
				return err_set (e, BX_USAGE, 0, "%s: %s.%s conflicts with imported resource", file,
				                keys[k], n);
			json_object_set (top, n, v);
		}
	}
	return 0;
}

/* the included files' variables: the includer's, then their env_file
 * (the project directory's .env by default) for what is not set */
static int
include_vars (const json_t *vars, const json_t *env_files, const char *dir, const char *pdir, json_t **out,
              struct bx_err *e)
{
	_cleanup_free_ char *dotenv = cfile_path (pdir, ".env");
	json_t *it;
	size_t k;

	*out = json_deep_copy (vars);
	json_array_foreach (env_files, k, it)
	{
		_cleanup_free_ char *f = cfile_path (dir, json_string_value (it));
		if (cenv_file (*out, f, vars, NULL, 1, e) < 0)
			return -1;
	}
	return env_files ? 0 : cenv_file (*out, dotenv, vars, NULL, 0, e);
}

/* one entry of include: a path, or {path, project_directory, env_file};
 * relative ones under the includer's project directory DIR */
static int
include_one (json_t *root, const json_t *inc, const char *file, size_t idx, const json_t *vars, const char *dir,
             json_t *chain, struct bx_err *e)
{
	json_t *paths = NULL, *env_files = NULL, *ivars = NULL, *sub = NULL, *t, *it;
	const char *pd = json_string_value (json_object_get (inc, "project_directory"));
	_cleanup_free_ char *first = NULL, *pdir = NULL;
	size_t k;
	int rc = -1;

	if (string_list (json_is_object (inc) ? json_object_get (inc, "path") : inc, &paths) < 0 || !paths ||
	    !json_array_size (paths) || string_list (json_object_get (inc, "env_file"), &env_files) < 0 ||
	    (json_object_get (inc, "project_directory") && !pd)) {
		err_set (e, BX_USAGE, 0,
		         "%s: include[%zu]: want a path, or a mapping of path, project_directory, env_file", file, idx);
		goto out;
	}
	first = cfile_path (dir, json_string_value (json_array_get (paths, 0)));
	pdir = pd ? cfile_path (dir, pd) : cfile_dir (first);
	if (include_vars (vars, env_files, dir, pdir, &ivars, e) < 0)
		goto out;
	json_array_foreach (paths, k, it)
	{
		_cleanup_free_ char *p = cfile_path (dir, json_string_value (it));
		if (read_tree (p, ivars, pdir, chain, &t, e) < 0)
			goto out;
		sub ? merge_files (sub, t), json_decref (t) : (void)(sub = t);
	}
	rc = import (root, sub, file, e);
out:
	json_decref (paths);
	json_decref (env_files);
	json_decref (ivars);
	json_decref (sub);
	return rc;
}

static int
include_cycle (const json_t *chain, const char *path, struct bx_err *e)
{
	char buf[4096];
	json_t *it;
	size_t k;
	int n = 0;

	json_array_foreach (chain, k, it) if (!strcmp (json_string_value (it), path)) break;
	if (k == json_array_size (chain))
		return 0;
	n = snprintf (buf, sizeof buf, "include cycle detected:");
	json_array_foreach (chain, k, it) n += snprintf (buf + n, n < (int)sizeof buf ? sizeof buf - (size_t)n : 0,
	                                                 "\n%s%s", k ? " include " : "", json_string_value (it));
	snprintf (buf + n, n < (int)sizeof buf ? sizeof buf - (size_t)n : 0, "\n include %s", path);
	return err_set (e, BX_USAGE, 0, "%s", buf);
}

static int
include_all (json_t *root, const char *path, const json_t *vars, const char *dir, json_t *chain, struct bx_err *e)
{
	json_t *inc = json_object_get (root, "include"), *it;
	size_t k;
	int rc = 0;

	if (!inc)
		return 0;
	inc = json_is_array (inc) ? json_incref (inc) : json_pack ("[O]", inc);
	json_object_del (root, "include");
	json_array_append_new (chain, json_string (path));
	json_array_foreach (inc, k, it) if ((rc = include_one (root, it, path, k, vars, dir, chain, e)) < 0) break;
	json_array_remove (chain, json_array_size (chain) - 1);
	json_decref (inc);
	return rc;
}

/* PATH read, its extends resolved, its includes imported (recursively) */
static int
read_tree (const char *path, const json_t *vars, const char *dir, json_t *chain, json_t **out, struct bx_err *e)
{
	if (include_cycle (chain, path, e) < 0 || cfile_read (path, vars, dir, out, e) < 0)
		return -1;
	if (extend_resolve (*out, path, dir, vars, e) < 0 || include_all (*out, path, vars, dir, chain, e) < 0) {
		json_decref (*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int
load_one (const char *path, struct model *m, struct bx_err *e)
{
	json_t *root = NULL, *chain = json_array ();
	int rc = read_tree (path, m->vars, m->dir, chain, &root, e);

	json_decref (chain);
	if (rc < 0)
		return -1;
	if (!m->p)
		m->p = root;
	else {
		merge_files (m->p, root);
		json_decref (root);
	}
	return 0;
}

/* Compose's rule: lowercase, only [a-z0-9_-], starting with a letter or digit */
static int
name_valid (const char *s)
{
	if (!*s || !(islower ((unsigned char)*s) || isdigit ((unsigned char)*s)))
		return 0;
	return strspn (s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen (s);
}

static char *
name_normalise (const char *s)
{
	char *out = malloc (strlen (s) + 1), *o = out;

	for (; out && *s; s++) {
		char c = (char)tolower ((unsigned char)*s);
		if ((isalnum ((unsigned char)c) || c == '_' || c == '-') && (o > out || isalnum ((unsigned char)c)))
			*o++ = c;
	}
	if (out)
		*o = '\0';
	return out;
}

static int
pick_name (const struct model_opts *o, const json_t *vars, const json_t *p, const char *dir, char **name,
           struct bx_err *e)
{
	const char *n = o->project_name;

	if (!n)
		n = json_string_value (json_object_get (vars, "COMPOSE_PROJECT_NAME"));
	if (n && !*n)
		n = NULL;
	if (!n)
		n = json_string_value (json_object_get (p, "name"));
	if (n) {
		if (!name_valid (n))
			return err_set (
			    e, BX_USAGE, 0,
			    "invalid project name \"%s\": must consist only of lowercase alphanumeric characters, "
			    "hyphens, and underscores as well as start with a letter or number",
			    n);
		*name = strdup (n);
		return 0;
	}
	const char *base = strrchr (dir, '/');
	*name = name_normalise (base && base[1] ? base + 1 : dir);
	if (!*name || !**name)
		return err_set (e, BX_USAGE, 0, "project name must not be empty");
	return 0;
}

int
model_name_only (const struct model_opts *o, char **name, struct bx_err *e)
{
	struct model m = {0};
	json_t *files = json_array ();
	int rc;

	if (o->project_name && !(o->nfiles))
		return pick_name (o, NULL, NULL, "", name, e);
	rc = list_files (o, files, e) < 0 || project_dir (o, files, &m, e) < 0 || load_vars (o, &m, e) < 0 ? -1 : 0;
	if (rc == 0 && !o->project_name && !json_object_get (m.vars, "COMPOSE_PROJECT_NAME"))
		rc = model_load (o, NULL, &m, e) < 0 ? -1 : (*name = strdup (m.name)) ? 0 : -1;
	else if (rc == 0)
		rc = pick_name (o, m.vars, NULL, m.dir, name, e);
	json_decref (files);
	model_free (&m);
	return rc;
}

/* env_file read into environment (environment wins), valueless
 * variables taken from the interpolation variables */
static int
finish_env (json_t *svc, const json_t *vars, struct bx_err *e)
{
	json_t *files = json_object_get (svc, "env_file"), *f, *env = json_object (), *v;
	const char *k;
	size_t idx;

	json_array_foreach (files, idx, f) if (cenv_file (env, json_string_value (json_object_get (f, "path")), NULL,
	                                                  vars, json_is_true (json_object_get (f, "required")), e) < 0)
	{
		json_decref (env);
		return -1;
	}
	json_object_update (env, json_object_get (svc, "environment"));
	json_object_foreach (env, k, v) if (json_is_null (v) && json_object_get (vars, k))
	    json_object_set (env, k, json_object_get (vars, k));
	json_object_del (svc, "env_file");
	if (json_object_size (env))
		json_object_set_new (svc, "environment", env);
	else
		json_decref (env);
	return 0;
}

static int
profile_active (const json_t *svc, const char *name, const struct model_opts *o, const char *const *want)
{
	json_t *pr = json_object_get (svc, "profiles"), *it;
	const char *env = getenv ("COMPOSE_PROFILES");
	size_t k;

	if (!json_array_size (pr))
		return 1;
	for (int w = 0; want && want[w]; w++)
		if (!strcmp (want[w], name))
			return 1;
	json_array_foreach (pr, k, it)
	{
		const char *p = json_string_value (it);
		for (int j = 0; j < o->nprofiles; j++)
			if (!strcmp (o->profiles[j], p) || !strcmp (o->profiles[j], "*"))
				return 1;
		if (env) {
			_cleanup_free_ char *dup = strdup (env);
			char *sv = NULL;
			for (char *s = strtok_r (dup, ",", &sv); s; s = strtok_r (NULL, ",", &sv))
				if (!strcmp (s, p) || !strcmp (s, "*"))
					return 1;
		}
	}
	return 0;
}

static void
finish_top (json_t *p, const char *key, const char *project, int add_default)
{
	json_t *top = json_object_get (p, key), *v;
	const char *k;
	char buf[512];

	if (!json_is_object (top)) {
		top = json_object ();
		json_object_set_new (p, key, top);
	}
	if (add_default && !json_object_get (top, "default"))
		json_object_set_new (top, "default", json_null ());
	json_object_foreach (top, k, v)
	{
		if (json_is_null (v)) {
			v = json_object ();
			json_object_set_new (top, k, v);
		}
		if (json_object_get (v, "name"))
			continue;
		if (json_is_true (json_object_get (v, "external")))
			snprintf (buf, sizeof buf, "%s", k);
		else
			snprintf (buf, sizeof buf, "%s_%s", project, k);
		json_object_set_new (v, "name", json_string (buf));
	}
	if (!json_object_size (top))
		json_object_del (p, key);
}

/* a service's secrets (configs) name top-level ones, backed by a file */
static int
check_file_refs (const json_t *p, const json_t *svc, const char *name, const char *key, struct bx_err *e)
{
	json_t *it, *top;
	size_t k;

	json_array_foreach (json_object_get (svc, key), k, it)
	{
		const char *src = json_string_value (json_object_get (it, "source")) ?: "";
		if (!(top = json_object_get (json_object_get (p, key), src)))
			return err_set (e, BX_USAGE, 0,
			                "service \"%s\" refers to undefined %.*s %s: invalid compose project", name,
			                (int)strlen (key) - 1, key, src);
		if (!json_object_get (top, "file"))
			return err_set (e, BX_FAIL, 0, "%s %s: only file-backed ones are implemented", key, src);
	}
	return 0;
}

static int
check_refs (const json_t *p, struct bx_err *e)
{
	json_t *svcs = json_object_get (p, "services"), *s, *d;
	const char *name, *k;

	json_object_foreach (svcs, name, s)
	{
		if (!json_object_get (s, "image") && !json_object_get (s, "build"))
			return err_set (e, BX_USAGE, 0,
			                "service \"%s\" has neither an image nor a build context specified: invalid "
			                "compose project",
			                name);
		json_object_foreach (
		    json_object_get (s, "depends_on"), k,
		    d) if (!json_object_get (svcs, k) &&
		           !json_is_false (json_object_get (
		               d, "required"))) return err_set (e, BX_USAGE, 0,
		                                                "service \"%s\" depends on undefined service \"%s\": "
		                                                "invalid compose project",
		                                                name, k);
		if (check_file_refs (p, s, name, "secrets", e) < 0 || check_file_refs (p, s, name, "configs", e) < 0)
			return -1;
		json_object_foreach (json_object_get (s, "networks"), k,
		                     d) if (!json_object_get (json_object_get (p, "networks"),
		                                              k)) return err_set (e, BX_USAGE, 0,
		                                                                  "service \"%s\" refers to undefined "
		                                                                  "network %s: invalid compose project",
		                                                                  name, k);
		size_t idx;
		json_array_foreach (json_object_get (s, "volumes"), idx, d)
		{
			const char *src = json_string_value (json_object_get (d, "source"));
			if (src && !strcmp (json_string_value (json_object_get (d, "type")) ?: "", "volume") &&
			    !json_object_get (json_object_get (p, "volumes"), src))
				return err_set (e, BX_USAGE, 0,
				                "service \"%s\" refers to undefined volume %s: invalid compose project",
				                name, src);
		}
	}
	return 0;
}

static void
implied_dep (json_t *svc, const char *dep, int restart)
{
	json_t *d = json_object_get (svc, "depends_on");

	if (!d) {
		d = json_object ();
		json_object_set_new (svc, "depends_on", d);
	}
	if (!json_object_get (d, dep))
		json_object_set_new (
		    d, dep,
		    json_pack ("{s:s, s:b, s:b}", "condition", "service_started", "required", 1, "restart", restart));
}

/* links, volumes_from and network_mode "service:" depend on the service
 * they name, as Compose adds it to depends_on */
static void
implied_deps (json_t *svc)
{
	const char *mode = json_string_value (json_object_get (svc, "network_mode"));
	json_t *it;
	size_t k;

	json_array_foreach (json_object_get (svc, "links"), k, it)
	{
		_cleanup_free_ char *s = strdup (json_string_value (it) ?: "");
		implied_dep (svc, strtok (s, ":") ?: "", 1);
	}
	json_array_foreach (json_object_get (svc, "volumes_from"), k, it)
	{
		_cleanup_free_ char *s = strdup (json_string_value (it) ?: "");
		if (strncmp (s, "container:", 10))
			implied_dep (svc, strtok (s, ":") ?: "", 0);
	}
	if (mode && !strncmp (mode, "service:", 8))
		implied_dep (svc, mode + 8, 1);
}

static int
finish (const struct model_opts *o, const char *const *want, struct model *m, struct bx_err *e)
{
	json_t *svcs = json_object_get (m->p, "services"), *s;
	const char *k;
	void *tmp;
	int uses_default = 0;

	if (json_object_get (m->p, "version")) {
		fprintf (stderr, "WARN: the attribute `version` is obsolete, it will be ignored\n");
		json_object_del (m->p, "version");
	}
	json_object_set_new (m->p, "name", json_string (m->name));
	if (!json_is_object (svcs)) {
		svcs = json_object ();
		json_object_set_new (m->p, "services", svcs);
	}
	json_object_foreach_safe (svcs, tmp, k, s)
	{
		if (!profile_active (s, k, o, want)) {
			json_object_del (svcs, k);
			continue;
		}
		if (finish_env (s, m->vars, e) < 0)
			return err_wrap (e, "service %s", k);
		implied_deps (s);
		if (!json_object_get (s, "network_mode") && !json_object_get (s, "networks"))
			json_object_set_new (s, "networks", json_pack ("{s:n}", "default"));
		if (json_object_get (json_object_get (s, "networks"), "default"))
			uses_default = 1;
	}
	finish_top (m->p, "networks", m->name, uses_default);
	finish_top (m->p, "volumes", m->name, 0);
	return check_refs (m->p, e);
}

int
model_load (const struct model_opts *o, const char *const *want, struct model *m, struct bx_err *e)
{
	json_t *f;
	size_t k;

	m->files = json_array ();
	if (list_files (o, m->files, e) < 0 || project_dir (o, m->files, m, e) < 0 || load_vars (o, m, e) < 0)
		return -1;
	json_array_foreach (m->files, k, f) if (load_one (json_string_value (f), m, e) < 0) return -1;
	if (pick_name (o, m->vars, m->p, m->dir, &m->name, e) < 0)
		return -1;
	if (finish (o, want, m, e) < 0)
		return -1;
	for (int w = 0; want && want[w]; w++)
		if (!json_object_get (json_object_get (m->p, "services"), want[w]))
			return err_set (e, BX_USAGE, 0, "no such service: %s", want[w]);
	json_t *order = NULL;
	int rc = model_order (m, &order, e);
	json_decref (order);
	return rc < 0 ? -1 : 0;
}

void
model_free (struct model *m)
{
	free (m->name);
	free (m->dir);
	json_decref (m->files);
	json_decref (m->vars);
	json_decref (m->p);
	memset (m, 0, sizeof *m);
}

static int
strcmp_p (const void *a, const void *b)
{
	return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* depth first, reporting the first cycle as Compose does: the path from
 * the service where it closes back to it */
static int
visit (const json_t *svcs, const char *name, json_t *state, json_t *path, json_t *order, struct bx_err *e)
{
	json_t *st = json_object_get (state, name), *d;
	const char *k;

	if (json_integer_value (st) == 2)
		return 0;
	if (json_integer_value (st) == 1) {
		char buf[900] = "";
		size_t idx, start = 0;
		json_t *it;
		json_array_foreach (path, idx, it) if (!strcmp (json_string_value (it), name)) start = idx;
		for (idx = start; idx < json_array_size (path); idx++)
			snprintf (buf + strlen (buf), sizeof buf - strlen (buf), "%s -> ",
			          json_string_value (json_array_get (path, idx)));
		return err_set (e, BX_USAGE, 0, "dependency cycle detected: %s%s", buf, name);
	}
	json_object_set_new (state, name, json_integer (1));
	json_array_append_new (path, json_string (name));
	json_object_foreach (json_object_get (json_object_get (svcs, name), "depends_on"), k,
	                     d) if (json_object_get (svcs, k) && visit (svcs, k, state, path, order, e) < 0) return -1;
	json_array_remove (path, json_array_size (path) - 1);
	json_object_set_new (state, name, json_integer (2));
	json_array_append_new (order, json_string (name));
	return 0;
}

int
model_order (const struct model *m, json_t **order, struct bx_err *e)
{
	json_t *svcs = json_object_get (m->p, "services"), *state = json_object (), *path = json_array (), *s;
	const char **names = calloc (json_object_size (svcs) + 1, sizeof *names);
	const char *k;
	size_t n = 0;
	int rc = 0;

	*order = json_array ();
	json_object_foreach (svcs, k, s) names[n++] = k;
	if (n)
		qsort (names, n, sizeof *names, strcmp_p);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = visit (svcs, names[i], state, path, *order, e);
	free (names);
	json_decref (state);
	json_decref (path);
	return rc;
}
