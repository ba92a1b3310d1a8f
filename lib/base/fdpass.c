#include "base/fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int
fdpass_send (int sock, int fd, const char *msg, struct bx_err *e)
{
	char cbuf[CMSG_SPACE (sizeof (int))] = {0};
	struct iovec iov = {(void *)msg, strlen (msg)};
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm = CMSG_FIRSTHDR (&h);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN (sizeof (int));
	memcpy (CMSG_DATA (cm), &fd, sizeof fd);
	if (sendmsg (sock, &h, MSG_NOSIGNAL) < 0)
		return err_set (e, BX_SYSTEM, errno, "send an fd");
	return 0;
}

int
fdpass_recv (int sock, int *fd, struct bx_err *e)
{
	char cbuf[CMSG_SPACE (sizeof (int))], msg[4096];
	struct iovec iov = {msg, sizeof msg};
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm;
	ssize_t n;

	while ((n = recvmsg (sock, &h, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	cm = n > 0 ? CMSG_FIRSTHDR (&h) : NULL;
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return err_set (e, BX_SYSTEM, n < 0 ? errno : 0, "receive an fd");
	memcpy (fd, CMSG_DATA (cm), sizeof *fd);
	return 0;
}
