/* human - times and sizes as Docker prints them (docker/go-units)
 *
 * Listings of images and, later, containers show "2 hours ago" and
 * "4.26MB"; scripts that read Docker's output expect the same words, so
 * these follow go-units' HumanDuration and HumanSizeWithPrecision exactly
 * (decimal units, %g with the given significant digits).
 */
#ifndef BOX_HUMAN_H
#define BOX_HUMAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* "Less than a second", "About a minute", "3 weeks", "2 years" for SECS
 * (negative counts as 0); the caller appends " ago". */
void human_duration (int64_t secs, char *buf, size_t len);
/* "4.26MB", "1.04kB", "999B" with PREC significant digits (Docker's SIZE
 * column uses 3, its VirtualSize 4). */
void human_size (double bytes, int prec, char *buf, size_t len);
/* "304KiB", "23.54GiB": go-units' BytesSize (binary units, 4 significant
 * digits), docker stats' MEM USAGE / LIMIT. */
void human_bytes (double bytes, char *buf, size_t len);
/* Parse an RFC 3339 time ("2024-01-01T00:00:00Z", fractions and
 * "+02:00" offsets allowed) into seconds since the epoch; -1 if invalid. */
int human_time_parse (const char *s, int64_t *out);
/* Go's time.Time.String() in local time, seconds precision:
 * "2024-01-01 00:00:00 +0000 UTC". */
void human_time_go (int64_t t, char *buf, size_t len);
/* Go's time.ParseDuration ("30s", "1m30s", "1.5h", "-2ms", "0") into
 * nanoseconds; -1 when it is not one (or overflows). */
int human_go_duration_parse (const char *s, int64_t *ns);
/* Go's time.Duration.String(): "0s", "500ms", "1.5s", "1m0s", "2h0m30s". */
void human_go_duration (int64_t ns, char *buf, size_t len);

/* go-units RAMInBytes: "64m", "1.5g", "512", "1GiB" (binary units) */
int human_ram_parse (const char *s, int64_t *out, struct bx_err *e);

#endif
