/* fuzz/subid - libFuzzer target for /etc/subuid lines (subid_parse) and the
 * mappings made from them (idmap_from_ranges): any input is refused or
 * gives ranges that sum to their total, and a mapping whose ids go back
 * to where they came from. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/idmap.h"
#include "base/subid.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	char s[8192];
	struct subid_ranges r;
	struct idmap m = {0};
	struct bx_err e = {0};
	uint64_t sum = 0;

	if (size >= sizeof s)
		return 0;
	memcpy (s, data, size);
	s[size] = '\0';
	if (subid_parse (s, "subuid", "alice", 1000, &r, &e) < 0)
		return 0;
	for (size_t i = 0; i < r.n; i++)
		sum += r.r[i].count;
	if (sum != r.total)
		abort ();
	if (idmap_from_ranges (&m, &r, 0, &e) < 0)
		return 0;
	for (size_t i = 0; i < m.n; i++) {
		long long h = idmap_to_host (&m, m.ext[i].inside + m.ext[i].count - 1);
		if (h < 0 || idmap_to_ctr (&m, (uint32_t)h) != m.ext[i].inside + m.ext[i].count - 1)
			abort ();
	}
	return 0;
}
