/* cache - df-build's step cache, as Docker's classic builder keys it: a
 * step by its parent image and its instruction after expansion; RUN also
 * by the build args in effect; COPY and ADD also by the content of what
 * they copy (cachefiles); a config-only instruction by the config it
 * makes. A hit takes the image the step made before (lib/image/bcache),
 * its timestamps too, so that a fully cached build makes the same id. */
#ifndef DF_BUILD_CACHE_H
#define DF_BUILD_CACHE_H

#include "build.h"

struct cache_step {
	char parent[DIGEST_STR_LEN + 1]; /* the image id before the step */
	char key[DIGEST_HEX_LEN + 1];    /* "" until known; stays "" when the step cannot be cached */
	int label;                       /* a --label step, not B->in */
};

/* C's parent: B's image before a step that is not B->in (LABEL: the
 * --label steps that end the last stage); then cache_after_meta. */
void cache_start (struct build *b, struct cache_step *c, int label);

/* Before B->in runs: its parent and, for RUN, COPY, ADD and WORKDIR, its
 * key. 1 when the cache holds the step: B's config and layers are the
 * step's, " ---> Using cache" said; 0 to run it (always with --no-cache;
 * its result is recorded all the same). */
int cache_before (struct build *b, struct cache_step *c);
/* After a config-only instruction ran: 1 when the cache holds a step
 * that made the same config (B takes its, timestamps and all), else it
 * is recorded; -1 on error. */
int cache_after_meta (struct build *b, struct cache_step *c, struct bx_err *e);
/* After B->in ran: B's image recorded as the step's result. */
int cache_record (struct build *b, const struct cache_step *c, struct bx_err *e);
/* The end of the build: the context's file digests written back. */
int cache_finish (struct build *b, struct bx_err *e);
void cache_free (struct build *b);

#endif
