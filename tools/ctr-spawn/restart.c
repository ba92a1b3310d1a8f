#include "restart.h"

#include <string.h>

int
restart_parse (const char *name, int max_retry, struct restart_policy *p)
{
	p->max_retry = max_retry > 0 ? max_retry : 0;
	if (!name || !*name || !strcmp (name, "no"))
		p->kind = RESTART_NO;
	else if (!strcmp (name, "on-failure"))
		p->kind = RESTART_ON_FAILURE;
	else if (!strcmp (name, "always"))
		p->kind = RESTART_ALWAYS;
	else if (!strcmp (name, "unless-stopped"))
		p->kind = RESTART_UNLESS_STOPPED;
	else
		return -1;
	return 0;
}

int
restart_wanted (const struct restart_policy *p, int exit_code, int count, int stopped)
{
	if (stopped)
		return 0;
	switch (p->kind) {
	case RESTART_NO: return 0;
	case RESTART_ON_FAILURE: return exit_code != 0 && (!p->max_retry || count < p->max_retry);
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED: return 1;
	}
	return 0;
}
