#include "runtime/volevents.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/event.h"

static void
put (struct volevents *v, size_t *cap, const char *s)
{
	size_t n = strlen (s) + 1;
	char *b;

	if (!v->buf && *cap)
		return; /* an earlier allocation failed */
	if (v->len + n > *cap) {
		*cap = (v->len + n) * 2;
		if (!(b = realloc (v->buf, *cap))) {
			volevents_free (v);
			return;
		}
		v->buf = b;
	}
	memcpy (v->buf + v->len, s, n);
	v->len += n;
}

static const char *
str (json_t *m, const char *k)
{
	const char *s = json_string_value (json_object_get (m, k));

	return s ? s : "";
}

void
volevents_read (struct volevents *v, json_t *mounts)
{
	size_t i, cap = 0;
	json_t *m;

	*v = (struct volevents){0};
	json_array_foreach (mounts, i, m)
	{
		if (strcmp (str (m, "Type"), "volume"))
			continue;
		put (v, &cap, str (m, "Name"));
		put (v, &cap, str (m, "Destination"));
		put (v, &cap, json_is_true (json_object_get (m, "RW")) ? "true" : "false");
		put (v, &cap, str (m, "Propagation"));
		put (v, &cap, *str (m, "Driver") ? str (m, "Driver") : "local");
	}
}

void
volevents_log (const struct volevents *v, int rootfd, const char *id, const char *action)
{
	/* static: 8 KiB the supervisor touches only as far as used */
	static struct event_attrs a;
	int mount = !strcmp (action, "mount");

	for (const char *p = v->buf; p && p < v->buf + v->len;) {
		const char *name = p, *dest = name + strlen (name) + 1, *rw = dest + strlen (dest) + 1;
		const char *prop = rw + strlen (rw) + 1, *driver = prop + strlen (prop) + 1;

		p = driver + strlen (driver) + 1;
		a.len = 0;
		a.buf[0] = '\0';
		event_attrs_add (&a, "driver", driver);
		event_attrs_add (&a, "container", id);
		if (mount) {
			event_attrs_add (&a, "destination", dest);
			event_attrs_add (&a, "read/write", rw);
			event_attrs_add (&a, "propagation", prop);
		}
		event_log (rootfd, "volume", action, name, &a);
	}
}

void
volevents_free (struct volevents *v)
{
	free (v->buf);
	*v = (struct volevents){0};
}
