#include "runtime/attach.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/layout.h"

static void
attach_addr (int dirfd, struct sockaddr_un *a)
{
	memset (a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	snprintf (a->sun_path, sizeof a->sun_path, "/proc/self/fd/%d/" L_ATTACH, dirfd);
}

int
attach_listen (int dirfd, struct bx_err *e)
{
	struct sockaddr_un a;
	int s = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (s < 0)
		return err_set (e, BX_SYSTEM, errno, "attach socket");
	attach_addr (dirfd, &a);
	unlinkat (dirfd, L_ATTACH, 0);
	if (bind (s, (struct sockaddr *)&a, sizeof a) < 0 || listen (s, 16) < 0) {
		close (s);
		return err_set (e, BX_SYSTEM, errno, L_ATTACH);
	}
	return s;
}

int
attach_connect (int dirfd, struct bx_err *e)
{
	struct sockaddr_un a;
	int s = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (s < 0)
		return err_set (e, BX_SYSTEM, errno, "attach socket");
	attach_addr (dirfd, &a);
	if (connect (s, (struct sockaddr *)&a, sizeof a) < 0) {
		int sys = errno;
		close (s);
		if (sys == ENOENT || sys == ECONNREFUSED)
			return err_set (e, BX_NOTFOUND, sys, L_ATTACH);
		return err_set (e, BX_SYSTEM, sys, L_ATTACH);
	}
	return s;
}

void
attach_unlink (int dirfd)
{
	unlinkat (dirfd, L_ATTACH, 0);
}

int
attach_send (int sock, int type, const void *buf, size_t n)
{
	char t = (char)type;
	struct iovec iov[2] = {{&t, 1}, {(void *)buf, n}};
	struct msghdr h = {.msg_iov = iov, .msg_iovlen = n ? 2 : 1};
	ssize_t w;

	while ((w = sendmsg (sock, &h, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return w == (ssize_t)(n + 1) ? 0 : -1;
}
