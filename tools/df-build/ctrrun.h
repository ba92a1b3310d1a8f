/* ctrrun - a build step's container, made and run by the programs `box
 * run` uses (ctr-create, ctr-spawn) and removed as ctr-rm removes one, so
 * a RUN gets the namespaces, cgroups, capabilities, seccomp profile and
 * network of any container */
#ifndef DF_BUILD_CTRRUN_H
#define DF_BUILD_CTRRUN_H

#include "base/layout.h"
#include "build.h"

#define CTRRUN_ID_LEN 64
#define CTRRUN_LABEL LABEL_BUILD_PID

/* Make a container of the image IMAGE (an id) running CMD (an array)
 * with the extra "K=V" ENV (an array, may be NULL); ID its id. */
int ctrrun_create (struct build *b, const char *image, json_t *cmd, json_t *env, char id[CTRRUN_ID_LEN + 1],
                   struct bx_err *e);
/* The same with FLAGS (an array of ctr-create's arguments, may be NULL):
 * RUN's mounts, its --network. */
int ctrrun_create_with (struct build *b, const char *image, json_t *cmd, json_t *env, json_t *flags,
                        char id[CTRRUN_ID_LEN + 1], struct bx_err *e);
/* Run the container ID attached; *CODE its exit code (128+n: signal n). */
int ctrrun_spawn (struct build *b, const char *id, int *code, struct bx_err *e);
/* Remove the container ID, its mounts and directory (as ctr-rm -f). */
int ctrrun_remove (struct build *b, const char *id, struct bx_err *e);
/* Attach the container ID to the network NET (ctr-net attach), as box
 * run does between ctr-create and ctr-spawn: none and host need nothing. */
int ctrrun_attach (struct build *b, const char *id, const char *net, struct bx_err *e);
/* Pull the image REF into the store (img-fetch, its lines on stdout). */
int ctrrun_pull (struct build *b, const char *ref, struct bx_err *e);
/* What killed builds left: their containers (CTRRUN_LABEL of a dead
 * process) and their tmp/build-PID and tmp/run-PID directories. */
void ctrrun_sweep (struct build *b);
/* Catch SIGINT and SIGTERM: a RUN under way is stopped, and the build
 * ends at the next ctrrun_interrupted. */
void ctrrun_signals (void);
/* -1 with E's code 128+signal once one was caught, else 0. */
int ctrrun_interrupted (struct bx_err *e);
/* containers/ID/DIR (rootfs, upper) opened as a directory. */
int ctrrun_open (struct build *b, const char *id, const char *dir, struct bx_err *e);

#endif
