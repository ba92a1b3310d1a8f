/* yemit - the YAML printer of `config` */
#include <stdlib.h>
#include <string.h>

#include "yemit.h"

static void emit (FILE *f, const json_t *v, int indent, int inlist);

static int
needs_quotes (const char *s)
{
	static const char *const words[] = {"null",  "Null",  "NULL",  "~",   "true", "True", "TRUE",
	                                    "false", "False", "FALSE", "yes", "no",   "on",   "off",
	                                    "y",     "n",     "Yes",   "No",  "On",   "Off",  NULL};
	char *end;

	if (!*s || strchr (",[]{}#&*!|>'\"%@` ", s[0]) || (strchr ("-?:", s[0]) && (!s[1] || s[1] == ' ')) ||
	    s[strlen (s) - 1] == ' ' || strstr (s, ": ") || strstr (s, " #") || strpbrk (s, "\n\t\r") ||
	    s[strlen (s) - 1] == ':')
		return 1;
	for (int k = 0; words[k]; k++)
		if (!strcmp (s, words[k]))
			return 1;
	strtod (s, &end);
	if (*end == '\0' || ((s[0] == '0') && (s[1] == 'x' || s[1] == 'o')))
		return 1;
	return 0;
}

static void
emit_string (FILE *f, const char *s)
{
	if (!needs_quotes (s)) {
		fputs (s, f);
		return;
	}
	json_t *j = json_string (s);
	char *q = json_dumps (j, JSON_ENCODE_ANY);
	fputs (q ? q : "\"\"", f);
	free (q);
	json_decref (j);
}

static void
emit_scalar (FILE *f, const json_t *v)
{
	if (json_is_string (v))
		emit_string (f, json_string_value (v));
	else if (json_is_integer (v))
		fprintf (f, "%lld", (long long)json_integer_value (v));
	else if (json_is_real (v))
		fprintf (f, "%g", json_real_value (v));
	else if (json_is_boolean (v))
		fputs (json_is_true (v) ? "true" : "false", f);
	else
		fputs ("null", f);
}

static int
is_block (const json_t *v)
{
	return (json_is_object (v) && json_object_size (v)) || (json_is_array (v) && json_array_size (v));
}

static int
cmp_keys (const void *a, const void *b)
{
	return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static void
emit_pair (FILE *f, const char *k, const json_t *v, int indent, int first_inline)
{
	if (!first_inline)
		fprintf (f, "%*s", indent, "");
	emit_string (f, k);
	fputc (':', f);
	if (is_block (v)) {
		fputc ('\n', f);
		emit (f, v, indent + 2, 0);
	} else {
		fputc (' ', f);
		emit (f, v, indent + 2, 0);
		fputc ('\n', f);
	}
}

static void
emit_object (FILE *f, const json_t *v, int indent, int inlist, const char *const *first)
{
	size_t n = 0, k;
	const char *key;
	json_t *it;
	const char **keys = calloc (json_object_size (v) + 1, sizeof *keys);
	int done = 0;

	if (!keys)
		return;
	for (int j = 0; first && first[j]; j++)
		if ((it = json_object_get (v, first[j])))
			emit_pair (f, first[j], it, indent, inlist && !done++);
	json_object_foreach ((json_t *)v, key, it)
	{
		int skip = 0;
		for (int j = 0; first && first[j]; j++)
			skip |= !strcmp (first[j], key);
		if (!skip)
			keys[n++] = key;
	}
	if (n)
		qsort (keys, n, sizeof *keys, cmp_keys);
	for (k = 0; k < n; k++)
		emit_pair (f, keys[k], json_object_get (v, keys[k]), indent, inlist && !done++);
	free (keys);
}

static void
emit (FILE *f, const json_t *v, int indent, int inlist)
{
	size_t k;
	json_t *it;

	if (json_is_object (v) && json_object_size (v)) {
		emit_object (f, v, indent, inlist, NULL);
	} else if (json_is_array (v) && json_array_size (v)) {
		json_array_foreach (v, k, it)
		{
			fprintf (f, "%*s- ", indent, "");
			if (json_is_object (it) && json_object_size (it))
				emit (f, it, indent + 2, 1);
			else if (is_block (it)) {
				fputc ('\n', f);
				emit (f, it, indent + 2, 0);
			} else {
				emit (f, it, indent + 2, 0);
				fputc ('\n', f);
			}
		}
	} else if (json_is_object (v)) {
		fputs ("{}", f);
	} else if (json_is_array (v)) {
		fputs ("[]", f);
	} else
		emit_scalar (f, v);
}

void
yemit_print (FILE *f, const json_t *v, const char *const *top_first)
{
	if (json_is_object (v) && json_object_size (v))
		emit_object (f, v, 0, 0, top_first);
	else {
		emit (f, v, 0, 0);
		fputc ('\n', f);
	}
}
