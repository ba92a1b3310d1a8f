/* fuzz/dockerfile - libFuzzer target for lib/dockerfile's dockerfile and
 * shword: any input is refused or parses; every argument of what parses is
 * then expanded and split as a build would, which refuses or succeeds,
 * never crashes; line ranges stay in order and inside the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile/dockerfile.h"
#include "dockerfile/shword.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *const env[] = {"A=1", "B=two words", "EMPTY=", "UNSET_BUT_NAMED", "X=a*b?c"};

static void
words_of (const struct shword *sh, const struct df_instr *in, int lines)
{
	struct bx_err e;

	if (in->start_line < 1 || in->end_line < in->start_line || in->end_line > lines)
		abort ();
	for (size_t i = 0; i < in->nargs; i++) {
		char *one = NULL, **v = NULL;
		size_t n = 0;
		if (shword_expand (sh, in->args[i].s, &one, &e) == 0)
			free (one);
		if (shword_split (sh, in->args[i].s, &v, &n, &e) == 0)
			shword_free (v);
	}
	if (in->sub)
		words_of (sh, in->sub, lines);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	struct dockerfile *df = NULL;
	struct bx_err e;
	int lines = 1;

	if (size > 8192)
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (dockerfile_parse ("Dockerfile", (const char *)data, size, &df, &e) < 0)
		return 0;
	for (size_t i = 0; i < df->n; i++) {
		struct shword sh = {.escape = df->escape, .env = env, .nenv = sizeof env / sizeof env[0]};
		words_of (&sh, &df->instrs[i], lines);
	}
	dockerfile_free (df);
	return 0;
}
