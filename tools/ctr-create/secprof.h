/* secprof - seccomp profiles: Docker's default and Docker-format files,
 * turned into the runtime-spec's linux.seccomp
 *
 * A Docker profile lists rules that apply only with some capabilities in
 * the bounding set, on some architectures or from some kernel on
 * ("includes"/"excludes"); Docker resolves them when it writes the OCI
 * config, for the container's capabilities, and so does secprof_to_oci.
 */
#ifndef BOX_SECPROF_H
#define BOX_SECPROF_H

#include <jansson.h>

#include "base/err.h"
#include "caps.h"

/* moby's profiles/seccomp/default.json, as a Docker-format document. */
json_t *secprof_docker_default (void);

/* PROFILE (Docker's format: defaultAction, archMap or architectures,
 * syscalls with names, action, errnoRet, args, includes, excludes) for a
 * container with bounding set BOUNDING on this machine: the OCI
 * linux.seccomp object (new reference), or NULL when the profile has no
 * default action and no rules (seccomp disabled), with E clear. BX_USAGE
 * for a malformed profile. */
json_t *secprof_to_oci (json_t *profile, capset_t bounding, struct bx_err *e);

#endif
