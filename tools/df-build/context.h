/* context - the build context and the Dockerfile, as `docker build` takes
 * them: a directory (its .dockerignore read, the Dockerfile in it, or -f
 * FILE from the working directory, or -f - from stdin); or "-": stdin is a
 * tar archive (plain, gzip, bzip2, xz or zstd, told by its content as
 * Docker's IsArchive does), extracted into tmp/build-<pid>.context of the
 * state directory, its Dockerfile inside it (-f names it there), or else
 * stdin is the Dockerfile and there is no context */
#ifndef DF_BUILD_CONTEXT_H
#define DF_BUILD_CONTEXT_H

#include "build.h"
#include "ignore.h"

struct context {
	int fd;       /* the context's directory, or -1: none */
	char tmp[64]; /* the extracted archive's directory in the state directory, or "" */
	/* a directory's .dockerignore: the client leaves out what it names.
	 * For an archive the daemon only drops the Dockerfile and .dockerignore
	 * when it names them: has_ign stays 0. */
	struct ignore ign;
	int has_ign;
};

/* Open O's context into C (ROOTFD: the state directory) and read the
 * Dockerfile: *TEXT (malloc'd), *LEN. */
int context_open (struct context *c, const struct build_opts *o, int rootfd, char **text, size_t *len,
                  struct bx_err *e);
/* Close C, removing an extracted archive. */
void context_close (struct context *c, int rootfd);

#endif
