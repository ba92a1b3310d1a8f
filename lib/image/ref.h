/* ref - image references, parsed and normalised as Docker does */
#ifndef BOX_REF_H
#define BOX_REF_H

#include <stddef.h>

#include "base/digest.h"
#include "base/err.h"

#define REF_DEFAULT_DOMAIN "docker.io"

struct ref {
	char domain[256]; /* "docker.io", "127.0.0.1:5000" */
	char path[256];   /* "library/busybox" */
	char tag[129];    /* "latest"; empty when only a digest was given */
	char digest[136]; /* "sha256:..." or empty */
};

/* Parse S ("busybox", "host:5000/a/b:tag", "a@sha256:..."), filling the
 * defaults (docker.io, library/, :latest). BX_USAGE on bad input. */
int ref_parse (const char *s, struct ref *r, struct bx_err *e);
/* S, a name to tag an image with, in full into BUF; BX_USAGE on bad input
 * or a digest, which names content and cannot be a tag. */
int ref_parse_tag (const char *s, char *buf, size_t len, struct bx_err *e);
/* "docker.io/library/busybox:latest", "host/a@sha256:..", both when set. */
void ref_full (const struct ref *r, char *buf, size_t len);
/* "docker.io/library/busybox" */
void ref_repo (const struct ref *r, char *buf, size_t len);
/* The short name Docker shows: "busybox", "user/app", "host:5000/app". */
void ref_familiar_repo (const struct ref *r, char *buf, size_t len);
/* The host to speak the registry API to ("registry-1.docker.io" for docker.io). */
const char *ref_api_host (const struct ref *r);
/* True when a string could be a short image id or digest prefix, not a ref. */
int ref_looks_like_id (const char *s);
/* True when NAME's first N bytes, a name's first component, name a
 * registry host (Docker's splitDockerDomain: a dot, a colon, localhost). */
int ref_names_host (const char *name, size_t n);
/* MSG, ref_parse's error about S, into BUF in the words of Docker's
 * reference parser: "invalid reference format", and ": repository name
 * must ..." when that is why (ours name S and the part that is bad) */
void ref_docker_words (const char *msg, const char *s, char *buf, size_t len);

#endif
