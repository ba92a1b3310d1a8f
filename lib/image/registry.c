#include "image/registry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/magic.h>
#include <sys/time.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/hashbg.h"

/* Reads per callback: 32 KiB keeps 4 transfers small in memory (bench/pull:
 * 64 KiB cost ~100 KB more peak RSS and gained no time on loopback; 16 KiB,
 * curl's default, was slower). */
#define REGISTRY_BUFSIZE (32 * 1024)
#define REGISTRY_ERRBODY_MAX (64 * 1024)
/* Start the writeback of every this many bytes of a blob as it arrives, so
 * that the final fsync finds little left to write (and dirty pages do not
 * pile up until the kernel flushes them all at once). */
#define REGISTRY_WRITEBACK (4 << 20)
#define REGISTRY_TOKEN_MAX (1 << 20)
/* auth rounds per request: a fresh token, then one more for a new scope */
#define REGISTRY_AUTH_TRIES 2

struct registry {
	CURLM *multi;
	char host[256];
	char base[300]; /* "https://host" */
	char *user, *pass;
	char *token; /* Bearer token, once fetched */
	int basic;   /* the registry asked for Basic */
	long rate;
	struct hashbg *hasher; /* started by the first blob fetch */
};

struct membuf {
	char *p;
	size_t len, cap, max;
	int over; /* more than max arrived */
};

/* One HTTP request and what came back. */
struct xfer {
	struct registry *r;
	CURL *h;
	struct curl_slist *hdrs;
	char url[2048];
	const char *accept;
	const char *repo; /* for the default Bearer scope */
	/* the request: GET unless METHOD says "HEAD", "POST" or "PUT"; a PUT
	 * sends UP_LEN bytes of UP_BUF, or of UP_FD when UP_BUF is NULL */
	const char *method;
	const char *label; /* the blob a push request is about, for messages */
	int ok404;         /* a 404 answer is an answer (HEAD: not there) */
	const char *req_ctype;
	const char *up_buf;
	int up_fd;
	int64_t up_len, up_pos;
	/* the response (the last one, after redirects) */
	char *www_auth, *ctype, *dcd, *location;
	long code;
	struct membuf body;
	/* a blob sink instead of body */
	struct registry_blob *blob;
	struct hashbg_file hash;
	int64_t offset;   /* Range start asked for */
	int body_started; /* first body byte of this response seen */
	int too_big, sink_err;
	int auth_tries, restarted;
	CURLcode res;
	char errbuf[CURL_ERROR_SIZE];
};

static int curl_ready;

static int
curl_init_once (struct bx_err *e)
{
	if (!curl_ready && curl_global_init (CURL_GLOBAL_DEFAULT) != 0)
		return err_set (e, BX_SYSTEM, 0, "libcurl initialisation failed");
	curl_ready = 1;
	return 0;
}

struct registry *
registry_new (const char *host, const struct registry_opts *o, struct bx_err *e)
{
	struct registry *r;

	if (curl_init_once (e) < 0)
		return NULL;
	r = calloc (1, sizeof *r);
	if (!r) {
		err_set (e, BX_SYSTEM, ENOMEM, "registry %s", host);
		return NULL;
	}
	snprintf (r->host, sizeof r->host, "%s", host);
	snprintf (r->base, sizeof r->base, "%s://%s", o->plain_http ? "http" : "https", host);
	r->user = o->user ? strdup (o->user) : NULL;
	r->pass = o->pass ? strdup (o->pass) : NULL;
	r->rate = o->rate_limit;
	r->multi = curl_multi_init ();
	if (!r->multi || (o->user && !r->user) || (o->pass && !r->pass)) {
		registry_free (r);
		err_set (e, BX_SYSTEM, ENOMEM, "registry %s", host);
		return NULL;
	}
	return r;
}

void
registry_free (struct registry *r)
{
	if (!r)
		return;
	if (r->multi)
		curl_multi_cleanup (r->multi);
	hashbg_stop (r->hasher);
	free (r->user);
	if (r->pass)
		explicit_bzero (r->pass, strlen (r->pass));
	free (r->pass);
	free (r->token);
	free (r);
}

static int
host_in_list (const char *domain, const char *list)
{
	size_t n = strlen (domain);

	while (list && *list) {
		const char *end = strchr (list, ',');
		size_t len = end ? (size_t)(end - list) : strlen (list);
		while (len && isspace ((unsigned char)*list))
			list++, len--;
		while (len && isspace ((unsigned char)list[len - 1]))
			len--;
		if (len == n && strncmp (list, domain, n) == 0)
			return 1;
		list = end ? end + 1 : NULL;
	}
	return 0;
}

int
registry_is_insecure (const char *domain, const char *list)
{
	struct in_addr a;
	char host[256];
	char *colon;

	snprintf (host, sizeof host, "%s", domain);
	colon = strrchr (host, ':');
	if (colon && host[0] != '[')
		*colon = '\0';
	else if (host[0] == '[' && (colon = strstr (host, "]:")))
		colon[1] = '\0';
	/* dockerd's default insecure CIDR, 127.0.0.0/8 (localhost is in it) */
	if (strcmp (host, "localhost") == 0 || (inet_pton (AF_INET, host, &a) == 1 && (ntohl (a.s_addr) >> 24) == 127))
		return 1;
	return host_in_list (domain, list) || host_in_list (host, list);
}

