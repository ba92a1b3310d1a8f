#include "launch.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int
launch_send (int sock, const struct launch_msg *m, const int *fds, int nfds)
{
	char cbuf[CMSG_SPACE (3 * sizeof (int))] = {0};
	struct iovec iov = {(void *)m, sizeof *m};
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	if (nfds > 0) {
		h.msg_control = cbuf;
		h.msg_controllen = CMSG_SPACE (nfds * sizeof (int));
		c = CMSG_FIRSTHDR (&h);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN (nfds * sizeof (int));
		memcpy (CMSG_DATA (c), fds, nfds * sizeof (int));
	}
	return sendmsg (sock, &h, MSG_NOSIGNAL) == (ssize_t)sizeof *m ? 0 : -1;
}

int
launch_recv (int sock, struct launch_msg *m, int *fds, int maxfds)
{
	char cbuf[CMSG_SPACE (3 * sizeof (int))];
	struct iovec iov = {m, sizeof *m};
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *c;
	ssize_t n;

	for (int i = 0; i < maxfds; i++)
		fds[i] = -1;
	while ((n = recvmsg (sock, &h, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof *m)
		return -1;
	m->msg[sizeof m->msg - 1] = m->cgroup[sizeof m->cgroup - 1] = '\0';
	for (c = CMSG_FIRSTHDR (&h); c; c = CMSG_NXTHDR (&h, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (int)((c->cmsg_len - CMSG_LEN (0)) / sizeof (int));
			memcpy (fds, CMSG_DATA (c), (size_t)(k < maxfds ? k : maxfds) * sizeof (int));
		}
	return 0;
}
