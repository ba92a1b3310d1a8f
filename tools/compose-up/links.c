/* links - one ctr-list inspect of the project (or of the external
 * containers) when a service has links, none otherwise */
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "links.h"
#include "proj.h"

/* the address of C on a network SVC joins, else its first one */
static const char *
address (const struct model *m, const json_t *svc, const json_t *c)
{
	json_t *nets = json_object_get (json_object_get (c, "NetworkSettings"), "Networks"), *n, *top;
	const char *k, *any = NULL, *key;
	json_t *v;

	json_object_foreach (nets, k, n)
	{
		const char *ip = json_string_value (json_object_get (n, "IPAddress"));
		if (!ip || !*ip)
			continue;
		any = any ? any : ip;
		json_object_foreach (json_object_get (svc, "networks"), key, v)
		{
			top = json_object_get (json_object_get (m->p, "networks"), key);
			if (!strcmp (json_string_value (json_object_get (top, "name")) ?: "", k))
				return ip;
		}
	}
	return any;
}

static int
add_host (const struct model *m, const json_t *svc, const json_t *c, const char *alias, const char *link,
          struct prog_argv *a, struct bx_err *e)
{
	const char *ip = address (m, svc, c);

	if (!ip)
		return err_set (e, BX_FAIL, 0, "link %s: %s has no address", link, proj_name (c));
	prog_add (a, "--add-host");
	prog_addf (a, "%s:%s", alias, ip);
	return 0;
}

/* "NAME[:ALIAS]" split; ALIAS defaults to NAME */
static void
split (const char *link, char **name, const char **alias)
{
	const char *colon = strchr (link, ':');

	*name = colon ? strndup (link, (size_t)(colon - link)) : strdup (link);
	*alias = colon ? colon + 1 : link;
}

static int
service_links (const struct model *m, const json_t *svc, const json_t *ctrs, struct prog_argv *a, struct bx_err *e)
{
	json_t *l, *c;
	size_t k, j;

	json_array_foreach (json_object_get (svc, "links"), k, l)
	{
		_cleanup_free_ char *name = NULL;
		const char *alias;
		int found = 0;
		split (json_string_value (l) ?: "", &name, &alias);
		json_array_foreach (ctrs, j, c)
		{
			if (strcmp (proj_label (c, PROJ_L_SERVICE), name) ||
			    !strcmp (proj_label (c, PROJ_L_ONEOFF), "True"))
				continue;
			if (add_host (m, svc, c, alias, json_string_value (l), a, e) < 0)
				return -1;
			found = 1;
		}
		if (!found)
			return err_set (e, BX_FAIL, 0, "link %s: service %s has no container", json_string_value (l),
			                name);
	}
	return 0;
}

static int
external_links (const struct model *m, const json_t *svc, struct prog_argv *a, struct bx_err *e)
{
	json_t *l, *c;
	size_t k;

	json_array_foreach (json_object_get (svc, "external_links"), k, l)
	{
		_cleanup_free_ char *name = NULL, *js = NULL;
		const char *alias;
		json_t *all;
		split (json_string_value (l) ?: "", &name, &alias);
		if (prog_call (&js, e, "ctr-list", "inspect", name, NULL) != 0 ||
		    !(all = json_loads (js ? js : "", 0, NULL)))
			return err_set (e, BX_FAIL, 0, "external link %s: no such container: %s", json_string_value (l),
			                name);
		c = json_incref (json_array_get (all, 0));
		json_decref (all);
		int rc = add_host (m, svc, c, alias, json_string_value (l), a, e);
		json_decref (c);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
links_hosts (const struct model *m, const json_t *svc, struct prog_argv *a, struct bx_err *e)
{
	json_t *ctrs = NULL;
	int rc;

	if (json_array_size (json_object_get (svc, "links"))) {
		if (proj_containers (m->name, &ctrs, e) < 0)
			return -1;
		rc = service_links (m, svc, ctrs, a, e);
		json_decref (ctrs);
		if (rc < 0)
			return -1;
	}
	return external_links (m, svc, a, e);
}
