/* ast - a parsed Dockerfile printed as buildkit's parser tests dump it:
 * one S-expression per instruction, `(copy ["--from=x"] "a" "b")`, each
 * argument a Go-quoted string (../shared/conformance/README.md) */
#ifndef DF_BUILD_AST_H
#define DF_BUILD_AST_H

#include <stdio.h>

#include "dockerfile/dockerfile.h"

/* Go's strconv.Quote of the N bytes of S */
void ast_quote (FILE *f, const char *s, size_t n);
/* one instruction, without the parentheses around it: buildkit's Node.Dump */
void ast_print_instr (FILE *f, const struct df_instr *in);
/* every instruction, one "(...)" line each */
void ast_print (FILE *f, const struct dockerfile *df);

#endif
