#include "runtime/event.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/layout.h"
#include "runtime/ctr.h"

/* S escaped onto OUT (at most CAP bytes); its length, or -1 when it does not fit */
static ssize_t
escape (char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		char c = *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\\' ? '\\' : 0;
		if (n + 2 >= cap)
			return -1;
		if (c) {
			out[n++] = '\\';
			out[n++] = c;
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
	return (ssize_t)n;
}

void
event_attrs_add (struct event_attrs *a, const char *k, const char *v)
{
	size_t len = a->len;
	ssize_t n;

	if (len + 2 >= sizeof a->buf)
		return;
	a->buf[len++] = '\t';
	if ((n = escape (a->buf + len, sizeof a->buf - len, k)) < 0)
		goto cut;
	len += (size_t)n;
	if (len + 2 >= sizeof a->buf)
		goto cut;
	a->buf[len++] = '=';
	if ((n = escape (a->buf + len, sizeof a->buf - len, v)) < 0)
		goto cut;
	a->len = len + (size_t)n;
	return;
cut:
	a->buf[a->len] = '\0';
}

void
event_attrs_ctr (struct event_attrs *a, json_t *create)
{
	json_t *cfg = json_object_get (create, "Config"), *v;
	const char *k, *name = json_string_value (json_object_get (create, "Name"));

	json_object_foreach (json_object_get (cfg, "Labels"), k, v)
	{
		if (json_is_string (v))
			event_attrs_add (a, k, json_string_value (v));
	}
	if (json_is_string (json_object_get (cfg, "Image")))
		event_attrs_add (a, "image", json_string_value (json_object_get (cfg, "Image")));
	if (name)
		event_attrs_add (a, "name", name + (name[0] == '/'));
}

/* Past EVENT_LOG_MAX: events becomes events.1, once (see event.h). */
static void
rotate (int rootfd, int fd)
{
	struct stat mine, named;

	if (flock (fd, LOCK_EX) < 0)
		return;
	if (fstat (fd, &mine) == 0 && fstatat (rootfd, L_EVENTS, &named, 0) == 0 && mine.st_ino == named.st_ino &&
	    mine.st_dev == named.st_dev && mine.st_size >= EVENT_LOG_MAX)
		renameat (rootfd, L_EVENTS, rootfd, L_EVENTS_OLD);
	flock (fd, LOCK_UN);
}

int
event_log (int rootfd, const char *type, const char *action, const char *id, const struct event_attrs *a)
{
	char line[EVENT_LINE_MAX], act[256], ident[256];
	struct timespec ts;
	struct stat st;
	_cleanup_close_ int fd = -1;
	int n;

	clock_gettime (CLOCK_REALTIME, &ts);
	if (escape (act, sizeof act, action) < 0 || escape (ident, sizeof ident, id) < 0)
		return -1;
	n = snprintf (line, sizeof line, "%lld\t%s\t%s\t%s%s\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, type,
	              act, ident, a ? a->buf : "");
	if (n < 0 || (size_t)n >= sizeof line)
		return -1;
	if ((fd = openat (rootfd, L_EVENTS, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (write (fd, line, (size_t)n) != n)
		return -1;
	if (fstat (fd, &st) == 0 && st.st_size >= EVENT_LOG_MAX)
		rotate (rootfd, fd);
	return 0;
}

int
event_ctr (int rootfd, const char *id, const char *action, const char *k, const char *v)
{
	struct event_attrs a = {.len = 0};
	struct bx_err e = {0};
	_cleanup_close_ int dfd = ctr_open (rootfd, id, &e);
	json_t *create = dfd >= 0 ? ctr_create_read (dfd, &e) : NULL;

	event_attrs_ctr (&a, create);
	json_decref (create);
	if (k)
		event_attrs_add (&a, k, v);
	return event_log (rootfd, "container", action, id, &a);
}

int
event_image (int rootfd, const char *id, const char *action, json_t *labels)
{
	struct event_attrs a = {.len = 0};
	const char *k;
	json_t *v;

	json_object_foreach (labels, k, v)
	{
		if (json_is_string (v) && strcmp (k, "name"))
			event_attrs_add (&a, k, json_string_value (v));
	}
	event_attrs_add (&a, "name", id);
	return event_log (rootfd, "image", action, id, &a);
}

/* S unescaped in place */
static void
unescape (char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int
event_parse (char *line, struct event *ev)
{
	char *f[4 + EVENT_ATTRS_MAX], *end, *save = NULL;
	size_t n = 0;

	for (char *t = strtok_r (line, "\t", &save); t && n < sizeof f / sizeof f[0]; t = strtok_r (NULL, "\t", &save))
		f[n++] = t;
	if (n < 4)
		return -1;
	errno = 0;
	ev->time_ns = strtoll (f[0], &end, 10);
	if (errno || *end || end == f[0])
		return -1;
	for (size_t i = 1; i < n; i++)
		unescape (f[i]);
	ev->type = f[1], ev->action = f[2], ev->id = f[3];
	ev->n = 0;
	for (size_t i = 4; i < n; i++) {
		char *eq = strchr (f[i], '=');
		if (!eq)
			continue;
		*eq = '\0';
		ev->keys[ev->n] = f[i];
		ev->vals[ev->n++] = eq + 1;
	}
	return 0;
}

const char *
event_attr (const struct event *ev, const char *k)
{
	for (size_t i = 0; i < ev->n; i++)
		if (!strcmp (ev->keys[i], k))
			return ev->vals[i];
	return NULL;
}
