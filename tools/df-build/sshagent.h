/* sshagent - `--ssh ID=KEY[,KEY]`: key files served by an ssh agent of
 * the build's own, as buildx loads them into an agent it serves
 *
 * Each such ID gets OpenSSH's ssh-agent on tmp/build-PID.ssh/N.sock, its
 * keys added with ssh-add; RUN --mount=type=ssh binds that socket as it
 * binds a socket given with --ssh ID=SOCKET. The agent runs in
 * ssh-agent's command form under a shim that waits on a pipe only the
 * build holds: a build that ends stops it, and one that is killed closes
 * the pipe, so the agent sees its parent go (ssh-agent checks every 10
 * seconds) and removes its socket; the next build sweeps the directory.
 */
#ifndef DF_BUILD_SSHAGENT_H
#define DF_BUILD_SSHAGENT_H

#include "build.h"

/* Start an agent for each --ssh ID whose value is {"keys": [...]} and
 * make the value its socket's path. */
int sshagent_start (struct build *b, struct bx_err *e);
/* Stop the agents sshagent_start started and remove their sockets. */
void sshagent_stop (struct build *b);

#endif
