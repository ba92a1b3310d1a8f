#include "image/regconn.h"

#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "image/auth.h"

int
regconn_add_insecure (char *list, size_t size, const char *hosts, struct bx_err *e)
{
	size_t n = strlen (list);

	if (!hosts || !*hosts)
		return 0;
	if (n + strlen (hosts) + 2 >= size)
		return err_set (e, BX_USAGE, 0, "too many --insecure hosts");
	snprintf (list + n, size - n, "%s%s", n ? "," : "", hosts);
	return 0;
}

struct registry *
regconn_open (const struct ref *ref, const char *insecure, long rate_limit, struct bx_err *e)
{
	_cleanup_free_ char *user = NULL, *pass = NULL;
	struct registry_opts ro = {0};
	struct registry *r;

	if (auth_get (ref->domain, &user, &pass, e) < 0)
		return NULL;
	ro.user = user;
	ro.pass = pass;
	ro.plain_http = registry_is_insecure (ref->domain, insecure);
	ro.rate_limit = rate_limit;
	r = registry_new (ref_api_host (ref), &ro, e);
	/* the password lives on in the client only */
	if (pass)
		explicit_bzero (pass, strlen (pass));
	return r;
}
