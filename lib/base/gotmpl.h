/* gotmpl - Go's text/template over JSON values
 *
 * The language of Go's text/template: {{.A.B}}, {{.}}, {{$}}, variables
 * ({{$x := .A}}, {{$x = .B}}), pipelines ({{.X | printf "%s"}}),
 * parenthesised arguments, {{if}}/{{else if}}/{{else}}, {{with}},
 * {{range}} over lists and maps (maps in sorted key order) with $i, $v
 * and {{else}}, {{break}}, {{continue}}, {{- trim markers -}}, comments,
 * and string, raw string, character, number, bool and nil literals.
 * Functions: Go's and or not len index slice print printf println eq ne
 * lt le gt ge html js urlquery, and docker/cli's json split join title
 * lower upper pad truncate. {{define "T"}}, {{template "T" pipe}} and
 * {{block "T" pipe}}: a set of templates in the one text, as Go's Parse.
 *
 * Values print as Go's fmt prints JSON decoded into interface{}: [a b],
 * map[k:v] (keys sorted), <nil>, and <no value> for a missing field.
 * Errors are worded as Go's: "template: :1: function \"nope\" not
 * defined" (parse, BX_USAGE) and "template: :1:2: executing \"\" at
 * <.Nope>: map has no entry for key \"Nope\"" (execution, BX_FAIL).
 */
#ifndef BOX_GOTMPL_H
#define BOX_GOTMPL_H

#include <jansson.h>

#include "base/err.h"

struct gotmpl;

/* What a field missing from a map gives. */
enum gotmpl_missing {
	GOTMPL_MISSING_NOVALUE, /* Go's default: <no value> */
	GOTMPL_MISSING_ERROR,   /* Option("missingkey=error"), docker inspect's */
	GOTMPL_MISSING_EMPTY,   /* nothing: a table header's unknown column */
};

/* A field called with arguments ({{.Label "k"}}), as a Go method: set
 * *OUT (a new reference) and return 0, or return -1 with E set. */
typedef int (*gotmpl_method_fn) (json_t *recv, const char *name, json_t **args, size_t nargs, json_t **out,
                                 struct bx_err *e);

struct gotmpl_opts {
	enum gotmpl_missing missing;
	gotmpl_method_fn method; /* NULL: fields take no arguments */
	/* the Go type named when a field of the top-level value is unknown
	 * ("*formatter.ContainerContext"); NULL: a map's wording */
	const char *type;
	/* the Go types of the top value's members that are structs too, in
	 * pairs: {"Client", "system.clientVersion", NULL} */
	const char *const *member_types;
	int json_escape; /* {{json .}} of the top value escapes <>& (a row's MarshalJSON) */
	/* a table's header: docker's HeaderFunctions, where json split join
	 * title lower upper pad truncate give their first argument back */
	int header;
};

/* Parse TEXT into *OUT. */
int gotmpl_parse (const char *text, struct gotmpl **out, struct bx_err *e);
/* The same, the template named NAME in its errors ("template:
 * version:1:2: executing \"version\" at ..."), as docker version's */
int gotmpl_parse_named (const char *name, const char *text, struct gotmpl **out, struct bx_err *e);
/* Execute T over DOT into a malloc'd *OUT. */
int gotmpl_exec (const struct gotmpl *t, json_t *dot, const struct gotmpl_opts *o, char **out, struct bx_err *e);
/* The same, but when it fails *OUT (malloc'd) is the output made before
 * the error, as Go's Execute has written it to its writer by then (docker
 * version and info print it); NULL only when out of memory. */
int gotmpl_exec_partial (const struct gotmpl *t, json_t *dot, const struct gotmpl_opts *o, char **out,
                         struct bx_err *e);
void gotmpl_free (struct gotmpl *t);

/* Docker's values are Go structs: a nil slice or map prints [] or map[]
 * where JSON's null prints <nil>. Each of PATHS (NULL-terminated: a key
 * path, "*" for every member, ending in "[]" for a slice or "{}" for a
 * map: "Config.Cmd[]", "NetworkSettings.Networks.*.Aliases[]") that is
 * null in DOC becomes such a typed nil: it prints [] or map[], is false
 * and of length 0, and json gives null for it, as for Go's. */
void gotmpl_type_nils (json_t *doc, const char *const *paths);

/* Go's fmt %v of V (NULL: <no value>), appended to a malloc'd string. */
char *gotmpl_sprint (json_t *v);

#endif
