#include "runtime/health.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/strbuf.h"

static const char *const status_names[] = {"starting", "healthy", "unhealthy"};

/* the file as read: its log lines point into BUF */
struct health_file {
	int status, streak, n;
	char *log[HEALTH_LOG_MAX];
	char *buf;
};

static int
file_load (int dirfd, struct health_file *h, struct bx_err *e)
{
	char *line, *save = NULL;

	memset (h, 0, sizeof *h);
	if (afile_slurp_at (dirfd, L_HEALTH, &h->buf, NULL, e) < 0)
		return e->code == BX_NOTFOUND ? (*e = (struct bx_err){0}, 0) : err_wrap (e, L_HEALTH);
	for (line = strtok_r (h->buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
		if (!strncmp (line, "status=", 7)) {
			for (int i = 0; i < 3; i++)
				if (!strcmp (line + 7, status_names[i]))
					h->status = i;
		} else if (!strncmp (line, "failing_streak=", 15)) {
			h->streak = atoi (line + 15);
		} else if (!strncmp (line, "log=", 4)) {
			if (h->n == HEALTH_LOG_MAX)
				memmove (h->log, h->log + 1, --h->n * sizeof *h->log);
			h->log[h->n++] = line + 4;
		}
	}
	return 0;
}

/* OUTPUT on one line: \\, \n and other control bytes as \xHH */
static void
escape (struct strbuf *b, const char *p, size_t n)
{
	char x[8];

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\\')
			strbuf_add (b, "\\\\", 2);
		else if (c == '\n')
			strbuf_add (b, "\\n", 2);
		else if (c < 0x20 || c == 0x7f)
			strbuf_add (b, x, (size_t)snprintf (x, sizeof x, "\\x%02x", c));
		else
			strbuf_add (b, p + i, 1);
	}
}

/* H written back, its log from FIRST on, then NEW (a "log=" line or NULL) */
static int
file_save (int dirfd, const struct health_file *h, int first, const struct strbuf *new, struct bx_err *e)
{
	struct strbuf b = {0};
	char head[64];
	int r;

	strbuf_add (
	    &b, head,
	    (size_t)snprintf (head, sizeof head, "status=%s\nfailing_streak=%d\n", status_names[h->status], h->streak));
	for (int i = first; i < h->n; i++) {
		strbuf_add (&b, "log=", 4);
		strbuf_add (&b, h->log[i], strlen (h->log[i]));
		strbuf_add (&b, "\n", 1);
	}
	if (new)
		strbuf_add (&b, new->s, new->len);
	if (b.oom)
		r = err_set (e, BX_SYSTEM, ENOMEM, L_HEALTH);
	else
		r = afile_replace_at (dirfd, L_HEALTH, b.s, b.len, 0644, e);
	strbuf_free (&b);
	return r;
}

int
health_begin (int dirfd, struct bx_err *e)
{
	struct health_file h;
	int r;

	if (file_load (dirfd, &h, e) < 0)
		return -1;
	h.status = HEALTH_STARTING;
	h.streak = 0;
	r = file_save (dirfd, &h, 0, NULL, e);
	free (h.buf);
	return r;
}

int
health_record (int dirfd, const struct health_result *r, int retries, int grace, struct bx_err *e)
{
	struct health_file h;
	struct strbuf line = {0};
	char head[128];
	int rc;

	if (file_load (dirfd, &h, e) < 0)
		return -1;
	strbuf_add (&line, head, (size_t)snprintf (head, sizeof head, "log=%s %s %d ", r->start, r->end, r->exit_code));
	escape (&line, r->output, r->len);
	if (r->truncated)
		strbuf_add (&line, "...", 3);
	strbuf_add (&line, "\n", 1);
	if (r->exit_code == 0) {
		h.streak = 0;
		h.status = HEALTH_HEALTHY;
	} else if (!(grace && h.status == HEALTH_STARTING) && ++h.streak >= retries) {
		h.status = HEALTH_UNHEALTHY;
	}
	if (line.oom)
		rc = err_set (e, BX_SYSTEM, ENOMEM, L_HEALTH);
	else
		rc = file_save (dirfd, &h, h.n == HEALTH_LOG_MAX ? 1 : 0, &line, e);
	strbuf_free (&line);
	free (h.buf);
	return rc < 0 ? -1 : h.status;
}

int
health_end (int dirfd, struct bx_err *e)
{
	struct health_file h;
	int r = 0;

	if (file_load (dirfd, &h, e) < 0)
		return -1;
	if (h.buf) {
		h.status = HEALTH_UNHEALTHY;
		r = file_save (dirfd, &h, 0, NULL, e);
	}
	free (h.buf);
	return r;
}

/* an escaped OUTPUT back to its bytes, as a JSON string (invalid UTF-8
 * replaced by U+FFFD, as Go's encoding does) */
static json_t *
unescape (const char *p)
{
	struct strbuf b = {0};
	json_t *s;

	strbuf_add (&b, "", 0);
	while (*p) {
		char c = *p++;
		if (c == '\\' && *p == 'n')
			c = '\n', p++;
		else if (c == '\\' && *p == '\\')
			p++;
		else if (c == '\\' && *p == 'x' && p[1] && p[2]) {
			char hex[3] = {p[1], p[2], 0};
			c = (char)strtol (hex, NULL, 16);
			p += 3;
		}
		strbuf_add (&b, &c, 1);
	}
	if (b.oom)
		return strbuf_free (&b), NULL;
	if (!(s = json_stringn (b.s, b.len))) {
		struct strbuf u = {0};
		for (size_t i = 0, k; i < b.len; i += k) {
			k = strbuf_utf8_len (b.s + i, b.len - i);
			if (k == 1 && (unsigned char)b.s[i] >= 0x80)
				strbuf_add (&u, "\xef\xbf\xbd", 3);
			else
				strbuf_add (&u, b.s + i, k);
		}
		s = u.oom ? NULL : json_stringn (u.s ? u.s : "", u.len);
		strbuf_free (&u);
	}
	strbuf_free (&b);
	return s;
}

/* "START END CODE OUTPUT" as Docker's HealthcheckResult */
static json_t *
result_json (char *line)
{
	char *start = line, *end, *code, *out;

	if (!(end = strchr (start, ' ')))
		return NULL;
	*end++ = '\0';
	if (!(code = strchr (end, ' ')))
		return NULL;
	*code++ = '\0';
	if (!(out = strchr (code, ' ')))
		return NULL;
	*out++ = '\0';
	return json_pack ("{ss ss si so*}", "Start", start, "End", end, "ExitCode", atoi (code), "Output",
	                  unescape (out));
}

json_t *
health_read (int dirfd)
{
	struct health_file h;
	struct bx_err e = {0};
	json_t *log, *out;

	if (file_load (dirfd, &h, &e) < 0 || !h.buf)
		return NULL;
	log = json_array ();
	for (int i = 0; i < h.n; i++)
		json_array_append_new (log, result_json (h.log[i]));
	out = json_pack ("{ss si so}", "Status", status_names[h.status], "FailingStreak", h.streak, "Log", log);
	free (h.buf);
	return out;
}
