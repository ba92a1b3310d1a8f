#include "runtime/sealexe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* what makes the copy immutable: no write, no resize, no unsealing */
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static int
is_sealed (int fd)
{
	int seals = fcntl (fd, F_GET_SEALS);

	return seals >= 0 && (seals & SEALS) == SEALS;
}

/* MFD_EXEC is asked for where the kernel knows it (6.3+: vm.memfd_noexec
 * may otherwise make the copy unexecutable); older kernels refuse the flag. */
static int
memfd_new (void)
{
	int fd = memfd_create ("box-sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create ("box-sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd;
}

static int
copy_all (int to, int from, off_t size)
{
	off_t off = 0;

	while (off < size) {
		ssize_t n = sendfile (to, from, &off, (size_t)(size - off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
	}
	return 0;
}

int
sealexe_ensure (char *const *argv, struct bx_err *e)
{
	_cleanup_close_ int self = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int copy = -1;
	struct stat st;

	if (self < 0 || fstat (self, &st) < 0)
		return err_set (e, BX_SYSTEM, errno, "/proc/self/exe");
	if (is_sealed (self))
		return 0;
	if ((copy = memfd_new ()) < 0)
		return err_set (e, BX_SYSTEM, errno, "memfd_create");
	if (copy_all (copy, self, st.st_size) < 0)
		return err_set (e, BX_SYSTEM, errno, "copy /proc/self/exe");
	if (fchmod (copy, 0555) < 0 || fcntl (copy, F_ADD_SEALS, SEALS) < 0)
		return err_set (e, BX_SYSTEM, errno, "seal the copy of /proc/self/exe");
	fexecve (copy, argv, environ);
	return err_set (e, BX_SYSTEM, errno, "exec the sealed copy of /proc/self/exe");
}
