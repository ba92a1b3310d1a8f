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

/* CFG's linux section (a JSON object's members) in a minimal config;
 * ocispec_read's result, its message in E */
static int
read_linux (const char *lx, const char *mounts, struct spec *s, struct bx_err *e)
{
	char cfg[4096], path[300];
	int fd, r;

	snprintf (cfg, sizeof cfg,
	          "{\"process\":{\"args\":[\"sh\"]},\"root\":{\"path\":\"rootfs\"},\"mounts\":[%s],"
	          "\"linux\":{%s}}",
	          mounts, lx);
	snprintf (path, sizeof path, "%s/config.json", root);
	fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	afile_write_all (fd, cfg, strlen (cfg));
	close (fd);
	*e = (struct bx_err){0};
	fd = open (root, O_RDONLY | O_DIRECTORY);
	r = ocispec_read (fd, "/b", s, e);
	close (fd);
	return r;
}

#define USERNS                                                                                                         \
	"\"namespaces\":[{\"type\":\"user\"},{\"type\":\"mount\"},{\"type\":\"time\"}],"                               \
	"\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1000},{\"containerID\":1000,\"hostID\":5,"     \
	"\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]"

static void
test_userns (void)
{
	const char *bind =
	    "{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"/s\",\"options\":[\"rbind\",\"ridmap\"]}";
	struct spec s;
	struct bx_err e;
	size_t i;

	ok (read_linux (USERNS ",\"timeOffsets\":{\"boottime\":{\"secs\":-5,\"nanosecs\":7}}", bind, &s, &e) == 0,
	    "ocispec: a user namespace (%s)", e.msg);
	ok (s.userns && s.mntns && (s.clone_flags & 0x10000000) && s.idmaps.uid->n == 2 &&
	        s.idmaps.uid->ext[1].inside == 1000 && s.idmaps.uid->ext[1].outside == 5 && s.idmaps.gid->n == 1,
	    "ocispec: uidMappings and gidMappings");
	ok (idmap_to_host (s.idmaps.uid, 999) == 100999 && idmap_to_host (s.idmaps.uid, 1001) < 0,
	    "ocispec: ids mapped outside");
	ok (s.timeoff[1].set && s.timeoff[1].secs == -5 && s.timeoff[1].nanosecs == 7 && !s.timeoff[0].set,
	    "ocispec: timeOffsets");
	for (i = 0; i < s.nops && s.ops[i].kind != OP_BIND; i++)
		;
	ok (i < s.nops && s.ops[i].idmap == 2 && s.ops[i].idmaps.uid == s.idmaps.uid,
	    "ocispec: ridmap, the container's maps");
	ocispec_free (&s);
}

static void
test_userns_refused (void)
{
	static const struct {
		const char *lx, *mounts, *msg;
	} t[] = {
	    {"\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]", "",
	     "config.json: linux.uidMappings: given, but linux.namespaces has no user namespace"},
	    {"\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]", "",
	     "config.json: linux.gidMappings: missing: a user namespace of its own needs it"},
	    {"\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":9},"
	     "{\"containerID\":9,\"hostID\":5,\"size\":1}]",
	     "", "config.json: linux.uidMappings[1]: overlaps linux.uidMappings[0]"},
	    {"\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":4294967295,\"size\":"
	     "2}]",
	     "", "config.json: linux.uidMappings[0]: past the last id"},
	    {"\"timeOffsets\":{\"monotonic\":{\"secs\":1}}", "",
	     "config.json: linux.timeOffsets: given, but linux.namespaces has no time namespace of its own"},
	    {"", "{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"idmap\"]}",
	     "config.json: mounts[0] (/t): idmap: only bind mounts can be idmapped"},
	    {"", "{\"destination\":\"/v\",\"type\":\"bind\",\"source\":\"/s\",\"options\":[\"idmap\"]}",
	     "config.json: mounts[0] (/v): idmap: no uidMappings, and the container has none"},
	};
	struct spec s;
	struct bx_err e;

	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
		ok (read_linux (t[k].lx, t[k].mounts, &s, &e) < 0, "ocispec: refused (%zu)", k);
		is_str (e.msg, t[k].msg, "ocispec: the message names the key");
		ocispec_free (&s);
	}
}

int
main (void)
{
	tap_scratch (root, sizeof root, "ocispec");
	test_ocispec ();
	test_userns ();
	test_userns_refused ();
	tap_scratch_remove (root);
	return tap_done ();
}
