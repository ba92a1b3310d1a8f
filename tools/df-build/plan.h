/* plan - the stages of a Dockerfile: where each starts and ends, its name,
 * the ARGs before the first FROM, the target, and which stages the target
 * needs (its base, COPY --from), so that the others are not built */
#ifndef DF_BUILD_PLAN_H
#define DF_BUILD_PLAN_H

#include "build.h"

/* Fill B's stages, metaargs and nsteps from B's Dockerfile and options. */
int plan_make (struct build *b, struct bx_err *e);
/* The stage NAME (a name or an index) refers to, before stage BEFORE;
 * NULL when it is no stage. */
struct build_stage *plan_stage_ref (struct build *b, const char *name, size_t before);
void plan_free (struct build *b);

#endif
