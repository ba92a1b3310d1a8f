/* ignore - .dockerignore, as Docker 20.10's client and daemon read it */
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "ignore.h"

void
ignore_clean (char *path)
{
	int rooted = path[0] == '/';
	char *out = path, *p = path, *start = path + rooted;
	size_t keep = 0; /* leading ".." parts, which a ".." cannot undo */

	/* Go's Clean gives "." for "", which would not fit in place */
	if (!*path)
		return;
	out = start;
	while (*p) {
		char *c = p + strspn (p, "/");
		size_t n = strcspn (c, "/");
		p = c + n;
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (out > start + keep) {
				/* drop the last part written */
				while (out > start + keep && out[-1] != '/')
					out--;
				if (out > start + keep)
					out--;
				continue;
			}
			if (rooted)
				continue;
			if (out > start)
				*out++ = '/';
			memmove (out, "..", 2);
			out += 2;
			keep = out - start;
			continue;
		}
		if (out > start)
			*out++ = '/';
		memmove (out, c, n);
		out += n;
	}
	if (out == start && !rooted)
		*out++ = '.';
	*out = '\0';
}

/* moby's fileutils Pattern.compile: the pattern as a regexp */
static char *
to_regexp (const char *p)
{
	char *re = malloc (6 * strlen (p) + 8), *o = re;

	if (!re)
		return NULL;
	*o++ = '^';
	while (*p) {
		char ch = *p++;
		if (ch == '*' && *p == '*') {
			p++;
			if (*p == '/')
				p++;
			o = stpcpy (o, *p ? "(.*/)?" : ".*");
		} else if (ch == '*')
			o = stpcpy (o, "[^/]*");
		else if (ch == '?')
			o = stpcpy (o, "[^/]");
		else if (ch == '.' || ch == '$')
			*o++ = '\\', *o++ = ch;
		else if (ch == '\\') {
			*o++ = '\\';
			if (*p)
				*o++ = *p++;
		} else
			*o++ = ch;
	}
	strcpy (o, "$");
	return re;
}

static int
add_pattern (struct ignore *ig, const char *line, struct bx_err *e)
{
	_cleanup_free_ char *p = strdup (line), *re = NULL;
	struct ignore_pat *v = realloc (ig->v, (ig->n + 1) * sizeof *v), *pt;
	int exc;

	if (!p || !v)
		return err_set (e, BX_SYSTEM, 0, "out of memory");
	ig->v = v;
	ignore_clean (p);
	exc = p[0] == '!';
	if (exc && !p[1])
		return err_set (e, BX_USAGE, 0, "illegal exclusion pattern: \"!\"");
	pt = &ig->v[ig->n];
	*pt = (struct ignore_pat){.text = strdup (p + exc), .exception = exc, .ndirs = 1};
	if (!pt->text || !(re = to_regexp (pt->text)))
		return free (pt->text), err_set (e, BX_SYSTEM, 0, "out of memory");
	if (regcomp (&pt->re, re, REG_EXTENDED | REG_NOSUB) != 0) {
		free (pt->text);
		return err_set (e, BX_USAGE, 0, "%s: syntax error in pattern", line);
	}
	for (const char *s = pt->text; *s; s++)
		pt->ndirs += *s == '/';
	ig->exceptions |= exc;
	ig->n++;
	return 0;
}

/* dockerignore.ReadAll's form of LINE: NULL when it is none */
static char *
read_line (char *line)
{
	char *end;
	int exc;

	if (*line == '#')
		return NULL;
	line += strspn (line, " \t\r\v\f");
	for (end = line + strlen (line); end > line && strchr (" \t\r\v\f", end[-1]); end--)
		;
	*end = '\0';
	if (!*line)
		return NULL;
	if ((exc = *line == '!'))
		line += 1 + strspn (line + 1, " \t\r\v\f");
	if (*line) {
		ignore_clean (line);
		if (line[0] == '/' && line[1])
			line++;
	}
	if (exc)
		*--line = '!';
	return line;
}

int
ignore_parse (struct ignore *ig, const char *text, size_t len, struct bx_err *e)
{
	_cleanup_free_ char *buf = strndup (text, len);
	char *save = NULL, *line, *p;

	*ig = (struct ignore){0};
	if (!buf)
		return err_set (e, BX_SYSTEM, 0, "out of memory");
	p = strncmp (buf, "\xef\xbb\xbf", 3) == 0 ? buf + 3 : buf;
	for (line = strtok_r (p, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
		/* the '!' a line keeps goes with it into add_pattern, cleaned */
		char *pat = read_line (line);
		if (pat && add_pattern (ig, pat, e) < 0) {
			ignore_free (ig);
			return err_wrap (e, ".dockerignore");
		}
	}
	return 0;
}

void
ignore_free (struct ignore *ig)
{
	for (size_t i = 0; i < ig->n; i++) {
		regfree (&ig->v[i].re);
		free (ig->v[i].text);
	}
	free (ig->v);
	*ig = (struct ignore){0};
}

int
ignore_matches (const struct ignore *ig, const char *path)
{
	const char *slash = strrchr (path, '/');
	size_t nparent = 0;
	int matched = 0;

	if (slash)
		for (const char *s = path; s <= slash; s++)
			nparent += *s == '/';
	for (size_t i = 0; i < ig->n; i++) {
		const struct ignore_pat *pt = &ig->v[i];
		int m = regexec (&pt->re, path, 0, NULL, 0) == 0;
		if (!m && slash && pt->ndirs <= nparent) {
			/* the pattern against as many parent directories as it has parts */
			const char *end = path;
			for (size_t k = 0; k < pt->ndirs; k++)
				end = strchr (end, '/') + 1;
			_cleanup_free_ char *pre = strndup (path, end - 1 - path);
			m = pre && regexec (&pt->re, pre, 0, NULL, 0) == 0;
		}
		if (m)
			matched = !pt->exception;
	}
	return matched;
}

/* Docker's client walks into the ignored directory DIR when an exception
 * pattern starts with "DIR/" */
static int
walked (const struct ignore *ig, const char *dir)
{
	size_t n = strlen (dir);

	for (size_t i = 0; ig->exceptions && i < ig->n; i++)
		if (ig->v[i].exception && strncmp (ig->v[i].text, dir, n) == 0 &&
		    (ig->v[i].text[n] == '/' || !ig->v[i].text[n]))
			return 1;
	return 0;
}

int
ignore_sent (const struct ignore *ig, const char *path, int dir)
{
	_cleanup_free_ char *p = strdup (path);

	if (!ig || !ig->n || !p)
		return 1;
	for (char *s = strchr (p, '/'); s; s = strchr (s + 1, '/')) {
		*s = '\0';
		int skipped = ignore_matches (ig, p) && !walked (ig, p);
		*s = '/';
		if (skipped)
			return 0;
	}
	return !ignore_matches (ig, p) || (dir && walked (ig, p));
}
