/* fdpass - one fd over a unix socket (SCM_RIGHTS) with a message: runc's
 * --console-socket protocol, and the seccomp listener's handover */
#ifndef BOX_FDPASS_H
#define BOX_FDPASS_H

#include "base/err.h"

/* FD over SOCK, MSG (a string) as the message. */
int fdpass_send (int sock, int fd, const char *msg, struct bx_err *e);
/* The fd an fdpass_send sent on SOCK, in *FD (O_CLOEXEC); its message
 * is dropped. */
int fdpass_recv (int sock, int *fd, struct bx_err *e);

#endif
