/* afile - whole-file reads and atomic whole-file writes (docs/STYLE.md) */
#ifndef BOX_AFILE_H
#define BOX_AFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

/* Write BUF to DIRFD/NAME via NAME.tmp-PID made with MODE, fsync, rename. */
int afile_write_at (int dirfd, const char *name, const void *buf, size_t len, mode_t mode, struct bx_err *e);
/* As afile_write_at without the fsync: readers never see a partial file,
 * but a crash may leave the old one. For files rebuilt whenever they
 * change or after a reboot (a container's state, hosts, resolv.conf and
 * network.json, a network's endpoints and resolver names): what they say
 * is lost with the processes and network devices on a crash anyway. */
int afile_replace_at (int dirfd, const char *name, const void *buf, size_t len, mode_t mode, struct bx_err *e);
/* As afile_replace_at (SYNC: afile_write_at), for a small file that must
 * be written even on a full disk: when the new copy cannot be made
 * (ENOSPC, EDQUOT), the file is rewritten in place, within the blocks it
 * has allocated already (a file of a few hundred bytes holds one whole
 * block), padded with newlines to its old size before it is cut, so a
 * reader never sees the old lines after the new ones. A reader may see a
 * torn file meanwhile: for state files whose readers skip lines they do
 * not know. */
int afile_replace_reserved_at (int dirfd, const char *name, const void *buf, size_t len, mode_t mode, int sync,
                               struct bx_err *e);
/* Read all of FD into a NUL-terminated malloc'd buffer. */
int afile_slurp_fd (int fd, char **out, size_t *len, struct bx_err *e);
/* Read all of DIRFD/NAME; BX_NOTFOUND when it does not exist. */
int afile_slurp_at (int dirfd, const char *name, char **out, size_t *len, struct bx_err *e);
/* write(2) until done or error. */
int afile_write_all (int fd, const void *buf, size_t len);
/* Write BUF to the existing file PATH in one write(2), as the kernel's
 * files (/proc, /sys, cgroups) want a value: a short write is EIO.
 * -1 with errno on failure. */
int afile_put (const char *path, const void *buf, size_t len);
/* mkdir -p relative to DIRFD (AT_FDCWD for cwd). */
int afile_mkdir_p_at (int dirfd, const char *path, mode_t mode, struct bx_err *e);
/* fsync a directory, so that a rename in it is durable. */
int afile_fsync_dir_at (int dirfd, const char *path, struct bx_err *e);
/* True for names of temporary files: "*.tmp-<pid>" */
int afile_is_tmp_name (const char *name);

#endif
