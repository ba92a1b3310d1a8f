#include "runtime/ctrname.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/layout.h"
#include "runtime/ctrrm.h"

/* from Docker's pkg/namesgenerator (a selection) */
static const char *const left[] = {
    "admiring",  "adoring",       "affectionate", "agitated",      "amazing",     "angry",       "awesome",
    "beautiful", "blissful",      "bold",         "boring",        "brave",       "busy",        "charming",
    "clever",    "compassionate", "competent",    "condescending", "confident",   "cool",        "cranky",
    "crazy",     "dazzling",      "determined",   "distracted",    "dreamy",      "eager",       "ecstatic",
    "elastic",   "elated",        "elegant",      "eloquent",      "epic",        "exciting",    "fervent",
    "festive",   "flamboyant",    "focused",      "friendly",      "frosty",      "funny",       "gallant",
    "gifted",    "goofy",         "gracious",     "great",         "happy",       "hardcore",    "heuristic",
    "hopeful",   "hungry",        "infallible",   "inspiring",     "intelligent", "interesting", "jolly",
    "jovial",    "keen",          "kind",         "laughing",      "loving",      "lucid",       "magical",
    "modest",    "musing",        "mystifying",   "naughty",       "nervous",     "nice",        "nifty",
    "nostalgic", "objective",     "optimistic",   "peaceful",      "pedantic",    "pensive",     "practical",
    "priceless", "quirky",        "quizzical",    "recursing",     "relaxed",     "reverent",    "romantic",
    "sad",       "serene",        "sharp",        "silly",         "sleepy",      "stoic",       "strange",
    "stupefied", "suspicious",    "sweet",        "tender",        "thirsty",     "trusting",    "unruffled",
    "upbeat",    "vibrant",       "vigilant",     "vigorous",      "wizardly",    "wonderful",   "xenodochial",
    "youthful",  "zealous",       "zen",
};
static const char *const right[] = {
    "agnesi",        "albattani",   "allen",        "almeida",
    "archimedes",    "ardinghelli", "aryabhata",    "austin",
    "babbage",       "banach",      "bardeen",      "bartik",
    "bassi",         "bell",        "benz",         "bhabha",
    "bhaskara",      "black",       "blackburn",    "blackwell",
    "bohr",          "booth",       "borg",         "bose",
    "bouman",        "boyd",        "brahmagupta",  "brattain",
    "brown",         "buck",        "burnell",      "cannon",
    "carson",        "cartwright",  "carver",       "cerf",
    "chandrasekhar", "chaplygin",   "chatelet",     "chatterjee",
    "chebyshev",     "cohen",       "colden",       "cori",
    "cray",          "curie",       "curran",       "darwin",
    "davinci",       "dewdney",     "dhawan",       "diffie",
    "dijkstra",      "dirac",       "driscoll",     "dubinsky",
    "easley",        "edison",      "einstein",     "elbakyan",
    "elgamal",       "elion",       "ellis",        "engelbart",
    "euclid",        "euler",       "faraday",      "feistel",
    "fermat",        "fermi",       "feynman",      "franklin",
    "gagarin",       "galileo",     "galois",       "ganguly",
    "gates",         "gauss",       "germain",      "goldberg",
    "goldstine",     "goldwasser",  "golick",       "goodall",
    "gould",         "greider",     "grothendieck", "haibt",
    "hamilton",      "haslett",     "hawking",      "heisenberg",
    "hellman",       "hermann",     "herschel",     "hertz",
    "heyrovsky",     "hodgkin",     "hofstadter",   "hoover",
    "hopper",        "hugle",       "hypatia",      "jackson",
    "jang",          "jemison",     "jennings",     "jepsen",
    "johnson",       "joliot",      "jones",        "kalam",
    "kapitsa",       "kare",        "keldysh",      "keller",
    "kepler",        "khayyam",     "khorana",      "kilby",
    "kirch",         "knuth",       "kowalevski",   "lalande",
    "lamarr",        "lamport",     "leakey",       "leavitt",
    "lederberg",     "lehmann",     "lewin",        "lichterman",
    "liskov",        "lovelace",    "lumiere",      "mahavira",
    "margulis",      "matsumoto",   "maxwell",      "mayer",
    "mccarthy",      "mcclintock",  "mclaren",      "mclean",
    "mcnulty",       "meitner",     "mendel",       "mendeleev",
    "meninsky",      "merkle",      "mestorf",      "mirzakhani",
    "montalcini",    "moore",       "morse",        "moser",
    "murdock",       "napier",      "nash",         "neumann",
    "newton",        "nightingale", "nobel",        "noether",
    "northcutt",     "noyce",       "panini",       "pare",
    "pascal",        "pasteur",     "payne",        "perlman",
    "pike",          "poincare",    "poitras",      "proskuriakova",
    "ptolemy",       "raman",       "ramanujan",    "rhodes",
    "ride",          "ritchie",     "robinson",     "roentgen",
    "rosalind",      "rubin",       "saha",         "sammet",
    "sanderson",     "satoshi",     "shamir",       "shannon",
    "shaw",          "shirley",     "shockley",     "shtern",
    "sinoussi",      "snyder",      "solomon",      "spence",
    "stonebraker",   "sutherland",  "swanson",      "swartz",
    "swirles",       "taussig",     "tesla",        "tharp",
    "thompson",      "torvalds",    "tu",           "turing",
    "varahamihira",  "vaughan",     "villani",      "visvesvaraya",
    "volhard",       "wescoff",     "wilbur",       "wiles",
    "williams",      "williamson",  "wilson",       "wing",
    "wozniak",       "wright",      "wu",           "yalow",
    "yonath",        "zhukovsky",
};

