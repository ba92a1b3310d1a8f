/* dfheredoc - the here-documents of a Dockerfile instruction (RUN <<EOF)
 *
 * The rules of moby/buildkit frontend/dockerfile/parser (heredocsFromLine,
 * ParseHeredoc): the instruction's line is split into words as its shell
 * lexer does (quotes and '\' escapes kept, "<<" taking the blanks after it),
 * and each word of the form [digits]<<[-]WORD names one, WORD a single word
 * with its quotes removed. Its body is the lines after the instruction up to
 * one equal to WORD, taken raw: no comments, no continuation, no directives. */
#ifndef BOX_DFHEREDOC_H
#define BOX_DFHEREDOC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct df_heredoc {
	char *name;    /* the terminator, quotes removed */
	char *content; /* the body lines with their line endings; with <<-, without their leading tabs */
	size_t len;
	bool expand; /* no quote in the delimiter: the build expands variables in the body */
	bool chomp;  /* <<-: leading tabs stripped from the body and the terminator */
};

/* The here-documents LINE (an instruction, continuation lines joined) names,
 * in order, without bodies: *OUT has *N (NULL when none); free them with
 * dfheredoc_free. Fails only when out of memory. */
int dfheredoc_find (const char *line, struct df_heredoc **out, size_t *n, struct bx_err *e);
/* true if the line S (N bytes, line ending removed) ends H's body */
bool dfheredoc_ends (const struct df_heredoc *h, const char *s, size_t n);
/* append the body line S (RAW bytes, its line ending included) to H */
int dfheredoc_add (struct df_heredoc *h, const char *s, size_t raw, struct bx_err *e);
void dfheredoc_free (struct df_heredoc *v, size_t n);

#endif
