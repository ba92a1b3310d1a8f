/* restart - Docker's restart policies (HostConfig.RestartPolicy): whether
 * the -d supervisor starts a container again after its process ended */
#ifndef BOX_RESTART_H
#define BOX_RESTART_H

enum restart_kind { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED };

struct restart_policy {
	enum restart_kind kind;
	int max_retry; /* on-failure:N, 0: no limit */
};

/* Parse Docker's RestartPolicy.Name ("", "no", "on-failure", "always",
 * "unless-stopped"); -1 when unknown. */
int restart_parse (const char *name, int max_retry, struct restart_policy *p);
/* Whether a container that ended with EXIT_CODE and was restarted COUNT
 * times is started again; STOPPED: someone stopped it on purpose. */
int restart_wanted (const struct restart_policy *p, int exit_code, int count, int stopped);

#endif
