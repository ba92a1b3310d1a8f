/* settings - $BOX_ROOT/settings (settings.h) */
#include "runtime/settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/layout.h"
#include "base/lock.h"
#include "base/strbuf.h"

const char *const settings_keys[] = {SETTINGS_USERNS_REMAP, NULL};

int
settings_is_key (const char *key)
{
	for (size_t i = 0; settings_keys[i]; i++)
		if (!strcmp (key, settings_keys[i]))
			return 1;
	return 0;
}

/* The file's text, "" when there is none */
static int
settings_text (int rootfd, char **text, struct bx_err *e)
{
	if (afile_slurp_at (rootfd, L_SETTINGS, text, NULL, e) == 0)
		return 0;
	if (e->code != BX_NOTFOUND)
		return err_wrap (e, "settings");
	*e = (struct bx_err){0};
	return (*text = strdup ("")) ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "settings");
}

/* The line of KEY in TEXT, its length in LEN; NULL when none */
static const char *
settings_line (const char *text, const char *key, size_t *len)
{
	size_t klen = strlen (key);

	for (const char *s = text; *s; s += *len + (s[*len] == '\n')) {
		*len = strcspn (s, "\n");
		if (*len > klen && !strncmp (s, key, klen) && s[klen] == '=')
			return s;
	}
	return NULL;
}

int
settings_get (int rootfd, const char *key, char *buf, size_t len, struct bx_err *e)
{
	_cleanup_free_ char *text = NULL;
	const char *line;
	size_t n, klen = strlen (key);

	if (settings_text (rootfd, &text, e) < 0)
		return -1;
	if (!(line = settings_line (text, key, &n)))
		return 0;
	if (n - klen - 1 >= len)
		return err_set (e, BX_FAIL, 0, "settings: %s: value too long", key);
	snprintf (buf, len, "%.*s", (int)(n - klen - 1), line + klen + 1);
	return 1;
}

int
settings_set (int rootfd, const char *key, const char *value, struct bx_err *e)
{
	_cleanup_close_ int lock = -1;
	_cleanup_free_ char *text = NULL;
	struct strbuf out = {0};
	char line[4200];
	int rc;

	if (!settings_is_key (key))
		return err_set (e, BX_USAGE, 0, "unknown setting: %s", key);
	if (value && strchr (value, '\n'))
		return err_set (e, BX_USAGE, 0, "%s: a newline in the value", key);
	if ((lock = lock_take_at (rootfd, L_SETTINGS_LOCK, LOCK_WAIT, e)) < 0 || settings_text (rootfd, &text, e) < 0)
		return -1;
	/* every other line kept as it is, KEY's replaced, in the keys' order */
	for (const char *s = text; *s;) {
		size_t n = strcspn (s, "\n"), klen = strlen (key);
		if (!(n > klen && !strncmp (s, key, klen) && s[klen] == '=') && n > 0)
			strbuf_add (&out, s, n), strbuf_add (&out, "\n", 1);
		s += n + (s[n] == '\n');
	}
	if (value && *value) {
		if ((size_t)snprintf (line, sizeof line, "%s=%s\n", key, value) >= sizeof line)
			return strbuf_free (&out), err_set (e, BX_USAGE, 0, "%s: value too long", key);
		strbuf_add (&out, line, strlen (line));
	}
	strbuf_add (&out, "", 0);
	if (out.oom)
		return strbuf_free (&out), err_set (e, BX_SYSTEM, ENOMEM, "settings");
	rc = afile_write_at (rootfd, L_SETTINGS, out.s, out.len, 0644, e);
	strbuf_free (&out);
	return rc < 0 ? err_wrap (e, "settings") : 0;
}
