#include "image/ref.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* component ::= [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static int
is_path_component (const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !(islower ((unsigned char)s[0]) || isdigit ((unsigned char)s[0])))
		return 0;
	while (i < n) {
		size_t run = 0;
		while (i < n && (islower ((unsigned char)s[i]) || isdigit ((unsigned char)s[i])))
			i++;
		if (i == n)
			return 1;
		if (s[i] == '.' || s[i] == '_') {
			run = (s[i] == '_' && i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		} else if (s[i] == '-') {
			while (i + run < n && s[i + run] == '-')
				run++;
		} else {
			return 0;
		}
		i += run;
		if (i == n || !(islower ((unsigned char)s[i]) || isdigit ((unsigned char)s[i])))
			return 0;
	}
	return 1;
}

/* domain ::= host (":" port)?, host: DNS labels, IPv4 or [IPv6] */
static int
is_domain (const char *s, size_t n)
{
	const char *colon = memchr (s, ':', n);
	size_t hn = colon ? (size_t)(colon - s) : n;

	if (hn == 0)
		return 0;
	if (s[0] == '[') {
		/* ipv6address ::= "[" [a-fA-F0-9:]+ "]" (distribution/reference) */
		const char *close = memchr (s, ']', n);
		if (!close || close == s + 1)
			return 0;
		for (const char *p = s + 1; p < close; p++)
			if (!isxdigit ((unsigned char)*p) && *p != ':')
				return 0;
		hn = (size_t)(close - s) + 1;
		colon = hn < n ? s + hn : NULL;
		if (colon && *colon != ':')
			return 0;
	} else {
		for (size_t i = 0; i < hn; i++)
			if (!(isalnum ((unsigned char)s[i]) || s[i] == '.' || s[i] == '-'))
				return 0;
		if (s[0] == '-' || s[0] == '.' || s[hn - 1] == '-' || s[hn - 1] == '.')
			return 0;
	}
	if (colon) {
		size_t pn = n - (colon - s) - 1;
		if (pn == 0)
			return 0;
		for (size_t i = 1; i <= pn; i++)
			if (!isdigit ((unsigned char)colon[i]))
				return 0;
	}
	return 1;
}

