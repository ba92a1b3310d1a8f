/* step - the instructions that change the filesystem: RUN in a container
 * of the stage so far; WORKDIR, COPY and ADD through an overlay of the
 * stage's layers of their own (or a container's, never run, while a layer
 * is not extracted yet); each one's changes become a layer */
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
/* The root filesystem of the stage so far for a step that only writes
 * files (WORKDIR, COPY, ADD): *ROOTFS, an overlay of the step's own
 * (ID "") or, when the stage's layers are not all extracted, a container
 * ID's, never run. Closing *ROOTFS releases the overlay: close it before
 * step_commit. */
int step_rootfs (struct build *b, char id[CTRRUN_ID_LEN + 1], int *rootfs, struct bx_err *e);
/* Drop what step_rootfs made, on a failed step. */
void step_discard (struct build *b, const char *id);
/* The changes of the container ID (or of the step's own overlay, ID "")
 * as the step's layer, with its history entry CREATED_BY; the container
 * or overlay removed either way. */
int step_commit (struct build *b, const char *id, const char *created_by, struct bx_err *e);

#endif
