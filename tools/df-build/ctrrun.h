/* ctrrun - a build step's container, made and run by the programs `box
 * run` uses (ctr-create, ctr-spawn, ctr-rm), so a RUN gets the namespaces,
 * cgroups, capabilities, seccomp profile and network of any container */
#ifndef DF_BUILD_CTRRUN_H
#define DF_BUILD_CTRRUN_H

#include "build.h"

#define CTRRUN_ID_LEN 64

/* Make a container of the image IMAGE (an id) running CMD (an array)
 * with the extra "K=V" ENV (an array, may be NULL); ID its id. */
int ctrrun_create (struct build *b, const char *image, json_t *cmd, json_t *env, char id[CTRRUN_ID_LEN + 1],
                   struct bx_err *e);
/* Run the container ID attached; *CODE its exit code (128+n: signal n). */
int ctrrun_spawn (struct build *b, const char *id, int *code, struct bx_err *e);
/* Remove the container ID, its mounts and directory (ctr-rm -f). */
int ctrrun_remove (struct build *b, const char *id, struct bx_err *e);
/* containers/ID/DIR (rootfs, upper) opened as a directory. */
int ctrrun_open (struct build *b, const char *id, const char *dir, struct bx_err *e);

#endif
