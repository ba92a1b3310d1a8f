/* devopts - --device and --device-cgroup-rule as Docker reads them: the
 * docker client's checks and words, and the daemon's look at the host's
 * device (a directory gives every device below it, as dockerd's
 * devicesFromPath walks it) */
#ifndef BOX_DEVOPTS_H
#define BOX_DEVOPTS_H

#include <jansson.h>

#include "base/err.h"

/* --device HOST[:CTR][:rwm]: appends to MAPPINGS (HostConfig.Devices),
 * NODES (linux.devices) and RULES (linux.resources.devices). */
int devopts_device (const char *arg, json_t *mappings, json_t *nodes, json_t *rules, struct bx_err *e);
/* --device-cgroup-rule 'c 1:3 rwm': appends ARG to TYPED
 * (HostConfig.DeviceCgroupRules) and its cgroup rule to RULES. */
int devopts_cgroup_rule (const char *arg, json_t *typed, json_t *rules, struct bx_err *e);

#endif