/* --- challenge parsing ---------------------------------------------------- */

/* Copy a token or quoted-string at *P into OUT; advance *P. */
static void
parse_value (const char **p, char *out, size_t len)
{
	const char *s = *p;
	size_t n = 0;

	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			if (n + 1 < len)
				out[n++] = *s;
		}
		if (*s == '"')
			s++;
	} else {
		for (; *s && *s != ',' && !isspace ((unsigned char)*s); s++)
			if (n + 1 < len)
				out[n++] = *s;
	}
	out[n] = '\0';
	*p = s;
}

static void
challenge_param (struct registry_challenge *c, const char *key, size_t klen, const char **p)
{
	char junk[64];

	if (klen == 5 && strncasecmp (key, "realm", 5) == 0)
		parse_value (p, c->realm, sizeof c->realm);
	else if (klen == 7 && strncasecmp (key, "service", 7) == 0)
		parse_value (p, c->service, sizeof c->service);
	else if (klen == 5 && strncasecmp (key, "scope", 5) == 0)
		parse_value (p, c->scope, sizeof c->scope);
	else if (klen == 5 && strncasecmp (key, "error", 5) == 0)
		parse_value (p, c->error, sizeof c->error);
	else
		parse_value (p, junk, sizeof junk);
}

int
registry_challenge_parse (const char *hdr, struct registry_challenge *c)
{
	const char *p = hdr;
	size_t n = 0;

	memset (c, 0, sizeof *c);
	while (*p && isspace ((unsigned char)*p))
		p++;
	while (isalnum ((unsigned char)p[n]) || p[n] == '-')
		n++;
	if (n == 0 || n >= sizeof c->scheme)
		return -1;
	for (size_t i = 0; i < n; i++)
		c->scheme[i] = tolower ((unsigned char)p[i]);
	p += n;
	for (;;) {
		const char *key;
		while (*p && (isspace ((unsigned char)*p) || *p == ','))
			p++;
		key = p;
		while (*p && *p != '=' && *p != ',' && !isspace ((unsigned char)*p))
			p++;
		if (*p != '=' || p == key)
			break; /* the end, or the next challenge's scheme */
		n = (size_t)(p - key);
		p++;
		challenge_param (c, key, n, &p);
	}
	return 0;
}

/* --- error bodies ---------------------------------------------------------- */

void
registry_error_text (const char *body, size_t len, const char *fallback, char *out, size_t outlen)
{
	json_t *doc = body && len ? json_loadb (body, len, 0, NULL) : NULL;
	json_t *first = json_array_get (json_object_get (doc, "errors"), 0);
	const char *code = json_string_value (json_object_get (first, "code"));
	const char *msg = json_string_value (json_object_get (first, "message"));
	char ctext[128] = "";

	if (!msg) /* Docker Hub's token server: {"details": "..."} */
		msg = json_string_value (json_object_get (doc, "details"));
	if (code) {
		size_t i;
		for (i = 0; code[i] && i + 1 < sizeof ctext; i++)
			ctext[i] = code[i] == '_' ? ' ' : tolower ((unsigned char)code[i]);
		ctext[i] = '\0';
	}
	if (ctext[0] && msg && *msg && strcmp (ctext, msg) != 0)
		snprintf (out, outlen, "%s: %s", ctext, msg);
	else if (ctext[0])
		snprintf (out, outlen, "%s", ctext);
	else if (msg && *msg)
		snprintf (out, outlen, "%s", msg);
	else
		snprintf (out, outlen, "%s", fallback);
	json_decref (doc);
}

/* --- one transfer ----------------------------------------------------------- */

