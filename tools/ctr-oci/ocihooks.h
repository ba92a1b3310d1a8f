/* ocihooks - the runtime spec's hooks: each program run with the
 * container's state on its stdin, in order, each within its timeout */
#ifndef BOX_OCIHOOKS_H
#define BOX_OCIHOOKS_H

#include "base/err.h"

/* Run HOOKS.WHICH (HOOKS: config.json's hooks, a json_t *; NULL: none)
 * with STATE (the OCI state JSON) on stdin. The first that fails or
 * outlives its timeout stops the rest: -1, E naming it. */
int ocihooks_run (void *hooks, const char *which, const char *state, struct bx_err *e);

#endif
