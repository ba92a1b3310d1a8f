/* idcopy - TAP unit tests of lib/layers/idcopy.h: the range's directory
 * name, BOX_IDMAP_LAYERS, and a layer copied with its owners shifted and
 * its overlayfs marks kept, its ACLs shifted (as root: chown, mknod and
 * trusted.* xattrs) */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/tree.h"
#include "layers/idcopy.h"
#include "tap.h"

#define HEX "1111111111111111111111111111111111111111111111111111111111111111"

static void
keys (void)
{
	struct idmap u = {0}, g = {0};
	struct bx_err e = {0};
	char key[IDCOPY_KEY_LEN], again[IDCOPY_KEY_LEN];

	idmap_add_spec (&u, "0:100000:65536", &e);
	idmap_add_spec (&g, "0:200000:1000", &e);
	idmap_add_spec (&g, "1000:5000:1", &e);
	idcopy_key (&u, &g, key);
	is_str (key, "u0-100000-65536_0-200000-1000.1000-5000-1", "the extents spelt");
	u.n = 0;
	for (unsigned i = 0; i < 40; i++)
		idmap_add (&u, i * 10, 300000 + i * 10, 10, &e);
	idcopy_key (&u, &g, key);
	ok (key[0] == 'h' && strlen (key) == 17, "too many to spell: a hash (%s)", key);
	idcopy_key (&u, &g, again);
	is_str (again, key, "the same maps, the same name");
	u.ext[39].count = 9;
	idcopy_key (&u, &g, again);
	ok (strcmp (again, key) != 0, "other maps, another name");
}

static void
modes (void)
{
	static const struct {
		const char *v;
		int mode;
	} v[] = {{NULL, IDCOPY_AUTO},
	         {"", IDCOPY_AUTO},
	         {"auto", IDCOPY_AUTO},
	         {"idmap", IDCOPY_IDMAP},
	         {"copy", IDCOPY_COPY}};
	enum idcopy_mode m;
	struct bx_err e = {0};

	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		if (v[i].v)
			setenv (IDCOPY_ENV, v[i].v, 1);
		else
			unsetenv (IDCOPY_ENV);
		ok (idcopy_mode (&m, &e) == 0 && (int)m == v[i].mode, "BOX_IDMAP_LAYERS=%s",
		    v[i].v ? v[i].v : "(unset)");
	}
	setenv (IDCOPY_ENV, "chown", 1);
	ok (idcopy_mode (&m, &e) < 0 && e.code == BX_USAGE, "another value refused");
	is_str (e.msg, "BOX_IDMAP_LAYERS=chown: not auto, idmap or copy", "and why");
	unsetenv (IDCOPY_ENV);
}

/* a POSIX ACL's xattr (little-endian, this machine's order): owner,
 * user U, group, group G, mask, other */
#define ACL_SIZE (4 + 6 * 8)
static const char *
acl (uint32_t u, uint32_t g)
{
	static uint32_t v[1 + 6 * 2];
	static const uint16_t tags[6] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20};
	const uint32_t ids[6] = {~0U, u, ~0U, g, ~0U, ~0U};

	v[0] = 2;
	for (int k = 0; k < 6; k++) {
		v[1 + 2 * k] = tags[k] | 4U << 16;
		v[2 + 2 * k] = ids[k];
	}
	return (const char *)v;
}

/* layers/HEX: a file of 0:0 with a capability, one of 7:8 linked twice, a
 * symlink, a whiteout, an opaque directory, one of an unmapped owner */