/* tag ::= [\w][\w.-]{0,127} */
static int
is_tag (const char *s)
{
	size_t n = strlen (s);

	if (n == 0 || n > 128 || !(isalnum ((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum ((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

static int
split_digest (char *buf, struct ref *r, const char *s, struct bx_err *e)
{
	char *at = strchr (buf, '@');

	if (!at)
		return 0;
	*at = '\0';
	if (!digest_is_wellformed (at + 1) || strlen (at + 1) >= sizeof r->digest)
		return err_set (e, BX_USAGE, 0, "invalid reference format: %s: bad digest", s);
	snprintf (r->digest, sizeof r->digest, "%s", at + 1);
	return 0;
}

static int
split_tag (char *buf, struct ref *r, const char *s, struct bx_err *e)
{
	char *slash = strrchr (buf, '/');
	char *colon = strrchr (slash ? slash : buf, ':');

	if (!colon)
		return 0;
	*colon = '\0';
	if (!is_tag (colon + 1))
		return err_set (e, BX_USAGE, 0, "invalid reference format: %s: bad tag", s);
	snprintf (r->tag, sizeof r->tag, "%s", colon + 1);
	return 0;
}

int
ref_names_host (const char *name, size_t n)
{
	return memchr (name, '.', n) || memchr (name, ':', n) || (n == 9 && memcmp (name, "localhost", 9) == 0);
}

static int
split_domain (char *name, struct ref *r, const char *s, struct bx_err *e)
{
	char *slash = strchr (name, '/');
	const char *path = name;

	snprintf (r->domain, sizeof r->domain, "%s", REF_DEFAULT_DOMAIN);
	if (slash) {
		size_t n = slash - name;
		/* Docker 20.10's rule: an upper-case first component is a path
		 * (refused below), not a host as in later releases */
		if (ref_names_host (name, n)) {
			if (!is_domain (name, n) || n >= sizeof r->domain)
				return err_set (e, BX_USAGE, 0, "invalid reference format: %s: bad registry host", s);
			memcpy (r->domain, name, n);
			r->domain[n] = '\0';
			path = slash + 1;
		}
	}
	if (strcmp (r->domain, "index.docker.io") == 0)
		strcpy (r->domain, REF_DEFAULT_DOMAIN);
	if (strcmp (r->domain, REF_DEFAULT_DOMAIN) == 0 && !strchr (path, '/'))
		snprintf (r->path, sizeof r->path, "library/%s", path);
	else
		snprintf (r->path, sizeof r->path, "%s", path);
	return 0;
}

static int
check_path (const struct ref *r, const char *s, struct bx_err *e)
{
	const char *p = r->path;

	if (strlen (r->domain) + 1 + strlen (r->path) > 255)
		return err_set (e, BX_USAGE, 0,
		                "invalid reference format: %s: repository name must not be more than 255 characters",
		                s);
	for (const char *q = p; *q; q++)
		if (isupper ((unsigned char)*q))
			return err_set (e, BX_USAGE, 0,
			                "invalid reference format: %s: repository name must be lowercase", s);
	for (;;) {
		const char *slash = strchr (p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen (p);
		if (!is_path_component (p, n))
			return err_set (e, BX_USAGE, 0, "invalid reference format: %s", s);
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

int
ref_parse (const char *s, struct ref *r, struct bx_err *e)
{
	char buf[1024];

	memset (r, 0, sizeof *r);
	if (!s || !*s)
		return err_set (e, BX_USAGE, 0, "invalid reference format: empty reference");
	if (strlen (s) >= sizeof buf)
		return err_set (e, BX_USAGE, 0, "invalid reference format: reference too long");
	strcpy (buf, s);
	if (split_digest (buf, r, s, e) < 0 || split_tag (buf, r, s, e) < 0)
		return -1;
	if (split_domain (buf, r, s, e) < 0 || check_path (r, s, e) < 0)
		return -1;
	if (!r->tag[0] && !r->digest[0])
		strcpy (r->tag, "latest");
	return 0;
}

void
ref_repo (const struct ref *r, char *buf, size_t len)
{
	snprintf (buf, len, "%s/%s", r->domain, r->path);
}

void
ref_full (const struct ref *r, char *buf, size_t len)
{
	snprintf (buf, len, "%s/%s%s%s%s%s", r->domain, r->path, r->tag[0] ? ":" : "", r->tag, r->digest[0] ? "@" : "",
	          r->digest);
}

int
ref_parse_tag (const char *s, char *buf, size_t len, struct bx_err *e)
{
	struct ref r;

	if (ref_parse (s, &r, e) < 0)
		return -1;
	if (r.digest[0])
		return err_set (e, BX_USAGE, 0, "refusing to create a tag with a digest reference");
	ref_full (&r, buf, len);
	return 0;
}

void
ref_familiar_repo (const struct ref *r, char *buf, size_t len)
{
	if (strcmp (r->domain, REF_DEFAULT_DOMAIN) != 0)
		snprintf (buf, len, "%s/%s", r->domain, r->path);
	else if (strncmp (r->path, "library/", 8) == 0 && !strchr (r->path + 8, '/'))
		snprintf (buf, len, "%s", r->path + 8);
	else
		snprintf (buf, len, "%s", r->path);
}

const char *
ref_api_host (const struct ref *r)
{
	return strcmp (r->domain, REF_DEFAULT_DOMAIN) == 0 ? "registry-1.docker.io" : r->domain;
}

int
ref_looks_like_id (const char *s)
{
	size_t n = strlen (s);

	if (strncmp (s, "sha256:", 7) == 0)
		s += 7, n -= 7;
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit ((unsigned char)s[i]) || isupper ((unsigned char)s[i]))
			return 0;
	return 1;
}

void
ref_docker_words (const char *msg, const char *s, char *buf, size_t len)
{
	static const char pre[] = "invalid reference format";
	const char *why = msg + sizeof pre - 1;
	size_t n = strlen (s);

	if (strncmp (msg, pre, sizeof pre - 1) != 0)
		snprintf (buf, len, "%s", msg);
	else if (!strncmp (why, ": ", 2) && !strncmp (why + 2, s, n) && !strncmp (why + 2 + n, ": repository ", 13))
		snprintf (buf, len, "%s: %s", pre, why + 2 + n + 2);
	else
		snprintf (buf, len, "%s", pre);
}
