/* fuzz/unpack - libFuzzer target for lib/layers/unpack: any blob is
 * refused or extracted, never a crash, and nothing it holds reaches outside
 * the directory it is extracted into.
 *
 * Each input is extracted into a fresh BASE/d/inner, then: BASE holds only
 * d, and d only inner (a "../x" or an absolute name that escaped lands
 * there); no hard link in inner shares its inode with a file outside it
 * (every link of a file is found inside); then inner is removed. BASE is
 * fuzz/scratch.h's directory. */
#include <ftw.h>
#include <stdint.h>
#include <sys/mman.h>

#include "base/tree.h"
#include "layers/unpack.h"
#include "scratch.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int basefd = -1;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
	(void)argc, (void)argv;
	basefd = scratch_init ("unpack");
	return 0;
}

/* the inodes of inner's non-directories and the links found to each */
static struct seen {
	ino_t ino;
	nlink_t nlink, found;
} * seen;
static size_t nseen, capseen;

static int
count_link (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path, (void)flag, (void)ftw;
	if (S_ISDIR (st->st_mode))
		return 0;
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].ino == st->st_ino) {
			seen[i].found++;
			return 0;
		}
	if (nseen == capseen && !(seen = realloc (seen, (capseen = capseen * 2 + 64) * sizeof *seen)))
		abort ();
	seen[nseen++] = (struct seen){st->st_ino, st->st_nlink, 1};
	return 0;
}

static void
links_inside (const char *inner)
{
	nseen = 0;
	if (nftw (inner, count_link, 16, FTW_PHYS) < 0)
		abort ();
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].found != seen[i].nlink) {
			fprintf (stderr, "inode %lu: %lu links, %lu inside\n", (unsigned long)seen[i].ino,
			         (unsigned long)seen[i].nlink, (unsigned long)seen[i].found);
			abort ();
		}
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	struct unpack_opts o = {.rootless = 0, .opaque_xattr = OVL_OPAQUE_TRUSTED};
	struct unpack_stats st = {0};
	char diffid[DIGEST_STR_LEN + 1], inner[128];
	struct bx_err e;
	int blob, dfd, ifd;

	if (size > 1 << 20)
		return 0;
	if ((blob = memfd_create ("blob", MFD_CLOEXEC)) < 0 || write (blob, data, size) != (ssize_t)size ||
	    lseek (blob, 0, SEEK_SET) < 0)
		abort ();
	if (mkdirat (basefd, "d", 0700) < 0 || (dfd = openat (basefd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    mkdirat (dfd, "inner", 0755) < 0 || (ifd = openat (dfd, "inner", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		abort ();
	unpack_layer (blob, ifd, &o, diffid, &st, &e);
	close (blob);
	close (ifd);
	scratch_holds_only (basefd, "d");
	scratch_holds_only (dfd, "inner");
	snprintf (inner, sizeof inner, "%s/d/inner", scratch_path);
	links_inside (inner);
	close (dfd);
	if (tree_remove_at (basefd, "d") < 0)
		abort ();
	return 0;
}
