/* dockerfile - parse a Dockerfile into instructions, as buildkit's parser does
 *
 * The rules of moby/buildkit frontend/dockerfile/parser: parser directives
 * (# escape=, # syntax=, # check=) before anything else, lines continued by
 * the escape character (comments and empty lines inside a continuation
 * dropped), keywords case-insensitive, --flags before the arguments, exec
 * (JSON) form or shell form, ENV and LABEL as key/value/separator triples,
 * ONBUILD holding one instruction (not another ONBUILD, which buildkit's
 * builder refuses). Variables are left alone: lib/dockerfile/shword expands
 * them later, in the environment of the build. Unknown keywords are kept,
 * without arguments, for the builder to refuse. Here-documents (RUN, COPY,
 * ADD in shell form, also under ONBUILD) are read as lib/dockerfile/dfheredoc
 * says; the instruction's arguments keep the "<<EOF" words, as buildkit's
 * do. */
#ifndef BOX_DOCKERFILE_H
#define BOX_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "dockerfile/dfheredoc.h"

/* An argument is NUL-terminated, but JSON's "\u0000" can put a NUL inside
 * it: LEN counts all its bytes. */
struct df_arg {
	char *s;
	size_t len;
};

struct df_instr {
	char *keyword; /* lowercase: "from", "run", ... */
	char **flags;  /* "--from=x", quotes removed: NULL-terminated, or NULL when none */
	size_t nflags;
	/* exec form: one per element; shell form of RUN, CMD, ENTRYPOINT, SHELL,
	 * MAINTAINER, USER, WORKDIR, STOPSIGNAL: one, the rest of the line; FROM,
	 * EXPOSE, and ADD, COPY, VOLUME in shell form: one per blank-separated
	 * word; ARG: one per word, quotes kept; ENV, LABEL: key, value and
	 * separator ("=", or "" for the old "ENV KEY value") of each pair;
	 * HEALTHCHECK: the type ("CMD", "NONE"), then those of CMD */
	struct df_arg *args;
	size_t nargs;
	bool json;                   /* exec form */
	struct df_instr *sub;        /* ONBUILD's instruction, else NULL */
	struct df_heredoc *heredocs; /* in the order named; NULL when none */
	size_t nheredocs;
	int start_line, end_line; /* 1-based, in the file, the heredoc bodies included */
	char *original;           /* the instruction's text, its lines joined */
};

struct dockerfile {
	struct df_instr *instrs;
	size_t n;
	int escape;   /* '\\' or '`' */
	char *syntax; /* the "# syntax=" directive, or NULL */
	char *check;  /* the "# check=" directive, or NULL */
};

/* Parse LEN bytes of BUF, a Dockerfile called NAME in messages, into *OUT
 * (free it with dockerfile_free). Errors are BX_USAGE, "NAME:LINE: problem". */
int dockerfile_parse (const char *name, const char *buf, size_t len, struct dockerfile **out, struct bx_err *e);
void dockerfile_free (struct dockerfile *df);

#endif
