/* devcg - a container's device rules enforced: on cgroup v1 the devices
 * controller's lists, on cgroup v2 an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup, made
 * instruction by instruction as runc and crun make theirs
 *
 * The rules are config.json's linux.resources.devices followed by runc's
 * AllowedDevices (mknod of any device, the default devices, the pty
 * slaves, /dev/ptmx, /dev/net/tun), appended as runc appends them, so a
 * container sees what a Docker one sees. Both versions apply the rules as
 * the v1 kernel reads them one by one: "a" resets to allow or deny all, a
 * rule of the other kind adds an exception (merging the access of one for
 * the same device), a rule of the default's kind takes access away from
 * the exception for that very device. The exceptions left are what the
 * v1 files get (one write each: the kernel reads one rule per write) and
 * what the program tests. */
#ifndef BOX_DEVCG_H
#define BOX_DEVCG_H

#include <stddef.h>

#include "base/err.h"
#include "runtime/cgroup.h"

/* an exception to the default, for one type:major:minor (-1: any) */
struct devcg_ex {
	char type; /* 'c' or 'b' */
	long major, minor;
	unsigned access; /* BPF_DEVCG_ACC_*: 1 mknod, 2 read, 4 write */
};

/* the rules reduced: the default and its exceptions */
struct devcg_set {
	int allow; /* the default: allow (1) or deny (0) */
	int reset; /* an "a" rule was read: the default replaces what the cgroup inherited */
	struct devcg_ex *ex;
	size_t n;
};

/* Reduce RULES, then runc's AllowedDevices, into S (freed with
 * devcg_set_free). A cgroup that never reads "a" allows by default, as a
 * new v1 cgroup under an unrestricted parent does. */
int devcg_reduce (const struct cgroup_devrule *rules, size_t n, struct devcg_set *s, struct bx_err *e);
void devcg_set_free (struct devcg_set *s);

/* v1: write RULES into the devices cgroup directory DIR. */
int devcg_apply_v1 (const char *dir, const struct cgroup_devrule *rules, size_t n, struct bx_err *e);
/* v2: attach a program enforcing RULES to the cgroup2 directory DIR (one
 * attached before, to a cgroup reused after a crash, is detached). A
 * plain directory standing in for a cgroup ($BOX_CGROUP2_ROOT in the
 * unit tests) has nothing to attach to and is left alone. */
int devcg_apply_v2 (const char *dir, const struct cgroup_devrule *rules, size_t n, struct bx_err *e);

#endif