static int
layer_make (int root)
{
	int fd;

	if (mkdirat (root, "layers", 0700) < 0 || mkdirat (root, "layers/" HEX, 0755) < 0 ||
	    mkdirat (root, "layers/" HEX "/etc", 0755) < 0 || mkdirat (root, "layers/" HEX "/opq", 0700) < 0)
		return -1;
	if ((fd = openat (root, "layers/" HEX "/etc/passwd", O_WRONLY | O_CREAT, 0644)) < 0 ||
	    write (fd, "root\n", 5) != 5 ||
	    fsetxattr (fd, "security.capability", "\1\0\0\2\0\4\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20, 0) < 0)
		return -1;
	close (fd);
	if ((fd = openat (root, "layers/" HEX "/etc/seven", O_WRONLY | O_CREAT, 04750)) < 0 || fchown (fd, 7, 8) < 0 ||
	    fchmod (fd, 04750) < 0)
		return -1;
	close (fd);
	if ((fd = openat (root, "layers/" HEX "/far", O_WRONLY | O_CREAT, 0600)) < 0 || fchown (fd, 70000, 70000) < 0)
		return -1;
	close (fd);
	if (linkat (root, "layers/" HEX "/etc/seven", root, "layers/" HEX "/etc/seven2", 0) < 0 ||
	    symlinkat ("etc/passwd", root, "layers/" HEX "/link") < 0 ||
	    mknodat (root, "layers/" HEX "/gone", S_IFCHR | 0, makedev (0, 0)) < 0 ||
	    fchownat (root, "layers/" HEX "/link", 3, 3, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	fd = openat (root, "layers/" HEX "/opq", O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fsetxattr (fd, "trusted.overlay.opaque", "y", 1, 0) < 0 || close (fd) < 0)
		return -1;
	/* an ACL naming user 1000 and group 70000, out of the range */
	fd = openat (root, "layers/" HEX "/acl", O_WRONLY | O_CREAT, 0640);
	return fd < 0 || fsetxattr (fd, "system.posix_acl_access", acl (1000, 70000), ACL_SIZE, 0) < 0 || close (fd) < 0
	           ? -1
	           : 0;
}

/* P (a directory's /proc/self/fd/N/) and NAME */
static const char *
at (const char *p, const char *name)
{
	static char buf[128];

	snprintf (buf, sizeof buf, "%s%s", p, name);
	return buf;
}

static void
copy (void)
{
	char dir[] = "/tmp/idcopy-unit.XXXXXX", key[IDCOPY_KEY_LEN], v[32], p[64], acl_got[ACL_SIZE + 8];
	struct idmap u = {0}, g = {0};
	struct bx_err e = {0};
	struct stat a, b;
	int root, c;

	if (geteuid () != 0) {
		ok (0, "a copy: needs root (chown, mknod, trusted.* xattrs)");
		return;
	}
	if (!mkdtemp (dir) || (root = open (dir, O_RDONLY | O_DIRECTORY)) < 0 || layer_make (root) < 0) {
		ok (0, "the layer made in %s", dir);
		return;
	}
	idmap_add_spec (&u, "0:100000:65536", &e);
	idmap_add_spec (&g, "0:200000:65536", &e);
	idcopy_key (&u, &g, key);
	ok (idcopy_layer (root, key, HEX, &u, &g, &e) == 0, "copied: %s", e.msg);
	if ((c = openat (root, "idcopies/u0-100000-65536_0-200000-65536/" HEX, O_RDONLY | O_DIRECTORY)) < 0) {
		ok (0, "the copy is there");
		return;
	}
	snprintf (p, sizeof p, "/proc/self/fd/%d/", c);
	ok (fstat (c, &a) == 0 && a.st_uid == 100000 && a.st_gid == 200000 && (a.st_mode & 07777) == 0755,
	    "its root: the mapped root's, the layer's mode");
	ok (fstatat (c, "etc/passwd", &a, 0) == 0 && a.st_uid == 100000 && a.st_gid == 200000, "0:0 shifted");
	ok (getxattr (at (p, "etc/passwd"), "security.capability", v, sizeof v) == 20, "file capabilities kept");
	ok (fstatat (c, "etc/seven", &a, 0) == 0 && a.st_uid == 100007 && a.st_gid == 200008 &&
	        (a.st_mode & 07777) == 04750,
	    "7:8 shifted, setuid kept");
	ok (fstatat (c, "etc/seven2", &b, 0) == 0 && a.st_ino == b.st_ino, "a hard link stays one");
	ok (fstatat (c, "link", &a, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (a.st_mode) && a.st_uid == 100003,
	    "a symlink, its owner shifted");
	ok (fstatat (c, "gone", &a, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR (a.st_mode) && a.st_rdev == 0,
	    "a whiteout kept");
	ok (getxattr (at (p, "opq"), "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y', "an opaque mark kept");
	ok (fstatat (c, "far", &a, 0) == 0 && a.st_uid == 65534 && a.st_gid == 65534, "an id out of the range: 65534");
	ok (getxattr (at (p, "acl"), "system.posix_acl_access", acl_got, sizeof acl_got) == ACL_SIZE &&
	        !memcmp (acl_got, acl (101000, 65534), ACL_SIZE),
	    "an ACL's user and group shifted, the one out of the range 65534");
	close (c);
	ok (fstatat (root, "idcopies/u0-100000-65536_0-200000-65536/" HEX, &a, 0) == 0 &&
	        idcopy_layer (root, key, HEX, &u, &g, &e) == 0 &&
	        fstatat (root, "idcopies/u0-100000-65536_0-200000-65536/" HEX, &b, 0) == 0 && a.st_ino == b.st_ino,
	    "made once: the next call finds it");
	ok (idcopy_layer (root, key, "2222222222222222222222222222222222222222222222222222222222222222", &u, &g, &e) <
	        0,
	    "a layer not extracted: an error");
	close (root);
	tree_remove_at (AT_FDCWD, dir);
}

int
main (void)
{
	keys ();
	modes ();
	copy ();
	return tap_done ();
}
