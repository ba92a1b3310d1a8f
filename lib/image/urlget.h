/* urlget - one HTTP(S) download into a file, as Docker's daemon fetches a
 * URL (ADD of a URL, import of a URL): redirects followed, a status of
 * 400 or more an error in the words of Docker's GetWithStatusError.
 *
 * libcurl is loaded at the first download, not linked: its 25 libraries
 * would cost every run of the tools that download (df-build, img-import)
 * about 4 ms of loading. */
#ifndef BOX_URLGET_H
#define BOX_URLGET_H

#include <stdio.h>

#include "base/err.h"

struct urlget {
	char *disposition; /* Content-Disposition's filename, its last part; NULL */
	long long mtime;   /* Last-Modified, seconds; -1: none sent */
};

/* URL's body into F, flushed; what the headers said into G (free it with
 * urlget_free). AGENT: the User-Agent. Errors (BX_FAIL): "failed to GET
 * URL: WHY", "failed to GET URL with status 404 Not Found: BODY". */
int urlget_fetch (const char *url, FILE *f, const char *agent, struct urlget *g, struct bx_err *e);
void urlget_free (struct urlget *g);

#endif
