/* cenv - .env files as Compose's dotenv reads them: comments, `export`,
 * single quotes literal, double quotes with \n escapes, an unquoted value
 * ending at ` #`; double-quoted and unquoted values are interpolated */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "cenv.h"
#include "interp.h"

extern char **environ;

void
cenv_environ (json_t *vars)
{
	for (char **p = environ; *p; p++) {
		const char *eq = strchr (*p, '=');
		if (!eq)
			continue;
		_cleanup_free_ char *k = strndup (*p, (size_t)(eq - *p));
		if (k)
			json_object_set_new (vars, k, json_string (eq + 1));
	}
}

static char *
unquote_double (const char *s, const char **end)
{
	char *out = malloc (strlen (s) + 1), *o = out;

	if (!out)
		return NULL;
	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
		} else
			*o++ = *s;
	}
	*o = '\0';
	*end = s;
	return out;
}

/* the value of LINE's V part, *INTERP set when it is to be interpolated */
static char *
value_of (const char *v, int *interp)
{
	const char *end;
	size_t n;

	*interp = 1;
	if (*v == '\'') {
		*interp = 0;
		end = strchr (v + 1, '\'');
		return strndup (v + 1, end ? (size_t)(end - v - 1) : strlen (v + 1));
	}
	if (*v == '"')
		return unquote_double (v, &end);
	for (n = 0; v[n] && !(v[n] == '#' && n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')); n++)
		;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return strndup (v, n);
}

static int
add_line (json_t *vars, char *line, const json_t *keep, const json_t *lookup, const char *path, int lineno,
          struct bx_err *e)
{
	char *k = line + strspn (line, " \t"), *eq, *ke;
	int interp;

	line[strcspn (line, "\r\n")] = '\0';
	if (!*k || *k == '#')
		return 0;
	if (!strncmp (k, "export ", 7))
		k += 7 + strspn (k + 7, " \t");
	if (!(eq = strchr (k, '=')))
		return 0;
	for (ke = eq; ke > k && (ke[-1] == ' ' || ke[-1] == '\t'); ke--)
		;
	*ke = '\0';
	if (!*k || strcspn (k, " \t") != strlen (k))
		return err_set (e, BX_USAGE, 0, "%s:%d: unexpected character in variable name %s", path, lineno, k);
	_cleanup_free_ char *v = value_of (eq + 1 + strspn (eq + 1, " \t"), &interp);
	_cleanup_free_ char *x = NULL;
	if (!v)
		return err_set (e, BX_SYSTEM, ENOMEM, "%s", path);
	if (interp && interp_string (v, lookup ? lookup : vars, &x, e) < 0)
		return err_wrap (e, "%s:%d", path, lineno);
	if (!json_object_get (keep, k))
		json_object_set_new (vars, k, json_string (x ? x : v));
	return 0;
}

int
cenv_file (json_t *vars, const char *path, const json_t *keep, const json_t *lookup, int must, struct bx_err *e)
{
	_cleanup_file_ FILE *f = fopen (path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int lineno = 0;

	if (!f) {
		if (errno == ENOENT && !must)
			return 0;
		return err_set (e, BX_USAGE, errno, "couldn't find env file: %s", path);
	}
	while (getline (&line, &cap, f) >= 0)
		if (add_line (vars, line, keep, lookup, path, ++lineno, e) < 0)
			return -1;
	return 0;
}
