#include "base/confirm.h"

#include <ctype.h>
#include <string.h>

int
confirm_ask (FILE *out, FILE *in, const char *warning)
{
	char line[256] = "";
	char *s = line;
	size_t n;

	fputs (warning, out);
	fputs ("\nAre you sure you want to continue? [y/N] ", out);
	fflush (out);
	if (!fgets (line, sizeof line, in))
		return 0;
	while (isspace ((unsigned char)*s))
		s++;
	n = strlen (s);
	while (n && isspace ((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return !strcmp (s, "y") || !strcmp (s, "Y");
}
