/* build - what one build is: the options, the parsed Dockerfile, its
 * stages, and the state of the stage being built; build_run drives it */
#ifndef DF_BUILD_BUILD_H
#define DF_BUILD_BUILD_H

#include <jansson.h>
#include <limits.h>

#include "base/digest.h"
#include "base/err.h"
#include "dockerfile/dockerfile.h"
#include "image/store.h"

struct ignore;

struct build_opts {
	const char *root;
	char rootpath[PATH_MAX]; /* absolute, handed to the programs we run */
	const char **tags;
	size_t ntags;
	const char *file;    /* -f: NULL, a path, or "-" */
	const char *context; /* a directory, or "-" */
	json_t *buildargs;   /* --build-arg: K -> V (string), or null: taken from the environment */
	json_t *labels;      /* --label K=V */
	const char *target;
	const char *iidfile;
	const char *network; /* --network: default (the bridge), none, host or a network */
	json_t *runflags;    /* --add-host, --shm-size, --ulimit: ctr-create's flags for every RUN */
	json_t *secrets;     /* --secret: id -> {"src": FILE} or {"env": VAR} */
	json_t *ssh;         /* --ssh: id -> the agent's socket */
	int pull;            /* --pull: fetch every base image again */
	int plain;           /* --progress plain|tty: BuildKit's lines */
	int quiet;
	int compress;      /* --compress: enum layer_compress */
	long long epoch;   /* SOURCE_DATE_EPOCH, or -1 */
	int no_cache;      /* --no-cache: no step taken from the cache */
	json_t *cachefrom; /* --cache-from: image names */
	int insecure;      /* --allow security.insecure */
};

struct build_stage {
	char *name;  /* lowercased "AS name", or NULL */
	char *base;  /* FROM, expanded: an image, "scratch" or a stage */
	size_t from; /* index of its FROM; its body runs to the next FROM */
	size_t end;
	int needed;
	char id[DIGEST_STR_LEN + 1]; /* its image once built */
	json_t *cfg;                 /* its image config once built */
	json_t *layers;              /* its manifest's layer descriptors */
};

struct cachefiles;

struct build {
	struct build_opts *o;
	int rootfd;
	struct store st;
	struct dockerfile *df;
	const char *dfname;       /* in messages: "Dockerfile", or -f as given */
	int ctxfd;                /* the context directory, or -1 */
	const struct ignore *ign; /* its .dockerignore, or NULL: COPY and ADD see only what it lets through */
	struct build_stage *stages;
	size_t nstages;
	json_t *metaargs; /* ARGs before the first FROM: K -> V or null */
	json_t *usedargs; /* --build-arg names some ARG took */
	json_t *temps;    /* manifest digests of intermediate images, untagged, forgotten at the end */
	size_t step, nsteps;
	struct cachefiles *files; /* the context's file digests (cache.c), from the first COPY on */
	json_t *trusted;          /* with --cache-from: the ids a cached step may have (cache.c) */

	/* the stage being built */
	struct build_stage *cur;
	json_t *cfg;               /* the image config: config, history, rootfs, ... */
	json_t *layers;            /* layer descriptors */
	json_t *args;              /* ARGs in scope: K -> V or null */
	int cmdset;                /* CMD given in this stage (the ENTRYPOINT rule) */
	const struct df_instr *in; /* the instruction being run */
};

/* Build B's Dockerfile: the target stage and the stages it needs. */
int build_run (struct build *b, struct bx_err *e);

/* The "KEY=VALUE" list words expand in: the ARGs in scope, then Env. */
char **build_env (struct build *b, size_t *n);
/* WORD expanded in B's environment (malloc'd). */
int build_expand (struct build *b, const char *word, char **out, struct bx_err *e);
/* Record a history entry for the current instruction. */
void build_history (struct build *b, const char *created_by, int empty_layer);
/* An error about the instruction being run: "FILE:LINE: msg"; -1. */
int build_errf (const struct build *b, struct bx_err *e, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
/* Prefix E with the instruction's "FILE:LINE"; -1. */
int build_wrap (const struct build *b, struct bx_err *e);

#endif
