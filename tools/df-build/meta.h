/* meta - the instructions that change only the image config (ENV, ARG,
 * LABEL, EXPOSE, USER, CMD, ENTRYPOINT, VOLUME, STOPSIGNAL, SHELL,
 * HEALTHCHECK, MAINTAINER, ONBUILD), each written as Docker's classic
 * builder writes it, with its "#(nop)" history entry */
#ifndef DF_BUILD_META_H
#define DF_BUILD_META_H

#include "build.h"

/* Run B->in when it is one of them: 1 done, 0 not one of them, -1 error. */
int meta_run (struct build *b, struct bx_err *e);
/* --label K=V: Docker's classic builder adds one "LABEL K=V" step per
 * label, sorted, at the end of the target stage; -1 out of memory. */
int meta_cmdline_labels (struct build *b);
/* The stage's config object ("config" of the image config). */
json_t *meta_config (struct build *b);
/* The stage's SHELL (borrowed): ["/bin/sh", "-c"] unless SHELL set it. */
json_t *meta_shell (struct build *b);
/* WORKDIR P as Docker resolves it against the previous one (malloc'd). */
char *meta_workdir_join (struct build *b, const char *p);
/* The shell form CMD with the stage's SHELL: a new array. */
json_t *meta_shell_form (struct build *b, const char *cmd);
/* -1 when T may not be an ONBUILD trigger (ONBUILD, FROM, MAINTAINER). */
int meta_trigger_check (struct build *b, const struct df_instr *t, struct bx_err *e);
/* Items of ARR joined with single spaces (malloc'd). */
char *meta_join (json_t *arr);

#endif
