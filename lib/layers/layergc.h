/* layergc - extracted layers nobody needs: layers/<hex>/ whose diff_id
 * the caller's live set lacks (no image of the store, no build cache
 * entry, no container lists it), and their per-range copies
 * idcopies/<maps>/<hex>/ (lib/layers/idcopy) */
#ifndef BOX_LAYERGC_H
#define BOX_LAYERGC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct layergc_stats {
	size_t layers;  /* directories removed */
	uint64_t bytes; /* the size of their files */
};

/* Remove layers/<hex>/ and idcopies/<maps>/<hex>/ of ROOTFD when LIVE
 * (diff_id "sha256:hex" -> true) lacks it; the copies' bytes are counted
 * in ST's, not their number. The caller holds images/gc.lock exclusively, so that no pull
 * or build extracts a layer meanwhile. */
int layergc_sweep (int rootfd, json_t *live, struct layergc_stats *st, struct bx_err *e);

#endif
