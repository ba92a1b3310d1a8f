/* diffsize: a layer's size from its directory and from its tar, every
 * compression and tar flavour giving Docker's DiffSize */
#include <fcntl.h>
#include <unistd.h>

#include "layers/diffsize.h"
#include "tap.h"

static char dir[PATH_MAX];

static void
sh (const char *fmt, const char *arg)
{
	char cmd[PATH_MAX * 3];

	snprintf (cmd, sizeof cmd, fmt, dir, arg, arg);
	if (system (cmd) != 0)
		printf ("# failed: %s\n", cmd);
}

static long
blob_size (const char *name)
{
	char path[PATH_MAX + 32];
	struct bx_err e = {0};
	int64_t n = -1;
	int fd;

	snprintf (path, sizeof path, "%s/%s", dir, name);
	fd = open (path, O_RDONLY);
	if (fd < 0 || diffsize_blob (fd, &n, &e) < 0) {
		printf ("# %s: %s\n", name, e.msg);
		n = -1;
	}
	if (fd >= 0)
		close (fd);
	return (long)n;
}

/* the size cache: a layer sized once is read back, a damaged entry is
 * sized again, the sweep keeps the live ones */
static void
cache_checks (void)
{
	static const char id[] = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	static const char blob[] = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
	char root[PATH_MAX + 8];
	struct bx_err e = {0};
	int64_t n = -1;
	int rootfd, blobs;
	json_t *live = json_object ();

	sh ("cd %s && mkdir -p root/blobs && cp gz.tar "
	    "root/blobs/2222222222222222222222222222222222222222222222222222222222222222%s%s",
	    "");
	snprintf (root, sizeof root, "%s/root", dir);
	rootfd = open (root, O_RDONLY | O_DIRECTORY);
	blobs = openat (rootfd, "blobs", O_RDONLY | O_DIRECTORY);
	ok (diffsize_layer (rootfd, blobs, id, blob, &n, &e) == 0 && n == 14, "a layer sized from its blob");
	sh ("cd %s/root && cat cache/diffsize/1111111111111111111111111111111111111111111111111111111111111111 "
	    ">got%s%s",
	    "");
	sh ("cd %s/root && printf '14\\n' | cmp -s - got && echo 99 "
	    ">cache/diffsize/1111111111111111111111111111111111111111111111111111111111111111%s%s",
	    "");
	ok (diffsize_layer (rootfd, blobs, id, blob, &n, &e) == 0 && n == 99, "then read from the cache");
	sh ("cd %s/root && printf 12x "
	    ">cache/diffsize/1111111111111111111111111111111111111111111111111111111111111111%s%s",
	    "");
	ok (diffsize_layer (rootfd, blobs, id, blob, &n, &e) == 0 && n == 14, "a damaged entry is sized again");
	ok (diffsize_layer (rootfd, blobs, "sha256:../x", blob, &n, &e) < 0, "a diff_id that is no digest is refused");
	json_object_set_new (live, id, json_true ());
	diffsize_sweep (rootfd, live);
	ok (faccessat (rootfd, "cache/diffsize/1111111111111111111111111111111111111111111111111111111111111111", F_OK,
	               0) == 0,
	    "the sweep keeps a live layer's entry");
	json_object_clear (live);
	diffsize_sweep (rootfd, live);
	ok (faccessat (rootfd, "cache/diffsize/1111111111111111111111111111111111111111111111111111111111111111", F_OK,
	               0) < 0,
	    "and removes the others");
	json_decref (live);
	close (blobs);
	close (rootfd);
}

int
main (void)
{
	struct bx_err e = {0};
	int64_t n = -1;
	char tree[PATH_MAX + 8];
	int fd;

	tap_scratch (dir, sizeof dir, "diffsize");
	/* 5 + 0 (its hard link) + 6 (a link's target) + 3 + 0 + 0 (a whiteout) */
	sh ("cd %s && mkdir -p t/d && printf 12345 >t/a && ln t/a t/b && ln -s target t/l && printf abc >t/d/c"
	    " && : >t/e && mknod t/w c 0 0 && mkfifo t/f%s%s",
	    "");
	snprintf (tree, sizeof tree, "%s/t", dir);
	fd = open (tree, O_RDONLY | O_DIRECTORY);
	ok (diffsize_dir (fd, &n, &e) == 0, "a directory");
	is_int ((long)n, 14, "files once each, links by their target, the rest nothing");
	close (fd);
	sh ("cd %s/t && tar -cf ../plain.tar .%s%s", "");
	is_int (blob_size ("plain.tar"), 14, "a plain tar");
	sh ("cd %s/t && tar -czf ../gz.tar .%s%s", "");
	is_int (blob_size ("gz.tar"), 14, "a gzip'd tar");
	sh ("cd %s/t && tar --zstd -cf ../zst.tar .%s%s", "");
	is_int (blob_size ("zst.tar"), 14, "a zstd tar");
	/* a pax size record, a long link target, GNU long names */
	sh ("cd %s/t && ln -s %s long && tar --format=pax -cf ../pax.tar . && tar --format=gnu -cf ../gnu.tar .",
	    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789xx");
	is_int (blob_size ("pax.tar"), 14 + 102, "pax: linkpath");
	is_int (blob_size ("gnu.tar"), 14 + 102, "gnu: a long link name");
	/* gzip members one after the other, as concatenated streams are read */
	sh ("cd %s && head -c 1536 plain.tar | gzip >multi.gz && tail -c +1537 plain.tar | gzip >>multi.gz%s%s", "");
	is_int (blob_size ("multi.gz"), 14, "two gzip members");
	sh ("cd %s && head -c 700 plain.tar >cut.tar%s%s", "");
	is_int (blob_size ("cut.tar"), -1, "a tar cut short is an error");
	cache_checks ();
	tap_scratch_remove (dir);
	return tap_done ();
}
