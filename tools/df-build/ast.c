/* ast - buildkit's Node.Dump of a parsed Dockerfile (what its parser tests
 * compare), so that the parser's contract is a program's: df-build
 * --print-ast FILE, pipeable and testable from sh */
#include <string.h>

#include "ast.h"

/* Go's unicode.IsPrint, approximated: the C1 controls, the Unicode spaces,
 * format characters, private use and noncharacters are not printable */
static int
go_is_print (unsigned r)
{
	if (r <= 0xa0 || r == 0xad || (r >= 0x2000 && r <= 0x200f) || (r >= 0x2028 && r <= 0x202f) ||
	    (r >= 0x205f && r <= 0x206f) || r == 0x3000 || r == 0xfeff || (r >= 0xe000 && r <= 0xf8ff) ||
	    (r >= 0xfff9 && r <= 0xfffb) || (r & 0xfffe) == 0xfffe || r == 0x1680)
		return 0;
	return 1;
}

/* the valid UTF-8 character at S (N bytes): its length, 0 if invalid */
static size_t
utf8_decode (const unsigned char *s, size_t n, unsigned *r)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};

	if (len == 0 || len > n || s[0] > 0xf4)
		return 0;
	*r = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*r = *r << 6 | (s[i] & 0x3f);
	}
	if (*r < min[len] || *r > 0x10ffff || (*r >= 0xd800 && *r <= 0xdfff))
		return 0;
	return len;
}

void
ast_quote (FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned r;

	fputc ('"', f);
	for (size_t i = 0, k; i < n; i += k) {
		k = 1;
		if (s[i] == '"' || s[i] == '\\')
			fprintf (f, "\\%c", s[i]);
		else if (s[i] >= 0x20 && s[i] < 0x7f)
			fputc (s[i], f);
		else if (s[i] < 0x80 && s[i] && strchr ("\a\b\f\n\r\t\v", s[i]))
			fprintf (f, "\\%c", "abfnrtv"[strchr ("\a\b\f\n\r\t\v", s[i]) - "\a\b\f\n\r\t\v"]);
		else if (s[i] < 0x80 || !(k = utf8_decode (s + i, n - i, &r))) {
			fprintf (f, "\\x%02x", s[i]);
			k = 1;
		} else if (go_is_print (r))
			fwrite (s + i, 1, k, f);
		else
			fprintf (f, r < 0x10000 ? "\\u%04x" : "\\U%08x", r);
	}
	fputc ('"', f);
}

/* buildkit's Node.Dump of one instruction */
void
ast_print_instr (FILE *f, const struct df_instr *in)
{
	fputs (in->keyword, f);
	for (size_t i = 0; i < in->nflags; i++) {
		fputs (i ? " " : " [", f);
		ast_quote (f, in->flags[i], strlen (in->flags[i]));
	}
	fputs (in->nflags ? "]" : "", f);
	for (size_t i = 0; i < in->nargs; i++) {
		fputc (' ', f);
		ast_quote (f, in->args[i].s, in->args[i].len);
	}
	if (in->sub) {
		fputs (" (", f);
		ast_print_instr (f, in->sub);
		fputc (')', f);
	}
}

void
ast_print (FILE *f, const struct dockerfile *df)
{
	for (size_t i = 0; i < df->n; i++) {
		fputc ('(', f);
		ast_print_instr (f, &df->instrs[i]);
		fputs (")\n", f);
	}
}