int
ctrname_new_id (char id[CTR_ID_LEN + 1], struct bx_err *e)
{
	unsigned char raw[CTR_ID_LEN / 2];
	static const char hex[] = "0123456789abcdef";

	if (getrandom (raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return err_set (e, BX_SYSTEM, errno, "getrandom");
	for (size_t i = 0; i < sizeof raw; i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[CTR_ID_LEN] = '\0';
	return 0;
}

static int
name_char (char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (!first && (c == '_' || c == '.' || c == '-'));
}

int
ctrname_check (const char *name, struct bx_err *e)
{
	const char *s = name[0] == '/' ? name + 1 : name;
	size_t i;

	for (i = 0; s[i] && name_char (s[i], i == 0); i++)
		;
	if (s[i] || i < 2 || i > 255)
		return err_set (e, BX_USAGE, 0,
		                "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
	return 0;
}

static unsigned
rnd (unsigned n)
{
	unsigned v = 0;

	if (getrandom (&v, sizeof v, 0) != (ssize_t)sizeof v)
		v = (unsigned)getpid () * 2654435761u;
	return v % n;
}

void
ctrname_random (char *buf, size_t len, int retry)
{
	const char *l, *r;

	do {
		l = left[rnd (sizeof left / sizeof left[0])];
		r = right[rnd (sizeof right / sizeof right[0])];
		/* Steve Wozniak is not boring (Docker's own exception) */
	} while (strcmp (l, "boring") == 0 && strcmp (r, "wozniak") == 0);
	if (retry > 0)
		snprintf (buf, len, "%s_%s%u", l, r, rnd (10));
	else
		snprintf (buf, len, "%s_%s", l, r);
}

/* 1 when container ID's create.json gives it a Name other than NAME */
static int
named_otherwise (int rootfd, const char *name, const char *id)
{
	_cleanup_close_ int dfd = -1;
	struct bx_err ign = {0};
	const char *n;
	json_t *create;
	int r;

	if ((dfd = ctr_open (rootfd, id, &ign)) < 0 || !(create = ctr_create_read (dfd, &ign)))
		return 0;
	n = json_string_value (json_object_get (create, "Name"));
	r = n && strcmp (n + (*n == '/'), name) != 0;
	json_decref (create);
	return r;
}

/* A name whose creator died before its container existed, or whose
 * remover died before it got to the name (SIGKILL, a crash): it points at
 * no container, and no live process makes or removes one under that id
 * (ctr-create makes its directory before it reserves the name, and
 * removes the name before its directory when it gives up). Or the old
 * name of a rename that died before it removed it: its container has
 * another Name (a rename in progress holds the lock on names/, under
 * which steal_stale looks again). */
static int
is_stale (int rootfd, const char *name, const char *id)
{
	return strlen (id) == CTR_ID_LEN && (ctrrm_id_is_gone (rootfd, id) || named_otherwise (rootfd, name, id));
}

static int
name_taken (const char *name, const char *other, struct bx_err *e)
{
	return err_set (e, BX_CONFLICT, 0,
	                "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have "
	                "to remove (or rename) that container to be able to reuse that name.",
	                name, other);
}

/* Under a lock on names/ (so two of us never both take it, and no sweep
 * runs meanwhile): replace a stale reservation of PATH. 1 done, 0 not
 * stale after all. */
static int
steal_stale (int rootfd, const char *name, const char *path, const char *id)
{
	_cleanup_close_ int names = openat (rootfd, L_NAMES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char other[CTR_ID_LEN + 2];
	ssize_t n;

	if (names < 0 || flock (names, LOCK_EX) < 0)
		return 0;
	n = readlinkat (rootfd, path, other, sizeof other - 1);
	other[n > 0 ? n : 0] = '\0';
	if (!is_stale (rootfd, name, other) || unlinkat (rootfd, path, 0) < 0)
		return 0;
	return symlinkat (id, rootfd, path) == 0;
}

int
ctrname_reserve (int rootfd, const char *name, const char *id, struct bx_err *e)
{
	char path[512], other[CTR_ID_LEN + 2];
	ssize_t n;

	if (mkdirat (rootfd, L_NAMES, 0711) < 0 && errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "mkdir " L_NAMES);
	snprintf (path, sizeof path, L_NAMES "/%s", name);
	if (symlinkat (id, rootfd, path) == 0)
		return 0;
	if (errno != EEXIST)
		return err_set (e, BX_SYSTEM, errno, "reserve name %s", name);
	n = readlinkat (rootfd, path, other, sizeof other - 1);
	other[n > 0 ? n : 0] = '\0';
	if (is_stale (rootfd, name, other) && steal_stale (rootfd, name, path, id)) {
		/* what the dead creator or remover left (a mounted rootfs) goes too */
		struct bx_err ignored = {0};
		ctrrm_sweep (rootfd, &ignored);
		return 0;
	}
	return name_taken (name, other, e);
}

int
ctrname_reserve_random (int rootfd, const char *id, char *buf, size_t len, struct bx_err *e)
{
	for (int i = 0; i < 10; i++) {
		ctrname_random (buf, len, i);
		*e = (struct bx_err){0};
		if (ctrname_reserve (rootfd, buf, id, e) == 0 || e->code != BX_CONFLICT)
			return e->code ? -1 : 0;
	}
	/* what Docker falls back to: the short id is free as long as the id is */
	snprintf (buf, len, "%.12s", id);
	*e = (struct bx_err){0};
	return ctrname_reserve (rootfd, buf, id, e);
}

void
ctrname_release (int rootfd, const char *name, const char *id)
{
	char path[512], target[CTR_ID_LEN + 2];
	ssize_t n;

	snprintf (path, sizeof path, L_NAMES "/%s", name);
	n = readlinkat (rootfd, path, target, sizeof target - 1);
	if (n == CTR_ID_LEN && memcmp (target, id, CTR_ID_LEN) == 0)
		unlinkat (rootfd, path, 0);
}

static int
set_name (json_t *create, void *name, struct bx_err *e)
{
	if (json_object_set_new (create, "Name", json_sprintf ("/%s", (const char *)name)) < 0)
		return err_set (e, BX_SYSTEM, ENOMEM, "Name");
	return 0;
}

int
ctrname_rename (int rootfd, int dirfd, const char *id, const char *old, const char *new, struct bx_err *e)
{
	_cleanup_close_ int names = openat (rootfd, L_NAMES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char path[512], other[CTR_ID_LEN + 2];
	ssize_t n;

	if (names < 0 || flock (names, LOCK_EX) < 0)
		return err_set (e, BX_SYSTEM, errno, "lock " L_NAMES);
	snprintf (path, sizeof path, L_NAMES "/%s", new);
	if (symlinkat (id, rootfd, path) < 0) {
		if (errno != EEXIST)
			return err_set (e, BX_SYSTEM, errno, "reserve name %s", new);
		n = readlinkat (rootfd, path, other, sizeof other - 1);
		other[n > 0 ? n : 0] = '\0';
		if (!is_stale (rootfd, new, other) || unlinkat (rootfd, path, 0) < 0 ||
		    symlinkat (id, rootfd, path) < 0)
			return name_taken (new, other, e);
	}
	if (ctr_create_edit (dirfd, set_name, (void *)new, e) < 0) {
		ctrname_release (rootfd, new, id);
		return -1;
	}
	ctrname_release (rootfd, old, id);
	return 0;
}
