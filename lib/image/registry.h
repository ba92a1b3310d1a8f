/* registry - an HTTP client for the OCI distribution-spec v2 API (libcurl)
 *
 * One struct registry per registry host. Every request goes through one curl
 * multi handle, so connections are kept alive and shared; blobs are fetched
 * several at once in the same single-threaded loop.
 *
 * Pushing: HEAD a blob, POST an upload (a cross-repository mount when
 * another repository has the blob), PUT it whole; PUT the manifest.
 *
 * Authorisation follows the WWW-Authenticate challenge of a 401: Bearer
 * (GET a token from realm with service and scope, with basic credentials
 * when we have them) or Basic (send the credentials). Redirects are
 * followed; libcurl drops the Authorization header when a redirect leaves
 * the host (blob storage on another host must not see our token).
 *
 * Errors: BX_NOTFOUND for 404 (manifest/blob/name unknown), BX_FAIL for
 * 401/403 (unauthorized, denied) and digest mismatches, BX_SYSTEM for
 * connection failures, 429 and 5xx. Messages follow Docker's wording:
 * "manifest unknown", "unauthorized: authentication required".
 */
#ifndef BOX_REGISTRY_H
#define BOX_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/err.h"

/* The Accept header for manifests: the four media types we understand. */
#define REGISTRY_MANIFEST_ACCEPT                                                                                       \
	"application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "                        \
	"application/vnd.docker.distribution.manifest.v2+json, "                                                       \
	"application/vnd.docker.distribution.manifest.list.v2+json"

/* Manifests larger than this are refused (the distribution-spec asks
 * registries to accept at least 4 MiB). */
#define REGISTRY_MANIFEST_MAX (4 << 20)

struct registry_opts {
	const char *user; /* basic credentials, or NULL: anonymous */
	const char *pass;
	int plain_http;  /* http:// instead of https:// */
	long rate_limit; /* bytes per second, all transfers together, 0: none (tests) */
};

struct registry;

/* A client for HOST ("127.0.0.1:5000", "registry-1.docker.io"). */
struct registry *registry_new (const char *host, const struct registry_opts *o, struct bx_err *e);
void registry_free (struct registry *r);

/* Speak plain http to DOMAIN? True for dockerd's default, 127.0.0.0/8
 * (and localhost), and the hosts named in LIST (comma separated; NULL or
 * "" for none). */
int registry_is_insecure (const char *domain, const char *list);

/* GET /v2/, authorising as the registry asks: checks credentials. */
int registry_ping (struct registry *r, struct bx_err *e);

struct registry_doc {
	char *buf; /* the body, NUL-terminated */
	size_t len;
	char content_type[256];
	char digest[DIGEST_STR_LEN + 1]; /* Docker-Content-Digest, or "" */
};

/* GET /v2/REPO/manifests/REFERENCE (a tag or a digest) into D. */
int registry_get_manifest (struct registry *r, const char *repo, const char *reference, struct registry_doc *d,
                           struct bx_err *e);
void registry_doc_free (struct registry_doc *d);

enum registry_blob_state { REGISTRY_BLOB_QUEUED, REGISTRY_BLOB_FETCHING, REGISTRY_BLOB_DONE, REGISTRY_BLOB_FAILED };

/* One blob to fetch into FD (read-write, owned by the caller). What FD
 * already holds is taken as a prefix of the blob: it is hashed again and
 * the rest asked for with a Range request (a 200 answer restarts from 0).
 * When done, FD holds exactly the blob, checked against DIGEST and SIZE,
 * and its writeback started (not waited for: the caller fsyncs the blobs
 * together before they enter the store, so that no transfer waits on a
 * disk flush). */
struct registry_blob {
	const char *digest;
	int64_t size;
	int fd;
	/* filled while fetching */
	int64_t done;       /* bytes in FD */
	int64_t resumed_at; /* bytes FD held at the start */
	int64_t flushed;    /* bytes whose writeback was started */
	enum registry_blob_state state;
	void *user;
};

/* Called at most every 100 ms while fetching, and when a blob finishes. */
typedef void (*registry_progress_fn) (struct registry_blob *blobs, size_t n, void *arg);

/* Fetch the N blobs of REPO, at most MAXPAR at once. On the first failure
 * the other transfers are stopped (what they fetched stays in their fd for
 * a later resume) and E names the blob. */
int registry_fetch_blobs (struct registry *r, const char *repo, struct registry_blob *blobs, size_t n, int maxpar,
                          registry_progress_fn progress, void *arg, struct bx_err *e);

/* --- pushing --- */

enum registry_push_result { REGISTRY_PUSH_PUSHED, REGISTRY_PUSH_EXISTS, REGISTRY_PUSH_MOUNTED };

/* A blob to push: SIZE bytes read from FD (pread, borrowed). */
struct registry_push {
	const char *digest;
	int64_t size;
	int fd;
	const char *from;                 /* another repository of this registry that has it, or NULL */
	enum registry_push_result result; /* set by registry_push_blobs */
};

/* Push the N blobs of V to REPO, MAXPAR requests at once: HEAD each; for
 * those the registry lacks, POST an upload session (asking to mount the
 * blob from ->from first), then PUT the blob whole with its digest, which
 * the registry checks. The first failure stops the rest. */
int registry_push_blobs (struct registry *r, const char *repo, struct registry_push *v, size_t n, int maxpar,
                         struct bx_err *e);

/* PUT /v2/REPO/manifests/REFERENCE: LEN bytes of BUF as MEDIA_TYPE. */
int registry_put_manifest (struct registry *r, const char *repo, const char *reference, const char *media_type,
                           const char *buf, size_t len, struct bx_err *e);

/* A parsed WWW-Authenticate challenge (the first one in the header). */
struct registry_challenge {
	char scheme[16]; /* "bearer", "basic" (lowercased) */
	char realm[1024];
	char service[256];
	char scope[1024];
	char error[64];
};

/* Parse HDR; -1 when it is not a challenge. */
int registry_challenge_parse (const char *hdr, struct registry_challenge *c);

/* The token of a token server's answer: "token", else OAuth's
 * "access_token"; malloc'd, NULL when it has none, or one with a space or
 * a control character (it could not go into a header as it is). */
char *registry_token_parse (const char *body, size_t len);

/* Docker's wording for an error body ({"errors":[{"code","message"}]}):
 * "manifest unknown", "unauthorized: authentication required"; FALLBACK
 * when BODY says nothing. */
void registry_error_text (const char *body, size_t len, const char *fallback, char *out, size_t outlen);

#endif
