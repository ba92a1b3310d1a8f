#include "image/urlget.h"

#include <ctype.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/cleanup.h"

static struct {
	CURL *(*init) (void);
	CURLcode (*setopt) (CURL *, CURLoption, ...);
	CURLcode (*perform) (CURL *);
	CURLcode (*getinfo) (CURL *, CURLINFO, ...);
	void (*cleanup) (CURL *);
	const char *(*strerror) (CURLcode);
} curl;

static int
curl_load (struct bx_err *e)
{
	/* Debian's two builds of libcurl 4: GnuTLS's, OpenSSL's */
	static const char *const names[] = {"libcurl-gnutls.so.4", "libcurl.so.4"};
	void *h = NULL;

	if (curl.init)
		return 0;
	for (size_t i = 0; !h && i < sizeof names / sizeof *names; i++)
		h = dlopen (names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return err_set (e, BX_SYSTEM, 0, "libcurl: %s", dlerror ());
	*(void **)&curl.setopt = dlsym (h, "curl_easy_setopt");
	*(void **)&curl.perform = dlsym (h, "curl_easy_perform");
	*(void **)&curl.getinfo = dlsym (h, "curl_easy_getinfo");
	*(void **)&curl.cleanup = dlsym (h, "curl_easy_cleanup");
	*(void **)&curl.strerror = dlsym (h, "curl_easy_strerror");
	*(void **)&curl.init = dlsym (h, "curl_easy_init");
	if (!curl.setopt || !curl.perform || !curl.getinfo || !curl.cleanup || !curl.strerror || !curl.init) {
		curl.init = NULL;
		return err_set (e, BX_SYSTEM, 0, "libcurl: %s", dlerror ());
	}
	return 0;
}

/* one transfer: the body goes to F until the status says it is an error
 * page, which is kept (its start) for the message */
struct xfer {
	CURL *c;
	FILE *f;
	struct urlget *g;
	char status[64]; /* the last status line's "404 Not Found" */
	char body[512];
	size_t nbody;
};

static size_t
on_body (char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	long code = 0;
	size_t k;

	curl.getinfo (x->c, CURLINFO_RESPONSE_CODE, &code);
	if (code < 400)
		return fwrite (buf, size, n, x->f) * size;
	k = size * n < sizeof x->body - 1 - x->nbody ? size * n : sizeof x->body - 1 - x->nbody;
	memcpy (x->body + x->nbody, buf, k);
	x->nbody += k;
	return size * n;
}

/* Content-Disposition's filename, its last part, as Docker's
 * getFilenameForDownload takes it when the URL's path names none */
static void
disposition (struct urlget *g, const char *h)
{
	const char *p = strcasestr (h, "filename="), *end, *slash;

	if (!p)
		return;
	p += 9;
	end = *p == '"' ? strchr (++p, '"') : p + strcspn (p, "; \t\r\n");
	if (!end || end == p || end[-1] == '/')
		return;
	for (slash = p; (slash = memchr (p, '/', (size_t)(end - p))); p = slash + 1)
		;
	free (g->disposition);
	g->disposition = strndup (p, (size_t)(end - p));
}

static size_t
on_header (char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	_cleanup_free_ char *h = strndup (buf, size * n);
	char *sp;

	if (!h)
		return 0;
	h[strcspn (h, "\r\n")] = '\0';
	if (!strncmp (h, "HTTP/", 5) && (sp = strchr (h, ' ')))
		snprintf (x->status, sizeof x->status, "%s", sp + 1);
	else if (!strncasecmp (h, "content-disposition:", 20))
		disposition (x->g, h + 20);
	return size * n;
}

/* Go's bytes.TrimSpace of the error page */
static const char *
trimmed (char *s, size_t n)
{
	s[n] = '\0';
	while (n > 0 && isspace ((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace ((unsigned char)*s))
		s++;
	return s;
}

int
urlget_fetch (const char *url, FILE *f, const char *agent, struct urlget *g, struct bx_err *e)
{
	struct xfer x = {.f = f, .g = g};
	char cerr[CURL_ERROR_SIZE] = "";
	curl_off_t mtime = -1;
	long code = 0;
	CURLcode r;

	*g = (struct urlget){.mtime = -1};
	if (curl_load (e) < 0)
		return -1;
	if (!(x.c = curl.init ()))
		return err_set (e, BX_SYSTEM, ENOMEM, "libcurl");
	curl.setopt (x.c, CURLOPT_URL, url);
	curl.setopt (x.c, CURLOPT_WRITEFUNCTION, on_body);
	curl.setopt (x.c, CURLOPT_WRITEDATA, &x);
	curl.setopt (x.c, CURLOPT_HEADERFUNCTION, on_header);
	curl.setopt (x.c, CURLOPT_HEADERDATA, &x);
	curl.setopt (x.c, CURLOPT_FOLLOWLOCATION, 1L);
	curl.setopt (x.c, CURLOPT_FILETIME, 1L);
	curl.setopt (x.c, CURLOPT_ERRORBUFFER, cerr);
	curl.setopt (x.c, CURLOPT_USERAGENT, agent);
	r = curl.perform (x.c);
	curl.getinfo (x.c, CURLINFO_RESPONSE_CODE, &code);
	curl.getinfo (x.c, CURLINFO_FILETIME_T, &mtime);
	curl.cleanup (x.c);
	g->mtime = mtime >= 0 ? (long long)mtime : -1;
	if (r != CURLE_OK)
		return err_set (e, BX_FAIL, 0, "failed to GET %s: %s", url, *cerr ? cerr : curl.strerror (r));
	if (code >= 400)
		return err_set (e, BX_FAIL, 0, "failed to GET %s with status %s: %s", url, x.status,
		                trimmed (x.body, x.nbody));
	if (fflush (f) != 0)
		return err_set (e, BX_SYSTEM, errno, "writing the download");
	return 0;
}

void
urlget_free (struct urlget *g)
{
	free (g->disposition);
	g->disposition = NULL;
}
