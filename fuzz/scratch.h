/* scratch - the fuzz targets' own directory for what they extract or
 * stage: /tmp/box-fuzz-NAME-PID, a small tmpfs in the fuzzer's own mount
 * namespace when it may make one (root), so that a decompression bomb
 * fills that and nothing else, and the mount goes with the process
 * whatever kills it. */
#ifndef BOX_FUZZ_SCRATCH_H
#define BOX_FUZZ_SCRATCH_H

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch_path[64];

static void
scratch_remove (void)
{
	umount2 (scratch_path, MNT_DETACH);
	rmdir (scratch_path);
}

/* Make the directory; its fd. */
static inline int
scratch_init (const char *name)
{
	int fd;

	snprintf (scratch_path, sizeof scratch_path, "/tmp/box-fuzz-%s-%d", name, (int)getpid ());
	if (mkdir (scratch_path, 0700) < 0)
		abort ();
	if (unshare (CLONE_NEWNS) == 0 && mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		mount ("box-fuzz", scratch_path, "tmpfs", 0, "size=64m,mode=0700");
	if ((fd = open (scratch_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		abort ();
	atexit (scratch_remove);
	return fd;
}

/* DIRFD holds exactly the entry NAME: anything else escaped. */
static inline void
scratch_holds_only (int dirfd, const char *name)
{
	DIR *d = fdopendir (dup (dirfd));
	struct dirent *de;

	if (!d)
		abort ();
	while ((de = readdir (d))) {
		if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
			continue;
		if (strcmp (de->d_name, name) != 0) {
			fprintf (stderr, "escaped: %s\n", de->d_name);
			abort ();
		}
	}
	closedir (d);
}

#endif
