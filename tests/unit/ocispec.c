/* unit tests: lib/runtime/ocispec, a config.json read into setup steps */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "runtime/ocispec.h"
#include "tap.h"

static char root[256];

static void
test_ocispec (void)
{
	const char *cfg =
	    "{\"process\":{\"args\":[\"sh\"],\"env\":[\"A=1\"],\"cwd\":\"/w\",\"user\":{\"uid\":5,\"gid\":6,"
	    "\"additionalGids\":[7]},\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"]},"
	    "\"noNewPrivileges\":true},\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"h\","
	    "\"mounts\":[{\"destination\":\"/"
	    "dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"mode=755\"]},"
	    "{\"destination\":\"/d\",\"type\":\"bind\",\"source\":\"/"
	    "src\",\"options\":[\"rbind\",\"ro\",\"rprivate\"]}],"
	    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/"
	    "n\"}],"
	    "\"resources\":{\"memory\":{\"limit\":1024},\"pids\":{\"limit\":9}},\"maskedPaths\":[\"/proc/kcore\"],"
	    "\"readonlyPaths\":[\"/proc/sys\"]}}";
	struct spec s;
	struct bx_err e = {0};
	int fd, kinds[32] = {0};
	char path[300];

	snprintf (path, sizeof path, "%s/config.json", root);
	fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	afile_write_all (fd, cfg, strlen (cfg));
	close (fd);
	fd = open (root, O_RDONLY | O_DIRECTORY);
	ok (ocispec_read (fd, "/b", &s, &e) == 0, "ocispec: read (%s)", e.msg);
	close (fd);
	is_str (s.rootfs, "/b/rootfs", "ocispec: root.path under the bundle");
	ok (s.uid == 5 && s.gid == 6 && s.ngids == 1 && s.gids[0] == 7, "ocispec: user");
	ok (s.caps[CAPSET_BOUNDING] == ((1ULL << 5) | 1ULL) && s.has_caps, "ocispec: capability bits");
	ok (s.nnp && s.njoins == 1 && s.joins[0].type == 0x40000000 && !strcmp (s.joins[0].path, "/n"),
	    "ocispec: a joined network namespace");
	ok (s.res.memory == 1024 && s.res.pids == 9 && s.res.cpu_quota == -1, "ocispec: resources");
	for (size_t i = 0; i < s.nops; i++)
		kinds[s.ops[i].kind]++;
	ok (kinds[OP_MOUNT] == 1 && kinds[OP_BIND] == 1 && kinds[OP_MKNOD] == 6 && kinds[OP_SYMLINK] == 6 &&
	        kinds[OP_PIVOT] == 1 && kinds[OP_MASK] == 1 && kinds[OP_RDONLY] == 1 && kinds[OP_ROOT_RO] == 1,
	    "ocispec: the setup steps");
	ok (s.ops[1].kind == OP_BIND && s.ops[1].rec && s.ops[1].ro && s.ops[1].prop == 0x40000 /* MS_PRIVATE */,
	    "ocispec: rbind,ro,rprivate");
	is_str (s.ops[0].data, "mode=755", "ocispec: data options kept apart from flags");
	ocispec_free (&s);
}

int
main (void)
{
	tap_scratch (root, sizeof root, "ocispec");
	test_ocispec ();
	tap_scratch_remove (root);
	return tap_done ();
}
