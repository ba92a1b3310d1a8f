/* platform - an image's OS and architecture ("linux/arm/v7"), spelled as
 * Go's GOOS/GOARCH: what --platform asks for, what this machine runs, what
 * an index entry offers. Aliases (x86_64, aarch64, armhf...) are turned
 * into Go's names as Docker does, so that two spellings compare equal. */
#ifndef BOX_PLATFORM_H
#define BOX_PLATFORM_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

struct platform {
	char os[32];
	char arch[32];
	char variant[16];
};

/* This machine's platform ("linux/amd64"). */
void platform_default (struct platform *p);
/* Parse "os/arch[/variant]" (arch aliases: x86_64, aarch64...). */
int platform_parse (const char *s, struct platform *p, struct bx_err *e);
/* "linux/arm64/v8" */
void platform_format (const struct platform *p, char *buf, size_t len);
/* The "platform" of an index's descriptor DESC; empty fields when absent. */
void platform_of_desc (json_t *desc, struct platform *p);
/* Does HAVE serve WANT? A variant asked for must match; none asked for
 * takes any. */
int platform_matches (const struct platform *have, const struct platform *want);

#endif
