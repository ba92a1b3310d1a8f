/* fuzz/archive - libFuzzer target for image archives as img-load reads
 * them: docker save and OCI archives (tools/img-load/loadplan over
 * lib/image/tarball), and the layer stream decompression of
 * lib/image/tarball. Any input is refused or planned, never a crash;
 * staging writes into the stage only (fuzz/scratch.h's directory holds
 * the stage and nothing else after each input); a plan's blobs are staged
 * files. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#include "base/tree.h"
#include "image/tarball.h"
#include "img-load/loadplan.h"
#include "scratch.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int basefd = -1;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
	(void)argc, (void)argv;
	basefd = scratch_init ("archive");
	return 0;
}

static void
plan (int in, int stage)
{
	struct loadplan_src s;
	struct loadplan p;
	struct bx_err e;
	char path[64];
	const char *dg;
	json_t *f;
	struct stat st;

	snprintf (path, sizeof path, "/proc/self/fd/%d", in);
	if (loadplan_src_open (&s, path, stage, &e) == 0) {
		if (loadplan_read (&s, &p, &e) == 0)
			json_object_foreach (p.blobs, dg, f)
			{
				if (!json_is_string (f) ||
				    fstatat (stage, json_string_value (f), &st, AT_SYMLINK_NOFOLLOW) < 0 ||
				    !S_ISREG (st.st_mode))
					abort ();
			}
		loadplan_free (&p);
	}
	loadplan_src_free (&s);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	char diffid[DIGEST_STR_LEN + 1];
	struct bx_err e;
	int in, stage;

	if (size > 1 << 20)
		return 0;
	if ((in = memfd_create ("archive", MFD_CLOEXEC)) < 0 || write (in, data, size) != (ssize_t)size ||
	    lseek (in, 0, SEEK_SET) < 0)
		abort ();
	if (mkdirat (basefd, "stage", 0700) < 0 || (stage = openat (basefd, "stage", O_RDONLY | O_DIRECTORY)) < 0)
		abort ();
	plan (in, stage);
	scratch_holds_only (basefd, "stage");
	if (lseek (in, 0, SEEK_SET) < 0)
		abort ();
	tarball_diff_id (in, diffid, &e);
	close (in);
	close (stage);
	if (tree_remove_at (basefd, "stage") < 0)
		abort ();
	return 0;
}
