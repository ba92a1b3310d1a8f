/* caps - Linux capability names and Docker's rules for --cap-add/--cap-drop */
#ifndef BOX_CAPS_H
#define BOX_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* a set of capabilities, bit N for capability number N */
typedef uint64_t capset_t;

/* Docker's default set (moby oci/caps DefaultCapabilities). */
capset_t caps_docker_default (void);
/* Every capability this kernel knows (/proc/sys/kernel/cap_last_cap) that
 * the calling process's bounding set holds: --privileged and --cap-add ALL
 * get no more than the host can give. */
capset_t caps_all (void);
/* "CAP_CHOWN" for 0; NULL beyond the known names. */
const char *caps_name (int n);
/* Parse a name as Docker does: any case, "CAP_" optional. Returns the
 * number, CAPS_ALL for "ALL", or -1 with BX_USAGE: unknown capability: "X". */
#define CAPS_ALL 64
int caps_parse (const char *s, struct bx_err *e);
/* The normalised spelling Docker records: "CAP_NET_ADMIN", "ALL". */
void caps_normal (int n, char *buf, size_t len);
/* Docker's TweakCapabilities: privileged: all; ALL in ADD: all but DROP;
 * ALL in DROP: only ADD; else DEFAULT minus DROP plus ADD. ADD and DROP
 * are bit sets with bit CAPS_ALL meaning "ALL" (hence 65 bits: two words). */
struct capreq {
	capset_t add, drop;
	int add_all, drop_all;
};
capset_t caps_tweak (const struct capreq *r, int privileged);

#endif
