/* root - find and open the state directory */
#ifndef BOX_ROOT_H
#define BOX_ROOT_H

#include <stddef.h>

#include "base/err.h"

/* The state directory: OPT (--root) if set, else $BOX_ROOT, else
 * /var/lib/box for root and $XDG_DATA_HOME/box for others. */
const char *root_path (const char *opt);
/* True when the programs run rootless: as root of an ordinary user's
 * user namespace, which usr-ns made and marks with BOX_ROOTLESS=1 (and
 * not in the initial user namespace: a stray variable of root's is no
 * rootless). */
int root_is_rootless (void);
/* Create (mode 0711) if needed and open the state directory; a dirfd. */
int root_open (const char *opt, struct bx_err *e);
/* Read ARGV's leading --root DIR / --root=DIR options into *ROOT: the
 * index of the first other argument, or -1 when --root has no value. */
int root_opt (int argc, char **argv, const char **root);
/* The absolute path of the open state directory ROOTFD into BUF (LEN
 * bytes), as the kernel names it: paths handed to other processes. */
int root_abspath (int rootfd, char *buf, size_t len, struct bx_err *e);

#endif
