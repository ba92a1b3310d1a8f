#include "ocinotify.h"

#include <jansson.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/fdpass.h"
#include "ocistdio.h"

int
ocinotify_open (void *seccomp, const struct scmp_prog *p, struct ocistate *st, struct ocinotify *n, struct bx_err *e)
{
	*n = (struct ocinotify){.sock = -1, .st = st};
	if (!(p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return 0;
	n->meta = json_string_value (json_object_get (seccomp, "listenerMetadata"));
	n->sock = ocistdio_connect (json_string_value (json_object_get (seccomp, "listenerPath")), e);
	return n->sock < 0 ? err_wrap (e, "seccomp listenerPath") : 0;
}

int
ocinotify_send (struct ocinotify *n, int fd, struct bx_err *e)
{
	json_t *state = ocistate_json (n->st, OCI_CREATING);
	json_t *j = json_pack ("{s:s, s:[s], s:I, s:s, s:o}", "ociVersion", "1.0.2", "fds", "seccompFd", "pid",
	                       (json_int_t)n->st->pid, "metadata", n->meta ? n->meta : "", "state", state);
	char *text = j ? json_dumps (j, JSON_COMPACT) : NULL;
	int r;

	json_decref (j);
	if (!text)
		return err_set (e, 125, 0, "seccomp listener: state");
	r = fdpass_send (n->sock, fd, text, e);
	free (text);
	return r;
}

void
ocinotify_close (struct ocinotify *n)
{
	if (n->sock >= 0)
		close (n->sock);
	n->sock = -1;
}
