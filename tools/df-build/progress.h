/* progress - --progress plain|tty: BuildKit's plain lines on stderr
 * ("#N [stage k/n] INSTRUCTION", the step's output as "#N 0.123 line",
 * "#N DONE 0.1s"), and nothing on stdout, as `docker build` with BuildKit
 * prints a build. One build per process: the state is this module's. */
#ifndef DF_BUILD_PROGRESS_H
#define DF_BUILD_PROGRESS_H

#include "build.h"

/* Start, when B asks for plain progress (and not -q): stdout goes to
 * /dev/null from here on, the classic builder's lines with it. */
void progress_start (struct build *b);
/* True when plain progress is on. */
int progress_on (void);
/* A new step: B->in, the K-th instruction of its stage. */
void progress_step (struct build *b);
/* The step came from the build cache: "#N CACHED", as BuildKit says. */
void progress_cached (void);
/* A line (LEN bytes, no newline) of the running step's output. */
void progress_line (const char *line, size_t len);
/* The end of the build: the last step done, or failed with E (RC < 0);
 * on success the export of the image ID tagged as B's -t say. */
void progress_end (struct build *b, int rc, const struct bx_err *e, const char *id);

#endif
