/* fuzz/ref - libFuzzer target for ref_parse: any input is either refused
 * or parses into a reference whose full form parses to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/ref.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	char s[2048], full[1200], again[1200];
	struct ref r, r2;
	struct bx_err e;

	if (size >= sizeof s)
		return 0;
	memcpy (s, data, size);
	s[size] = '\0';
	if (ref_parse (s, &r, &e) < 0)
		return 0;
	ref_full (&r, full, sizeof full);
	if (ref_parse (full, &r2, &e) < 0)
		abort ();
	ref_full (&r2, again, sizeof again);
	if (strcmp (full, again) != 0)
		abort ();
	return 0;
}
