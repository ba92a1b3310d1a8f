/* attach - the attach socket of a running container, containers/<id>/attach
 *
 * ctr-spawn holds the container's output (pipes, or the pty master) and
 * its open stdin: its -d supervisor, or ctr-spawn itself when it runs the
 * container attached. It listens on this unix socket
 * (SOCK_SEQPACKET: one message a send, never split nor joined) and serves
 * any number of attachers at once (ctr-attach). Each message is one type
 * byte, then its payload:
 *
 *   attacher -> supervisor   'h' FLAGS   the first: ATTACH_WANT_STDIN
 *                            'i' BYTES   to the container's stdin (or pty)
 *                            'r' ROWS COLS  (two uint16) the pty's size
 *   supervisor -> attacher   'o' BYTES   stdout (all of a pty's output)
 *                            'e' BYTES   stderr
 *                            'x' CODE    the container ended, its exit
 *                                        code in decimal; then EOF
 *
 * The socket exists while that ctr-spawn lives; it removes it when it
 * ends. It is bound through /proc/self/fd/<dirfd>/, so a long
 * state directory path never meets sun_path's 108 bytes. */
#ifndef BOX_ATTACH_H
#define BOX_ATTACH_H

#include <stddef.h>

#include "base/err.h"

#define ATTACH_MSG_MAX (16384 + 1)
#define ATTACH_WANT_STDIN 1

enum attach_type {
	ATTACH_HELLO = 'h',
	ATTACH_STDIN = 'i',
	ATTACH_RESIZE = 'r',
	ATTACH_STDOUT = 'o',
	ATTACH_STDERR = 'e',
	ATTACH_EXIT = 'x',
};

/* The socket of the container directory DIRFD, listening (a stale one
 * replaced); non-blocking, O_CLOEXEC. */
int attach_listen (int dirfd, struct bx_err *e);
/* Connected to it; BX_NOTFOUND when no supervisor listens. */
int attach_connect (int dirfd, struct bx_err *e);
/* The socket's file gone (the supervisor's end). */
void attach_unlink (int dirfd);
/* One message of TYPE with N bytes of BUF; -1 when it could not go. */
int attach_send (int sock, int type, const void *buf, size_t n);

#endif
