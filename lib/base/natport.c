/* natport - nat.ParsePortRange's reading and words (natport.h) */
#include "base/natport.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* strconv.ParseUint (S[:N], 10, 16) */
static int
natport_uint (const char *s, size_t n, unsigned long *v, struct bx_err *e)
{
	bool over = false;

	*v = 0;
	for (size_t k = 0; k < n; k++) {
		if (!isdigit ((unsigned char)s[k]))
			return err_set (e, BX_USAGE, 0, "strconv.ParseUint: parsing \"%.*s\": invalid syntax", (int)n,
			                s);
		*v = *v * 10 + (unsigned long)(s[k] - '0');
		over = over || *v > 65535;
		if (*v > 65535)
			*v = 65536;
	}
	if (n == 0)
		return err_set (e, BX_USAGE, 0, "strconv.ParseUint: parsing \"\": invalid syntax");
	if (over)
		return err_set (e, BX_USAGE, 0, "strconv.ParseUint: parsing \"%.*s\": value out of range", (int)n, s);
	return 0;
}

int
natport_range (const char *s, size_t n, unsigned long *lo, unsigned long *hi, struct bx_err *e)
{
	const char *dash = memchr (s, '-', n);

	if (n == 0)
		return err_set (e, BX_USAGE, 0, "Empty string specified for ports.");
	if (natport_uint (s, dash ? (size_t)(dash - s) : n, lo, e) < 0)
		return -1;
	*hi = *lo;
	if (!dash)
		return 0;
	const char *end = memchr (dash + 1, '-', n - (size_t)(dash + 1 - s));
	if (natport_uint (dash + 1, (size_t)((end ? end : s + n) - (dash + 1)), hi, e) < 0)
		return -1;
	if (*hi < *lo)
		return err_set (e, BX_USAGE, 0, "Invalid range specified for the Port: %.*s", (int)n, s);
	return 0;
}