static int
membuf_add (struct membuf *b, const char *p, size_t n)
{
	if (b->len + n > b->max) {
		b->over = 1;
		n = b->max - b->len;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(np = realloc (b->p, cap)))
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy (b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static void
xfer_reset_response (struct xfer *x)
{
	free (x->www_auth);
	free (x->ctype);
	free (x->dcd);
	free (x->location);
	x->www_auth = x->ctype = x->dcd = x->location = NULL;
	x->body.len = 0;
	x->body.over = 0;
	x->body_started = 0;
}

/* Keep header NAME's value (trimmed) in *DST. */
static void
keep_header (const char *line, size_t n, const char *name, char **dst)
{
	size_t k = strlen (name);
	const char *v, *end = line + n;

	if (n <= k || strncasecmp (line, name, k) != 0 || line[k] != ':')
		return;
	for (v = line + k + 1; v < end && isspace ((unsigned char)*v); v++)
		;
	while (end > v && isspace ((unsigned char)end[-1]))
		end--;
	free (*dst);
	*dst = strndup (v, (size_t)(end - v));
}

static size_t
on_header (char *line, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	if (n >= 5 && strncmp (line, "HTTP/", 5) == 0)
		xfer_reset_response (x); /* a new response: after a redirect or 100 */
	keep_header (line, n, "WWW-Authenticate", &x->www_auth);
	keep_header (line, n, "Content-Type", &x->ctype);
	keep_header (line, n, "Docker-Content-Digest", &x->dcd);
	keep_header (line, n, "Location", &x->location);
	return n;
}

/* The test-only rate limit (BOX_FETCH_RATE_LIMIT): sleep off each read.
 * It blocks the whole loop, so it limits all transfers together; libcurl's
 * own CURLOPT_MAX_RECV_SPEED_LARGE did not hold back loopback transfers. */
static void
throttle (const struct registry *r, size_t n)
{
	if (r->rate > 0)
		usleep ((useconds_t)((double)n * 1e6 / (double)r->rate));
}

/* A 200 to a Range request: the server sends it all, start over. */
static int
blob_restart (struct xfer *x)
{
	hashbg_reset (&x->hash);
	if (ftruncate (x->blob->fd, 0) < 0 || lseek (x->blob->fd, 0, SEEK_SET) < 0)
		return -1;
	x->blob->done = x->blob->flushed = 0;
	x->offset = 0;
	return 0;
}

/* Start writing B's dirty pages to disk without waiting for them (a file
 * system without sync_file_range is left to the caller's fsync). */
static void
blob_writeback (struct registry_blob *b)
{
	if (b->done > b->flushed)
		sync_file_range (b->fd, b->flushed, b->done - b->flushed, SYNC_FILE_RANGE_WRITE);
	b->flushed = b->done;
}

static size_t
on_blob_body (struct xfer *x, long code, const char *p, size_t n)
{
	struct registry_blob *b = x->blob;

	if (!x->body_started) {
		x->body_started = 1;
		if (code == 200 && x->offset > 0 && blob_restart (x) < 0) {
			x->sink_err = errno ? errno : EIO;
			return 0;
		}
	}
	if (b->size >= 0 && b->done + (int64_t)n > b->size) {
		x->too_big = 1;
		return 0;
	}
	if (afile_write_all (b->fd, p, n) < 0) {
		x->sink_err = errno;
		return 0;
	}
	b->done += n;
	hashbg_wrote (&x->hash, b->done);
	if (b->done - b->flushed >= REGISTRY_WRITEBACK)
		blob_writeback (b);
	throttle (x->r, n);
	return n;
}

static size_t
on_body (char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	long code = 0;

	curl_easy_getinfo (x->h, CURLINFO_RESPONSE_CODE, &code);
	if (x->blob && code / 100 == 2)
		return on_blob_body (x, code, p, n);
	if (membuf_add (&x->body, p, n) < 0) {
		x->sink_err = ENOMEM;
		return 0;
	}
	if (x->body.over && code / 100 == 2) {
		x->too_big = 1;
		return 0;
	}
	return n; /* an error body longer than we keep is cut, not fatal */
}

static void
set_auth (struct xfer *x)
{
	struct registry *r = x->r;

	if (r->token) {
		curl_easy_setopt (x->h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt (x->h, CURLOPT_XOAUTH2_BEARER, r->token);
	} else if (r->basic && r->user) {
		curl_easy_setopt (x->h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt (x->h, CURLOPT_USERNAME, r->user);
		curl_easy_setopt (x->h, CURLOPT_PASSWORD, r->pass ? r->pass : "");
	}
}

/* A PUT's body, from memory or from the file (pread: the offset is ours,
 * so a retry after a 401 or a redirect starts again at 0). */
static size_t
on_read (char *buf, size_t size, size_t nitems, void *arg)
{
	struct xfer *x = arg;
	int64_t left = x->up_len - x->up_pos;
	size_t n = size * nitems < (uint64_t)left ? size * nitems : (size_t)left;
	ssize_t got;

	if (n == 0)
		return 0;
	if (x->up_buf) {
		memcpy (buf, x->up_buf + x->up_pos, n);
		got = (ssize_t)n;
	} else {
		while ((got = pread (x->up_fd, buf, n, x->up_pos)) < 0 && errno == EINTR)
			;
		if (got <= 0) {
			x->sink_err = got < 0 ? errno : EIO;
			return CURL_READFUNC_ABORT;
		}
	}
	x->up_pos += got;
	return (size_t)got;
}

static int
on_seek (void *arg, curl_off_t offset, int origin)
{
	struct xfer *x = arg;

	if (origin != SEEK_SET || offset < 0 || offset > x->up_len)
		return CURL_SEEKFUNC_CANTSEEK;
	x->up_pos = offset;
	return CURL_SEEKFUNC_OK;
}

/* The method and body of X's request. */
static void
method_opts (struct xfer *x)
{
	if (!x->method)
		return;
	if (strcmp (x->method, "HEAD") == 0) {
		curl_easy_setopt (x->h, CURLOPT_NOBODY, 1L);
	} else if (strcmp (x->method, "POST") == 0) {
		curl_easy_setopt (x->h, CURLOPT_POST, 1L);
		curl_easy_setopt (x->h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt (x->h, CURLOPT_POSTFIELDSIZE, 0L);
	} else if (strcmp (x->method, "PUT") == 0) {
		x->up_pos = 0;
		curl_easy_setopt (x->h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt (x->h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt (x->h, CURLOPT_READDATA, x);
		curl_easy_setopt (x->h, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt (x->h, CURLOPT_SEEKDATA, x);
		curl_easy_setopt (x->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->up_len);
	}
}

static void
common_opts (CURL *h, char *errbuf)
{
	curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt (h, CURLOPT_USERAGENT, "box/0.1");
	curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt (h, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt (h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a stalled registry: under 1 byte/s for a minute */
	curl_easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt (h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt (h, CURLOPT_BUFFERSIZE, (long)REGISTRY_BUFSIZE);
}

static int
xfer_start (struct xfer *x, struct bx_err *e)
{
	char range[64];

	xfer_reset_response (x);
	x->too_big = x->sink_err = 0;
	x->errbuf[0] = '\0';
	x->h = curl_easy_init ();
	if (!x->h)
		return err_set (e, BX_SYSTEM, ENOMEM, "registry %s", x->r->host);
	common_opts (x->h, x->errbuf);
	curl_easy_setopt (x->h, CURLOPT_URL, x->url);
	curl_easy_setopt (x->h, CURLOPT_PRIVATE, x);
	curl_easy_setopt (x->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt (x->h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt (x->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt (x->h, CURLOPT_WRITEDATA, x);
	if (x->r->rate > 0)
		curl_easy_setopt (x->h, CURLOPT_BUFFERSIZE, 16384L); /* see throttle () */
	curl_slist_free_all (x->hdrs);
	x->hdrs = NULL;
	if (x->accept) {
		char h[512];
		snprintf (h, sizeof h, "Accept: %s", x->accept);
		x->hdrs = curl_slist_append (x->hdrs, h);
	}
	if (x->req_ctype) {
		char h[512];
		snprintf (h, sizeof h, "Content-Type: %s", x->req_ctype);
		x->hdrs = curl_slist_append (x->hdrs, h);
	}
	if (x->hdrs)
		curl_easy_setopt (x->h, CURLOPT_HTTPHEADER, x->hdrs);
	method_opts (x);
	if (x->blob && x->offset > 0) {
		snprintf (range, sizeof range, "%lld-", (long long)x->offset);
		curl_easy_setopt (x->h, CURLOPT_RANGE, range);
	}
	set_auth (x);
	if (curl_multi_add_handle (x->r->multi, x->h) != CURLM_OK)
		return err_set (e, BX_SYSTEM, 0, "registry %s: cannot start a request", x->r->host);
	if (x->blob)
		x->blob->state = REGISTRY_BLOB_FETCHING;
	return 0;
}

static void
xfer_end (struct xfer *x)
{
	if (x->h) {
		curl_multi_remove_handle (x->r->multi, x->h);
		curl_easy_cleanup (x->h);
		x->h = NULL;
	}
}

static void
xfer_free (struct xfer *x)
{
	xfer_end (x);
	xfer_reset_response (x);
	curl_slist_free_all (x->hdrs);
	x->hdrs = NULL;
	free (x->body.p);
	x->body.p = NULL;
	hashbg_drop (&x->hash);
}

/* --- Bearer tokens ---------------------------------------------------------- */

static int
token_url (struct registry *r, const struct registry_challenge *c, const char *repo, char *url, size_t len)
{
	char scope[1200];
	char *svc, *sc, *acct;
	int n;

	if (c->scope[0])
		snprintf (scope, sizeof scope, "%s", c->scope);
	else if (repo)
		snprintf (scope, sizeof scope, "repository:%s:pull", repo);
	else
		scope[0] = '\0';
	svc = curl_easy_escape (NULL, c->service, 0);
	sc = curl_easy_escape (NULL, scope, 0);
	acct = curl_easy_escape (NULL, r->user ? r->user : "", 0);
	/* account= as Docker sends it, so token servers can tell the user */
	n = snprintf (url, len, "%s%cservice=%s%s%s%s%s", c->realm, strchr (c->realm, '?') ? '&' : '?', svc ? svc : "",
	              scope[0] ? "&scope=" : "", scope[0] && sc ? sc : "", r->user ? "&account=" : "",
	              r->user && acct ? acct : "");
	curl_free (svc);
	curl_free (sc);
	curl_free (acct);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

char *
registry_token_parse (const char *body, size_t len)
{
	json_t *doc = body ? json_loadb (body, len, 0, NULL) : NULL;
	const char *t = json_string_value (json_object_get (doc, "token"));
	char *out = NULL;

	if (!t || !*t)
		t = json_string_value (json_object_get (doc, "access_token"));
	/* it goes into the Authorization header of every request as it is:
	 * a CR LF in it would add headers of the token server's choice */
	for (const char *p = t; p && *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			t = NULL;
	if (t && *t)
		out = strdup (t);
	json_decref (doc);
	return out;
}

static int
token_parse (struct registry *r, const struct membuf *b, struct bx_err *e)
{
	char *t = registry_token_parse (b->p, b->len);

	if (!t)
		return err_set (e, BX_SYSTEM, 0, "registry %s: token server sent no token", r->host);
	free (r->token);
	r->token = t;
	return 0;
}

/* GET a Bearer token from the challenge's realm. */
static int
token_fetch (struct registry *r, const struct registry_challenge *c, const char *repo, struct bx_err *e)
{
	struct xfer t = {.r = r, .body = {.max = REGISTRY_TOKEN_MAX}};
	CURL *h;
	long code = 0;
	int rc = 0;

	if (!c->realm[0] || token_url (r, c, repo, t.url, sizeof t.url) < 0)
		return err_set (e, BX_SYSTEM, 0, "registry %s: bad Bearer challenge", r->host);
	if (strncmp (c->realm, "https://", 8) != 0 && strncmp (c->realm, "http://", 7) != 0)
		return err_set (e, BX_SYSTEM, 0, "registry %s: token realm is not http(s): %s", r->host, c->realm);
	if (!(h = t.h = curl_easy_init ()))
		return err_set (e, BX_SYSTEM, ENOMEM, "token");
	common_opts (h, t.errbuf);
	curl_easy_setopt (h, CURLOPT_URL, t.url);
	curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt (h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt (h, CURLOPT_HEADERDATA, &t);
	if (r->user) {
		curl_easy_setopt (h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt (h, CURLOPT_USERNAME, r->user);
		curl_easy_setopt (h, CURLOPT_PASSWORD, r->pass ? r->pass : "");
	}
	t.res = curl_easy_perform (h);
	curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &code);
	if (t.res != CURLE_OK) {
		rc = err_set (e, BX_SYSTEM, 0, "token server %s: %s", c->realm,
		              t.errbuf[0] ? t.errbuf : curl_easy_strerror (t.res));
	} else if (code == 401 || code == 403) {
		char msg[512];
		registry_error_text (t.body.p, t.body.len, "authentication required", msg, sizeof msg);
		rc = err_set (e, BX_FAIL, 0, "unauthorized: %s", msg);
	} else if (code / 100 != 2) {
		rc = err_set (e, BX_SYSTEM, 0, "token server %s: HTTP %ld", c->realm, code);
	} else {
		rc = token_parse (r, &t.body, e);
	}
	curl_easy_cleanup (h);
	t.h = NULL;
	xfer_free (&t);
	return rc;
}

/* The answer to a 401: get what the challenge asks for. */
static int
authorize (struct xfer *x, struct bx_err *e)
{
	struct registry_challenge c;

	if (!x->www_auth || registry_challenge_parse (x->www_auth, &c) < 0)
		return err_set (e, BX_FAIL, 0, "unauthorized: no usable authentication challenge");
	if (strcmp (c.scheme, "bearer") == 0)
		return token_fetch (x->r, &c, x->repo, e);
	if (strcmp (c.scheme, "basic") == 0) {
		if (!x->r->user)
			return err_set (e, BX_FAIL, 0, "unauthorized: authentication required");
		x->r->basic = 1;
		return 0;
	}
	return err_set (e, BX_FAIL, 0, "unauthorized: unsupported authentication scheme %s", c.scheme);
}

/* --- finishing a transfer ---------------------------------------------------- */

enum { XF_DONE = 0, XF_RETRY = 1, XF_FAIL = -1 };

static int
http_error (struct xfer *x, long code, struct bx_err *e)
{
	char msg[600];
	int bx = BX_SYSTEM;

	if (code == 404)
		bx = BX_NOTFOUND;
	else if (code == 401 || code == 403)
		bx = BX_FAIL;
	else if (code / 100 == 4 && code != 408 && code != 429)
		bx = BX_FAIL;
	if (code == 401)
		registry_error_text (x->body.p, x->body.len, "unauthorized: authentication required", msg, sizeof msg);
	else if (code == 404)
		registry_error_text (x->body.p, x->body.len, "not found", msg, sizeof msg);
	else {
		char dflt[64];
		snprintf (dflt, sizeof dflt, "HTTP %ld", code);
		registry_error_text (x->body.p, x->body.len, dflt, msg, sizeof msg);
	}
	return err_set (e, bx, 0, "%s", msg);
}

static int
transport_error (struct xfer *x, struct bx_err *e)
{
	if (x->sink_err)
		return err_set (e, BX_SYSTEM, x->sink_err, "write");
	if (x->too_big)
		return err_set (e, BX_FAIL, 0, "registry sent more than %s",
		                x->blob ? "the descriptor's size" : "the manifest size limit");
	/* GnuTLS's (and OpenSSL's) words for an answer that is not TLS: say
	 * it as Docker does */
	if (x->res == CURLE_SSL_CONNECT_ERROR &&
	    (strstr (x->errbuf, "unexpected TLS packet") || strstr (x->errbuf, "wrong version number")))
		return err_set (e, BX_SYSTEM, 0,
		                "registry %s: server gave HTTP response to HTTPS client "
		                "(plain HTTP only with --insecure %s)",
		                x->r->host, x->r->host);
	return err_set (e, BX_SYSTEM, 0, "registry %s: %s", x->r->host,
	                x->errbuf[0] ? x->errbuf : curl_easy_strerror (x->res));
}

static int
blob_verify (struct xfer *x, struct bx_err *e)
{
	struct registry_blob *b = x->blob;
	char got[DIGEST_STR_LEN + 1];

	if (b->size >= 0 && b->done != b->size)
		return err_set (e, BX_FAIL, 0, "short: %lld of %lld bytes", (long long)b->done, (long long)b->size);
	if (hashbg_digest (&x->hash, got, e) < 0)
		return XF_FAIL;
	if (strcmp (got, b->digest) != 0) {
		if (b->resumed_at > 0 && !x->restarted) {
			/* the kept prefix may be what is wrong: fetch it all once */
			x->restarted = 1;
			if (blob_restart (x) < 0)
				return err_set (e, BX_SYSTEM, errno, "restart");
			return XF_RETRY;
		}
		return err_set (e, BX_FAIL, 0, "digest mismatch: content has %s", got);
	}
	blob_writeback (b);
	b->state = REGISTRY_BLOB_DONE;
	return XF_DONE;
}

static int
xfer_finish (struct xfer *x, struct bx_err *e)
{
	long code = 0;

	curl_easy_getinfo (x->h, CURLINFO_RESPONSE_CODE, &code);
	x->code = code;
	xfer_end (x);
	if (x->res != CURLE_OK)
		return transport_error (x, e);
	if (code == 401 && x->auth_tries++ < REGISTRY_AUTH_TRIES) {
		/* a 401's body went to x->body, the blob's fd is untouched */
		if (authorize (x, e) < 0)
			return XF_FAIL;
		return XF_RETRY;
	}
	if (code == 404 && x->ok404)
		return XF_DONE;
	if (code == 416 && x->blob && x->offset > 0) {
		if (blob_restart (x) < 0)
			return err_set (e, BX_SYSTEM, errno, "restart");
		return XF_RETRY;
	}
	if (code / 100 != 2)
		return http_error (x, code, e);
	return x->blob ? blob_verify (x, e) : XF_DONE;
}

/* --- the loop ------------------------------------------------------------------ */

static int64_t
now_ms (void)
{
	struct timeval tv;

	gettimeofday (&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

enum { XS_QUEUED, XS_ACTIVE, XS_DONE };

struct run {
	struct registry *r;
	struct xfer *xs;
	int *state;
	size_t n, active;
	int maxpar;
	registry_progress_fn progress;
	struct registry_blob *blobs;
	void *arg;
};

static int
run_start_more (struct run *u, struct bx_err *e)
{
	for (size_t i = 0; i < u->n && (int)u->active < u->maxpar; i++) {
		if (u->state[i] != XS_QUEUED)
			continue;
		if (xfer_start (&u->xs[i], e) < 0)
			return -1;
		u->state[i] = XS_ACTIVE;
		u->active++;
	}
	return 0;
}

/* Handle finished transfers; -1 on the first failure (E names it). */
static int
run_reap (struct run *u, struct bx_err *e)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read (u->r->multi, &left))) {
		struct xfer *x;
		int rc;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo (m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		x->res = m->data.result;
		u->active--;
		rc = xfer_finish (x, e);
		u->state[x - u->xs] = rc == XF_RETRY ? XS_QUEUED : XS_DONE;
		if (rc == XF_FAIL) {
			if (x->blob) {
				x->blob->state = REGISTRY_BLOB_FAILED;
				err_wrap (e, "blob %s", x->blob->digest);
			} else if (x->label) {
				err_wrap (e, "blob %s", x->label);
			}
			return -1;
		}
		if (u->progress && x->blob)
			u->progress (u->blobs, u->n, u->arg);
	}
	return 0;
}

/* Run the N transfers of U to the end, or to the first failure. */
static int
run_all (struct run *u, struct bx_err *e)
{
	int64_t last = now_ms ();
	int running, rc = 0;

	for (;;) {
		if (run_start_more (u, e) < 0 || (rc = run_reap (u, e)) < 0)
			break;
		if (run_start_more (u, e) < 0) {
			rc = -1;
			break;
		}
		if (u->active == 0)
			break;
		if (curl_multi_perform (u->r->multi, &running) != CURLM_OK) {
			rc = err_set (e, BX_SYSTEM, 0, "registry %s: transfer loop failed", u->r->host);
			break;
		}
		if (running == (int)u->active)
			curl_multi_poll (u->r->multi, NULL, 0, 100, NULL);
		if (u->progress && now_ms () - last >= 100) {
			u->progress (u->blobs, u->n, u->arg);
			last = now_ms ();
		}
	}
	for (size_t i = 0; i < u->n; i++)
		xfer_end (&u->xs[i]); /* stop the others after a failure */
	return rc < 0 ? -1 : 0;
}

static int
run_one (struct xfer *x, struct bx_err *e)
{
	int state = XS_QUEUED;
	struct run u = {.r = x->r, .xs = x, .state = &state, .n = 1, .maxpar = 1};

	return run_all (&u, e);
}

/* --- the API ----------------------------------------------------------------- */

int
registry_ping (struct registry *r, struct bx_err *e)
{
	struct xfer x = {.r = r, .body = {.max = REGISTRY_ERRBODY_MAX}};
	int rc;

	snprintf (x.url, sizeof x.url, "%s/v2/", r->base);
	rc = run_one (&x, e);
	xfer_free (&x);
	return rc;
}

int
registry_get_manifest (struct registry *r, const char *repo, const char *reference, struct registry_doc *d,
                       struct bx_err *e)
{
	struct xfer x = {
	    .r = r, .repo = repo, .accept = REGISTRY_MANIFEST_ACCEPT, .body = {.max = REGISTRY_MANIFEST_MAX}};
	int rc;

	memset (d, 0, sizeof *d);
	if (snprintf (x.url, sizeof x.url, "%s/v2/%s/manifests/%s", r->base, repo, reference) >= (int)sizeof x.url)
		return err_set (e, BX_USAGE, 0, "reference too long");
	rc = run_one (&x, e);
	if (rc == 0) {
		snprintf (d->content_type, sizeof d->content_type, "%s", x.ctype ? x.ctype : "");
		if (x.dcd && digest_is_valid (x.dcd))
			snprintf (d->digest, sizeof d->digest, "%s", x.dcd);
		d->len = x.body.len;
		d->buf = x.body.p ? steal_pointer (&x.body.p) : strdup ("");
		if (!d->buf)
			rc = err_set (e, BX_SYSTEM, ENOMEM, "manifest");
	}
	xfer_free (&x);
	return rc;
}

void
registry_doc_free (struct registry_doc *d)
{
	free (d->buf);
	d->buf = NULL;
}

static int
on_tmpfs (int fd)
{
	struct statfs sf;

	return fstatfs (fd, &sf) == 0 && sf.f_type == TMPFS_MAGIC;
}

/* Hash what FD already holds (a kept prefix, in the background) and seek
 * to its end. */
static int
blob_prepare (struct xfer *x, struct bx_err *e)
{
	struct registry_blob *b = x->blob;
	off_t end = lseek (b->fd, 0, SEEK_END);

	if (end < 0)
		return err_set (e, BX_SYSTEM, errno, "ingest file");
	if (b->size >= 0 && end > b->size) {
		if (ftruncate (b->fd, 0) < 0)
			return err_set (e, BX_SYSTEM, errno, "ingest file");
		end = 0;
	}
	hashbg_add (x->r->hasher, &x->hash, b->fd);
	hashbg_wrote (&x->hash, end);
	if (lseek (b->fd, end, SEEK_SET) < 0)
		return err_set (e, BX_SYSTEM, errno, "ingest file");
	/* the blob's blocks in one allocation, not page by page as it comes
	 * (the size stays that of the prefix, which a resume relies on); not
	 * on tmpfs, where it means zeroing every page the writes then fill
	 * (a tenth of a pull's CPU) */
	if (b->size > end && !on_tmpfs (b->fd))
		fallocate (b->fd, FALLOC_FL_KEEP_SIZE, end, b->size - end);
	b->done = b->resumed_at = x->offset = end;
	b->state = REGISTRY_BLOB_QUEUED;
	return 0;
}

/* A prefix that is already the whole blob needs no request. */
static int
blob_complete_already (struct xfer *x, struct bx_err *e)
{
	struct registry_blob *b = x->blob;
	int rc;

	if (b->size < 0 || b->done != b->size)
		return 0;
	rc = blob_verify (x, e);
	if (rc == XF_RETRY)
		return 0; /* the prefix was wrong: blob_verify restarted it */
	return rc < 0 ? -1 : 1;
}

int
registry_fetch_blobs (struct registry *r, const char *repo, struct registry_blob *blobs, size_t n, int maxpar,
                      registry_progress_fn progress, void *arg, struct bx_err *e)
{
	_cleanup_free_ struct xfer *xs = calloc (n ? n : 1, sizeof *xs);
	_cleanup_free_ int *state = calloc (n ? n : 1, sizeof *state);
	struct run u = {r, xs, state, n, 0, maxpar > 0 ? maxpar : 1, progress, blobs, arg};
	int rc = 0;

	if (!xs || !state)
		return err_set (e, BX_SYSTEM, ENOMEM, "blobs");
	if (!r->hasher && hashbg_start (&r->hasher, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct xfer *x = &xs[i];
		x->r = r;
		x->repo = repo;
		x->blob = &blobs[i];
		x->body.max = REGISTRY_ERRBODY_MAX;
		snprintf (x->url, sizeof x->url, "%s/v2/%s/blobs/%s", r->base, repo, blobs[i].digest);
		if (blob_prepare (x, e) < 0 || (rc = blob_complete_already (x, e)) < 0) {
			rc = err_wrap (e, "blob %s", blobs[i].digest);
			break;
		}
		state[i] = rc == 1 ? XS_DONE : XS_QUEUED;
		rc = 0;
	}
	if (rc == 0)
		rc = run_all (&u, e);
	else
		rc = -1;
	for (size_t i = 0; i < n; i++)
		xfer_free (&xs[i]);
	return rc;
}

/* --- pushing ------------------------------------------------------------------ */

/* LOC (a Location header: a URL, or a path on the registry) with the
 * digest query parameter added, into URL. */
static int
upload_url (const struct registry *r, const char *loc, const char *digest, char *url, size_t len)
{
	int n = snprintf (url, len, "%s%s%cdigest=sha256%%3A%s", loc[0] == '/' ? r->base : "", loc,
	                  strchr (loc, '?') ? '&' : '?', digest_hex (digest));
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* Run the N requests of XS, MAXPAR at once, to the end or the first
 * failure; each is freed after. */
static int
run_many (struct registry *r, struct xfer *xs, size_t n, int maxpar, struct bx_err *e)
{
	_cleanup_free_ int *state = calloc (n ? n : 1, sizeof *state);
	struct run u = {.r = r, .xs = xs, .state = state, .n = n, .maxpar = maxpar > 0 ? maxpar : 1};
	int rc = state ? run_all (&u, e) : err_set (e, BX_SYSTEM, ENOMEM, "push");

	return rc;
}

static void
push_xfer (struct xfer *x, struct registry *r, const char *repo, const char *method, const struct registry_push *b)
{
	xfer_free (x);
	memset (x, 0, sizeof *x);
	x->r = r;
	x->repo = repo;
	x->method = method;
	x->label = b->digest;
	x->body.max = REGISTRY_ERRBODY_MAX;
}

/* The POST answers: mounted (201 to a mount), or the URL to PUT the blob
 * to, in X's place, with X made the PUT. Returns 1 for a PUT to do. */
static int
push_next (struct registry *r, const char *repo, struct xfer *x, struct registry_push *b, struct bx_err *e)
{
	char url[sizeof x->url];

	if (x->code == 201 && b->from) {
		b->result = REGISTRY_PUSH_MOUNTED;
		return 0;
	}
	if (!x->location || upload_url (r, x->location, b->digest, url, sizeof url) < 0)
		return err_set (e, BX_SYSTEM, 0, "registry %s: blob %s: no usable upload location", r->host, b->digest);
	/* the whole blob in one PUT (a monolithic upload after the POST) */
	push_xfer (x, r, repo, "PUT", b);
	memcpy (x->url, url, sizeof url);
	x->req_ctype = "application/octet-stream";
	x->up_fd = b->fd;
	x->up_len = b->size;
	b->result = REGISTRY_PUSH_PUSHED;
	return 1;
}

int
registry_push_blobs (struct registry *r, const char *repo, struct registry_push *v, size_t n, int maxpar,
                     struct bx_err *e)
{
	_cleanup_free_ struct xfer *xs = calloc (n ? n : 1, sizeof *xs);
	_cleanup_free_ size_t *idx = calloc (n ? n : 1, sizeof *idx);
	size_t m = 0, k, j;
	int rc = xs && idx ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "push");

	/* which blobs does the registry lack? */
	for (k = 0; rc == 0 && k < n; k++) {
		push_xfer (&xs[k], r, repo, "HEAD", &v[k]);
		xs[k].ok404 = 1;
		snprintf (xs[k].url, sizeof xs[k].url, "%s/v2/%s/blobs/%s", r->base, repo, v[k].digest);
	}
	if (rc == 0 && (rc = run_many (r, xs, n, maxpar, e)) == 0)
		for (k = 0; k < n; k++) {
			v[k].result = REGISTRY_PUSH_EXISTS;
			if (xs[k].code == 404)
				idx[m++] = k;
		}
	/* an upload session for each (or a mount from another repository) */
	for (j = 0; rc == 0 && j < m; j++) {
		const struct registry_push *b = &v[idx[j]];
		push_xfer (&xs[j], r, repo, "POST", b);
		if (b->from)
			snprintf (xs[j].url, sizeof xs[j].url, "%s/v2/%s/blobs/uploads/?mount=%s&from=%s", r->base,
			          repo, b->digest, b->from);
		else
			snprintf (xs[j].url, sizeof xs[j].url, "%s/v2/%s/blobs/uploads/", r->base, repo);
	}
	if (rc == 0)
		rc = run_many (r, xs, m, maxpar, e);
	/* then the blobs not mounted, each in one PUT */
	for (j = k = 0; rc == 0 && j < m; j++) {
		int put = push_next (r, repo, &xs[j], &v[idx[j]], e);
		if (put < 0) {
			rc = -1;
		} else if (!put) {
			xfer_free (&xs[j]);
		} else {
			if (k != j) {
				/* the PUTs first in XS, for run_many; xs[k] is done with */
				xfer_free (&xs[k]);
				xs[k] = xs[j];
				memset (&xs[j], 0, sizeof *xs);
			}
			k++;
		}
	}
	if (rc == 0)
		rc = run_many (r, xs, k, maxpar, e);
	for (j = 0; j < n; j++)
		xfer_free (&xs[j]);
	return rc;
}

int
registry_put_manifest (struct registry *r, const char *repo, const char *reference, const char *media_type,
                       const char *buf, size_t len, struct bx_err *e)
{
	struct xfer x = {.r = r,
	                 .repo = repo,
	                 .method = "PUT",
	                 .req_ctype = media_type,
	                 .up_buf = buf,
	                 .up_len = (int64_t)len,
	                 .body = {.max = REGISTRY_ERRBODY_MAX}};
	int rc;

	if (snprintf (x.url, sizeof x.url, "%s/v2/%s/manifests/%s", r->base, repo, reference) >= (int)sizeof x.url)
		return err_set (e, BX_USAGE, 0, "reference too long");
	rc = run_one (&x, e);
	xfer_free (&x);
	return rc;
}
