/* step - the instructions that change the filesystem: RUN in a container
 * of the stage so far; WORKDIR, COPY and ADD through the root filesystem
 * of such a container, never run; each one's changes become a layer */
#ifndef DF_BUILD_STEP_H
#define DF_BUILD_STEP_H

#include "build.h"
#include "ctrrun.h"

/* Run B->in when it is RUN, WORKDIR, COPY or ADD: 1 done, 0 not one of
 * them, -1 error. */
int step_run (struct build *b, struct bx_err *e);

/* A container of the stage so far running CMD (NULL: made, never run). */
int step_container (struct build *b, json_t *cmd, json_t *env, char id[CTRRUN_ID_LEN + 1], struct bx_err *e);
/* The same with FLAGS, ctr-create's arguments (may be NULL). */
int step_container_with (struct build *b, json_t *cmd, json_t *env, json_t *flags, char id[CTRRUN_ID_LEN + 1],
                         struct bx_err *e);
/* The ARGs in scope that have a value and that ENV does not set, as
 * "K=V" strings (new reference): a RUN's environment and cache key. */
json_t *step_arg_env (struct build *b);
/* The container ID's changes as the step's layer, with its history entry
 * CREATED_BY; the container removed either way. */
int step_commit (struct build *b, const char *id, const char *created_by, struct bx_err *e);

#endif
