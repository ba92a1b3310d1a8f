/* fuzz/state - libFuzzer target for the state directory's files as their
 * readers take them: a container's state (lib/runtime/ctr, key=value) and
 * create.json, a network's config.json (lib/net) and an endpoint file
 * (ctr-net/endpoint, key=value). A state directory may be edited by hand
 * or cut short by a full disk: any content is refused or read, never a
 * crash; a state read is written back and reads the same. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "base/afile.h"
#include "base/layout.h"
#include "ctr-net/endpoint.h"
#include "net/net.h"
#include "runtime/ctr.h"
#include "scratch.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int rootfd = -1, ctrfd = -1, netfd = -1;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
	int fd;

	(void)argc, (void)argv;
	fd = scratch_init ("state");
	if (mkdirat (fd, "c", 0700) < 0 || mkdirat (fd, L_NETWORKS, 0700) < 0 ||
	    mkdirat (fd, L_NETWORKS "/n", 0700) < 0 || mkdirat (fd, L_NETWORKS "/n/" L_ENDPOINTS, 0700) < 0)
		abort ();
	rootfd = fd;
	ctrfd = openat (fd, "c", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	netfd = openat (fd, L_NETWORKS "/n", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ctrfd < 0 || netfd < 0)
		abort ();
	return 0;
}

static void
put (int dirfd, const char *name, const uint8_t *data, size_t size)
{
	struct bx_err e;

	if (afile_replace_at (dirfd, name, data, size, 0600, &e) < 0)
		abort ();
}

static void
state (void)
{
	struct ctr_state a, b;
	struct bx_err e;

	if (ctr_state_read (ctrfd, &a, &e) < 0)
		return;
	if (ctr_state_write (ctrfd, &a, 0, &e) < 0 || ctr_state_read (ctrfd, &b, &e) < 0)
		abort ();
	/* field by field: a value set twice leaves bytes after its end */
	if (strcmp (a.status, b.status) || a.pid != b.pid || a.pid_start != b.pid_start || a.monitor != b.monitor ||
	    a.monitor_start != b.monitor_start || a.exit_code != b.exit_code || a.oom_killed != b.oom_killed ||
	    a.restart_count != b.restart_count || strcmp (a.created, b.created) || strcmp (a.started, b.started) ||
	    strcmp (a.finished, b.finished) || strcmp (a.error, b.error))
		abort ();
	ctr_state_settle (&a);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	struct net n;
	struct endpoint ep;
	struct bx_err e;
	json_t *j;

	if (size > 65536)
		return 0;
	put (ctrfd, L_STATE, data, size);
	put (ctrfd, L_CREATE_JSON, data, size);
	put (netfd, L_NET_CONFIG, data, size);
	put (netfd, L_ENDPOINTS "/" CID, data, size);
	state ();
	if ((j = ctr_create_read (ctrfd, &e)))
		json_decref (j);
	if (net_open_dir (rootfd, "n", &n, &e) == 0)
		net_close (&n);
	/* an endpoint is read whatever the network's config.json says */
	memset (&n, 0, sizeof n);
	n.dirfd = netfd;
	if (endpoint_read (&n, CID, &ep, &e) == 0 && (ep.naliases > ENDPOINT_ALIAS_MAX || ep.nports > PORTMAP_MAX))
		abort ();
	return 0;
}
