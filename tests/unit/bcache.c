/* bcache - TAP unit tests of lib/image/bcache.h: an entry written and read
 * back, a damaged one read as a miss, the layers marked for gc, and a
 * prune that keeps the chains of the images it is given */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/layout.h"
#include "image/bcache.h"
#include "tap.h"

#define H(c)                                                                                                           \
	"sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
	    c c c c c c c c c c c c c c
#define K(c)                                                                                                           \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
	    c c c c c c c c c

static void
put (int rootfd, const char *key, const char *parent, const char *id, const char *layer)
{
	struct bcache_entry en = {.config = "{\"x\":1}"};
	struct bx_err e = {0};

	snprintf (en.parent, sizeof en.parent, "%s", parent);
	snprintf (en.id, sizeof en.id, "%s", id);
	en.layers = json_pack ("[{s:s}]", "digest", layer);
	if (bcache_put (rootfd, key, &en, &e) < 0)
		printf ("# put: %s\n", e.msg);
	json_decref (en.layers);
}

static void
on_entry (const char *key, void *arg)
{
	(void)key;
	(*(int *)arg)++;
}

int
main (void)
{
	char dir[256], path[400];
	struct bcache_entry en;
	struct bcache_stats st;
	struct bx_err e = {0};
	json_t *live = json_object (), *ids = json_object ();
	int rootfd, n = 0, fd;

	tap_scratch (dir, sizeof dir, "bcache");
	rootfd = open (dir, O_RDONLY | O_DIRECTORY);

	ok (bcache_get (rootfd, K ("a"), &en, &e) < 0 && e.code == BX_NOTFOUND, "no cache: a miss");
	ok (bcache_mark (rootfd, live, &e) == 0 && json_object_size (live) == 0, "no cache: nothing to mark");

	put (rootfd, K ("a"), H ("0"), H ("1"), H ("9"));
	ok (bcache_get (rootfd, K ("a"), &en, &e) == 0, "an entry written is read back");
	is_str (en.parent, H ("0"), "its parent");
	is_str (en.id, H ("1"), "its id");
	is_str (en.config, "{\"x\":1}", "its config, exactly");
	is_str (json_string_value (json_object_get (json_array_get (en.layers, 0), "digest")), H ("9"), "its layers");
	bcache_entry_free (&en);

	snprintf (path, sizeof path, "%s/" L_BUILD_CACHE "/" K ("b"), dir);
	fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok (fd >= 0 && write (fd, "parent=sha256:x\n", 16) == 16, "a torn entry");
	close (fd);
	memset (&e, 0, sizeof e);
	ok (bcache_get (rootfd, K ("b"), &en, &e) < 0 && e.code == BX_NOTFOUND, "reads as a miss");

	ok (bcache_mark (rootfd, live, &e) == 0 && json_object_get (live, H ("9")), "the entry's layer is marked");
	is_int ((long)json_object_size (live), 1, "and nothing of the torn one");

	/* a chain 0 -> 1 -> 2, and a step of another image: 0 -> 3 */
	put (rootfd, K ("c"), H ("1"), H ("2"), H ("8"));
	put (rootfd, K ("d"), H ("0"), H ("3"), H ("7"));
	json_object_set_new (ids, H ("2"), json_true ());
	ok (bcache_prune (rootfd, 0, ids, &(struct bcache_prune_cb){NULL, on_entry, &n}, &st, &e) == 0,
	    "prune the dangling");
	is_int ((long)st.entries, 2, "the step on no image's chain and the torn entry go");
	is_int (n, 2, "each one heard");
	ok (bcache_get (rootfd, K ("a"), &en, &e) == 0, "the image's parent step stays");
	bcache_entry_free (&en);
	ok (bcache_get (rootfd, K ("c"), &en, &e) == 0, "the image's own step stays");
	bcache_entry_free (&en);
	ok (bcache_get (rootfd, K ("d"), &en, &e) < 0, "the other is gone");

	ok (bcache_prune (rootfd, 1, NULL, NULL, &st, &e) == 0 && st.entries == 2, "-a: all of them");
	ok (bcache_get (rootfd, K ("a"), &en, &e) < 0, "none left");

	json_decref (live);
	json_decref (ids);
	close (rootfd);
	tap_scratch_remove (dir);
	return tap_done ();
}
