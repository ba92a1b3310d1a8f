/* cleanup - scope-bound release of memory, fds, DIR* and FILE* (docs/STYLE.md) */
#ifndef BOX_CLEANUP_H
#define BOX_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
cleanup_freep (void *p)
{
	free (*(void **)p);
}

static inline void
cleanup_closep (int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close (*fd);
		errno = saved;
	}
}

static inline void
cleanup_dirp (DIR **d)
{
	if (*d)
		closedir (*d);
}

static inline void
cleanup_filep (FILE **f)
{
	if (*f)
		fclose (*f);
}

#define _cleanup_free_ __attribute__ ((cleanup (cleanup_freep)))
#define _cleanup_close_ __attribute__ ((cleanup (cleanup_closep)))
#define _cleanup_dir_ __attribute__ ((cleanup (cleanup_dirp)))
#define _cleanup_file_ __attribute__ ((cleanup (cleanup_filep)))

static inline void *
steal_ptr_ (void *pp)
{
	void **p = pp, *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) ((__typeof__ (*(pp)))steal_ptr_ (pp))

static inline int
steal_fd (int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#endif
