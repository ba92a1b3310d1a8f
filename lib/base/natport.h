/* natport - a port or a range of ports as Docker's go-connections nat
 * package reads it (ParsePortRange on strconv.ParseUint), in its words:
 * what -p, --expose and ps's publish= and expose= filters share */
#ifndef BOX_NATPORT_H
#define BOX_NATPORT_H

#include <stddef.h>

#include "base/err.h"

/* The first N bytes of S, "80" or "8000-8010" (what follows a second
 * dash is ignored, as Go's), into [LO, HI]; BX_USAGE in Go's words:
 * "strconv.ParseUint: parsing \"x\": invalid syntax", "Invalid range
 * specified for the Port: 90-80", "Empty string specified for ports." */
int natport_range (const char *s, size_t n, unsigned long *lo, unsigned long *hi, struct bx_err *e);

#endif
